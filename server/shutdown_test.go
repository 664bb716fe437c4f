package server

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// Shutting down: idle sessions are told 57P01 at once; a statement that
// ends within the grace period gets its answer; one that does not is
// canceled with 57P01; nothing new is accepted; Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	ts := startWith(t, peopleFS, Config{ShutdownGrace: 8 * time.Second}, 0)
	ctx := context.Background()
	idle, err := pgx.Connect(ctx, ts.dsn("idle"))
	if err != nil {
		t.Fatal(err)
	}
	quick, err := pgx.Connect(ctx, ts.dsn("quick"))
	if err != nil {
		t.Fatal(err)
	}
	slow, err := pgx.Connect(ctx, ts.dsn("slow"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var quickN, slowN int64
	var quickErr, slowErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		// A fraction of a second of work: done within the grace period.
		quickErr = quick.QueryRow(ctx, "SELECT count(*) FROM generate_series(1, 1000000) g(x)").Scan(&quickN)
	}()
	go func() {
		defer wg.Done()
		slowErr = slow.QueryRow(ctx, slowJoin).Scan(&slowN)
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	ts.stop() // as SIGTERM does

	// The idle session hears at once.
	idle.PgConn().Conn().SetReadDeadline(time.Now().Add(2 * time.Second))
	if m, err := idle.PgConn().Frontend().Receive(); err != nil {
		t.Errorf("idle session: want FATAL 57P01, got %v", err)
	} else if e, ok := m.(*pgproto3.ErrorResponse); !ok || e.Code != "57P01" || e.Severity != "FATAL" {
		t.Errorf("idle session: want FATAL 57P01, got %#v", m)
	}
	// Nothing new is accepted.
	time.Sleep(50 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		c.Close()
		t.Errorf("a connection was accepted during shutdown")
	}
	wg.Wait()
	if quickErr != nil || quickN != 1000000 {
		t.Errorf("statement within the grace period: %v %d", quickErr, quickN)
	}
	var pe *pgconn.PgError
	if !errors.As(slowErr, &pe) || pe.Code != "57P01" {
		t.Errorf("statement past the grace period: want 57P01, got %v", slowErr)
	}
	select {
	case <-ts.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	if ts.errOut != nil {
		t.Errorf("Serve returned %v", ts.errOut)
	}
	if d := time.Since(start); d < 7900*time.Millisecond || d > 15*time.Second {
		t.Errorf("shutdown took %v (grace 8s)", d)
	}
	// The session that finished its statement in time was closed after it.
	if _, err := quick.Exec(ctx, "SELECT 1"); err == nil {
		t.Errorf("a session outlived the shutdown")
	}
	if open := ts.srv.Stats().Open.Load(); open != 0 {
		t.Errorf("%d connections still open", open)
	}
}

// A client that stops reading results cannot hold the shutdown forever.
func TestShutdownWithStuckClient(t *testing.T) {
	ts := startWith(t, peopleFS, Config{ShutdownGrace: 300 * time.Millisecond}, 0)
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A startup message, then a query with a huge result, never read.
	startup := []byte{0, 0, 0, 0, 0, 3, 0, 0}
	startup = append(startup, "user\x00stuck\x00\x00"...)
	startup[3] = byte(len(startup))
	c.Write(startup)
	q := "SELECT repeat('x', 1000) FROM generate_series(1, 10000000)\x00"
	msg := []byte{'Q', 0, 0, 0, byte(len(q) + 4)}
	c.Write(append(msg, q...))
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	ts.stop()
	select {
	case <-ts.done:
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return with a client that reads nothing")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}
