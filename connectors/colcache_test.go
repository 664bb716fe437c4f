package connectors

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/types"
)

// cacheRead reads every split of a CSV file under a column cache and
// reports the rows and how many splits came from the cache.
func cacheRead(t *testing.T, root, name string, cc *ColumnCache, cols []int, filter Filter) ([]string, int, int) {
	t.Helper()
	ctx := context.Background()
	tb, err := OpenFile(ctx, os.DirFS(root), name, Options{Columns: cc, SplitSize: 64, BatchSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	splits, err := tb.Splits(ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	cached := 0
	for _, s := range splits {
		r, err := tb.Open(ctx, s, cols)
		if err != nil {
			t.Fatal(err)
		}
		if FromCache(r) {
			cached++
		}
		for {
			b, err := r.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			rows = append(rows, renderBatch(b)...)
		}
		r.Close()
	}
	return rows, cached, len(splits)
}

func cacheEntries(t *testing.T, dir string) (entries, temps int) {
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if strings.HasPrefix(info.Name(), ".tmp-") {
				temps++
			} else if strings.HasSuffix(p, ".parquet") {
				entries++
			}
		}
		return nil
	})
	return
}

// A first scan fills the cache with the columns it read; later scans of
// those columns read the cache (same rows); a scan of other columns
// parses them with the cached ones and replaces the entries; a changed
// file is read afresh; statistics prune ranges.
func TestColumnCache(t *testing.T) {
	root, dir := t.TempDir(), t.TempDir()
	var sb strings.Builder
	sb.WriteString("id,price,name,day\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&sb, "%d,%d.%02d,\"n,%d\",2024-01-%02d\n", i, i, i, i, 1+i%28)
	}
	data := sb.String()
	os.WriteFile(filepath.Join(root, "t.csv"), []byte(data), 0o644)
	cc, err := NewColumnCache(dir, 0, "root")
	if err != nil {
		t.Fatal(err)
	}
	parsed, _, _ := cacheRead(t, root, "t.csv", nil, []int{0, 1}, nil)
	first, cached, n := cacheRead(t, root, "t.csv", cc, []int{0, 1}, nil)
	if cached != 0 || n < 5 || strings.Join(first, ";") != strings.Join(parsed, ";") {
		t.Fatalf("first scan: %d of %d splits cached, rows %v", cached, n, first)
	}
	if e, tmp := cacheEntries(t, dir); e != n || tmp != 0 {
		t.Fatalf("%d entries and %d temporary files after the first scan, want %d and 0", e, tmp, n)
	}
	again, cached, _ := cacheRead(t, root, "t.csv", cc, []int{1, 0}, nil)
	if cached != n || len(again) != 40 || again[3] != "3.03|3" {
		t.Fatalf("second scan: %d of %d cached, rows %v", cached, n, again)
	}
	// Other columns: parsed together with the cached ones, replacing
	// the entries; then all of them come from the cache.
	if _, cached, _ := cacheRead(t, root, "t.csv", cc, []int{2}, nil); cached != 0 {
		t.Fatalf("new column: %d cached", cached)
	}
	all, cached, _ := cacheRead(t, root, "t.csv", cc, []int{0, 1, 2}, nil)
	want, _, _ := cacheRead(t, root, "t.csv", nil, []int{0, 1, 2}, nil)
	if cached != n || strings.Join(all, ";") != strings.Join(want, ";") {
		t.Fatalf("merged entries: %d cached, rows %v", cached, all)
	}
	if e, _ := cacheEntries(t, dir); e != n {
		t.Fatalf("%d entries, want %d (replaced, not added)", e, n)
	}
	// Pruning by the entries' statistics: id > 35 is in the last range.
	rows, _, kept := cacheRead(t, root, "t.csv", cc, []int{0}, Filter{{Column: 0, Op: OpGt, Values: []scalar.Scalar{scalar.NewInt64Scalar(35)}}})
	if kept >= n || kept == 0 || !strings.Contains(strings.Join(rows, ";"), "39") {
		t.Errorf("pruning kept %d of %d splits (rows %v)", kept, n, rows)
	}
	// A changed file is read afresh.
	os.WriteFile(filepath.Join(root, "t.csv"), []byte(strings.Replace(data, "\n1,", "\n1000,", 1)), 0o644)
	later := time.Now().Add(time.Minute)
	os.Chtimes(filepath.Join(root, "t.csv"), later, later)
	changed, cached, _ := cacheRead(t, root, "t.csv", cc, []int{0}, nil)
	if cached != 0 || !strings.Contains(strings.Join(changed, ";"), "1000") {
		t.Errorf("changed file: %d cached, rows %v", cached, changed)
	}
}

// A scan stopped before its end leaves no entry and no temporary file;
// concurrent scans of one file leave whole entries; past the size limit
// the least recently used entries go.
func TestColumnCacheWrites(t *testing.T) {
	root, dir := t.TempDir(), t.TempDir()
	var sb strings.Builder
	sb.WriteString("a,b\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&sb, "%d,text %d\n", i, i)
	}
	os.WriteFile(filepath.Join(root, "w.csv"), []byte(sb.String()), 0o644)
	cc, _ := NewColumnCache(dir, 0, "root")
	ctx := context.Background()
	tb, err := OpenFile(ctx, os.DirFS(root), "w.csv", Options{Columns: cc, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	splits, _ := tb.Splits(ctx, nil)
	r, _ := tb.Open(ctx, splits[0], nil)
	if b, err := r.Next(ctx); err != nil || b == nil {
		t.Fatal(err)
	}
	r.Close()
	if e, tmp := cacheEntries(t, dir); e != 0 || tmp != 0 {
		t.Fatalf("a scan closed early left %d entries, %d temporary files", e, tmp)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cacheRead(t, root, "w.csv", cc, nil, nil)
		}()
	}
	wg.Wait()
	rows, cached, n := cacheRead(t, root, "w.csv", cc, nil, nil)
	if cached != n || len(rows) != 2000 || rows[1999] != "1999|text 1999" {
		t.Fatalf("after concurrent fills: %d of %d cached, %d rows", cached, n, len(rows))
	}
	if _, tmp := cacheEntries(t, dir); tmp != 0 {
		t.Fatalf("%d temporary files left", tmp)
	}
	// A limit smaller than the entries: the oldest go.
	small, _ := NewColumnCache(dir, cc.Size()/3, "root")
	os.WriteFile(filepath.Join(root, "x.csv"), []byte(sb.String()), 0o644)
	cacheRead(t, root, "x.csv", small, nil, nil)
	if size := small.Size(); size > small.limit {
		t.Errorf("cache holds %d bytes, limit %d", size, small.limit)
	}
}

// openCounter counts the files opened through it.
type openCounter struct {
	fs.FS
	opened int
}

func (o *openCounter) Open(name string) (fs.File, error) {
	o.opened++
	return o.FS.Open(name)
}

func (o *openCounter) Stat(name string) (fs.FileInfo, error) { return fs.Stat(o.FS, name) }

// The cache keeps each file's inference too: a restarted server (a new
// schema cache over the same cache folder) opens no file to know its
// schema, and sees the widenings made before.
func TestColumnCacheInference(t *testing.T) {
	root, dir := t.TempDir(), t.TempDir()
	var sb strings.Builder
	sb.WriteString("id,code\n")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&sb, "%d,%d\n", i, i)
	}
	sb.WriteString("50,n/a\n")
	os.WriteFile(filepath.Join(root, "w.csv"), []byte(sb.String()), 0o644)
	os.WriteFile(filepath.Join(root, "j.json"), []byte(`{"a": 1, "u": {"n": "x"}}`+"\n"), 0o644)
	ctx := context.Background()
	restart := func() (*openCounter, Options) {
		cc, err := NewColumnCache(dir, 0, "root")
		if err != nil {
			t.Fatal(err)
		}
		return &openCounter{FS: os.DirFS(root)}, Options{Cache: NewSchemaCache(), Columns: cc, SampleRows: 10}
	}
	fsys, opts := restart()
	tb, err := OpenFile(ctx, fsys, "w.csv", opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgRows(t, tb, nil); !IsSchemaWidened(err) {
		t.Fatalf("want a widening, got %v", err)
	}
	if _, err := OpenFile(ctx, fsys, "j.json", opts); err != nil {
		t.Fatal(err)
	}
	fsys, opts = restart()
	for name, want := range map[string]string{"w.csv": "id bigint,code text", "j.json": "a bigint,u record(n text)"} {
		tb, err := OpenFile(ctx, fsys, name, opts)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := tb.Schema(ctx)
		var got []string
		for _, f := range s.Fields() {
			got = append(got, f.Name+" "+types.Name(f.Type))
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s after a restart: %v, want %s", name, got, want)
		}
	}
	if fsys.opened != 0 {
		t.Errorf("a restarted server opened %d files to infer their schemas", fsys.opened)
	}
}
