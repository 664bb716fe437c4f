// Package engine ties lakesql together: it parses a statement, plans it
// against the catalog and runs it, one Session per client. Front ends (the
// CLI, the wire server, the test harnesses) talk only to this package.
package engine

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
)

// Config says where the data lives.
type Config struct {
	// Root is the folder tables are discovered in. Nothing outside it is
	// readable (use os.OpenRoot(dir).FS() or an embed.FS).
	Root fs.FS
	// RootName is shown in messages (the directory path, or "demo").
	RootName string
	// Database is the name clients see as the current database.
	Database string
	// TableMemoryLimit bounds the bytes one session's in-memory tables
	// (CREATE TABLE, INSERT) may hold; past it a statement fails with
	// 53400. 0 means no limit.
	TableMemoryLimit int64
	// Threads is how many workers a query may run on (0: one per core).
	Threads int
	// MemoryLimit bounds the memory the queries' operators hold together,
	// in bytes (0: no limit); past it they spill to disk or fail with
	// 53200.
	MemoryLimit int64
	// SpillDir is where queries write spill files ("": the system's
	// temporary folder).
	SpillDir string
	// CacheDir, when set, is the folder of the column cache: scans of CSV
	// and JSON files keep the columns they parse there, and later scans
	// read them as Parquet (see connectors.ColumnCache). CacheSize bounds
	// it (0: connectors.DefaultCacheSize).
	CacheDir  string
	CacheSize int64
	// Tmp is the folder of the writable workspace dfs.tmp (CREATE TABLE
	// AS and CREATE VIEW write there); empty means none. The root itself
	// is never written.
	Tmp string
	// Functions, when set, adds functions to the engine's registry
	// besides the built-in ones (tests use it).
	Functions func(*expr.Registry)
}

// Result is the outcome of one statement.
type Result struct {
	// Tag is the command tag without a row count: "SELECT", "INSERT",
	// "CREATE TABLE", "DROP TABLE", "SET", "BEGIN", ...
	Tag string
	// Schema and Rows are set for statements that return rows. Rows must be
	// drained (or closed) before the next statement runs.
	Schema *arrow.Schema
	Rows   batch.Reader
	// RowsAffected is the count for INSERT and friends.
	RowsAffected int64
	// ParameterName/Value report a changed setting clients track (SET
	// TimeZone ...): the wire server sends a ParameterStatus.
	ParameterName, ParameterValue string
	// Deallocate names a prepared statement to drop ("all" for all).
	Deallocate string
	// Copy is set for COPY ... TO STDOUT: Rows are sent as copy data.
	Copy *parser.CopyOptions
	// Notices are warnings and notes about the statement (a COMMIT with
	// no transaction open, DROP ... IF EXISTS of nothing), sent to the
	// client before the statement completes.
	Notices []Notice
}

// Notice is a message about a statement that succeeded.
type Notice struct {
	Severity string // "NOTICE" or "WARNING"
	Code     string // SQLSTATE
	Message  string
}

// notice makes a NOTICE (code 00000) or, given a warning code, a WARNING.
func notice(code, format string, args ...any) Notice {
	n := Notice{Severity: "NOTICE", Code: code, Message: fmt.Sprintf(format, args...)}
	if code != sqlerr.SuccessfulCompletion {
		n.Severity = "WARNING"
	}
	return n
}

// Engine is the shared state of one lakesql process: the catalog over the
// root folder and the in-memory tables. It is safe for concurrent use.
type Engine struct {
	cfg Config
	cat *catalog.Catalog
	// funcs are the functions queries can call, built once per engine.
	funcs *expr.Registry
	// memory is what all queries' operators may hold (--memory-limit).
	memory *budget.Pool
}

// Session is one client's connection to the engine: its settings (search
// path, time zone, ...) and transaction status. A Session runs one
// statement at a time.
type Session struct {
	eng *Engine
	// cat is the session's own name space: the engine's files and system
	// tables, and the tables, views and schemas this session created.
	cat *catalog.Catalog
	// tableLimit overrides Config.TableMemoryLimit for this session (0: not).
	tableLimit int64
	set        settings
	settings   map[string]*setting
	// tx is the transaction status: 'I' idle, 'T' in a block, 'E' failed block.
	tx   byte
	user string
	pid  int
	// cursors are the open DECLAREd cursors.
	cursors map[string]*cursor
	// params and paramOrder bind $n while a prepared statement runs.
	params     func(i int) (expr.Expr, error)
	paramOrder []int
	// position maps AST offsets of the statement being planned to its text.
	position     func(offset int) int
	namePosition func(name string) int
}

// TxStatus is the transaction status PostgreSQL reports in ReadyForQuery:
// 'I' (idle), 'T' (in a transaction block) or 'E' (in a failed block).
func (s *Session) TxStatus() byte {
	s.init()
	return s.tx
}

// FailTransaction marks an open transaction block failed, as any error
// inside one does in PostgreSQL: the server calls it for errors outside a
// statement's run (a Parse, a Bind, rows failing while a portal streams),
// after which only COMMIT and ROLLBACK run (25P02).
func (s *Session) FailTransaction() {
	s.init()
	if s.tx == 'T' {
		s.tx = 'E'
	}
}

// SetUser records the connecting user (current_user) and backend id.
func (s *Session) SetUser(user string, pid int) {
	s.init()
	s.user, s.pid = user, pid
	if st := s.settings["session_authorization"]; st != nil && user != "" {
		st.value = user
	}
}

// NewSession opens a session with default settings.
func (e *Engine) NewSession() *Session { return &Session{eng: e, cat: e.cat.Private()} }

// Catalog is the session's name space: the engine's files and system
// tables, and the tables, views and schemas this session created (which
// only it sees).
func (s *Session) Catalog() *catalog.Catalog { return s.cat }

// SetTableMemoryLimit sets the bytes this session's in-memory tables may
// hold (a front end's per-session policy); n < 0 means no limit.
func (s *Session) SetTableMemoryLimit(n int64) { s.tableLimit = n }

// Close ends the session: its cursors close, and the tables, views and
// schemas it created are dropped (they are private to it).
func (s *Session) Close() {
	for name, c := range s.cursors {
		c.rows.Close()
		delete(s.cursors, name)
	}
	s.cat = s.eng.cat.Private()
}

// Execute parses sql (one or more ';'-separated statements) and runs them in
// order, handing each result to emit before running the next. It stops at
// the first error, which is a *sqlerr.Error with a SQLSTATE code.
func (s *Session) Execute(ctx context.Context, sql string, emit func(*Result) error) error {
	return execute(ctx, s, sql, emit)
}

// DefaultCacheDir is the default folder of the column cache:
// lakesql/columns under the user's cache directory (empty when there is
// none).
func DefaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "lakesql", "columns")
}

// DefaultTmp is the default folder of the dfs.tmp workspace: lakesql/tmp
// under the user's cache directory (empty when there is none).
func DefaultTmp() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "lakesql", "tmp")
}
