package server

import (
	"context"
	"fmt"
	"net"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types/text"
)

// maxMessage bounds one client message; a larger length prefix closes the
// connection instead of allocating it.
const maxMessage = 64 << 20

// conn is one client connection.
type conn struct {
	srv    *Server
	nc     net.Conn
	be     *pgproto3.Backend
	sess   *engine.Session
	pid    uint32
	secret []byte

	mu     sync.Mutex
	cancel context.CancelFunc // of the running query

	stmts   map[string]*engine.Prepared
	portals map[string]*portal
	// skipping is set after an error in an extended-protocol batch: the
	// messages up to the next Sync are ignored, as PostgreSQL does.
	skipping bool
}

// portal is a bound prepared statement, possibly partly fetched.
type portal struct {
	stmt    *engine.Prepared
	params  []*string
	formats []int16
	res     *engine.Result
	pending arrow.RecordBatch // rows fetched but not yet sent
	offset  int
	sent    int64
	done    bool
}

func (c *conn) cancelQuery() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
	}
}

// queryContext returns a context the client's CancelRequest cancels.
func (c *conn) queryContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.cancel = nil
		c.mu.Unlock()
		cancel()
	}
}

func (c *conn) serve(ctx context.Context) {
	defer c.nc.Close()
	defer func() {
		if r := recover(); r != nil {
			c.srv.logf("lakesql: connection %d: panic: %v\n%s", c.pid, r, debug.Stack())
		}
	}()
	c.be = pgproto3.NewBackend(c.nc, c.nc)
	c.be.SetMaxBodyLen(maxMessage)
	if !c.startup() {
		return
	}
	for {
		c.nc.SetReadDeadline(time.Time{})
		msg, err := c.be.Receive()
		if err != nil {
			return // EOF, garbage or an oversized message: drop the connection
		}
		if _, ok := msg.(*pgproto3.Terminate); ok {
			return
		}
		if !c.handle(ctx, msg) {
			return
		}
	}
}

// startup negotiates SSL/GSS (declined), reads the startup message and
// answers with authentication, parameters and the backend key.
func (c *conn) startup() bool {
	c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			return false
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return false
			}
			continue
		case *pgproto3.CancelRequest:
			c.srv.cancel(m.ProcessID, m.SecretKey)
			return false
		case *pgproto3.StartupMessage:
			c.sess = c.srv.Engine.NewSession()
			user := m.Parameters["user"]
			if user == "" {
				user = "lakesql"
			}
			c.sess.SetUser(user, int(c.pid))
			for k, v := range m.Parameters {
				switch k {
				case "user", "database", "options", "replication":
					continue
				}
				c.sess.SetSetting(k, v) // unknown startup parameters are ignored
			}
			c.be.Send(&pgproto3.AuthenticationOk{})
			params := c.sess.ReportedSettings()
			names := make([]string, 0, len(params))
			for k := range params {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				c.be.Send(&pgproto3.ParameterStatus{Name: k, Value: params[k]})
			}
			c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
			c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
			c.stmts = map[string]*engine.Prepared{}
			c.portals = map[string]*portal{}
			return c.be.Flush() == nil
		default:
			return false
		}
	}
}

// handle processes one message; false closes the connection.
func (c *conn) handle(ctx context.Context, msg pgproto3.FrontendMessage) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.logf("lakesql: connection %d: panic in %T: %v\n%s", c.pid, msg, r, debug.Stack())
			c.sendError(sqlerr.New(sqlerr.InternalError, "internal error: %v", r))
			c.sess.FailTransaction()
			if _, simple := msg.(*pgproto3.Query); simple {
				c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
			} else {
				c.skipping = true
			}
			ok = c.be.Flush() == nil
		}
	}()
	switch m := msg.(type) {
	case *pgproto3.Query:
		c.skipping = false
		c.simpleQuery(ctx, m.String)
		c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
		return c.be.Flush() == nil
	case *pgproto3.Sync:
		c.skipping = false
		c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
		return c.be.Flush() == nil
	case *pgproto3.Flush:
		return c.be.Flush() == nil
	}
	if c.skipping {
		return true
	}
	var err error
	switch m := msg.(type) {
	case *pgproto3.Parse:
		err = c.parse(ctx, m)
	case *pgproto3.Bind:
		err = c.bind(m)
	case *pgproto3.Describe:
		err = c.describe(m)
	case *pgproto3.Execute:
		err = c.execute(ctx, m)
	case *pgproto3.Close:
		if m.ObjectType == 'S' {
			delete(c.stmts, m.Name)
		} else {
			c.closePortal(m.Name)
		}
		c.be.Send(&pgproto3.CloseComplete{})
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Not in a COPY FROM: ignore, as PostgreSQL does.
	default:
		err = sqlerr.New(sqlerr.ProtocolViolation, "unsupported message %T", msg)
	}
	if err != nil {
		c.sendError(err)
		c.skipping = true
		// An error in a transaction block fails it, whichever message
		// raised it (pgjdbc's implicit BEGIN puts its statements in one).
		c.sess.FailTransaction()
	}
	return true
}

// sendNotices writes a result's notices as NoticeResponses (once).
func (c *conn) sendNotices(r *engine.Result) {
	for _, n := range r.Notices {
		c.be.Send(&pgproto3.NoticeResponse{Severity: n.Severity, SeverityUnlocalized: n.Severity, Code: n.Code, Message: n.Message})
	}
	r.Notices = nil
}

// sendError writes an ErrorResponse.
func (c *conn) sendError(err error) {
	e := sqlerr.As(err)
	c.be.Send(&pgproto3.ErrorResponse{
		Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: e.Code, Message: e.Message,
		Detail: e.Detail, Hint: e.Hint, Position: int32(e.Position),
	})
}

// simpleQuery runs a Query message: every statement, results as text.
func (c *conn) simpleQuery(ctx context.Context, sql string) {
	if isBlank(sql) {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	qctx, done := c.queryContext(ctx)
	defer done()
	err := c.sess.Execute(qctx, sql, func(r *engine.Result) error {
		return c.sendResult(qctx, r, nil, -1, true)
	})
	if err != nil {
		c.sendError(err)
	}
}

func isBlank(sql string) bool {
	s := strings.TrimSpace(sql)
	for s != "" {
		switch {
		case strings.HasPrefix(s, ";"):
			s = strings.TrimSpace(s[1:])
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return true
			}
			s = strings.TrimSpace(s[i:])
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return false
			}
			s = strings.TrimSpace(s[i+2:])
		default:
			return false
		}
	}
	return true
}

// rowDescription describes a schema with per-column formats.
func rowDescription(schema *arrow.Schema, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{}
	for i, f := range schema.Fields() {
		oid, size, mod := typeInfo(f.Type)
		rd.Fields = append(rd.Fields, pgproto3.FieldDescription{
			Name: []byte(f.Name), DataTypeOID: oid, DataTypeSize: size, TypeModifier: mod, Format: formatOf(formats, i, f.Type),
		})
	}
	return rd
}

// formatOf is the wire format of column i: binary only when asked for and
// supported for the type.
func formatOf(formats []int16, i int, t arrow.DataType) int16 {
	var f int16
	switch len(formats) {
	case 0:
		f = 0
	case 1:
		f = formats[0]
	default:
		if i < len(formats) {
			f = formats[i]
		}
	}
	if f == 1 {
		switch t.ID() {
		case arrow.LIST, arrow.STRUCT, arrow.NULL:
			return 0
		}
	}
	return f
}

// sendResult writes a statement's result: RowDescription (when describe),
// DataRows (up to limit; < 0 for all) and CommandComplete. It returns
// after limit rows with more pending only through the portal path.
func (c *conn) sendResult(ctx context.Context, r *engine.Result, formats []int16, limit int, describe bool) error {
	c.sendNotices(r)
	if r.ParameterName != "" {
		c.be.Send(&pgproto3.ParameterStatus{Name: r.ParameterName, Value: r.ParameterValue})
	}
	if r.Deallocate != "" {
		if r.Deallocate == "all" {
			c.stmts = map[string]*engine.Prepared{}
		} else {
			delete(c.stmts, r.Deallocate)
		}
	}
	if r.Rows == nil {
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(r, 0))})
		return nil
	}
	if r.Copy != nil {
		return c.sendCopyOut(ctx, r)
	}
	defer r.Rows.Close()
	if describe {
		c.be.Send(rowDescription(r.Schema, formats))
	}
	var n int64
	for {
		b, err := r.Rows.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		if err := c.sendRows(b, 0, int(b.NumRows()), formats); err != nil {
			return err
		}
		n += b.NumRows()
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(r, n))})
	return nil
}

// sendRows writes rows [from, to) of a batch as DataRows.
func (c *conn) sendRows(b arrow.RecordBatch, from, to int, formats []int16) error {
	cols := b.Columns()
	loc := time.UTC
	if tz, ok := c.sess.Setting("TimeZone"); ok {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	fmts := make([]int16, len(cols))
	for i, col := range cols {
		fmts[i] = formatOf(formats, i, col.DataType())
	}
	var buf []byte
	for r := from; r < to; r++ {
		values := make([][]byte, len(cols))
		buf = buf[:0]
		starts := make([]int, len(cols)+1)
		nulls := make([]bool, len(cols))
		for i, col := range cols {
			starts[i] = len(buf)
			if col.IsNull(r) {
				nulls[i] = true
				continue
			}
			if fmts[i] == 1 {
				var ok bool
				buf, ok = encodeBinary(buf, col, r, loc)
				if !ok {
					buf = text.Append(buf, col, r, loc)
				}
			} else {
				buf = text.Append(buf, col, r, loc)
			}
		}
		starts[len(cols)] = len(buf)
		row := make([]byte, len(buf))
		copy(row, buf)
		for i := range cols {
			if !nulls[i] {
				values[i] = row[starts[i]:starts[i+1]]
			}
		}
		c.be.Send(&pgproto3.DataRow{Values: values})
	}
	if to-from > 0 && c.be != nil {
		// Stream large results instead of buffering them whole.
		return c.be.Flush()
	}
	return nil
}

// commandTag is the CommandComplete text for a result.
func commandTag(r *engine.Result, rows int64) string {
	switch r.Tag {
	case "SELECT", "SHOW":
		if r.Tag == "SHOW" {
			return "SHOW"
		}
		if r.Rows == nil {
			return fmt.Sprintf("SELECT %d", r.RowsAffected)
		}
		return fmt.Sprintf("SELECT %d", rows)
	case "INSERT":
		return fmt.Sprintf("INSERT 0 %d", r.RowsAffected)
	case "FETCH", "COPY":
		return fmt.Sprintf("%s %d", r.Tag, rows)
	case "MOVE":
		return fmt.Sprintf("MOVE %d", r.RowsAffected)
	}
	return r.Tag
}
