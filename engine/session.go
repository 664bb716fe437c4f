package engine

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/catalog/pgcatalog"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/planner"
	"github.com/lakesql/lakesql/sqlerr"
)

// New returns an engine over cfg.Root.
func New(cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, cat: catalog.New(cfg.Root, cfg.RootName), funcs: expr.NewRegistry()}
	if cfg.Tmp != "" {
		if err := e.cat.SetTmp(cfg.Tmp); err != nil {
			return nil, err
		}
	}
	pgcatalog.Install(e.cat, e.database())
	pgcatalog.RegisterFunctions(e.funcs)
	if cfg.Functions != nil {
		cfg.Functions(e.funcs)
	}
	return e, nil
}

// Catalog is the engine's name space (the server builds pg_catalog on it).
func (e *Engine) Catalog() *catalog.Catalog { return e.cat }

// settings are the parsed values of the settings the engine acts on.
type settings struct {
	searchPath []string
	location   *time.Location
	timeout    time.Duration
	threads    int // workers per pipeline
}

func (s *Session) init() {
	if s.set.location == nil {
		s.resetSettings()
		s.tx = 'I'
		if s.user == "" {
			s.user = "lakesql"
		}
	}
}

// resetSettings gives every parameter its default value.
func (s *Session) resetSettings() {
	s.set = settings{searchPath: []string{catalog.DefaultSchema}, location: time.UTC, threads: s.eng.threads()}
	s.settings = defaultSettings()
	s.settings["threads"].value = strconv.Itoa(s.set.threads)
}

// threads is the engine's default number of workers per pipeline.
func (e *Engine) threads() int {
	if e.cfg.Threads > 0 {
		return e.cfg.Threads
	}
	return runtime.NumCPU()
}

// threads is the session's number of workers per pipeline.
func (s *Session) threads() int {
	s.init()
	return s.set.threads
}

func (e *Engine) database() string {
	if e.cfg.Database != "" {
		return e.cfg.Database
	}
	return "lake"
}

func execute(ctx context.Context, s *Session, sql string, emit func(*Result) error) error {
	s.init()
	stmts, err := parser.Parse(sql)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if err := s.runOne(ctx, st, emit); err != nil {
			return err
		}
	}
	return nil
}

// runOne runs one statement; a panic inside becomes an XX000 error for
// this statement only. Inside a failed transaction block only COMMIT and
// ROLLBACK run, as in PostgreSQL.
func (s *Session) runOne(ctx context.Context, st parser.Statement, emit func(*Result) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = sqlerr.New(sqlerr.InternalError, "internal error: %v", r)
			if debugPanics {
				fmt.Printf("panic: %v\n%s", r, debug.Stack())
			}
		}
		if err != nil && s.tx == 'T' {
			s.tx = 'E'
		}
	}()
	if s.tx == 'E' && (st.Utility == nil || (st.Utility.Kind != parser.UtilCommit && st.Utility.Kind != parser.UtilRollback)) {
		return sqlerr.New(sqlerr.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	var res *Result
	if st.Utility != nil {
		// Queries run by utilities (DECLARE, COPY) read one snapshot too.
		res, err = s.utility(catalog.WithSnapshot(ctx), st.Utility)
	} else {
		if s.set.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, s.set.timeout)
			defer cancel()
		}
		res, err = s.statement(ctx, st)
	}
	if err != nil {
		return err
	}
	if res == nil {
		return nil
	}
	return emit(res)
}

var debugPanics = os.Getenv("LAKESQL_DEBUG") != ""

func (s *Session) env() *planner.Env {
	// pg_catalog is searched first, as in PostgreSQL.
	path := append([]string{"pg_catalog"}, s.set.searchPath...)
	return &planner.Env{Catalog: s.eng.cat, Funcs: s.eng.funcs, Threads: s.threads(), SearchPath: path, Location: s.set.location, SessionFunc: s.sessionFunction,
		Param: s.params, ParamOrder: s.paramOrder, Position: s.position, NamePosition: s.namePosition}
}

func (s *Session) evalContext(ctx context.Context) *expr.Context {
	return expr.NewContext(ctx, s.set.location)
}

// queryContext is ctx with what a query's operators need from the
// session: its evaluation context and, for pg_settings, its settings.
func (s *Session) queryContext(ctx context.Context, ec *expr.Context) context.Context {
	ctx = context.WithValue(ctx, pgcatalog.SettingsKey{}, s.settingRows)
	return executor.WithEval(ctx, ec)
}

func (s *Session) statement(ctx context.Context, st parser.Statement) (*Result, error) {
	// Errors found while planning point into this statement's text.
	s.position, s.namePosition = st.SourcePosition, st.NamePosition
	defer func() { s.position, s.namePosition = nil, nil }()
	ec := s.evalContext(ctx)
	ctx = s.queryContext(ctx, ec)
	// Every scan of a table in this statement reads one snapshot of its files.
	ctx = catalog.WithSnapshot(ctx)
	switch n := st.AST.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		q, err := planner.PlanQuery(ctx, s.env(), ec, n.(ast.ResultSetNode))
		if err != nil {
			return nil, err
		}
		rows, err := openRows(ctx, q.Root)
		if err != nil {
			return nil, err
		}
		rows.ec = ec
		return &Result{Tag: "SELECT", Schema: q.Schema, Rows: rows}, nil
	case *ast.ExplainStmt:
		q, ok := n.Stmt.(ast.ResultSetNode)
		if !ok {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN supports queries only")
		}
		p, err := planner.PlanQuery(ctx, s.env(), ec, q)
		if err != nil {
			return nil, err
		}
		return textResult("QUERY PLAN", planner.Explain(p.Logical)), nil
	case *ast.CreateTableStmt:
		return s.createTable(ctx, ec, n)
	case *ast.CreateViewStmt:
		return s.createView(ctx, ec, n, st)
	case *ast.DropTableStmt:
		kind := catalog.MemoryTable
		tag := "DROP TABLE"
		if n.IsView {
			kind, tag = catalog.View, "DROP VIEW"
		}
		res := &Result{Tag: tag}
		for _, t := range n.Tables {
			err := s.eng.cat.Drop(ctx, t.Schema.O, t.Name.O, kind, s.set.searchPath, false)
			if n.IfExists && sqlerr.Code(err) == sqlerr.UndefinedTable {
				// As PostgreSQL: IF EXISTS turns the error into a notice.
				res.Notices = append(res.Notices, notice(sqlerr.SuccessfulCompletion, "%s, skipping", sqlerr.As(err).Message))
				continue
			}
			if err != nil {
				return nil, err
			}
		}
		return res, nil
	case *ast.InsertStmt:
		return s.insert(ctx, ec, n)
	case *ast.CreateDatabaseStmt:
		if err := s.eng.cat.CreateSchema(n.Name.O, n.IfNotExists); err != nil {
			return nil, err
		}
		return &Result{Tag: "CREATE SCHEMA"}, nil
	case *ast.DropDatabaseStmt:
		err := s.eng.cat.DropSchema(n.Name.O, false, true)
		if n.IfExists && sqlerr.Code(err) == sqlerr.UndefinedSchema {
			return &Result{Tag: "DROP SCHEMA", Notices: []Notice{notice(sqlerr.SuccessfulCompletion, "%s, skipping", sqlerr.As(err).Message)}}, nil
		}
		if err != nil {
			return nil, err
		}
		return &Result{Tag: "DROP SCHEMA"}, nil
	case *ast.TruncateTableStmt:
		rel, err := s.eng.cat.Lookup(ctx, n.Table.Schema.O, n.Table.Name.O, s.set.searchPath)
		if err != nil {
			return nil, err
		}
		if rel.Kind != catalog.MemoryTable {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a table that can be truncated", rel.Name)
		}
		rel.Mem.Replace(nil)
		return &Result{Tag: "TRUNCATE TABLE"}, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "statement not supported: %s", strings.TrimSpace(firstLine(st.Text)))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// operatorRows adapts an opened operator to the BatchReader of a Result.
type operatorRows struct {
	op     executor.Operator
	ec     *expr.Context
	ctx    context.Context // the statement's context (timeout, cancellation)
	closed bool
}

func openRows(ctx context.Context, op executor.Operator) (*operatorRows, error) {
	if err := op.Open(ctx); err != nil {
		op.Close()
		return nil, err
	}
	return &operatorRows{op: op, ctx: ctx}, nil
}

func (r *operatorRows) Next(ctx context.Context) (b arrow.RecordBatch, err error) {
	if r.closed {
		return nil, nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = sqlerr.New(sqlerr.InternalError, "internal error: %v", p)
			if debugPanics {
				fmt.Printf("panic: %v\n%s", p, debug.Stack())
			}
		}
	}()
	if r.ctx != nil {
		ctx = r.ctx
	}
	if r.ec != nil {
		ctx = executor.WithEval(ctx, r.ec)
	}
	b, err = r.op.Next(ctx)
	if err != nil || b == nil {
		r.Close()
	}
	return b, err
}

func (r *operatorRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.op.Close()
}

// drain reads every batch of a query.
func drain(ctx context.Context, op executor.Operator) ([]arrow.RecordBatch, error) {
	rows, err := openRows(ctx, op)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []arrow.RecordBatch
	for {
		b, err := rows.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return out, nil
		}
		out = append(out, b)
	}
}
