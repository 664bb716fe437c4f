package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lakesql/lakesql/demo"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/server"
	"io/fs"
)

// serve starts a server over fsys on a free loopback port and returns its address.
func serve(t *testing.T, fsys fs.FS) (host, port string) {
	t.Helper()
	eng, err := engine.New(engine.Config{Root: fsys, RootName: "test", Database: "lake"})
	if err != nil {
		t.Fatal(err)
	}
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

// TestTPCHOverWire runs the 22 TPC-H queries through the PostgreSQL
// protocol (pgx, extended protocol with binary results) on the Parquet
// files and checks the reference answers.
func TestTPCHOverWire(t *testing.T) {
	shared := sharedDir(t)
	data := filepath.Join(shared, "data", "tpch-sf0.01")
	root, err := os.OpenRoot(filepath.Join(data, "parquet"))
	if err != nil {
		t.Fatal(err)
	}
	host, port := serve(t, root.FS())
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakesql@%s:%s/lake?sslmode=disable", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for q := 1; q <= 22; q++ {
		name := fmt.Sprintf("q%02d", q)
		t.Run(name, func(t *testing.T) {
			sql, err := os.ReadFile(filepath.Join(shared, "tools", "peer", "queries", name+".sql"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := readAnswer(filepath.Join(data, "answers", name+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			qctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			rows, err := conn.Query(qctx, string(sql))
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					t.Fatal(err)
				}
				row := make([]string, len(vals))
				for i, v := range vals {
					row[i] = wireText(v)
				}
				got = append(got, row)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if msg := compareResults(got, want, hasOuterOrderBy(string(sql))); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// wireText renders a pgx value like the answers' CSV.
func wireText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.Format("2006-01-02")
	case interface{ Float64Value() (pgtypeFloat, error) }:
		return fmt.Sprint(x)
	}
	if n, ok := v.(interface {
		MarshalJSON() ([]byte, error)
	}); ok {
		b, _ := n.MarshalJSON()
		return strings.Trim(string(b), "\"")
	}
	return fmt.Sprint(v)
}

type pgtypeFloat = struct{}

// TestPsql drives the psql client (when installed) against the demo data:
// meta-commands read pg_catalog, errors leave the session usable.
func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed: skipping")
	}
	host, port := serve(t, demo.FS)
	run := func(args ...string) string {
		cmd := exec.Command(psql, append([]string{"-h", host, "-p", port, "-U", "lakesql", "-X", "lake"}, args...)...)
		cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"-c", `\dt`}, []string{"public | cities | table", "(3 rows)"}}, // tables on the search path only
		{[]string{"-c", `\dt tpch.*`}, []string{"tpch   | nation | table", "tpch   | region | table", "(2 rows)"}},
		{[]string{"-c", `\d tpch.nation`}, []string{`Table "tpch.nation"`, "n_nationkey | integer"}},
		{[]string{"-c", `\d+ cities`}, []string{`Table "public.cities"`, "population | bigint", "plain"}},
		{[]string{"-c", `\du`}, []string{"lakesql", "Superuser"}},
		{[]string{"-c", `\l+`}, []string{"lake", "UTF8"}},
		{[]string{"-c", `\dn+`}, []string{"public", "tpch"}},
		{[]string{"-c", `\dn`}, []string{"public", "tpch"}},
		{[]string{"-c", `\d cities`}, []string{`Table "public.cities"`, "population | bigint", "founded    | date"}},
		{[]string{"-c", `\l`}, []string{"lake"}},
		{[]string{"-c", `\x`, "-c", "SELECT name FROM cities WHERE name = 'Osaka'"}, []string{"name | Osaka"}},
		{[]string{"-c", "SELECT 1/0", "-c", "SELECT 41 + 1 AS answer"}, []string{"division by zero", "42"}},
		{[]string{"-c", "SELECT nope FROM cities", "-c", "SELECT count(*) AS n FROM sales"}, []string{`column "nope" does not exist`, "1000"}},
		{[]string{"-c", `\copy (SELECT name, population FROM cities ORDER BY name LIMIT 2) to stdout csv`}, []string{"Amsterdam,921402", "Berlin,3677472"}},
	}
	for _, c := range cases {
		out := run(c.args...)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("psql %v: output lacks %q:\n%s", c.args, w, out)
			}
		}
	}
}
