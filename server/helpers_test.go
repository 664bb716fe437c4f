package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lakesql/lakesql/engine"
)

// testServer is a server running in the test process.
type testServer struct {
	srv    *Server
	addr   string
	stop   context.CancelFunc
	done   chan struct{}
	errOut error // what Serve returned
}

// dsn is a connection string for user (sslmode=disable unless tls).
func (ts *testServer) dsn(user string) string {
	return fmt.Sprintf("postgres://%s@%s/lake?sslmode=disable", user, ts.addr)
}

// startWith serves root with cfg (and the engine's table limit) on a
// free loopback port until the test ends.
func startWith(t *testing.T, root fs.FS, cfg Config, tableLimit int64) *testServer {
	t.Helper()
	eng, err := engine.New(engine.Config{Root: root, RootName: "test", Database: "lake", TableMemoryLimit: tableLimit})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{srv: &Server{Engine: eng, Config: cfg, Logf: t.Logf}, addr: ln.Addr().String(), stop: cancel, done: make(chan struct{})}
	go func() { ts.errOut = ts.srv.Serve(ctx, ln); close(ts.done) }()
	t.Cleanup(func() { cancel(); <-ts.done })
	return ts
}

// pgCode is the SQLSTATE of err ("" if it carries none).
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// alive checks that a new connection to dsn logs in and answers.
func alive(t *testing.T, dsn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("server unhealthy: cannot connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT 40 + 2").Scan(&n); err != nil || n != 42 {
		t.Fatalf("server unhealthy: %v %d", err, n)
	}
}

// wantCode runs sql (simple protocol) on conn and checks its SQLSTATE.
func wantCode(t *testing.T, conn *pgx.Conn, sql, code string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if got := pgCode(err); got != code {
		show := sql
		if len(show) > 80 {
			show = show[:80] + "..."
		}
		t.Errorf("%s: want SQLSTATE %s, got %v", show, code, err)
	}
}

// waitFor waits up to 10 s for cond (the server forgets a session a
// moment after the client closes it).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
