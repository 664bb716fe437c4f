package server

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// A join that runs for minutes (2 billion probe rows, each matching one
// row), so it is still running when a test cancels it or shuts down.
const slowJoin = "SELECT count(*) FROM generate_series(1, 2000000000) a(x) JOIN generate_series(1, 1000) b(y) ON a.x % 1000 = b.y"

// Cancels and timeouts surface as 57014 wherever they land (here inside
// a hash join, where arrow's take used to report XX000), with the reason
// in the message; the session goes on.
func TestCancelAndTimeoutInJoin(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
		// A client's cancel request.
		timer := time.AfterFunc(300*time.Millisecond, func() { conn.PgConn().CancelRequest(context.Background()) })
		var n int64
		err := conn.QueryRow(context.Background(), slowJoin, mode).Scan(&n)
		timer.Stop()
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
			t.Errorf("mode %v: cancel: want 57014 user request, got %v", mode, err)
		}
		// statement_timeout.
		if _, err := conn.Exec(context.Background(), "SET statement_timeout = 300"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err = conn.QueryRow(context.Background(), slowJoin, mode).Scan(&n)
		if !errors.As(err, &pe) || pe.Code != "57014" || pe.Message != "canceling statement due to statement timeout" {
			t.Errorf("mode %v: timeout: want 57014 statement timeout, got %v", mode, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("mode %v: the timeout took %v", mode, d)
		}
		if _, err := conn.Exec(context.Background(), "RESET statement_timeout"); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM people", mode).Scan(&n); err != nil || n != 3 {
			t.Errorf("mode %v: after: %v %d", mode, err, n)
		}
	}
}

// statement_timeout also stops planning, in both protocols.
func TestTimeoutWhilePlanning(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	ctx := context.Background()
	// 900 nested IN subqueries take most of a second to plan.
	sql := "SELECT 1 WHERE 1 IN " + strings.Repeat("(SELECT 1 WHERE 1 IN ", 900) + "(1)" + strings.Repeat(")", 900)
	if _, err := conn.Exec(ctx, "SET statement_timeout = 20"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, conn, sql, "57014")
	_, err := conn.PgConn().Prepare(ctx, "", sql, nil)
	if pgCode(err) != "57014" {
		t.Errorf("Parse: want 57014, got %v", err)
	}
	alive(t, ts.dsn("tester"))
}

// A portal fetched in pieces (Execute with a row limit) resumes where it
// stopped, across messages.
func TestPortalResumes(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	fe := conn.PgConn().Frontend()
	fe.Send(&pgproto3.Parse{Query: "SELECT x FROM generate_series(1, 10000) g(x)"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Execute{MaxRows: 2})
	fe.Send(&pgproto3.Execute{MaxRows: 5000})
	fe.Send(&pgproto3.Execute{})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	var rows, suspended int
	var last string
	for {
		m, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch x := m.(type) {
		case *pgproto3.DataRow:
			rows++
			last = string(x.Values[0])
		case *pgproto3.PortalSuspended:
			suspended++
		case *pgproto3.ErrorResponse:
			t.Errorf("error %s %s", x.Code, x.Message)
		case *pgproto3.CommandComplete:
			if string(x.CommandTag) != "SELECT 10000" {
				t.Errorf("tag %s", x.CommandTag)
			}
		}
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	if rows != 10000 || suspended != 2 || last != "10000" {
		t.Errorf("rows %d, suspended %d, last %s", rows, suspended, last)
	}
}

// Past --max-connections a login gets 53300; a place frees up when a
// session ends.
func TestMaxConnections(t *testing.T) {
	ts := startWith(t, peopleFS, Config{MaxConnections: 3}, 0)
	ctx := context.Background()
	var conns []*pgx.Conn
	for i := 0; i < 3; i++ {
		c, err := pgx.Connect(ctx, ts.dsn("tester"))
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	_, err := pgx.Connect(ctx, ts.dsn("tester"))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "53300" || pe.Severity != "FATAL" {
		t.Errorf("4th connection: want FATAL 53300, got %v", err)
	}
	conns[0].Close(ctx)
	waitFor(t, func() bool { return ts.srv.Stats().Sessions.Load() <= 2 })
	alive(t, ts.dsn("tester"))
	for _, c := range conns[1:] {
		c.Close(ctx)
	}
	// Many sockets that never log in are bounded too: past twice the
	// limit they are closed unanswered, and logins work once they go.
	var raw []net.Conn
	for i := 0; i < 40; i++ {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, c)
	}
	time.Sleep(100 * time.Millisecond)
	if open := ts.srv.Stats().Open.Load(); open > int64(ts.srv.maxSockets()) {
		t.Errorf("%d sockets held open, limit %d", open, ts.srv.maxSockets())
	}
	for _, c := range raw {
		c.Close()
	}
	waitFor(t, func() bool { return ts.srv.Stats().Open.Load() == 0 })
	alive(t, ts.dsn("tester"))
}

// idle_session_timeout and idle_in_transaction_session_timeout end the
// session with their FATAL errors; set as server defaults or per session.
func TestIdleTimeouts(t *testing.T) {
	ts := startWith(t, peopleFS, Config{IdleSessionTimeout: 300 * time.Millisecond}, 0)
	ctx := context.Background()
	readFatal := func(c *pgx.Conn) *pgproto3.ErrorResponse {
		t.Helper()
		c.PgConn().Conn().SetReadDeadline(time.Now().Add(10 * time.Second))
		m, err := c.PgConn().Frontend().Receive()
		if err != nil {
			t.Fatalf("want a FATAL error, got %v", err)
		}
		e, ok := m.(*pgproto3.ErrorResponse)
		if !ok {
			t.Fatalf("want a FATAL error, got %T", m)
		}
		return e
	}
	c1, err := pgx.Connect(ctx, ts.dsn("tester"))
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := c1.QueryRow(ctx, "SHOW idle_session_timeout").Scan(&s); err != nil || s != "300" {
		t.Errorf("server default: %v %q", err, s)
	}
	if e := readFatal(c1); e.Code != "57P05" || e.Severity != "FATAL" {
		t.Errorf("idle session: %s %s %s", e.Severity, e.Code, e.Message)
	}
	c2, err := pgx.Connect(ctx, ts.dsn("tester"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Exec(ctx, "SET idle_session_timeout = 0; SET idle_in_transaction_session_timeout = '200ms'; BEGIN"); err != nil {
		t.Fatal(err)
	}
	if e := readFatal(c2); e.Code != "25P03" {
		t.Errorf("idle in transaction: %s %s", e.Code, e.Message)
	}
	// Outside a transaction, with both off, the session stays.
	c3 := connect(t, ts.dsn("tester"))
	if _, err := c3.Exec(ctx, "SET idle_session_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := c3.QueryRow(ctx, "SELECT 'still here'").Scan(&s); err != nil {
		t.Errorf("idle timeout off: %v", err)
	}
	alive(t, ts.dsn("tester"))
}

// Settings in the startup options (-c name=value) apply to the session;
// a bad one refuses the login, as in PostgreSQL.
func TestStartupOptions(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(ts.dsn("tester"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["options"] = `-c statement_timeout=1234 --search-path=pg_catalog,public -c application_name=with\ space`
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var timeout, path, app string
	if err := conn.QueryRow(ctx, "SELECT current_setting('statement_timeout'), current_setting('search_path'), current_setting('application_name')").Scan(&timeout, &path, &app); err != nil {
		t.Fatal(err)
	}
	if timeout != "1234" || path != "pg_catalog,public" || app != "with space" {
		t.Errorf("got %q %q %q", timeout, path, app)
	}
	for _, bad := range []string{"-c nosuch=1", "-c statement_timeout=soon", "-x"} {
		cfg.RuntimeParams["options"] = bad
		_, err := pgx.ConnectConfig(ctx, cfg)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Severity != "FATAL" {
			t.Errorf("options %q: want a FATAL error, got %v", bad, err)
		}
	}
	alive(t, ts.dsn("tester"))
}

// A client announcing a 1 GB message is disconnected without the server
// allocating it; one just under the cap is read.
func TestMessageSizeCap(t *testing.T) {
	ts := startWith(t, peopleFS, Config{MaxMessageSize: 1 << 20}, 0)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn("tester"))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	raw := conn.PgConn().Conn()
	hdr := []byte{'Q', 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hdr[1:], 1<<30)
	raw.Write(hdr)
	raw.Write([]byte("SELECT 1"))
	raw.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1024)
	for {
		if _, err := raw.Read(buf); err != nil {
			break // closed by the server
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("the server allocated %d MB for a message it refused", grew>>20)
	}
	// Under the cap: a 900 KB statement runs.
	c2 := connect(t, ts.dsn("tester"))
	var n int
	if err := c2.QueryRow(ctx, "SELECT length('"+strings.Repeat("x", 900_000)+"')").Scan(&n); err != nil || n != 900_000 {
		t.Errorf("900 KB statement: %v %d", err, n)
	}
	alive(t, ts.dsn("tester"))
}

// Many clients connecting at once past the limit: each either works or
// gets 53300, and the server serves the rest.
func TestConnectionStorm(t *testing.T) {
	ts := startWith(t, peopleFS, Config{MaxConnections: 10}, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pgx.Connect(ctx, ts.dsn("tester"))
			key := "ok"
			if err != nil {
				key = pgCode(err)
				if key == "" {
					key = fmt.Sprint(err)
				}
			} else {
				time.Sleep(200 * time.Millisecond)
				c.Close(ctx)
			}
			mu.Lock()
			codes[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes["ok"] < 10 || codes["ok"]+codes["53300"] != 50 {
		t.Errorf("outcomes: %v", codes)
	}
	waitFor(t, func() bool { return ts.srv.Stats().Sessions.Load() == 0 })
	alive(t, ts.dsn("tester"))
}
