package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lakesql/lakesql/demo"
)

// clientUnit is one message a client sends: one statement, or several
// sent together in the simple protocol.
type clientUnit struct {
	name  string
	sql   string
	line  int
	wants []clientWant
}

// clientWant is one expectation on a result of the unit.
type clientWant struct {
	result  int    // index of the result (-1: the last one)
	kind    string // "want", "want-rows", "want-min-rows"
	row     []string
	n       int
	srcLine int
}

var wantLine = regexp.MustCompile(`^-- (want|want-rows|want-min-rows)(?: #(\d+))?: ?(.*)$`)

// readClientUnits parses a file of testdata/clients (format in its README).
func readClientUnits(t *testing.T, path string) []clientUnit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var units []clientUnit
	var cur *clientUnit
	var body []string
	flush := func() {
		if cur != nil {
			cur.sql = strings.TrimSpace(strings.Join(body, "\n"))
			units = append(units, *cur)
		}
		body = nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "---- "):
			flush()
			cur = &clientUnit{name: strings.TrimPrefix(line, "---- "), line: n}
		case cur == nil:
			// header comments
		case wantLine.MatchString(line):
			m := wantLine.FindStringSubmatch(line)
			w := clientWant{result: -1, kind: m[1], srcLine: n}
			if m[2] != "" {
				w.result, _ = strconv.Atoi(m[2])
			}
			if w.kind == "want" {
				w.row = strings.Split(m[3], "|")
			} else if w.n, err = strconv.Atoi(strings.TrimSpace(m[3])); err != nil {
				t.Fatalf("%s:%d: bad count %q", path, n, m[3])
			}
			cur.wants = append(cur.wants, w)
		default:
			body = append(body, line)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return units
}

// singleStatement reports whether sql holds one statement (no semicolon
// before its end outside quotes and comments), so that it can also go
// through the extended protocol, which takes one statement per Parse.
func singleStatement(sql string) bool {
	sql = strings.TrimRight(strings.TrimSpace(sql), ";")
	inQuote := byte(0)
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '\'' || c == '"':
			inQuote = c
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == ';':
			return false
		}
	}
	return true
}

// cellsOf renders a result's rows as text cells, "<null>" for NULL.
func cellsOf(r *pgconn.Result) [][]string {
	out := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = make([]string, len(row))
		for j, v := range row {
			if v == nil {
				out[i][j] = "<null>"
			} else {
				out[i][j] = string(v)
			}
		}
	}
	return out
}

func rowMatches(got, want []string) bool {
	if n := len(want); n > 0 && want[n-1] == "..." {
		if len(got) < n-1 {
			return false
		}
		got, want = got[:n-1], want[:n-1]
	}
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if want[i] != "*" && want[i] != got[i] {
			return false
		}
	}
	return true
}

// TestClientCatalogQueries replays the statements psql, pgcli, pgAdmin,
// DBeaver, Metabase, Grafana, Tableau (psqlODBC) and Npgsql (Power BI)
// send when they connect, list schemas and tables and describe a table
// (testdata/clients, with their sources), once in the simple protocol and
// once with single statements in the extended protocol, and checks the
// tables, columns and types they get back.
func TestClientCatalogQueries(t *testing.T) {
	host, port := serve(t, demo.FS)
	files, err := filepath.Glob(filepath.Join("testdata", "clients", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no client query files: %v", err)
	}
	for _, file := range files {
		units := readClientUnits(t, file)
		client := strings.TrimSuffix(filepath.Base(file), ".sql")
		for _, extended := range []bool{false, true} {
			name := client + "/simple"
			if extended {
				name = client + "/extended"
			}
			t.Run(name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				conn, err := pgconn.Connect(ctx, fmt.Sprintf("postgres://%s@%s:%s/lake?sslmode=disable&application_name=%s", client, host, port, client))
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close(ctx)
				oids := map[string]string{}
				for _, u := range units {
					sql := substituteOIDs(t, ctx, conn, u.sql, oids)
					var results []*pgconn.Result
					if extended && singleStatement(sql) {
						r := conn.ExecParams(ctx, sql, nil, nil, nil, nil).Read()
						results = []*pgconn.Result{r}
					} else {
						results, err = conn.Exec(ctx, sql).ReadAll()
						if err != nil {
							t.Errorf("%s:%d %s: %v\n%s", file, u.line, u.name, err, sql)
							continue
						}
					}
					failed := false
					for _, r := range results {
						if r.Err != nil {
							t.Errorf("%s:%d %s: %v\n%s", file, u.line, u.name, r.Err, sql)
							failed = true
						}
					}
					if failed {
						continue
					}
					for _, w := range u.wants {
						idx := w.result
						if idx < 0 {
							idx = len(results) - 1
						}
						if idx >= len(results) {
							t.Errorf("%s:%d %s: no result #%d (got %d)", file, w.srcLine, u.name, idx, len(results))
							continue
						}
						rows := cellsOf(results[idx])
						switch w.kind {
						case "want-rows":
							if len(rows) != w.n {
								t.Errorf("%s:%d %s: %d rows, want %d: %v", file, w.srcLine, u.name, len(rows), w.n, rows)
							}
						case "want-min-rows":
							if len(rows) < w.n {
								t.Errorf("%s:%d %s: %d rows, want at least %d", file, w.srcLine, u.name, len(rows), w.n)
							}
						case "want":
							want := make([]string, len(w.row))
							for i, c := range w.row {
								want[i] = substituteOIDs(t, ctx, conn, c, oids)
							}
							found := false
							for _, r := range rows {
								if rowMatches(r, want) {
									found = true
									break
								}
							}
							if !found {
								t.Errorf("%s:%d %s: no row %v in %v", file, w.srcLine, u.name, want, rows)
							}
						}
					}
				}
			})
		}
	}
}

var oidPlaceholder = regexp.MustCompile(`\{\{oid:([a-z_.]+)\}\}`)

// substituteOIDs replaces {{oid:schema.table}} with the table's OID, looked
// up as a client would.
func substituteOIDs(t *testing.T, ctx context.Context, conn *pgconn.PgConn, s string, cache map[string]string) string {
	return oidPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		name := oidPlaceholder.FindStringSubmatch(m)[1]
		if oid, ok := cache[name]; ok {
			return oid
		}
		res, err := conn.Exec(ctx, fmt.Sprintf("SELECT '%s'::regclass::oid", name)).ReadAll()
		if err != nil || len(res) != 1 || len(res[0].Rows) != 1 {
			t.Fatalf("oid of %s: %v", name, err)
		}
		cache[name] = string(res[0].Rows[0][0])
		return cache[name]
	})
}
