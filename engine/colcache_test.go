package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With a column cache, the second scan of a CSV or JSON file reads the
// cached columns (EXPLAIN ANALYZE says how many parts) and answers the
// same; without one, every scan parses.
func TestColumnCacheQueries(t *testing.T) {
	dir := t.TempDir()
	var csv, js strings.Builder
	csv.WriteString("k,v,price\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&csv, "%d,v%d,%d.%02d\n", i, i%7, i, i%100)
		fmt.Fprintf(&js, "{\"k\":%d,\"v\":\"v%d\",\"price\":%d.%02d}\n", i, i%7, i, i%100)
	}
	os.WriteFile(filepath.Join(dir, "t.csv"), []byte(csv.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "j.json"), []byte(js.String()), 0o644)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, cacheDir := range []string{t.TempDir(), ""} {
		e, err := New(Config{Root: root.FS(), RootName: dir, CacheDir: cacheDir})
		if err != nil {
			t.Fatal(err)
		}
		s := e.NewSession()
		for _, table := range []string{"t", "j"} {
			q := "SELECT v, count(*), sum(price), max(k) FROM " + table + " WHERE k >= 10 GROUP BY v ORDER BY v"
			want, err := run(t, s, q)
			if err != nil || len(want) != 7 || want[0] != "v0|713|1787131.78|4998" {
				t.Fatalf("%s: %v %v", table, want, err)
			}
			got, err := run(t, s, q)
			if err != nil || strings.Join(got, ";") != strings.Join(want, ";") {
				t.Fatalf("%s again: %v %v", table, got, err)
			}
			plan, err := run(t, s, "EXPLAIN ANALYZE "+q)
			if err != nil {
				t.Fatal(err)
			}
			fromCache := strings.Contains(strings.Join(plan, "\n"), "from-cache=1)")
			if fromCache != (cacheDir != "") {
				t.Errorf("cache %q, table %s: plan\n%s", cacheDir, table, strings.Join(plan, "\n"))
			}
		}
	}
}

// A value far into a file that does not fit the type inferred from the
// sample widens the column, and the query still succeeds (run again
// before any row left).
func TestWideningQuery(t *testing.T) {
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("id,code\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&csv, "%d,%d\n", i, i)
	}
	csv.WriteString("3000,n/a\n")
	os.WriteFile(filepath.Join(dir, "late.csv"), []byte(csv.String()), 0o644)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	e, err := New(Config{Root: root.FS(), RootName: dir})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession()
	rows, err := run(t, s, "SELECT count(*), max(id), count(code), min(code) FROM late")
	if err != nil || strings.Join(rows, ";") != "3001|3000|3001|0" {
		t.Fatalf("got %v %v", rows, err)
	}
	rows, err = run(t, s, "SELECT code FROM late WHERE id = 3000")
	if err != nil || strings.Join(rows, ";") != "n/a" {
		t.Fatalf("got %v %v", rows, err)
	}
}
