package server

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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
