package planner

import (
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/catalog/pgcatalog"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// funcCall binds a function call: the bridge's encodings (casts, arrays),
// SQL's special forms (EXTRACT, TRIM, SUBSTRING, COALESCE...) and plain
// functions resolved by name.
func (eb *exprBinder) funcCall(n *ast.FuncCallExpr) (expr.Expr, error) {
	if extraAggregates[parser.BuiltinName(n)] && n.Schema.L == "" {
		// Aggregates TiDB parses as plain calls (string_agg, array_agg, ...).
		return eb.aggregateRef(n)
	}
	if arg, typeName, ok := parser.CastOf(n); ok {
		// A reg* value read as text is the object's name (x::regtype::text).
		if inner, ok := arg.(*ast.FuncCallExpr); ok && isTextType(typeName) {
			if _, regType, ok := parser.CastOf(inner); ok {
				if fn := regNameFunc[strings.TrimPrefix(strings.ToLower(regType), "pg_catalog.")]; fn != "" {
					oid, err := eb.bind(inner)
					if err != nil {
						return nil, err
					}
					if f := eb.b.env.SessionFunc; f != nil {
						if e, ok, err := f(fn, []expr.Expr{oid}); ok || err != nil {
							return e, err
						}
					}
					return eb.b.env.Funcs.Bind(fn, []expr.Expr{oid})
				}
			}
		}
		e, err := eb.bind(arg)
		if err != nil {
			return nil, err
		}
		if r, ok, err := regCast(e, typeName); ok || err != nil {
			return r, err
		}
		t, err := types.Parse(typeName)
		if err != nil {
			return nil, err
		}
		return castExpr(e, t)
	}
	name := parser.BuiltinName(n)
	if n.Schema.L != "" && n.Schema.L != "pg_catalog" && !(n.Schema.L == "information_schema" && strings.HasPrefix(name, "_pg_")) {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s.%s does not exist", n.Schema.O, name)
	}
	switch name {
	case "upper", "lower", "initcap":
		if len(n.Args) == 1 && collationC(n.Args[0]) {
			x, err := eb.bind(n.Args[0])
			if err != nil {
				return nil, err
			}
			return expr.CCase(name, x)
		}
	case "collate":
		if parser.IsOperator(n) && len(n.Args) == 2 {
			if v, ok := n.Args[1].(ast.ValueExpr); ok && !knownCollation(v.GetString()) {
				return nil, sqlerr.New(sqlerr.UndefinedObject, "collation \"%s\" for encoding \"UTF8\" does not exist", v.GetString())
			}
			// x COLLATE name: comparisons are byte-wise anyway, but only
			// strings (and arrays of them) take a collation.
			x, err := eb.bind(n.Args[0])
			if err != nil {
				return nil, err
			}
			t := x.Type()
			for t.ID() == arrow.LIST {
				t = t.(*arrow.ListType).Elem()
			}
			if t.ID() != arrow.STRING && t.ID() != arrow.NULL {
				tn, _, _ := strings.Cut(types.Name(x.Type()), "(")
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "collations are not supported by type %s", tn)
			}
			return x, nil
		}
	case "->", "->>", "#>", "#>>":
		if parser.IsOperator(n) && len(n.Args) == 2 && textOperand(n.Args[0]) {
			// lakesql keeps json as text, but an operand PostgreSQL types
			// text (a || b, x::text, y ->> k) has no JSON operators there.
			r, err := eb.bind(n.Args[1])
			if err != nil {
				return nil, err
			}
			rt := "unknown"
			if !expr.IsUnknownLiteral(r) {
				rt = types.Name(r.Type())
			}
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: text %s %s", name, rt)
		}
	case "grouping":
		return eb.grouping(n)
	case "extract":
		return eb.extract(n)
	case "trim":
		return eb.trim(n)
	case "coalesce":
		args, err := eb.bindAll(n.Args)
		if err != nil {
			return nil, err
		}
		return expr.NewCoalesce(args)
	case ast.Concat:
		if parser.IsConcatOperator(n) {
			args, err := eb.bindAll(n.Args)
			if err != nil {
				return nil, err
			}
			return call("||", args...)
		}
	case "current_date", "curdate":
		name = "current_date"
	case "current_timestamp", "now", "localtimestamp", "transaction_timestamp", "statement_timestamp":
		if name == "localtimestamp" {
			name = "localtimestamp"
		} else {
			name = "now"
		}
	}
	args, err := eb.bindAll(n.Args)
	if err != nil {
		return nil, err
	}
	if e, ok, err := eb.nestedCall(name, args); ok || err != nil {
		return e, err
	}
	if setReturning[name] {
		return eb.setCall(name, args)
	}
	if f := eb.b.env.SessionFunc; f != nil {
		if e, ok, err := f(name, args); ok || err != nil {
			return e, err
		}
	}
	return eb.b.env.Funcs.Bind(name, args)
}

func (eb *exprBinder) bindAll(ns []ast.ExprNode) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(ns))
	for i, n := range ns {
		e, err := eb.bind(n)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// extract binds EXTRACT(field FROM x) as date_part('field', x).
func (eb *exprBinder) extract(n *ast.FuncCallExpr) (expr.Expr, error) {
	if len(n.Args) != 2 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error in EXTRACT")
	}
	unit, ok := n.Args[0].(*ast.TimeUnitExpr)
	if !ok {
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error in EXTRACT")
	}
	x, err := eb.bind(n.Args[1])
	if err != nil {
		return nil, err
	}
	field := strings.ToLower(unit.Unit.String())
	return eb.b.env.Funcs.Bind("extract", []expr.Expr{expr.NewUnknownLiteral(field), x})
}

// trim binds TRIM([BOTH|LEADING|TRAILING] [chars] FROM s).
func (eb *exprBinder) trim(n *ast.FuncCallExpr) (expr.Expr, error) {
	dir := "btrim"
	var args []expr.Expr
	for i, a := range n.Args {
		if d, ok := a.(*ast.TrimDirectionExpr); ok {
			switch d.Direction {
			case ast.TrimLeading:
				dir = "ltrim"
			case ast.TrimTrailing:
				dir = "rtrim"
			}
			continue
		}
		if _, ok := a.(*ast.TrimDirectionExpr); !ok {
			e, err := eb.bind(n.Args[i])
			if err != nil {
				return nil, err
			}
			args = append(args, e)
		}
	}
	return eb.b.env.Funcs.Bind(dir, args)
}

// grouping binds GROUPING(a, b, ...): bit i (from the left) is set when
// argument i is not grouped in the current grouping set.
func (eb *exprBinder) grouping(n *ast.FuncCallExpr) (expr.Expr, error) {
	st := eb.s.agg
	if st == nil {
		return nil, sqlerr.New(sqlerr.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level")
	}
	// The group column of each argument: a grouped expression holding a
	// subquery by its text, others by their bound form.
	cols := make([]Column, len(n.Args))
	for i, a := range n.Args {
		if c, ok := st.groupAST[parser.ExprText(a)]; ok && hasSubqueryAST(a) {
			cols[i] = c
			continue
		}
		inner := &exprBinder{b: eb.b, s: eb.s, what: "GROUPING"}
		saved := eb.s.agg
		eb.s.agg = nil
		e, err := inner.bind(a)
		eb.s.agg = saved
		if err != nil {
			return nil, err
		}
		c, ok := st.groupKeys[exprKey(e)]
		if !ok {
			return nil, sqlerr.New(sqlerr.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level")
		}
		cols[i] = c
	}
	args := cols
	if st.groupingID == nil {
		return expr.NewLiteral(scalar.NewInt32Scalar(0)), nil
	}
	ngroup := len(st.groupCols)
	var total expr.Expr = expr.NewLiteral(scalar.NewInt64Scalar(0))
	for i, c := range args {
		k := st.grouped[c.ID]
		shift := int64(1) << uint(ngroup-1-k)
		bit, err := call("/", newColRef(*st.groupingID), expr.NewLiteral(scalar.NewInt64Scalar(shift)))
		if err != nil {
			return nil, err
		}
		if bit, err = call("%", bit, expr.NewLiteral(scalar.NewInt64Scalar(2))); err != nil {
			return nil, err
		}
		if bit, err = call("*", bit, expr.NewLiteral(scalar.NewInt64Scalar(int64(1)<<uint(len(args)-1-i)))); err != nil {
			return nil, err
		}
		if total, err = call("+", total, bit); err != nil {
			return nil, err
		}
	}
	return expr.NewCast(total, types.Int32)
}

// regNameFunc names, per reg* type, the function that gives an OID's
// name: what the reg* value reads as when cast to text.
var regNameFunc = map[string]string{"regtype": "lakesql_regtype_name", "regclass": "lakesql_regclass_name",
	"regproc": "lakesql_regproc_name", "regprocedure": "lakesql_regproc_name", "regnamespace": "lakesql_regnamespace_name",
	"regrole": "pg_get_userbyid"}

func isTextType(name string) bool {
	switch strings.TrimPrefix(strings.ToLower(name), "pg_catalog.") {
	case "text", "varchar", "name", "character varying":
		return true
	}
	return false
}

// regCast handles casts to oid and the reg* types: a name becomes the
// object's OID (regclass), an OID stays a number (x::regtype::text names
// the type, see regNameFunc).
func regCast(e expr.Expr, typeName string) (expr.Expr, bool, error) {
	t := strings.TrimPrefix(strings.ToLower(typeName), "pg_catalog.")
	if base, ok := strings.CutSuffix(t, "[]"); ok && (base == "oid" || regNameFunc[base] != "") {
		// Arrays of OIDs are arrays of numbers.
		c, err := expr.NewCast(e, types.List(types.Int64))
		return c, true, err
	}
	switch t {
	case "oid", "regclass", "regproc", "regprocedure", "regnamespace", "regrole", "regoper", "regconfig", "regtype", "xid", "cid", "tid", "name":
	default:
		return nil, false, nil
	}
	if t == "name" {
		c, err := expr.NewCast(e, types.String)
		return c, true, err
	}
	if l, ok := e.(*expr.Literal); ok && l.Unknown && l.Value.IsValid() && t != "oid" {
		oid, err := regOID(t, l.Value.String())
		if err != nil {
			return nil, true, err
		}
		return expr.NewLiteral(scalar.NewInt64Scalar(oid)), true, nil
	}
	if types.IsString(e.Type()) && t != "oid" {
		// A name computed at run time (Metabase's
		// format('%I.%I', schema, name)::regclass).
		c, err := expr.NewRowCall(t, types.Int64, []arrow.DataType{types.String}, []expr.Expr{e}, func(a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			return regOID(t, a[0].(string))
		})
		return c, true, err
	}
	c, err := expr.NewCast(e, types.Int64)
	return c, true, err
}

// regOID reads a name as a reg* type's input does: a possibly qualified,
// possibly quoted name.
func regOID(t, text string) (int64, error) {
	parts := qualifiedName(text)
	name := parts[len(parts)-1]
	schema := "public"
	if len(parts) > 1 {
		schema = parts[len(parts)-2]
	}
	switch t {
	case "regclass":
		if len(parts) == 1 && strings.HasPrefix(name, "pg_") {
			schema = "pg_catalog"
		}
		return pgcatalog.OID("rel", schema, name), nil
	case "regnamespace":
		return pgcatalog.NamespaceOID(name), nil
	case "regtype":
		oid, ok := pgcatalog.TypeOIDByName(text)
		if !ok {
			return 0, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", text)
		}
		return oid, nil
	}
	return pgcatalog.OID("proc", "pg_catalog", name), nil
}

// qualifiedName splits a.b."C" into its parts: unquoted parts lower-cased,
// quoted ones kept exactly.
func qualifiedName(s string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '"' && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		case quoted:
			cur.WriteByte(c)
		default:
			cur.WriteString(strings.ToLower(string(c)))
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

// textOperand reports whether an expression is text in PostgreSQL's
// typing, never json: a || concatenation, a cast to a string type other
// than json, or the text result of ->> or #>>.
func textOperand(n ast.ExprNode) bool {
	for {
		p, ok := n.(*ast.ParenthesesExpr)
		if !ok {
			break
		}
		n = p.Expr
	}
	fn, ok := n.(*ast.FuncCallExpr)
	if !ok {
		return false
	}
	if parser.IsConcatOperator(fn) {
		return true
	}
	if _, t, ok := parser.CastOf(fn); ok {
		switch castName(t) {
		case "text", "varchar", "bpchar", "char", "character", "name":
			return true
		}
		return false
	}
	if parser.IsOperator(fn) {
		switch parser.BuiltinName(fn) {
		case "->>", "#>>":
			return true
		}
	}
	return false
}

// collationC reports whether a string expression has the C (or POSIX)
// collation by PostgreSQL's derivation: an explicit COLLATE, carried
// through ||, CASE branches and the string functions that return their
// argument's text; the default collation otherwise.
func collationC(n ast.ExprNode) bool {
	switch n := n.(type) {
	case *ast.ParenthesesExpr:
		return collationC(n.Expr)
	case *ast.CaseExpr:
		for _, w := range n.WhenClauses {
			if collationC(w.Result) {
				return true
			}
		}
		return n.ElseClause != nil && collationC(n.ElseClause)
	case *ast.FuncCallExpr:
		name := parser.BuiltinName(n)
		if parser.IsOperator(n) && name == "collate" && len(n.Args) == 2 {
			if v, ok := n.Args[1].(ast.ValueExpr); ok {
				c := strings.ToLower(v.GetString())
				return c == "c" || c == "posix"
			}
			return false
		}
		if x, t, ok := parser.CastOf(n); ok {
			switch castName(t) {
			case "text", "varchar", "bpchar", "char", "character", "name":
				return collationC(x) // a cast between strings keeps it
			}
			return false
		}
		switch {
		case parser.IsConcatOperator(n):
		case parser.IsOperator(n):
			return false
		default:
			switch name {
			case "upper", "lower", "initcap", "substr", "substring", "replace", "left", "right", "lpad", "rpad",
				"btrim", "ltrim", "rtrim", "trim", "reverse", "repeat", "split_part", "overlay", "translate",
				"coalesce", "nullif", "greatest", "least":
			default:
				return false
			}
		}
		for _, a := range n.Args {
			if collationC(a) {
				return true
			}
		}
	}
	return false
}

// localeName matches the libc and ICU collation names PostgreSQL
// installs (en_US, en_US.utf8, de-x-icu, und-x-icu).
var localeName = regexp.MustCompile(`^[a-z]{2,3}([_-][a-z0-9_.@-]*)?$`)

// knownCollation reports whether PostgreSQL knows a collation name: C,
// POSIX, default, ucs_basic or a locale's (comparisons are by code point
// in lakesql whichever it is).
func knownCollation(name string) bool {
	switch strings.ToLower(name) {
	case "c", "posix", "default", "ucs_basic":
		return true
	}
	return localeName.MatchString(strings.ToLower(name))
}
