package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/lakesql/lakesql/engine"
)

// startServer serves a small engine on a free loopback port.
func startServer(t *testing.T) string {
	t.Helper()
	root := fstest.MapFS{
		"people.csv": {Data: []byte("id,name,born,score\n1,ann,1990-05-01,10.5\n2,bob,1985-12-24,7\n3,cid,,\n")},
	}
	eng, err := engine.New(engine.Config{Root: root, RootName: "test", Database: "lake", Functions: testFunctions})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &Server{Engine: eng, Logf: t.Logf}
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return fmt.Sprintf("postgres://tester@%s/lake?sslmode=disable", ln.Addr())
}

// connect opens a pgx connection to dsn, closed when the test ends.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

func TestPgxProtocols(t *testing.T) {
	dsn := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, mode := range []string{"simple_protocol", "cache_statement", "exec"} {
		t.Run(mode, func(t *testing.T) {
			conn, err := pgx.Connect(ctx, dsn+"&default_query_exec_mode="+mode)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var name string
			var born *time.Time
			var score *float64
			var id int64
			err = conn.QueryRow(ctx, "SELECT id, name, born, score FROM people WHERE id = $1", 1).Scan(&id, &name, &born, &score)
			if err != nil {
				t.Fatal(err)
			}
			if id != 1 || name != "ann" || born == nil || born.Format("2006-01-02") != "1990-05-01" || score == nil || *score != 10.5 {
				t.Errorf("got %d %s %v %v", id, name, born, score)
			}
			rows, err := conn.Query(ctx, "SELECT name FROM people WHERE born IS NULL OR score > $1 ORDER BY id", 8.0)
			if err != nil {
				t.Fatal(err)
			}
			names, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(names) != "[ann cid]" {
				t.Errorf("names %v", names)
			}
			var n int32
			var s string
			var ok bool
			if err := conn.QueryRow(ctx, "SELECT $1::int + 1, $2::text || 'x', $3::bool", 41, "a", true).Scan(&n, &s, &ok); err != nil {
				t.Fatal(err)
			}
			if n != 42 || s != "ax" || !ok {
				t.Errorf("params: %d %s %v", n, s, ok)
			}
			// Errors carry the SQLSTATE and leave the connection usable.
			_, err = conn.Exec(ctx, "SELECT 1/0")
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "22012" {
				t.Errorf("1/0: %v", err)
			}
			_, err = conn.Exec(ctx, "SELECT * FROM nowhere")
			if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
				t.Errorf("missing table: %v", err)
			}
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM people").Scan(&id); err != nil || id != 3 {
				t.Errorf("after errors: %v %d", err, id)
			}
		})
	}
}

func TestBatchAndCancel(t *testing.T) {
	dsn := startServer(t)
	ctx := context.Background()
	conn := connect(t, dsn)
	b := &pgx.Batch{}
	b.Queue("SELECT 1")
	b.Queue("SELECT $1::int * 2", 21)
	br := conn.SendBatch(ctx, b)
	var x, y int
	if err := br.QueryRow().Scan(&x); err != nil {
		t.Fatal(err)
	}
	if err := br.QueryRow().Scan(&y); err != nil {
		t.Fatal(err)
	}
	br.Close()
	if x != 1 || y != 42 {
		t.Errorf("batch: %d %d", x, y)
	}
	// A long query is canceled by the client's context (CancelRequest).
	qctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := conn.Exec(qctx, "SELECT count(*) FROM generate_series(1, 2000000000) g(x)")
	if err == nil {
		t.Fatal("long query was not canceled")
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("cancel took %v", time.Since(start))
	}
	// A CancelRequest sent on its own connection stops the query with
	// 57014, and the session stays usable.
	conn2, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := conn2.Exec(ctx, "SELECT count(*) FROM generate_series(1, 2000000000) g(x)")
		errc <- err
	}()
	time.Sleep(200 * time.Millisecond)
	if err := conn2.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("query not stopped 10s after CancelRequest")
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Errorf("cancel: want 57014, got %v", err)
	}
	var n int
	if err := conn2.QueryRow(ctx, "SELECT 5").Scan(&n); err != nil || n != 5 {
		t.Errorf("after cancel: %v %d", err, n)
	}
}

// Notices reach the client as NoticeResponses, as PostgreSQL sends them.
func TestNotices(t *testing.T) {
	dsn := startServer(t)
	ctx := context.Background()
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { got = append(got, n.Severity+" "+n.Code+" "+n.Message) }
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "COMMIT; DROP TABLE IF EXISTS nope; BEGIN; BEGIN; ROLLBACK").ReadAll(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"WARNING 25P01 there is no transaction in progress",
		`NOTICE 00000 table "nope" does not exist, skipping`,
		"WARNING 25001 there is already a transaction in progress",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("notices %q, want %q", got, want)
	}
	// The extended protocol sends them too.
	got = nil
	if r := conn.ExecParams(ctx, "COMMIT", nil, nil, nil, nil).Read(); r.Err != nil {
		t.Fatal(r.Err)
	}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("extended notices %q", got)
	}
}

// Errors about unknown columns and tables carry their position in the
// statement, as PostgreSQL's do (psql prints LINE n and a caret).
func TestErrorPositions(t *testing.T) {
	dsn := startServer(t)
	ctx := context.Background()
	conn := connect(t, dsn)
	for _, c := range []struct {
		sql  string
		code string
		pos  int32
	}{
		{"SELECT nme FROM people", "42703", 8},
		{"SELECT id,\n  scroe FROM people", "42703", 14},
		{"SELECT * FROM nope", "42P01", 15},
		{"SELECT 1 FROM people p JOIN public.nope n ON true", "42P01", 29},
		{"SELECT 1 +", "42601", 11},
	} {
		_, err := conn.Exec(ctx, c.sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != c.code || pe.Position != c.pos {
			t.Errorf("%q: want %s at %d, got %v (position %d)", c.sql, c.code, c.pos, err, func() int32 {
				if pe != nil {
					return pe.Position
				}
				return -1
			}())
		}
	}
}

// Infinite dates and timestamps travel as PostgreSQL's binary sentinels.
func TestInfinityBinary(t *testing.T) {
	dsn := startServer(t)
	ctx := context.Background()
	conn := connect(t, dsn)
	var ts pgtype.Timestamp
	var d pgtype.Date
	if err := conn.QueryRow(ctx, "SELECT 'infinity'::timestamp, '-infinity'::date").Scan(&ts, &d); err != nil {
		t.Fatal(err)
	}
	if ts.InfinityModifier != pgtype.Infinity || d.InfinityModifier != pgtype.NegativeInfinity {
		t.Errorf("got %v %v", ts.InfinityModifier, d.InfinityModifier)
	}
}
