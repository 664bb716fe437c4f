package server

// Regression tests for statements and clients that used to take the whole
// server down (out of memory, stack overflow) or leak into other
// sessions. Each runs the server in-process and checks that the next
// connection still works.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
)

var peopleFS = fstest.MapFS{
	"people.csv": {Data: []byte("id,name,born,score\n1,ann,1990-05-01,10.5\n2,bob,1985-12-24,7\n3,cid,,\n")},
}

// Values past PostgreSQL's 1 GB cap are 54000, refused before allocating.
func TestCrashHugeValues(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	for _, sql := range []string{
		"SELECT repeat('x', 2147483647)",
		"SELECT length(repeat('x', 2147483647))",
		"SELECT repeat(repeat('x', 100000), 100000)",
		"SELECT lpad('x', 2147483647)",
		"SELECT rpad('x', 2147483647, 'ab')",
		"SELECT lpad('x', 300000000, 'y')",
		"SELECT replace(repeat('a', 100000), 'a', repeat('b', 100000))",
		"SELECT regexp_replace(repeat('a', 100000), 'a', repeat('b', 100000), 'g')",
		"SELECT repeat('x', 600000000) || repeat('y', 600000000)",
		"SELECT concat(repeat('x', 600000000), repeat('y', 600000000))",
	} {
		wantCode(t, conn, sql, "54000")
	}
	// Values under the cap still work.
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT length(repeat('ab', 500000))").Scan(&n); err != nil || n != 1000000 {
		t.Errorf("repeat under the cap: %v %d", err, n)
	}
	alive(t, ts.dsn("tester"))
}

// Parameter numbers are checked before anything is sized by them.
func TestCrashParameterNumbers(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	ctx := context.Background()
	conn := connect(t, ts.dsn("tester"))
	for _, sql := range []string{"select $2147483648", "select $300000000", "select $0", "select $99999999999999999999", "select $65536"} {
		_, err := conn.PgConn().Prepare(ctx, "", sql, nil)
		if got := pgCode(err); got != "42P02" {
			t.Errorf("Parse %q: want 42P02, got %v", sql, err)
		}
		wantCode(t, conn, sql, "42P02")
	}
	// The highest number the protocol can bind still prepares.
	sd, err := conn.PgConn().Prepare(ctx, "", "select $65535::int", nil)
	if err != nil || len(sd.ParamOIDs) != 65535 {
		t.Errorf("select $65535: %v", err)
	}
	alive(t, ts.dsn("tester"))
}

// ARRAY constructors nest at most 6 deep (PostgreSQL's MAXDIM), and nested
// arrays print as PostgreSQL prints them, without quoting each level.
func TestCrashArrayNesting(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	nest := func(n int) string { return strings.Repeat("ARRAY[", n) + "1" + strings.Repeat("]", n) }
	wantCode(t, conn, "SELECT "+nest(40), "54000")
	wantCode(t, conn, "SELECT "+nest(7), "54000")
	var s string
	if err := conn.QueryRow(context.Background(), "SELECT ("+nest(6)+")::text", pgx.QueryExecModeSimpleProtocol).Scan(&s); err != nil || s != "{{{{{{1}}}}}}" {
		t.Errorf("6 levels: %v %q", err, s)
	}
	if err := conn.QueryRow(context.Background(), "SELECT ARRAY[ARRAY['a b','c'],ARRAY['d',NULL]]::text", pgx.QueryExecModeSimpleProtocol).Scan(&s); err != nil || s != `{{"a b",c},{d,NULL}}` {
		t.Errorf("2-d text array: %v %q", err, s)
	}
	alive(t, ts.dsn("tester"))
}

// Deeply nested statements are 54001, quickly, whatever builds the depth.
func TestCrashDeepStatements(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	for name, sql := range map[string]string{
		"parentheses":       "SELECT " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000),
		"operators":         "SELECT " + strings.Repeat("1+", 200000) + "1",
		"scalar subqueries": "SELECT " + strings.Repeat("(SELECT ", 10000) + "1" + strings.Repeat(")", 10000),
		"IN subqueries":     "SELECT 1 WHERE 1 IN " + strings.Repeat("(SELECT 1 WHERE 1 IN ", 10000) + "(1)" + strings.Repeat(")", 10000),
		"function calls":    "SELECT " + strings.Repeat("abs(", 50000) + "1" + strings.Repeat(")", 50000),
		"NOT chain":         "SELECT " + strings.Repeat("NOT ", 200000) + "true",
		"CASE nesting":      "SELECT " + strings.Repeat("CASE WHEN true THEN ", 20000) + "1" + strings.Repeat(" END", 20000),
		"brackets":          "SELECT " + strings.Repeat("ARRAY[", 5000) + "1" + strings.Repeat("]", 5000),
	} {
		start := time.Now()
		wantCode(t, conn, sql, "54001")
		if d := time.Since(start); d > 60*time.Second { // generous: -race runs it ten times slower
			t.Errorf("%s: took %v", name, d)
		}
	}
	// Nesting within the limits still runs.
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT "+strings.Repeat("(SELECT ", 200)+"7"+strings.Repeat(")", 200)).Scan(&n); err != nil || n != 7 {
		t.Errorf("200 nested subqueries: %v %d", err, n)
	}
	if err := conn.QueryRow(context.Background(), "SELECT "+strings.Repeat("1+", 5000)+"1").Scan(&n); err != nil || n != 5001 {
		t.Errorf("5001 terms: %v %d", err, n)
	}
	alive(t, ts.dsn("tester"))
}

// A JSON file nested too deep is an error for the queries that read it,
// never a stack overflow; listing tables still works.
func TestCrashDeepJSON(t *testing.T) {
	deep := strings.Repeat("[", 5_000_000) + strings.Repeat("]", 5_000_000) // 10 MB
	deepObj := strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000) + "\n"
	root := fstest.MapFS{
		"deep.json":  {Data: []byte(deep)},
		"deep2.json": {Data: []byte(deepObj)},
		"ok.json":    {Data: []byte(`{"a": {"b": [1, 2]}}` + "\n")},
	}
	ts := startWith(t, root, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	wantCode(t, conn, "SELECT * FROM deep", "54001")
	wantCode(t, conn, "SELECT count(*) FROM deep2", "54001")
	rows, err := conn.Query(context.Background(), "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(names, ",") != "ok" {
		t.Errorf("tables listed: %v %v", names, err)
	}
	var s string
	// A nested value read from a file is JSON text (issue 13).
	if err := conn.QueryRow(context.Background(), "SELECT a::text FROM ok").Scan(&s); err != nil || s != `{"b": [1, 2]}` {
		t.Errorf("ok.json: %v %q", err, s)
	}
	alive(t, ts.dsn("tester"))
}

// Tables made with CREATE TABLE belong to their session: others do not see
// them, they go when it ends, and they count against its limit (53400).
func TestSessionTablesPrivate(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 1<<20)
	ctx := context.Background()
	a, err := pgx.Connect(ctx, ts.dsn("a"))
	if err != nil {
		t.Fatal(err)
	}
	b := connect(t, ts.dsn("b"))
	if _, err := a.Exec(ctx, "CREATE TABLE mine AS SELECT x FROM generate_series(1, 100) g(x)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := a.QueryRow(ctx, "SELECT count(*) FROM mine").Scan(&n); err != nil || n != 100 {
		t.Errorf("own table: %v %d", err, n)
	}
	if err := a.QueryRow(ctx, "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'mine'").Scan(&n); err != nil || n != 1 {
		t.Errorf("own table in pg_class: %v %d", err, n)
	}
	wantCode(t, b, "SELECT * FROM mine", "42P01")
	if err := b.QueryRow(ctx, "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'mine'").Scan(&n); err != nil || n != 0 {
		t.Errorf("another session's table in pg_class: %v %d", err, n)
	}
	// The same name in another session is another table.
	if _, err := b.Exec(ctx, "CREATE TABLE mine (y text)"); err != nil {
		t.Errorf("same name in session b: %v", err)
	}
	// The limit: 1 MB per session.
	wantCode(t, a, "CREATE TABLE big AS SELECT x FROM generate_series(1, 1000000) g(x)", "53400")
	wantCode(t, a, "INSERT INTO mine SELECT x FROM generate_series(1, 1000000) g(x)", "53400")
	if err := a.QueryRow(ctx, "SELECT count(*) FROM mine").Scan(&n); err != nil || n != 100 {
		t.Errorf("after the refused insert: %v %d", err, n)
	}
	if _, err := a.Exec(ctx, "DROP TABLE mine"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, "CREATE TABLE big AS SELECT x FROM generate_series(1, 20000) g(x)"); err != nil {
		t.Errorf("after DROP the space is free again: %v", err)
	}
	a.Close(ctx)
	c := connect(t, ts.dsn("a"))
	wantCode(t, c, "SELECT * FROM big", "42P01")
	alive(t, ts.dsn("tester"))
}

// Text that is not UTF-8 (or holds NUL bytes) is never sent to clients:
// the query fails with 22021 naming the file and line.
func TestInvalidTextNotSent(t *testing.T) {
	root := fstest.MapFS{
		"latin1.csv": {Data: []byte("id,name\n1,ok\n2,caf\xe9\n")},
		"nul.csv":    {Data: []byte("id,name\n1,a\x00b\n")},
	}
	ts := startWith(t, root, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
		for _, table := range []string{"latin1", "nul"} {
			rows, err := conn.Query(context.Background(), "SELECT name FROM "+table, mode)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
			}
			if pgCode(err) != "22021" || !strings.Contains(err.Error(), table+`.csv" at line`) {
				t.Errorf("%v %s: want 22021 with the file and line, got %v", mode, table, err)
			}
		}
	}
	alive(t, ts.dsn("tester"))
}

// A view made to refer to itself (CREATE OR REPLACE) used to expand
// without end: a stack overflow that killed the process. It is 42P17, as
// in PostgreSQL.
func TestCrashRecursiveView(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	ctx := context.Background()
	for _, sql := range []string{
		"CREATE VIEW v AS SELECT 1 AS x",
		"CREATE OR REPLACE VIEW v AS SELECT x FROM v",
		"CREATE VIEW a AS SELECT 1 AS x",
		"CREATE VIEW b AS SELECT x FROM a",
		"CREATE OR REPLACE VIEW a AS SELECT (SELECT max(x) FROM b) AS x",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	wantCode(t, conn, "SELECT * FROM v", "42P17")
	wantCode(t, conn, "SELECT * FROM b", "42P17")
	// A chain of views is fine.
	for i := 1; i <= 50; i++ {
		sql := "CREATE VIEW c1 AS SELECT 1 AS x"
		if i > 1 {
			sql = fmt.Sprintf("CREATE VIEW c%d AS SELECT x + 1 AS x FROM c%d", i, i-1)
		}
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT x FROM c50").Scan(&n); err != nil || n != 50 {
		t.Errorf("chain of 50 views: %v %d", err, n)
	}
	alive(t, ts.dsn("tester"))
}

// A chain of casts nests like parentheses: past the limit it is 54001,
// before the rewriting that costs quadratic time in its length.
func TestCrashCastChain(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	conn := connect(t, ts.dsn("tester"))
	start := time.Now()
	wantCode(t, conn, "SELECT 1"+strings.Repeat("::int", 100000), "54001")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT 7"+strings.Repeat("::int", 50)).Scan(&n); err != nil || n != 7 {
		t.Errorf("50 casts: %v %d", err, n)
	}
	alive(t, ts.dsn("tester"))
}
