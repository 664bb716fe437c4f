package planner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakesql/lakesql/engine"
)

// writeTable writes a Parquet file of n rows: id 0..n-1 and fk = id % mod
// (a foreign key into a table of mod rows), in row groups of rg rows.
func writeTable(t *testing.T, dir, name string, n, mod, rg int) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: name + "_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: name + "_fk", Type: arrow.PrimitiveTypes.Int64},
		{Name: name + "_s", Type: arrow.BinaryTypes.String},
	}, nil)
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	fb := array.NewInt64Builder(memory.DefaultAllocator)
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	for i := 0; i < n; i++ {
		ib.Append(int64(i))
		fb.Append(int64(i % mod))
		sb.Append([]string{"a", "b", "c", "d"}[i%4])
	}
	rec := array.NewRecordBatch(schema, []arrow.Array{ib.NewArray(), fb.NewArray(), sb.NewArray()}, int64(n))
	f, err := os.Create(filepath.Join(dir, name+".parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(rg))), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// lake has a fact table (20,000 rows) with foreign keys into dim (200
// rows), and tiny (5 rows) keyed by dim's foreign key.
func lake(t *testing.T) *engine.Engine {
	dir := t.TempDir()
	writeTable(t, dir, "fact", 20000, 200, 2000)
	writeTable(t, dir, "dim", 200, 5, 200)
	writeTable(t, dir, "tiny", 5, 5, 5)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Root: root.FS(), RootName: "lake", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// plan runs sql (EXPLAIN ..., or a query) and returns its lines.
func plan(t *testing.T, eng *engine.Engine, sql string) []string {
	t.Helper()
	var lines []string
	err := eng.NewSession().Execute(context.Background(), sql, func(r *engine.Result) error {
		if r.Rows == nil {
			return nil
		}
		for {
			b, err := r.Rows.Next(context.Background())
			if err != nil || b == nil {
				return err
			}
			for i := 0; i < int(b.NumRows()); i++ {
				var parts []string
				for _, c := range b.Columns() {
					parts = append(parts, c.ValueStr(i))
				}
				lines = append(lines, strings.Join(parts, "|"))
			}
		}
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return lines
}

// index returns the line holding s, or -1.
func index(lines []string, s string) int {
	for i, l := range lines {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

func depth(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// Joins are ordered by estimated sizes from the files' statistics: the
// large table streams (the probe side, first input), each build side is
// the smaller input, and the selective join comes first.
func TestJoinOrderByStatistics(t *testing.T) {
	eng := lake(t)
	lines := plan(t, eng, `EXPLAIN SELECT count(*) FROM tiny, fact, dim WHERE fact_fk = dim_id AND dim_fk = tiny_id AND tiny_s = 'a'`)
	joined := strings.Join(lines, "\n")
	f, d, ti := index(lines, "Scan public.fact"), index(lines, "Scan public.dim"), index(lines, "Scan public.tiny")
	if f < 0 || d < 0 || ti < 0 {
		t.Fatalf("plan:\n%s", joined)
	}
	// fact is the deepest-left input: it comes before the others and the
	// filtered tiny is joined to dim before dim meets fact.
	if !(f < d && f < ti) {
		t.Errorf("fact should be the probe (first) input:\n%s", joined)
	}
	if depth(lines[ti]) <= depth(lines[f]) {
		t.Errorf("tiny should be joined below fact's join (build side):\n%s", joined)
	}
	// And the answer is right: tiny rows with s = 'a' (ids 0 and 4), the
	// dims pointing at them (40 each), their facts (100 each).
	if got := plan(t, eng, `SELECT count(*) FROM tiny, fact, dim WHERE fact_fk = dim_id AND dim_fk = tiny_id AND tiny_s = 'a'`); got[0] != "8000" {
		t.Errorf("count %v", got)
	}
}

// A semi join (IN subquery) goes below the inner join, into the input
// whose column it filters.
func TestSemiJoinPushedDown(t *testing.T) {
	eng := lake(t)
	lines := plan(t, eng, `EXPLAIN SELECT count(*) FROM fact, dim WHERE fact_fk = dim_id AND dim_id IN (SELECT tiny_id FROM tiny)`)
	semi, inner := index(lines, "SemiJoin"), index(lines, "InnerJoin")
	if semi < 0 || inner < 0 || semi < inner || depth(lines[semi]) <= depth(lines[inner]) {
		t.Fatalf("the semi join should sit below the inner join:\n%s", strings.Join(lines, "\n"))
	}
	if got := plan(t, eng, `SELECT count(*) FROM fact, dim WHERE fact_fk = dim_id AND dim_id IN (SELECT tiny_id FROM tiny)`); got[0] != "500" {
		t.Errorf("count %v", got)
	}
}

// Predicates on a column prune row groups before they are read, and the
// file scan runs in parallel over its row groups (EXPLAIN ANALYZE counts
// both).
func TestPruningAndParallelScan(t *testing.T) {
	eng := lake(t)
	lines := plan(t, eng, `EXPLAIN ANALYZE SELECT count(*) FROM fact WHERE fact_id >= 15000 AND fact_s = 'b'`)
	scan := lines[index(lines, "Scan public.fact")]
	if !strings.Contains(scan, "parts=3 pruned=7") || !strings.Contains(scan, "workers=2") {
		t.Fatalf("scan line: %s", scan)
	}
	if got := plan(t, eng, `SELECT count(*) FROM fact WHERE fact_id >= 15000 AND fact_s = 'b'`); got[0] != "1250" {
		t.Errorf("count %v", got)
	}
}
