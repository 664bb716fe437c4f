package engine

import (
	"context"
	"fmt"

	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/catalog/pgcatalog"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/planner"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Version is lakesql's version string.
const Version = "0.1.0"

// ServerVersion is what clients see as PostgreSQL's version.
const ServerVersion = "15.0 (lakesql)"

// setting is one configuration parameter.
type setting struct {
	name     string // canonical spelling (DateStyle, TimeZone, ...)
	value    string
	reported bool // sent to clients as ParameterStatus
	readOnly bool
	desc     string
}

// defaultSettings are the parameters every session starts with.
func defaultSettings() map[string]*setting {
	list := []setting{
		{name: "server_version", value: ServerVersion, reported: true, readOnly: true, desc: "Shows the server version."},
		{name: "server_version_num", value: "150000", readOnly: true, desc: "Shows the server version as an integer."},
		{name: "server_encoding", value: "UTF8", reported: true, readOnly: true, desc: "Shows the server (database) character set encoding."},
		{name: "client_encoding", value: "UTF8", reported: true, desc: "Sets the client's character set encoding."},
		{name: "DateStyle", value: "ISO, MDY", reported: true, desc: "Sets the display format for date and time values."},
		{name: "IntervalStyle", value: "postgres", reported: true, desc: "Sets the display format for interval values."},
		{name: "TimeZone", value: "UTC", reported: true, desc: "Sets the time zone for displaying and interpreting time stamps."},
		{name: "integer_datetimes", value: "on", reported: true, readOnly: true, desc: "Shows whether datetimes are integer based."},
		{name: "standard_conforming_strings", value: "on", reported: true, desc: "Causes '...' strings to treat backslashes literally."},
		{name: "application_name", value: "", reported: true, desc: "Sets the application name to be reported in statistics and logs."},
		{name: "is_superuser", value: "on", reported: true, readOnly: true, desc: "Shows whether the current user is a superuser."},
		{name: "session_authorization", value: "lakesql", reported: true, readOnly: true, desc: "Sets the session user name."},
		{name: "search_path", value: `"$user", public`, desc: "Sets the schema search order for names that are not schema-qualified."},
		{name: "extra_float_digits", value: "1", desc: "Sets the number of digits displayed for floating-point values."},
		{name: "statement_timeout", value: "0", desc: "Sets the maximum allowed duration of any statement."},
		{name: "lock_timeout", value: "0", desc: "Sets the maximum allowed duration of any wait for a lock."},
		{name: "idle_in_transaction_session_timeout", value: "0", desc: "Sets the maximum allowed idle time between queries, when in a transaction."},
		{name: "idle_session_timeout", value: "0", desc: "Sets the maximum allowed idle time between queries, when not in a transaction."},
		{name: "transaction_isolation", value: "read committed", desc: "Sets the current transaction's isolation level."},
		{name: "default_transaction_isolation", value: "read committed", desc: "Sets the transaction isolation level of each new transaction."},
		{name: "default_transaction_read_only", value: "off", desc: "Sets the default read-only status of new transactions."},
		{name: "transaction_read_only", value: "off", desc: "Sets the current transaction's read-only status."},
		{name: "client_min_messages", value: "notice", desc: "Sets the message levels that are sent to the client."},
		{name: "bytea_output", value: "hex", desc: "Sets the output format for bytea."},
		{name: "max_identifier_length", value: "63", readOnly: true, desc: "Shows the maximum identifier length."},
		{name: "max_index_keys", value: "32", readOnly: true, desc: "Shows the maximum number of index keys."},
		{name: "max_function_args", value: "100", readOnly: true, desc: "Shows the maximum number of function arguments."},
		{name: "block_size", value: "8192", readOnly: true, desc: "Shows the size of a disk block."},
		{name: "lc_collate", value: "C", readOnly: true, desc: "Shows the collation order locale."},
		{name: "lc_ctype", value: "C", readOnly: true, desc: "Shows the character classification and case conversion locale."},
		{name: "lc_messages", value: "C", desc: "Sets the language in which messages are displayed."},
		{name: "lc_monetary", value: "C", desc: "Sets the locale for formatting monetary amounts."},
		{name: "lc_numeric", value: "C", desc: "Sets the locale for formatting numbers."},
		{name: "lc_time", value: "C", desc: "Sets the locale for formatting date and time values."},
		{name: "default_text_search_config", value: "pg_catalog.english", desc: "Sets default text search configuration."},
		{name: "max_connections", value: "100", readOnly: true, desc: "Sets the maximum number of concurrent connections."},
		{name: "work_mem", value: "4MB", desc: "Sets the maximum memory to be used for query workspaces."},
		{name: "threads", value: "0", desc: "Sets how many workers a query's pipelines run on (0: the server's default)."},
		{name: "search_path_", value: "", desc: ""},
	}
	m := make(map[string]*setting, len(list))
	for i := range list {
		if list[i].name == "search_path_" {
			continue
		}
		s := list[i]
		m[strings.ToLower(s.name)] = &s
	}
	return m
}

// ReportedSettings are the parameters a server announces at startup.
func (s *Session) ReportedSettings() map[string]string {
	s.init()
	out := map[string]string{}
	for _, st := range s.settings {
		if st.reported {
			out[st.name] = st.value
		}
	}
	return out
}

// settingRows lists the session's parameters (name, value, description)
// in name order, for pg_settings.
func (s *Session) settingRows() [][3]string {
	s.init()
	out := make([][3]string, 0, len(s.settings))
	for _, st := range s.settings {
		out = append(out, [3]string{st.name, st.value, st.desc})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i][0]) < strings.ToLower(out[j][0]) })
	return out
}

// Setting returns a parameter's value.
func (s *Session) Setting(name string) (string, bool) {
	s.init()
	st, ok := s.settings[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	return st.value, true
}

// SetSetting changes a parameter (a startup parameter or SET), checking
// its value. Unknown names are accepted when they contain a dot, as
// PostgreSQL's custom parameters are.
func (s *Session) SetSetting(name, value string) (*setting, error) {
	s.init()
	key := strings.ToLower(name)
	st, ok := s.settings[key]
	if !ok {
		if !strings.Contains(key, ".") {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
		}
		st = &setting{name: key}
		s.settings[key] = st
	}
	if st.readOnly {
		return nil, sqlerr.New("55P02", "parameter \"%s\" cannot be changed", st.name)
	}
	switch key {
	case "timezone":
		loc, err := loadZone(value)
		if err != nil {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": \"%s\"", value)
		}
		s.set.location = loc
	case "search_path":
		s.set.searchPath = parseSearchPath(value)
	case "statement_timeout", "idle_session_timeout", "idle_in_transaction_session_timeout":
		d, err := parseDuration(value)
		if err != nil || d < 0 {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", st.name, value)
		}
		switch key {
		case "statement_timeout":
			s.set.timeout = d
		case "idle_session_timeout":
			s.set.idleSession = d
		default:
			s.set.idleInTx = d
		}
	case "extra_float_digits":
		if _, err := strconv.Atoi(strings.TrimSpace(value)); err != nil {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"extra_float_digits\": \"%s\"", value)
		}
	case "client_encoding":
		v := strings.ToUpper(strings.ReplaceAll(value, "-", ""))
		if v != "UTF8" && v != "UNICODE" && v != "SQL_ASCII" {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "conversion between %s and UTF8 is not supported", value)
		}
		value = "UTF8"
	case "datestyle":
		value = normalizeDateStyle(value)
	case "work_mem":
		n, err := parseMemory(value)
		if err != nil || n < 64<<10 {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"work_mem\": \"%s\"", value)
		}
		s.set.workMem = n
		value = formatMemory(n)
	case "threads":
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < 0 || n > 1024 {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"threads\": \"%s\"", value)
		}
		if n == 0 {
			n = s.eng.threads()
		}
		s.set.threads = n
		value = strconv.Itoa(n)
	}
	st.value = value
	return st, nil
}

func normalizeDateStyle(v string) string {
	u := strings.ToUpper(v)
	style, order := "ISO", "MDY"
	for _, p := range strings.Split(u, ",") {
		switch strings.TrimSpace(p) {
		case "ISO", "SQL", "POSTGRES", "GERMAN":
			style = strings.TrimSpace(p)
			if style == "POSTGRES" {
				style = "Postgres"
			}
			if style == "GERMAN" {
				style = "German"
			}
		case "DMY", "MDY", "YMD", "EUROPEAN", "US", "NONEUROPEAN":
			order = strings.TrimSpace(p)
			if order == "EUROPEAN" {
				order = "DMY"
			}
			if order == "US" || order == "NONEUROPEAN" {
				order = "MDY"
			}
		}
	}
	return style + ", " + order
}

func loadZone(v string) (*time.Location, error) {
	v = strings.Trim(strings.TrimSpace(v), "'")
	switch strings.ToUpper(v) {
	case "UTC", "GMT", "Z", "":
		return time.UTC, nil
	}
	if loc, err := time.LoadLocation(v); err == nil {
		return loc, nil
	}
	// Numeric offsets: +02, -5, 5.5
	if h, err := strconv.ParseFloat(v, 64); err == nil {
		return time.FixedZone(v, int(h*3600)), nil
	}
	return nil, sqlerr.New(sqlerr.InvalidParameterValue, "bad time zone %q", v)
}

func parseSearchPath(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.Trim(strings.TrimSpace(p), "\"'")
		if p == "" || p == "$user" {
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		out = []string{catalog.DefaultSchema}
	}
	return out
}

// parseDuration reads PostgreSQL time values: 5000 (ms), '5s', '1min'.
func parseDuration(v string) (time.Duration, error) {
	v = strings.Trim(strings.TrimSpace(v), "'")
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(n) * time.Millisecond, nil
	}
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"min", time.Minute}, {"s", time.Second}, {"h", time.Hour}, {"d", 24 * time.Hour}} {
		if strings.HasSuffix(v, u.suffix) {
			n, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), 64)
			if err != nil {
				return 0, err
			}
			return time.Duration(n * float64(u.unit)), nil
		}
	}
	return 0, sqlerr.New(sqlerr.InvalidParameterValue, "invalid duration %q", v)
}

// utility runs a session statement.
func (s *Session) utility(ctx context.Context, u *parser.Utility) (*Result, error) {
	switch u.Kind {
	case parser.UtilSet:
		if u.Default {
			def := defaultSettings()[strings.ToLower(u.Name)]
			if def == nil {
				if _, ok := s.settings[strings.ToLower(u.Name)]; !ok && !strings.Contains(u.Name, ".") {
					return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", u.Name)
				}
				def = &setting{name: u.Name}
			}
			u.Value = def.value
		}
		st, err := s.SetSetting(u.Name, strings.Trim(u.Value, "'"))
		if err != nil {
			return nil, err
		}
		r := &Result{Tag: "SET"}
		if st.reported {
			r.ParameterName, r.ParameterValue = st.name, st.value
		}
		return r, nil
	case parser.UtilReset:
		if u.Name == "all" {
			s.resetSettings()
			return &Result{Tag: "RESET"}, nil
		}
		def := defaultSettings()[strings.ToLower(u.Name)]
		if def == nil {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", u.Name)
		}
		st, err := s.SetSetting(u.Name, def.value)
		if err != nil {
			return nil, err
		}
		r := &Result{Tag: "RESET"}
		if st.reported {
			r.ParameterName, r.ParameterValue = st.name, st.value
		}
		return r, nil
	case parser.UtilShow:
		if u.Name == "all" {
			names := make([]string, 0, len(s.settings))
			for k := range s.settings {
				names = append(names, k)
			}
			sort.Strings(names)
			var rows [][]string
			for _, k := range names {
				st := s.settings[k]
				rows = append(rows, []string{st.name, st.value, st.desc})
			}
			return tableResult([]string{"name", "setting", "description"}, rows), nil
		}
		v, ok := s.Setting(u.Name)
		if !ok {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", u.Name)
		}
		name := u.Name
		if st := s.settings[strings.ToLower(u.Name)]; st != nil {
			name = st.name
		}
		return tableResult([]string{strings.ToLower(name)}, [][]string{{v}}), nil
	case parser.UtilBegin:
		if s.tx != 'I' {
			return &Result{Tag: "BEGIN", Notices: []Notice{notice("25001", "there is already a transaction in progress")}}, nil
		}
		s.tx = 'T'
		return &Result{Tag: "BEGIN"}, nil
	case parser.UtilCommit:
		if s.tx == 'I' {
			if u.Chain {
				return nil, sqlerr.New("25P01", "COMMIT AND CHAIN can only be used in transaction blocks")
			}
			return &Result{Tag: "COMMIT", Notices: []Notice{notice("25P01", "there is no transaction in progress")}}, nil
		}
		tag := "COMMIT"
		if s.tx == 'E' {
			tag = "ROLLBACK"
		}
		s.tx = 'I'
		if u.Chain {
			s.tx = 'T'
		}
		return &Result{Tag: tag}, nil
	case parser.UtilRollback:
		if u.ToSavepoint {
			if s.tx == 'E' {
				s.tx = 'T'
			}
			return &Result{Tag: "ROLLBACK"}, nil
		}
		if s.tx == 'I' {
			if u.Chain {
				return nil, sqlerr.New("25P01", "ROLLBACK AND CHAIN can only be used in transaction blocks")
			}
			return &Result{Tag: "ROLLBACK", Notices: []Notice{notice("25P01", "there is no transaction in progress")}}, nil
		}
		s.tx = 'I'
		if u.Chain {
			s.tx = 'T'
		}
		return &Result{Tag: "ROLLBACK"}, nil
	case parser.UtilSavepoint:
		return &Result{Tag: "SAVEPOINT"}, nil
	case parser.UtilDiscard:
		s.resetSettings()
		return &Result{Tag: "DISCARD " + strings.ToUpper(u.Name)}, nil
	case parser.UtilDeallocate:
		tag := "DEALLOCATE"
		if u.Name == "all" {
			tag = "DEALLOCATE ALL"
		}
		return &Result{Tag: tag, Deallocate: u.Name}, nil
	case parser.UtilSetCharacteristics:
		return &Result{Tag: "SET"}, nil
	case parser.UtilDeclare:
		return s.declare(ctx, u)
	case parser.UtilFetch:
		return s.fetch(ctx, u)
	case parser.UtilClose:
		return s.closeCursor(u)
	case parser.UtilLake:
		return s.lake(ctx, u.Lake)
	case parser.UtilCopy:
		stmts, err := parser.Parse(u.Copy.Query)
		if err != nil {
			return nil, err
		}
		if len(stmts) != 1 || stmts[0].AST == nil {
			return nil, sqlerr.New(sqlerr.SyntaxError, "COPY needs one query")
		}
		q, ok := stmts[0].AST.(ast.ResultSetNode)
		if !ok {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "COPY supports queries only")
		}
		ec := s.evalContext(ctx)
		p, err := planner.PlanQuery(ctx, s.env(), ec, q)
		if err != nil {
			return nil, err
		}
		rows, err := openRows(s.queryContext(ctx, ec), p.Root)
		if err != nil {
			return nil, err
		}
		rows.ec = ec
		return &Result{Tag: "COPY", Schema: p.Schema, Rows: rows, Copy: u.Copy}, nil
	}
	return &Result{Tag: strings.ToUpper(u.Name)}, nil
}

// sessionFunction binds functions whose value comes from the session:
// version(), current_setting(), current_database(), ...
func (s *Session) sessionFunction(name string, args []expr.Expr) (expr.Expr, bool, error) {
	str := func(v string) expr.Expr { return expr.NewLiteral(scalar.NewStringScalar(v)) }
	switch name {
	case "version":
		return str("PostgreSQL 15.0 (lakesql " + Version + ") on x86_64-pc-linux-gnu, compiled by Go, 64-bit"), true, nil
	case "current_database", "current_catalog":
		return str(s.eng.database()), true, nil
	case "current_schema":
		return str(s.set.searchPath[0]), true, nil
	case "current_user", "session_user", "user", "current_role", "getpgusername", "system_user":
		return str(s.user), true, nil
	case "pg_get_userbyid":
		// The one role (OID 10) is the connected user.
		e, err := expr.NewRowCall(name, types.String, []arrow.DataType{types.Int64}, args, func(a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			if a[0].(int64) == pgcatalog.RoleOID {
				return s.user, nil
			}
			return "unknown (OID=" + strconv.FormatInt(a[0].(int64), 10) + ")", nil
		})
		return e, true, err
	case "pg_backend_pid":
		return expr.NewLiteral(scalar.NewInt32Scalar(int32(s.pid))), true, nil
	case "current_setting", "set_config":
		if len(args) == 0 {
			return nil, false, nil
		}
		l, ok := args[0].(*expr.Literal)
		if !ok || !l.Value.IsValid() {
			return nil, true, sqlerr.New(sqlerr.FeatureNotSupported, "%s needs a constant setting name", name)
		}
		key := l.Value.String()
		if name == "set_config" {
			if len(args) != 3 {
				return nil, true, sqlerr.New(sqlerr.UndefinedFunction, "function set_config needs 3 arguments")
			}
			v, ok := args[1].(*expr.Literal)
			if !ok {
				return nil, true, sqlerr.New(sqlerr.FeatureNotSupported, "set_config needs a constant value")
			}
			st, err := s.SetSetting(key, v.Value.String())
			if err != nil {
				return nil, true, err
			}
			return str(st.value), true, nil
		}
		v, ok := s.Setting(key)
		if !ok {
			missingOK := false
			if len(args) == 2 {
				if m, ok := args[1].(*expr.Literal); ok && m.Value.IsValid() && strings.HasPrefix(strings.ToLower(m.Value.String()), "t") {
					missingOK = true
				}
			}
			if missingOK {
				return expr.NewNullLiteral(types.String), true, nil
			}
			return nil, true, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", key)
		}
		return str(v), true, nil
	case "current_schemas":
		path := s.set.searchPath
		if len(args) != 1 {
			return nil, true, sqlerr.New(sqlerr.UndefinedFunction, "function current_schemas needs one boolean argument")
		}
		if l, ok := args[0].(*expr.Literal); !ok || !l.Value.IsValid() || l.Value.String() != "false" {
			// With implicit schemas: pg_catalog is searched first.
			path = append([]string{"pg_catalog"}, path...)
		}
		return expr.NewLiteral(scalar.NewListScalar(stringArray(path))), true, nil
	case "pg_table_is_visible", "lakesql_regclass_name":
		// Both depend on the relations and this session's search path,
		// listed once per statement when first needed.
		path := append([]string{"pg_catalog"}, s.set.searchPath...)
		rels := sync.OnceValues(func() (map[int64]string, map[int64]bool) {
			return pgcatalog.RelationNames(context.Background(), s.cat, path)
		})
		if name == "pg_table_is_visible" {
			e, err := expr.NewRowCall(name, types.Bool, []arrow.DataType{types.Int64}, args, func(a []any) (any, error) {
				if a[0] == nil {
					return nil, nil
				}
				_, visible := rels()
				return visible[a[0].(int64)], nil
			})
			return e, true, err
		}
		e, err := expr.NewRowCall(name, types.String, []arrow.DataType{types.Int64}, args, func(a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			if n, ok := func() (string, bool) { names, _ := rels(); n, ok := names[a[0].(int64)]; return n, ok }(); ok {
				return n, nil
			}
			return strconv.FormatInt(a[0].(int64), 10), nil
		})
		return e, true, err
	}
	return nil, false, nil
}

func stringArray(vals []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// parseMemory reads a memory size as PostgreSQL does: a number with an
// optional unit (B, kB, MB, GB, TB; a bare number is kB).
func parseMemory(v string) (int64, error) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	num, err := strconv.ParseFloat(v[:i], 64)
	if err != nil {
		return 0, err
	}
	unit := map[string]float64{"": 1 << 10, "b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40}
	m, ok := unit[strings.ToLower(strings.TrimSpace(v[i:]))]
	if !ok {
		return 0, fmt.Errorf("unknown unit in %q", v)
	}
	return int64(num * m), nil
}

// formatMemory writes a size in the largest unit that divides it, as
// PostgreSQL shows memory settings.
func formatMemory(n int64) string {
	for _, u := range []struct {
		name  string
		bytes int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"kB", 1 << 10}} {
		if n >= u.bytes && n%u.bytes == 0 {
			return strconv.FormatInt(n/u.bytes, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// ParseMemory reads a memory size such as 512MB or 4GB (a bare number is
// kB, as in PostgreSQL's settings).
func ParseMemory(v string) (int64, error) { return parseMemory(v) }
