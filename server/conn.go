package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types/text"
)

// conn is one client connection.
type conn struct {
	srv    *Server
	nc     net.Conn      // the socket
	rw     io.ReadWriter // nc, or the TLS session over it
	be     *pgproto3.Backend
	sess   *engine.Session
	pid    uint32
	secret []byte
	// ctx lives as long as the connection (portals run under it); stop
	// cancels it.
	ctx  context.Context
	stop context.CancelFunc

	user    string
	tls     bool
	tlsConn *tls.Conn // when tls
	counted bool      // holds one of the server's MaxConnections

	mu       sync.Mutex
	cancel   context.CancelCauseFunc // of the running query
	idle     bool                    // waiting for a command (or in startup)
	stopping bool                    // the server is shutting down
	// closeAfter is set by an error that ends the session (57P01): the
	// connection closes once it is sent.
	closeAfter bool

	stmts   map[string]*engine.Prepared
	portals map[string]*portal
	// skipping is set after an error in an extended-protocol batch: the
	// messages up to the next Sync are ignored, as PostgreSQL does.
	skipping bool
}

// portal is a bound prepared statement, possibly partly fetched. Its
// rows run under a context of their own, which each Execute's cancel or
// statement_timeout cancels.
type portal struct {
	stmt    *engine.Prepared
	params  []*string
	formats []int16
	res     *engine.Result
	ctx     context.Context
	cancel  context.CancelCauseFunc
	pending arrow.RecordBatch // rows fetched but not yet sent
	offset  int
	sent    int64
	done    bool
}

var errCancelRequested = sqlerr.CancelRequested

func (c *conn) cancelQuery(cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel(cause)
	}
}

// queryContext returns a context for one command that the client's
// CancelRequest (and a shutdown past its grace) cancels; with timeout,
// statement_timeout counts from began.
func (c *conn) queryContext(timeout bool, began time.Time) (context.Context, func()) {
	parent, stopTimer := c.ctx, context.CancelFunc(func() {})
	if timeout {
		parent, stopTimer = c.sess.StatementContext(c.ctx, began)
	}
	ctx, cancel := context.WithCancelCause(parent)
	c.mu.Lock()
	c.cancel = cancel
	stopping := c.stopping && c.srv.graceOver()
	c.mu.Unlock()
	if stopping {
		cancel(sqlerr.Shutdown)
	}
	return ctx, func() {
		c.mu.Lock()
		c.cancel = nil
		c.mu.Unlock()
		cancel(context.Canceled)
		stopTimer()
	}
}

// beginShutdown tells the connection the server is stopping: an idle
// one stops reading at once (and says 57P01); a busy one after its command.
func (c *conn) beginShutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopping = true
	if c.idle {
		c.nc.SetReadDeadline(time.Now())
	}
}

// terminate cancels the running statement at the end of the grace period
// (its error, 57P01, ends the session) and bounds the time left to say so.
func (c *conn) terminate() {
	c.mu.Lock()
	if c.cancel != nil {
		c.cancel(sqlerr.Shutdown)
	}
	c.mu.Unlock()
	c.nc.SetDeadline(time.Now().Add(2 * time.Second))
}

func (c *conn) serve() {
	defer c.nc.Close()
	defer c.stop()
	defer func() {
		if c.sess != nil {
			for name := range c.portals {
				c.closePortal(name)
			}
			c.sess.Close()
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			c.srv.log.Error("panic", "pid", c.pid, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	c.rw = c.nc
	if !c.startup() {
		return
	}
	defer func() { c.srv.log.Info("disconnected", "pid", c.pid, "user", c.user) }()
	ready := true // ReadyForQuery was just sent: the session waits for a command
	for {
		var msg pgproto3.FrontendMessage
		var err error
		if ready {
			msg, err = c.receiveCommand()
		} else {
			c.nc.SetReadDeadline(time.Time{})
			msg, err = c.be.Receive()
		}
		if err != nil {
			return // EOF, garbage, an oversized message or a timeout: drop the connection
		}
		if _, ok := msg.(*pgproto3.Terminate); ok {
			return
		}
		if !c.handle(msg) || c.closeAfter {
			return
		}
		switch msg.(type) {
		case *pgproto3.Query, *pgproto3.Sync:
			ready = true
		default:
			ready = false
		}
	}
}

// receiveCommand reads the next command of an idle session: it ends the
// session (with its FATAL error) when the server is stopping or the
// session stays idle past idle_session_timeout or, in a transaction,
// idle_in_transaction_session_timeout.
func (c *conn) receiveCommand() (pgproto3.FrontendMessage, error) {
	c.mu.Lock()
	if c.stopping {
		c.mu.Unlock()
		c.fatal(sqlerr.Shutdown)
		return nil, sqlerr.Shutdown
	}
	c.idle = true
	c.mu.Unlock()
	idleSession, idleTx := c.sess.IdleTimeouts()
	limit, timeoutErr := idleSession, idleSessionTimeout
	if c.sess.TxStatus() != 'I' {
		limit, timeoutErr = idleTx, idleTxTimeout
	}
	if limit > 0 {
		c.nc.SetReadDeadline(time.Now().Add(limit))
	} else {
		c.nc.SetReadDeadline(time.Time{})
	}
	msg, err := c.be.Receive()
	c.mu.Lock()
	c.idle = false
	stopping := c.stopping
	c.mu.Unlock()
	if err != nil {
		var ne net.Error
		switch {
		case stopping:
			c.fatal(sqlerr.Shutdown)
		case errors.As(err, &ne) && ne.Timeout():
			c.srv.log.Info("idle timeout", "pid", c.pid, "user", c.user, "sqlstate", timeoutErr.Code)
			c.fatal(timeoutErr)
		}
		return nil, err
	}
	return msg, nil
}

var (
	idleSessionTimeout = &sqlerr.Error{Code: sqlerr.IdleSessionTimeout, Message: "terminating connection due to idle-session timeout"}
	idleTxTimeout      = &sqlerr.Error{Code: sqlerr.IdleInTransactionTimeout, Message: "terminating connection due to idle-in-transaction timeout"}
)

// fatal sends a FATAL error; the caller then closes the connection.
func (c *conn) fatal(err error) {
	e := sqlerr.As(err)
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	c.be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: e.Code, Message: e.Message, Detail: e.Detail, Hint: e.Hint})
	c.be.Flush()
}

// handle processes one message; false closes the connection.
func (c *conn) handle(msg pgproto3.FrontendMessage) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			err, isErr := r.(*sqlerr.Error)
			if !isErr {
				c.srv.log.Error("panic", "pid", c.pid, "message", fmt.Sprintf("%T", msg), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = sqlerr.New(sqlerr.InternalError, "internal error: %v", r)
			}
			c.sendError(err)
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
		c.simpleQuery(m.String)
		if c.closeAfter {
			return c.be.Flush() == nil
		}
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
		err = c.parse(m)
	case *pgproto3.Bind:
		err = c.bind(m)
	case *pgproto3.Describe:
		err = c.describe(m)
	case *pgproto3.Execute:
		err = c.execute(m)
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
		if c.closeAfter {
			return c.be.Flush() == nil
		}
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

// sendError writes an ErrorResponse. An error that ends the session
// (57P01, the server shutting down) is sent as FATAL, and the connection
// closes after it.
func (c *conn) sendError(err error) {
	e := sqlerr.As(err)
	sev := "ERROR"
	if e.Code == sqlerr.AdminShutdown {
		sev = "FATAL"
		c.closeAfter = true
	}
	c.be.Send(&pgproto3.ErrorResponse{
		Severity: sev, SeverityUnlocalized: sev, Code: e.Code, Message: e.Message,
		Detail: e.Detail, Hint: e.Hint, Position: int32(e.Position),
	})
}

// simpleQuery runs a Query message: every statement, results as text.
func (c *conn) simpleQuery(sql string) {
	if isBlank(sql) {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	qctx, done := c.queryContext(false, time.Now())
	defer done()
	began := time.Now()
	err := c.sess.Execute(qctx, sql, func(r *engine.Result) error {
		n, err := c.sendResult(qctx, r, nil, true)
		if err == nil {
			c.logStatement(r.Tag, began, n, nil)
			began = time.Now()
		}
		return err
	})
	if err != nil {
		c.sendError(err)
		c.logStatement("", began, 0, err)
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

// sendResult writes a statement's whole result: RowDescription (when
// describe), DataRows and CommandComplete. It returns the rows sent.
func (c *conn) sendResult(ctx context.Context, r *engine.Result, formats []int16, describe bool) (int64, error) {
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
		return r.RowsAffected, nil
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
			return n, err
		}
		if b == nil {
			break
		}
		if err := c.sendRows(b, 0, int(b.NumRows()), formats); err != nil {
			return n, err
		}
		n += b.NumRows()
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(r, n))})
	return n, nil
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
			var ok bool
			if fmts[i] == 1 {
				buf, ok = encodeBinary(buf, col, r, loc)
			}
			if !ok {
				var err error
				if buf, err = text.AppendChecked(buf, col, r, loc); err != nil {
					return err
				}
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
