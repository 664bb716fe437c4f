package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/server"
	"github.com/lakesql/lakesql/sqllogictest"
)

// The lake tests (testdata/lake/*.test) run over the fixture lake in
// ../testdata/lake (written by testdata/genlake) twice: in process and
// over the PostgreSQL wire protocol. cmd/lakesql runs them a third time
// through `lakesql query`. Records marked "onlyif engine", "onlyif wire"
// or "skipif cli" hold what differs between the three.

func lakeFiles(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "lake", "*.test"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in testdata/lake: %v", err)
	}
	return files
}

func lakeRoot(t *testing.T) *os.Root {
	t.Helper()
	root, err := os.OpenRoot(filepath.Join("..", "testdata", "lake"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

func lakeEngine(t *testing.T) *engine.Engine {
	t.Helper()
	eng, err := engine.New(engine.Config{Root: lakeRoot(t).FS(), RootName: "lake", Database: "lake", Tmp: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func checkSLT(t *testing.T, f string, res sqllogictest.FileResult, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	for _, fl := range res.Failures {
		t.Errorf("%s:%d: %s\n%s\nexpected: %v\nactual:   %v", f, fl.Line, fl.Reason, fl.SQL, fl.Expected, fl.Actual)
	}
	if res.Passed == 0 {
		t.Errorf("%s: no record passed", f)
	}
}

func TestLakeEngine(t *testing.T) {
	for _, f := range lakeFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			eng := lakeEngine(t)
			res, err := sqllogictest.RunFile(context.Background(), engineDB{eng.NewSession()}, f, []string{"lakesql", "engine"}, 60*time.Second)
			checkSLT(t, f, res, err)
		})
	}
}

func TestLakeWire(t *testing.T) {
	for _, f := range lakeFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			eng := lakeEngine(t)
			host, port := serveEngine(t, eng)
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakesql@%s:%s/lake?sslmode=disable", host, port))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			res, err := sqllogictest.RunFile(ctx, wireDB{conn}, f, []string{"lakesql", "wire"}, 60*time.Second)
			checkSLT(t, f, res, err)
		})
	}
}

// wireDB runs records over the wire with the simple query protocol, so
// every value arrives as PostgreSQL's text.
type wireDB struct{ conn *pgx.Conn }

func (d wireDB) Exec(ctx context.Context, sql string) (sqllogictest.Result, error) {
	var res sqllogictest.Result
	results, err := d.conn.PgConn().Exec(ctx, sql).ReadAll()
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return res, fmt.Errorf("ERROR: %s (SQLSTATE %s)", pe.Message, pe.Code)
		}
		return res, err
	}
	if len(results) == 0 {
		return res, nil
	}
	last := results[len(results)-1]
	if last.Err != nil {
		return res, last.Err
	}
	if last.FieldDescriptions == nil {
		return res, nil
	}
	res.HasRows = true
	res.Columns = len(last.FieldDescriptions)
	for _, row := range last.Rows {
		vals := make([]sqllogictest.Value, len(row))
		for i, v := range row {
			if v == nil {
				vals[i] = sqllogictest.Value{Null: true}
				continue
			}
			vals[i] = sqllogictest.Value{Text: string(v), IsBool: last.FieldDescriptions[i].DataTypeOID == 16}
		}
		res.Rows = append(res.Rows, vals)
	}
	return res, nil
}

// serveEngine serves eng on a free loopback port until the test ends.
func serveEngine(t *testing.T, eng *engine.Engine) (host, port string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { (&server.Server{Engine: eng, Logf: t.Logf}).Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	return h, p
}

// TestLakeWireBrowse checks SHOW FILES over the wire: its columns' types
// and the files listed.
func TestLakeWireBrowse(t *testing.T) {
	host, port := serveEngine(t, lakeEngine(t))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakesql@%s:%s/lake?sslmode=disable", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SHOW FILES IN dfs.`text`")
	if err != nil {
		t.Fatal(err)
	}
	var oids []uint32
	for _, f := range rows.FieldDescriptions() {
		oids = append(oids, f.DataTypeOID)
	}
	var got []string
	for rows.Next() {
		var name string
		var dir bool
		var length int64
		var mod time.Time
		if err := rows.Scan(&name, &dir, &length, &mod); err != nil {
			t.Fatal(err)
		}
		if time.Since(mod) < 0 || mod.Year() < 2000 {
			t.Errorf("%s: modified %v", name, mod)
		}
		got = append(got, fmt.Sprintf("%s %v %d", name, dir, length))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(oids) != "[25 16 20 1184]" {
		t.Errorf("column types %v, want text, bool, int8, timestamptz", oids)
	}
	if fmt.Sprint(got) != "[events.log false 87 pipes.txt false 21 plain.csv false 37]" {
		t.Errorf("files %v", got)
	}
}

// TestLakeWireNested checks nested values over the wire: type json, JSON
// text a driver decodes, and the catalogs psql's \d reads.
func TestLakeWireNested(t *testing.T) {
	host, port := serveEngine(t, lakeEngine(t))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakesql@%s:%s/lake?sslmode=disable", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT account, tags, account->>'plan', t.addr.geo FROM people t WHERE id = $1", 1)
	if err != nil {
		t.Fatal(err)
	}
	var oids []uint32
	for _, f := range rows.FieldDescriptions() {
		oids = append(oids, f.DataTypeOID)
	}
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	var account map[string]any
	var tags []string
	var plan string
	var geo map[string]float64
	if err := rows.Scan(&account, &tags, &plan, &geo); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if fmt.Sprint(oids) != "[114 114 25 114]" {
		t.Errorf("types %v, want json, json, text, json", oids)
	}
	if fmt.Sprint(account) != "map[name:ada plan:free]" || fmt.Sprint(tags) != "[math poetry]" || plan != "free" || geo["lat"] != 51.5 {
		t.Errorf("values %v %v %q %v", account, tags, plan, geo)
	}
	// The text a client sees.
	var text string
	if err := conn.QueryRow(ctx, "SELECT account::text FROM people WHERE id = 2").Scan(&text); err != nil || text != `{"name": "bob", "plan": "pro"}` {
		t.Errorf("account::text = %q, %v", text, err)
	}
	// psql's \d: the attribute's type is json.
	var types []string
	r2, err := conn.Query(ctx, `SELECT a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
		JOIN pg_catalog.pg_class c ON a.attrelid = c.oid WHERE c.relname = 'people' AND a.attnum > 0 ORDER BY a.attnum`)
	if err != nil {
		t.Fatal(err)
	}
	for r2.Next() {
		var s string
		if err := r2.Scan(&s); err != nil {
			t.Fatal(err)
		}
		types = append(types, s)
	}
	if err := r2.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(types, ", "); got != "id bigint, name text, account json, addr json, tags json, scores json, orders json" {
		t.Errorf("\\d people: %s", got)
	}
}

// TestLakeWireExplainPruning checks over the wire that EXPLAIN names the
// files a partition filter keeps.
func TestLakeWireExplainPruning(t *testing.T) {
	host, port := serveEngine(t, lakeEngine(t))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakesql@%s:%s/lake?sslmode=disable", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "EXPLAIN SELECT sum(amount) FROM dfs.sales WHERE year = 2024 AND filename LIKE '%.bz2'")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := "Files: 2 of 5: sales/year=2024/month=01/part-0.parquet, sales/year=2024/month=02/part-0.csv.bz2"
	found := false
	for _, l := range lines {
		found = found || strings.TrimSpace(l) == want
	}
	if !found {
		t.Errorf("no line %q in\n%s", want, strings.Join(lines, "\n"))
	}
}
