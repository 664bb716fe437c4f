package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/lakesql/lakesql/engine"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The log is structured: one line per connection (user, address, TLS,
// auth method, or why it was refused) and per statement (duration, rows,
// SQLSTATE on error). Passwords and file contents never appear in it.
func TestStructuredLog(t *testing.T) {
	root := fstest.MapFS{"secret.csv": {Data: []byte("id,code\n1,7\n2,hunter2-not-a-number\n")}}
	eng, err := engine.New(engine.Config{Root: root, RootName: "test", Database: "lake"})
	if err != nil {
		t.Fatal(err)
	}
	var logBuf syncBuffer
	tc, err := SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Engine: eng, Logger: slog.New(slog.NewJSONHandler(&logBuf, nil)),
		Config: Config{Auth: AuthSCRAM, Users: map[string]string{"ada": pgVerifier}, TLS: tc}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	dsn := "postgres://ada:pg%20pass%20%C3%A9@" + ln.Addr().String() + "/lake?sslmode=require&application_name=logtest"
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM generate_series(1, 5)").Scan(&n); err != nil || n != 5 {
		t.Fatal(err)
	}
	// An error quoting a value from the file.
	_, err = conn.Exec(ctx, "SELECT code::int FROM secret")
	if err == nil || !strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("expected the client to see the bad value: %v", err)
	}
	conn.Close(ctx)
	if _, err := pgx.Connect(ctx, "postgres://ada:tiger-password@"+ln.Addr().String()+"/lake?sslmode=require"); err == nil {
		t.Fatal("wrong password accepted")
	}
	cancel()
	<-done

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logBuf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	find := func(pred func(map[string]any) bool) map[string]any {
		for _, m := range lines {
			if pred(m) {
				return m
			}
		}
		return nil
	}
	c := find(func(m map[string]any) bool { return m["msg"] == "connected" })
	if c == nil || c["user"] != "ada" || c["tls"] != true || c["auth"] != "scram-sha-256" || c["application"] != "logtest" || !strings.HasPrefix(c["addr"].(string), "127.0.0.1:") {
		t.Errorf("connection line: %v", c)
	}
	s := find(func(m map[string]any) bool { return m["msg"] == "statement" && m["rows"] != nil })
	if s == nil || s["rows"] != float64(1) || s["command"] != "SELECT" || s["duration_ms"] == nil || s["user"] != "ada" {
		t.Errorf("statement line: %v", s)
	}
	e := find(func(m map[string]any) bool { return m["msg"] == "statement" && m["sqlstate"] != nil })
	if e == nil || e["sqlstate"] != "22P02" {
		t.Errorf("error statement line: %v", e)
	}
	r := find(func(m map[string]any) bool { return m["msg"] == "connection refused" })
	if r == nil || r["sqlstate"] != "28P01" || r["user"] != "ada" {
		t.Errorf("refused line: %v", r)
	}
	if find(func(m map[string]any) bool { return m["msg"] == "disconnected" }) == nil {
		t.Error("no disconnect line")
	}
	all := logBuf.String()
	for _, secret := range []string{"hunter2", "tiger-password", "pg pass", "SCRAM-SHA-256$"} {
		if strings.Contains(all, secret) {
			t.Errorf("the log contains %q:\n%s", secret, all)
		}
	}
}
