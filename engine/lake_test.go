package engine

import (
	"fmt"
	"github.com/lakesql/lakesql/sqlerr"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingFS counts the files opened (directories excluded) under a
// file system; Stat and ReadDir do not open files.
type countingFS struct {
	fsys   fs.FS
	mu     sync.Mutex
	opened map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.fsys.Open(name)
	if err == nil {
		if st, err := f.Stat(); err == nil && !st.IsDir() {
			c.mu.Lock()
			c.opened[name]++
			c.mu.Unlock()
		}
	}
	return f, err
}

func (c *countingFS) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(c.fsys, name) }
func (c *countingFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.fsys, name) }

func (c *countingFS) files() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k := range c.opened {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *countingFS) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opened = map[string]int{}
}

func lakeFS(t *testing.T) fs.FS {
	t.Helper()
	root, err := os.OpenRoot(filepath.Join("..", "testdata", "lake"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root.FS()
}

func newLakeSession(t *testing.T) (*Session, *countingFS) {
	t.Helper()
	cfs := &countingFS{fsys: lakeFS(t), opened: map[string]int{}}
	e, err := New(Config{Root: cfs, RootName: "lake", Tmp: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return e.NewSession(), cfs
}

// TestPartitionPruning checks that filters on partition and file columns
// skip files before any is opened: once the files' schemas are known
// (the metadata cache), a query opens only the files it keeps, and
// EXPLAIN names them.
func TestPartitionPruning(t *testing.T) {
	s, cfs := newLakeSession(t)
	if _, err := run(t, s, "SELECT count(*) FROM dfs.sales"); err != nil {
		t.Fatal(err)
	}
	if got := len(cfs.files()); got != 5 {
		t.Fatalf("the first query opened %d files, want the 5 of the folder: %v", got, cfs.files())
	}
	cases := []struct {
		sql   string
		want  []string // rows
		files []string // files opened
	}{
		{"SELECT sum(amount) FROM dfs.sales WHERE year = 2023 AND month = 12", []string{"30"},
			[]string{"sales/year=2023/month=12/part-0.csv"}},
		{"SELECT sum(amount) FROM dfs.sales WHERE year >= 2024", []string{"150"},
			[]string{"sales/year=2024/month=01/part-0.parquet", "sales/year=2024/month=02/part-0.csv.bz2"}},
		{"SELECT count(*) FROM dfs.sales WHERE year IS NULL", []string{"1"},
			[]string{"sales/year=__HIVE_DEFAULT_PARTITION__/month=01/part-0.csv"}},
		{"SELECT region FROM dfs.sales WHERE month = 2 OR month = 11 ORDER BY region", []string{"east", "west", "west"},
			[]string{"sales/year=2023/month=11/part-0.csv", "sales/year=2024/month=02/part-0.csv.bz2"}},
		{"SELECT amount FROM dfs.sales WHERE filename = 'part-0.parquet' ORDER BY 1", []string{"40", "50"},
			[]string{"sales/year=2024/month=01/part-0.parquet"}},
		{"SELECT amount FROM dfs.sales WHERE suffix = 'bz2'", []string{"60"},
			[]string{"sales/year=2024/month=02/part-0.csv.bz2"}},
		{"SELECT count(*) FROM dfs.sales WHERE year = 1999", []string{"0"}, nil},
		// A condition on a data column prunes nothing here.
		{"SELECT count(*) FROM dfs.sales WHERE amount > 45", []string{"2"},
			[]string{"sales/year=2023/month=11/part-0.csv", "sales/year=2023/month=12/part-0.csv",
				"sales/year=2024/month=01/part-0.parquet", "sales/year=2024/month=02/part-0.csv.bz2",
				"sales/year=__HIVE_DEFAULT_PARTITION__/month=01/part-0.csv"}},
	}
	for _, c := range cases {
		cfs.reset()
		rows, err := run(t, s, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if strings.Join(rows, ";") != strings.Join(c.want, ";") {
			t.Errorf("%s: rows %v, want %v", c.sql, rows, c.want)
		}
		if got := cfs.files(); strings.Join(got, ";") != strings.Join(c.files, ";") {
			t.Errorf("%s: opened %v, want %v", c.sql, got, c.files)
		}
	}
}

func TestExplainNamesFilesKept(t *testing.T) {
	s, _ := newLakeSession(t)
	cases := []struct{ sql, want string }{
		{"EXPLAIN SELECT sum(amount) FROM dfs.sales WHERE year = 2023 AND month = 12",
			"Files: 1 of 5: sales/year=2023/month=12/part-0.csv"},
		{"EXPLAIN SELECT * FROM dfs.logs WHERE dir0 = 2024 AND dir1 IN (2, 3)",
			"Files: 2 of 4: logs/2024/02/events.json.gz, logs/2024/03/events.json.zst"},
		{"EXPLAIN SELECT * FROM dfs.logs WHERE filepath = '/logs/2023/11'",
			"Files: 1 of 4: logs/2023/11/events.json"},
		// A glob's folders count from its literal prefix, logs/2024/.
		{"EXPLAIN SELECT * FROM dfs.`logs/2024/*/*.json*` WHERE dir0 = 1",
			"Files: 1 of 3: logs/2024/01/events.json"},
	}
	for _, c := range cases {
		rows, err := run(t, s, c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		found := false
		for _, r := range rows {
			if strings.TrimSpace(r) == c.want {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no line %q in\n%s", c.sql, c.want, strings.Join(rows, "\n"))
		}
	}
}

func TestShowFiles(t *testing.T) {
	s, _ := newLakeSession(t)
	cases := []struct {
		sql  string
		want []string // name|is_directory|length, modified dropped
	}{
		{"SHOW FILES IN dfs.`logs/2024/03`", []string{"+tmp|t|0", ".events-8.json|f|39", "events-9.json.tmp|f|39", "events.json.zst|f|50"}},
		{"SHOW FILES IN dfs.root.`text`", []string{"events.log|f|87", "pipes.txt|f|21", "plain.csv|f|37"}},
		{"SHOW FILES IN dfs.`people.json`", []string{"people.json|f|509"}},
		{"SHOW FILES IN text", []string{"events.log|f|87", "pipes.txt|f|21", "plain.csv|f|37"}},
		{"SHOW FILES IN dfs.tmp", nil},
	}
	for _, c := range cases {
		rows, err := run(t, s, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		var got []string
		for _, r := range rows {
			parts := strings.Split(r, "|")
			got = append(got, strings.Join(parts[:3], "|"))
			if len(parts) != 4 || !strings.HasPrefix(parts[3], "20") {
				t.Errorf("%s: row %q has no modification time", c.sql, r)
			}
		}
		if strings.Join(got, ";") != strings.Join(c.want, ";") {
			t.Errorf("%s: %v, want %v", c.sql, got, c.want)
		}
	}
	rows, err := run(t, s, "SHOW FILES")
	if err != nil || len(rows) != 10 || !strings.HasPrefix(rows[0], "broken|t|0|") {
		t.Errorf("SHOW FILES: %v %v", rows, err)
	}
	for _, bad := range []string{"SHOW FILES IN dfs.`nope`", "SHOW FILES IN dfs.`../etc`"} {
		if _, err := run(t, s, bad); sqlerr.Code(err) != sqlerr.UndefinedFile {
			t.Errorf("%s: %v, want 58P01", bad, err)
		}
	}
}

// TestTmpWorkspaceSurvivesRestart writes a table and a view in dfs.tmp
// with one engine and reads them with another on the same folder; a
// failed CREATE TABLE leaves nothing in the folder, and a table a crashed
// writer left half-written (under its hidden temporary name) is not seen.
func TestTmpWorkspaceSurvivesRestart(t *testing.T) {
	tmp := t.TempDir()
	open := func() *Session {
		e, err := New(Config{Root: lakeFS(t), RootName: "lake", Tmp: tmp})
		if err != nil {
			t.Fatal(err)
		}
		return e.NewSession()
	}
	s1 := open()
	for _, q := range []string{
		"CREATE TABLE dfs.tmp.t1 (format => 'json') AS SELECT id, name FROM people",
		"CREATE VIEW dfs.tmp.v1 AS SELECT name FROM dfs.tmp.t1 WHERE id > 1",
	} {
		if _, err := run(t, s1, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := run(t, s1, "CREATE TABLE dfs.tmp.t2 AS SELECT 1 / (id - 2) FROM people"); sqlerr.Code(err) != sqlerr.DivisionByZero {
		t.Fatalf("failing CTAS: %v", err)
	}
	entries, _ := os.ReadDir(tmp)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "t1,v1.view.drill" {
		t.Errorf("dfs.tmp holds %v, want t1 and v1.view.drill", names)
	}
	// A writer that died mid-way.
	os.MkdirAll(filepath.Join(tmp, ".t3.tmp-123"), 0o755)
	os.WriteFile(filepath.Join(tmp, ".t3.tmp-123", "0_0_0.json"), []byte(`{"x":1}`+"\n"), 0o644)

	s2 := open()
	rows, err := run(t, s2, "SELECT * FROM dfs.tmp.v1 ORDER BY 1")
	if err != nil || strings.Join(rows, ";") != "bob;cy" {
		t.Errorf("view after restart: %v %v", rows, err)
	}
	rows, err = run(t, s2, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'dfs.tmp' ORDER BY 1")
	if err != nil || strings.Join(rows, ";") != "t1;v1" {
		t.Errorf("catalog after restart: %v %v", rows, err)
	}
	if _, err := run(t, s2, "SELECT * FROM dfs.tmp.t3"); sqlerr.Code(err) != sqlerr.UndefinedTable {
		t.Errorf("a half-written table: %v", err)
	}
	if _, err := run(t, s2, "DROP TABLE dfs.tmp.t1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "t1")); !os.IsNotExist(err) {
		t.Errorf("DROP TABLE left %v", err)
	}
}

// TestMetadataCache lists a folder of 10,000 small files twice: the
// second time, no file is opened (schemas come from the metadata cache,
// keyed by path, size and modification time); a file that changes is
// read again, and REFRESH TABLE METADATA reads them all again.
func TestMetadataCache(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 files")
	}
	dir := t.TempDir()
	const n = 10000
	for i := 0; i < n; i++ {
		sub := filepath.Join(dir, "big", fmt.Sprintf("d%02d", i%100))
		if i < 100 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%05d.csv", i)), []byte(fmt.Sprintf("k,v\n%d,x%d\n", i, i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	cfs := &countingFS{fsys: root.FS(), opened: map[string]int{}}
	e, err := New(Config{Root: cfs, RootName: "big"})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession()
	describe := func() {
		t.Helper()
		rows, err := run(t, s, "DESCRIBE dfs.big")
		if err != nil || strings.Join(rows, ";") != "k|bigint|YES;v|text|YES;dir0|text|YES" {
			t.Fatalf("DESCRIBE: %v %v", rows, err)
		}
	}
	describe()
	if got := len(cfs.files()); got != n {
		t.Fatalf("first listing opened %d files, want %d", got, n)
	}
	cfs.reset()
	describe()
	if got := cfs.files(); len(got) != 0 {
		t.Fatalf("second listing opened %d files (%v...), want none", len(got), got[:min(3, len(got))])
	}
	// A file that changes (size and time) is read again, alone.
	p := filepath.Join(dir, "big", "d07", "f00007.csv")
	if err := os.WriteFile(p, []byte("k,v\n7,x7\n8,x8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(p, later, later)
	cfs.reset()
	describe()
	if got := cfs.files(); strings.Join(got, ";") != "big/d07/f00007.csv" {
		t.Errorf("after a change opened %v, want the changed file only", got)
	}
	cfs.reset()
	if _, err := run(t, s, "REFRESH TABLE METADATA dfs.big"); err != nil {
		t.Fatal(err)
	}
	if got := len(cfs.files()); got != n {
		t.Errorf("REFRESH TABLE METADATA opened %d files, want %d", got, n)
	}
	rows, err := run(t, s, "SELECT count(*), sum(k) FROM dfs.big")
	if err != nil || len(rows) != 1 || rows[0] != fmt.Sprintf("%d|%d", n+1, n*(n-1)/2+8) {
		t.Errorf("count: %v %v", rows, err)
	}
}
