package server

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
)

func addrOf(dsn string) string {
	s := strings.TrimPrefix(dsn, "postgres://tester@")
	return s[:strings.IndexByte(s, '/')]
}

// 64 clients query at once; each gets its own correct answers.
func TestManyConnections(t *testing.T) {
	dsn := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(ctx)
			for k := 0; k < 5; k++ {
				var n int64
				if err := conn.QueryRow(ctx, "SELECT count(*) + $1::bigint FROM people", i).Scan(&n); err != nil {
					errs <- err
					return
				}
				if n != int64(3+i) {
					errs <- fmt.Errorf("client %d got %d", i, n)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Garbage, oversized length prefixes and clients vanishing mid-result
// close only their own connection; the server keeps serving others.
func TestBadClients(t *testing.T) {
	dsn := startServer(t)
	addr := addrOf(dsn)
	send := func(b []byte) {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write(b)
		buf := make([]byte, 1024)
		c.Read(buf) // the server answers or closes; either is fine
	}
	send([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	huge := make([]byte, 8)
	binary.BigEndian.PutUint32(huge, 0x7fffffff)
	binary.BigEndian.PutUint32(huge[4:], 196608)
	send(huge)

	ctx := context.Background()
	// A client that asks for a large result and disconnects halfway.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "SELECT x FROM generate_series(1, 5000000) g(x)")
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	conn.PgConn().Conn().Close()

	// After a valid startup, a message with a huge length closes the conn.
	conn2, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	raw := conn2.PgConn().Conn()
	msg := []byte{'Q', 0x7f, 0xff, 0xff, 0xff}
	raw.Write(msg)
	raw.Close()

	// The server still answers a well-behaved client.
	conn3, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn3.Close(ctx)
	var n int
	if err := conn3.QueryRow(ctx, "SELECT 40 + 2").Scan(&n); err != nil || n != 42 {
		t.Fatalf("server unhealthy after bad clients: %v %d", err, n)
	}
}

// testFunctions adds a function that panics, to check that a panic in one
// query is that query's error only.
func testFunctions(r *expr.Registry) {
	r.RegisterRowFunc("lakesql_test_panic", types.Int64, nil, func([]any) (any, error) { panic("boom") })
}

// A panic while running a query becomes an XX000 error for that query;
// the connection and the server go on.
func TestPanicIsolated(t *testing.T) {
	dsn := startServer(t)
	ctx := context.Background()
	conn := connect(t, dsn)
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
		var n int64
		err := conn.QueryRow(ctx, "SELECT lakesql_test_panic() FROM people", mode).Scan(&n)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "XX000" {
			t.Errorf("mode %v: want XX000, got %v", mode, err)
		}
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM people", mode).Scan(&n); err != nil || n != 3 {
			t.Errorf("mode %v: after the panic: %v %d", mode, err, n)
		}
	}
}

// In the extended protocol an error skips the rest of the batch up to
// Sync, as PostgreSQL does; the next batch runs normally.
func TestExtendedErrorSkipsToSync(t *testing.T) {
	dsn := startServer(t)
	ctx := context.Background()
	conn := connect(t, dsn)
	b := &pgx.Batch{}
	b.Queue("SELECT 1")
	b.Queue("SELECT 1/0")
	b.Queue("SELECT 2")
	br := conn.SendBatch(ctx, b)
	var x int
	if err := br.QueryRow().Scan(&x); err != nil || x != 1 {
		t.Fatalf("first: %v %d", err, x)
	}
	err := br.QueryRow().Scan(&x)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22012" {
		t.Errorf("second: want 22012, got %v", err)
	}
	if err := br.QueryRow().Scan(&x); err == nil {
		t.Errorf("third ran after the error; it should be skipped")
	}
	br.Close()
	if err := conn.QueryRow(ctx, "SELECT 3").Scan(&x); err != nil || x != 3 {
		t.Errorf("after Sync: %v %d", err, x)
	}
}

// sslmode=prefer asks for TLS first; the server answers 'N' and the
// client goes on in plain text.
func TestSSLRequestRefused(t *testing.T) {
	dsn := strings.Replace(startServer(t), "sslmode=disable", "sslmode=prefer", 1)
	ctx := context.Background()
	conn := connect(t, dsn)
	var n int
	if err := conn.QueryRow(ctx, "SELECT 7").Scan(&n); err != nil || n != 7 {
		t.Errorf("%v %d", err, n)
	}
}
