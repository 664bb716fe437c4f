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
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/planner"
	"github.com/lakesql/lakesql/sqlerr"
)

// New returns an engine over cfg.Root.
func New(cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, cat: catalog.New(cfg.Root, cfg.RootName), funcs: expr.NewRegistry(), memory: budget.NewPool(cfg.MemoryLimit)}
	if cfg.Tmp != "" {
		if err := e.cat.SetTmp(cfg.Tmp); err != nil {
			return nil, err
		}
	}
	if cfg.CacheDir != "" {
		cc, err := connectors.NewColumnCache(cfg.CacheDir, cfg.CacheSize, cfg.RootName)
		if err != nil {
			return nil, fmt.Errorf("column cache: %w", err)
		}
		e.cat.SetColumnCache(cc)
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
	threads    int   // workers per pipeline
	workMem    int64 // bytes one spilling operator holds before it spills
	// idleSession and idleInTx are idle_session_timeout and
	// idle_in_transaction_session_timeout, which the front end applies.
	idleSession, idleInTx time.Duration
}

// IdleTimeouts are the session's idle_session_timeout and
// idle_in_transaction_session_timeout (0: none).
func (s *Session) IdleTimeouts() (session, inTransaction time.Duration) {
	s.init()
	return s.set.idleSession, s.set.idleInTx
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
	s.set = settings{searchPath: []string{catalog.DefaultSchema}, location: time.UTC, threads: s.eng.threads(), workMem: s.eng.workMem()}
	s.settings = defaultSettings()
	s.settings["threads"].value = strconv.Itoa(s.set.threads)
	s.settings["work_mem"].value = formatMemory(s.set.workMem)
}

// workMem is the default work_mem: half the memory limit, so that one
// operator may hold that much before it spills (1GB without a limit).
func (e *Engine) workMem() int64 {
	if l := e.memory.Limit(); l > 0 {
		return max(l/2, 64<<10)
	}
	return 1 << 30
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
	start := time.Now()
	stmts, err := s.parse(ctx, sql, start)
	if err != nil {
		return err
	}
	for i, st := range stmts {
		began := time.Now()
		if i == 0 {
			began = start // statement_timeout counts the parse too
		}
		if err := s.runOne(ctx, st, began, emit); err != nil {
			return err
		}
	}
	return nil
}

// StatementTimeout is the session's statement_timeout (0: none). Front
// ends that run a statement in several steps (the extended protocol's
// Parse and Execute) apply it to each step with StatementContext.
func (s *Session) StatementTimeout() time.Duration {
	s.init()
	return s.set.timeout
}

// StatementContext is ctx limited by statement_timeout counted from
// began; the limit cancels it with sqlerr.StatementTimeout as the cause.
func (s *Session) StatementContext(ctx context.Context, began time.Time) (context.Context, context.CancelFunc) {
	if d := s.StatementTimeout(); d > 0 {
		return context.WithDeadlineCause(ctx, began.Add(d), sqlerr.StatementTimeout)
	}
	return context.WithCancel(ctx)
}

// panicError is the error for a recovered panic: a *sqlerr.Error raised
// as a panic (a limit hit deep in a value's formatting) keeps its code;
// anything else is an internal error of this statement only.
func panicError(r any) error {
	if e, ok := r.(*sqlerr.Error); ok {
		return e
	}
	if debugPanics {
		fmt.Printf("panic: %v\n%s", r, debug.Stack())
	}
	return sqlerr.New(sqlerr.InternalError, "internal error: %v", r)
}

// runOne runs one statement; a panic inside becomes an XX000 error for
// this statement only. Inside a failed transaction block only COMMIT and
// ROLLBACK run, as in PostgreSQL. statement_timeout runs from began to
// the statement's last row.
func (s *Session) runOne(ctx context.Context, st parser.Statement, began time.Time, emit func(*Result) error) (err error) {
	ctx, cancel := s.StatementContext(ctx, began)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
		err = sqlerr.FromContext(ctx, err)
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
	return &planner.Env{Catalog: s.cat, Funcs: s.eng.funcs, Threads: s.threads(), SearchPath: path, Location: s.set.location, SessionFunc: s.sessionFunction,
		Param: s.params, ParamOrder: s.paramOrder, Position: s.position, NamePosition: s.namePosition}
}

func (s *Session) evalContext(ctx context.Context) *expr.Context {
	return expr.NewContext(ctx, s.set.location)
}

// queryContext is ctx with what a query's operators need from the
// session: its evaluation context and, for pg_settings, its settings.
func (s *Session) queryContext(ctx context.Context, ec *expr.Context) context.Context {
	ctx = context.WithValue(ctx, memoryKey{}, memorySource{pool: s.eng.memory, workMem: s.set.workMem, dir: s.eng.cfg.SpillDir})
	ctx = context.WithValue(ctx, pgcatalog.SettingsKey{}, s.settingRows)
	ctx = catalog.NewContext(ctx, s.cat)
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
		// A value that does not fit the type inferred for its column from
		// a sample widens the column (connectors.SchemaWidened): the query
		// is planned and run again, while no row has left, so it succeeds.
		for widenings := 0; ; widenings++ {
			q, err := planner.PlanQuery(ctx, s.env(), ec, n.(ast.ResultSetNode))
			if err != nil {
				return nil, err
			}
			rows, err := openRows(ctx, q.Root)
			if err == nil {
				rows.ec = ec
				err = rows.prefetch(ctx)
			}
			if err != nil {
				if connectors.IsSchemaWidened(err) && widenings < maxWidenings {
					ctx = catalog.WithNewSnapshot(ctx)
					continue
				}
				return nil, err
			}
			return &Result{Tag: "SELECT", Schema: q.Schema, Rows: rows}, nil
		}
	case *ast.ExplainStmt:
		q, ok := n.Stmt.(ast.ResultSetNode)
		if !ok {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN supports queries only")
		}
		if n.Analyze {
			return s.explainAnalyze(ctx, ec, q)
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
			err := s.cat.Drop(ctx, t.Schema.O, t.Name.O, kind, s.set.searchPath, false)
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
		if err := s.cat.CreateSchema(n.Name.O, n.IfNotExists); err != nil {
			return nil, err
		}
		return &Result{Tag: "CREATE SCHEMA"}, nil
	case *ast.DropDatabaseStmt:
		err := s.cat.DropSchema(n.Name.O, false, true)
		if n.IfExists && sqlerr.Code(err) == sqlerr.UndefinedSchema {
			return &Result{Tag: "DROP SCHEMA", Notices: []Notice{notice(sqlerr.SuccessfulCompletion, "%s, skipping", sqlerr.As(err).Message)}}, nil
		}
		if err != nil {
			return nil, err
		}
		return &Result{Tag: "DROP SCHEMA"}, nil
	case *ast.TruncateTableStmt:
		rel, err := s.cat.Lookup(ctx, n.Table.Schema.O, n.Table.Name.O, s.set.searchPath)
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

// explainAnalyze plans and runs q, discarding its rows, and describes
// what each operator did, as PostgreSQL's EXPLAIN ANALYZE does.
func (s *Session) explainAnalyze(ctx context.Context, ec *expr.Context, q ast.ResultSetNode) (*Result, error) {
	start := time.Now()
	env := s.env()
	env.Analyze = true
	p, err := planner.PlanQuery(ctx, env, ec, q)
	if err != nil {
		return nil, err
	}
	planned := time.Now()
	rows, err := openRows(ctx, p.Root)
	if err != nil {
		return nil, err
	}
	rows.ec = ec
	for {
		b, err := rows.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
	}
	done := time.Now()
	lines := planner.ExplainAnalyze(p)
	lines = append(lines,
		fmt.Sprintf("Planning Time: %.3f ms", float64(planned.Sub(start).Microseconds())/1000),
		fmt.Sprintf("Execution Time: %.3f ms", float64(done.Sub(planned).Microseconds())/1000))
	return textResult("QUERY PLAN", lines), nil
}

// operatorRows adapts an opened operator to the BatchReader of a Result.
// The operator tree runs under a context of its own, which lives until
// the rows are closed (a cursor or a portal outlives the statement or
// message that opened it): canceling the context the rows were opened
// with, or the one a call to Next runs under, cancels it.
type operatorRows struct {
	acc    *budget.Account // the query's memory, given back at Close
	op     executor.Operator
	ec     *expr.Context
	ctx    context.Context // the operators' context, with the statement's values
	cancel context.CancelCauseFunc
	stop   func() bool // unlinks ctx from the opening context
	closed bool
	// first is a batch read ahead by prefetch, returned by the next Next.
	first   arrow.RecordBatch
	pending bool
}

// maxWidenings bounds how often a query runs again because a column of
// a file it reads was widened.
const maxWidenings = 16

// prefetch reads the first batch, so that an error before any row (a
// column widened) can still run the query again.
func (r *operatorRows) prefetch(ctx context.Context) error {
	b, err := r.Next(ctx)
	if err != nil {
		return err
	}
	r.first, r.pending = b, true
	return nil
}

// memorySource is what a query's memory account is opened from.
type memorySource struct {
	pool    *budget.Pool
	workMem int64
	dir     string
}

type memoryKey struct{}

func openRows(ctx context.Context, op executor.Operator) (*operatorRows, error) {
	rctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	r := &operatorRows{op: op, ctx: rctx, cancel: cancel, stop: stop}
	if src, ok := ctx.Value(memoryKey{}).(memorySource); ok && src.pool != nil {
		r.acc = src.pool.NewAccount(src.workMem, src.dir)
		r.ctx = budget.WithAccount(rctx, r.acc)
	}
	rctx = r.ctx
	if err := op.Open(rctx); err != nil {
		err = sqlerr.FromContext(rctx, err) // before Close cancels rctx
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *operatorRows) Next(ctx context.Context) (b arrow.RecordBatch, err error) {
	if r.pending {
		b, r.first, r.pending = r.first, nil, false
		if b != nil {
			return b, nil
		}
	}
	if r.closed {
		return nil, nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = panicError(p)
		}
	}()
	if caller := ctx; caller != nil && caller != r.ctx {
		// This call's context (a FETCH, an Execute) cancels the rows too.
		stop := context.AfterFunc(caller, func() { r.cancel(context.Cause(caller)) })
		defer stop()
	}
	ctx = r.ctx
	if r.ec != nil {
		ctx = executor.WithEval(ctx, r.ec)
	}
	b, err = r.op.Next(ctx)
	err = sqlerr.FromContext(r.ctx, err) // before Close cancels r.ctx
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
	err := r.op.Close()
	r.stop()
	r.cancel(context.Canceled)
	if r.acc != nil {
		r.acc.Close()
	}
	return err
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
