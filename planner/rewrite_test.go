package planner_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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
	writeParquet(t, filepath.Join(dir, name+".parquet"), rec, rg)
}

// writeParquet writes rec to a Parquet file in row groups of rg rows.
func writeParquet(t *testing.T, path string, rec arrow.RecordBatch, rg int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(rg))), pqarrow.DefaultWriterProps())
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
	return openLake(t, dir)
}

// openLake serves the files of dir with two threads.
func openLake(t *testing.T, dir string) *engine.Engine {
	t.Helper()
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
	return rows(t, eng, sql)
}

// rows runs statements in one session and returns the last one's rows.
func rows(t *testing.T, eng *engine.Engine, sqls ...string) []string {
	t.Helper()
	s := eng.NewSession()
	var lines []string
	for _, sql := range sqls {
		lines = nil
		err := s.Execute(context.Background(), sql, func(r *engine.Result) error {
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

// An OR whose every branch restricts a scan gives that scan a filter of
// its own (the OR of the branches' parts over it), which also prunes its
// row groups; the OR itself still decides the rows.
func TestFilterImpliedByOr(t *testing.T) {
	eng := lake(t)
	q := `SELECT count(*) FROM fact, dim WHERE fact_fk = dim_id AND
		((fact_id < 2000 AND dim_s = 'a') OR (fact_id >= 18000 AND dim_s = 'b'))`
	lines := plan(t, eng, "EXPLAIN ANALYZE "+q)
	joined := strings.Join(lines, "\n")
	fact, dim := lines[index(lines, "Scan public.fact")], lines[index(lines, "Scan public.dim")]
	if !strings.Contains(fact, "parts=2 pruned=8") || !strings.Contains(fact, "filter: ((fact_id") {
		t.Errorf("fact should be filtered by fact_id < 2000 or >= 18000:\n%s", joined)
	}
	if !strings.Contains(dim, "filter: ((dim_s") || !strings.Contains(dim, "rows=100") {
		t.Errorf("dim should be filtered to its a and b rows:\n%s", joined)
	}
	// fact ids below 2000 whose dim (id % 200) has s = 'a' (dim id % 4 ==
	// 0): 500; ids from 18000 with dim s = 'b': 500.
	if got := plan(t, eng, q); got[0] != "1000" {
		t.Errorf("count %v", got)
	}
	// A branch without a part over dim gives dim no filter.
	q = `SELECT count(*) FROM fact, dim WHERE fact_fk = dim_id AND ((fact_id < 10 AND dim_s = 'a') OR fact_id = 19999)`
	lines = plan(t, eng, "EXPLAIN "+q)
	if strings.Contains(lines[index(lines, "Scan public.dim")], "filter") {
		t.Errorf("dim must not be filtered:\n%s", strings.Join(lines, "\n"))
	}
	if got := plan(t, eng, q); got[0] != "4" {
		t.Errorf("count %v", got)
	}
}

// A semi or anti join whose subquery side is the larger builds on the
// outer rows and streams the subquery's (a right semi join): its build
// holds the 200 dim rows, not 20,000 fact rows; the answers are those of
// the plain join.
func TestSemiJoinBuildsSmallerSide(t *testing.T) {
	eng := lake(t)
	for _, c := range []struct{ q, want string }{
		{`SELECT count(*) FROM dim WHERE dim_id IN (SELECT fact_fk FROM fact WHERE fact_s <> 'x')`, "200"},
		{`SELECT count(*) FROM dim WHERE EXISTS (SELECT 1 FROM fact WHERE fact_fk = dim_id AND fact_id < 150)`, "150"},
		{`SELECT count(*) FROM dim WHERE NOT EXISTS (SELECT 1 FROM fact WHERE fact_fk = dim_id AND fact_id < 150)`, "50"},
		{`SELECT count(*) FROM dim WHERE NOT EXISTS (SELECT 1 FROM fact WHERE fact_fk = dim_id AND fact_id % 7 <> dim_fk)`, "0"},
	} {
		if got := plan(t, eng, c.q); got[0] != c.want {
			t.Errorf("%s: %v, want %s", c.q, got, c.want)
		}
		lines := plan(t, eng, "EXPLAIN ANALYZE "+c.q)
		join := lines[index(lines, "Join on")]
		if !strings.Contains(join, "kB)") && !strings.Contains(join, "bytes)") || strings.Contains(join, "MB)") {
			t.Errorf("the join should build the dim rows: %s", join)
		}
		var kb float64
		if i := strings.Index(join, "memory="); i >= 0 {
			var unit string
			fmt.Sscanf(join[i+len("memory="):], "%g %s", &kb, &unit)
			if strings.HasPrefix(unit, "bytes") {
				kb /= 1024
			}
		}
		if kb > 64 {
			t.Errorf("the build holds %g kB: %s", kb, join)
		}
	}
}

// A correlated subquery decorrelated into an aggregate per key, joined on
// the key, aggregates only the keys the outer side can hold: a semi join
// with the outer side's filtered scan reduces its input.
func TestGroupedJoinReduced(t *testing.T) {
	eng := lake(t)
	// For each dim row with s = 'a' (dim ids 0, 4, ..., 196: 50 rows),
	// its facts (100 each, ids ≡ dim id mod 200) above their average id.
	q := `SELECT count(*) FROM fact, dim WHERE fact_fk = dim_id AND dim_s = 'a'
		AND fact_id > (SELECT avg(f2.fact_id) FROM fact f2 WHERE f2.fact_fk = dim_id)`
	lines := plan(t, eng, "EXPLAIN ANALYZE "+q)
	agg := index(lines, "Aggregate group by [fact_fk")
	if agg < 0 || !strings.Contains(lines[agg], "rows=50 ") || !strings.Contains(lines[agg+1], "SemiJoin") {
		t.Errorf("the subquery's aggregate should read the facts of 50 dims:\n%s", strings.Join(lines, "\n"))
	}
	if got := plan(t, eng, q); got[0] != "2500" {
		t.Errorf("count %v", got)
	}
}

// An aggregate written in the select list and again in HAVING is
// computed once; a volatile one is not merged.
func TestSameAggregateOnce(t *testing.T) {
	eng := lake(t)
	q := `SELECT fact_fk, sum(fact_id * 2) FROM fact GROUP BY fact_fk HAVING sum(fact_id * 2) > 399000 ORDER BY 1`
	lines := plan(t, eng, "EXPLAIN "+q)
	agg := lines[index(lines, "Aggregate")]
	if strings.Count(agg, "sum(") != 1 {
		t.Errorf("one sum expected: %s", agg)
	}
	// Per fact_fk k: 2 * (100 k + 200 * (0 + ... + 99)) = 200 k + 1980000.
	got := plan(t, eng, q)
	if len(got) != 200 || got[0] != "0|1980000" || got[199] != "199|2019800" {
		t.Errorf("got %d rows: %v ... %v", len(got), got[0], got[len(got)-1])
	}
	lines = plan(t, eng, "EXPLAIN SELECT sum(random()), sum(random()) FROM fact")
	if agg := lines[index(lines, "Aggregate")]; strings.Count(agg, "sum(") != 2 {
		t.Errorf("volatile sums merged: %s", agg)
	}
}

// Subqueries that stay per row (LIMIT inside) run through executor.Apply:
// scalar, quantified and EXISTS, each cached by its outer values.
func TestApplyPerRow(t *testing.T) {
	eng := lake(t)
	got := plan(t, eng, `SELECT a, (SELECT x FROM generate_series(1,3) x WHERE x > t.a ORDER BY x LIMIT 1),
		a < ALL (SELECT x + t.a - 3 FROM generate_series(1,3) x LIMIT 2),
		EXISTS (SELECT 1 FROM generate_series(1,3) x WHERE x = t.a LIMIT 1)
		FROM (VALUES (1),(2),(5),(1)) t(a) ORDER BY a`)
	want := []string{"1|2|false|true", "1|2|false|true", "2|3|false|true", "5|(null)|false|false"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := plan(t, eng, `SELECT count(*) FROM dim WHERE dim_fk < ALL (SELECT fact_fk - 190 FROM fact WHERE fact_id = dim_id LIMIT 1)`); got[0] != "5" {
		t.Errorf("count %v", got)
	}
}

// A left join whose right input is the larger builds its left input (a
// right join the other way round, the probe parallel) and keeps the left
// join's rows and column order.
func TestLeftJoinBuildsLeft(t *testing.T) {
	eng := lake(t)
	// Facts with id % 1000 < 150 point at dims 0..149, 20 each.
	q := `SELECT count(*), count(fact_id) FROM dim LEFT JOIN fact ON fact_fk = dim_id AND fact_id % 1000 < 150`
	if got := plan(t, eng, q); got[0] != "3050|3000" {
		t.Errorf("counts %v", got)
	}
	lines := plan(t, eng, "EXPLAIN ANALYZE "+q)
	if j := lines[index(lines, "LeftJoin")]; !strings.Contains(j, "workers=2") {
		t.Errorf("the fact rows should probe in parallel: %s", j)
	}
	got := plan(t, eng, `SELECT dim_id, dim_s, fact_id, fact_s FROM dim LEFT JOIN fact ON fact_fk = dim_id AND fact_id < 150 ORDER BY dim_id`)
	if len(got) != 200 || got[1] != "1|b|1|b" || got[199] != "199|d|(null)|(null)" {
		t.Errorf("rows: %d, %v, %v", len(got), got[1], got[len(got)-1])
	}
}

// Right and full joins probe in parallel: the build's unmatched rows come
// once, after every probe.
func TestParallelRightAndFullJoins(t *testing.T) {
	eng := lake(t)
	for _, c := range []struct{ q, want string }{
		{`SELECT count(*), count(fact_id), count(dim_id) FROM fact RIGHT JOIN dim ON fact_fk = dim_id AND fact_id % 1000 < 150`, "3050|3000|3050"},
		{`SELECT count(*), count(fact_id), count(dim_id) FROM fact FULL JOIN dim ON fact_fk = dim_id AND fact_id % 1000 < 150`, "20050|20000|3050"},
	} {
		if got := plan(t, eng, c.q); got[0] != c.want {
			t.Errorf("%s: %v, want %s", c.q, got, c.want)
		}
		lines := plan(t, eng, "EXPLAIN ANALYZE "+c.q)
		if j := lines[index(lines, "Join on")]; !strings.Contains(j, "workers=2") {
			t.Errorf("the fact rows should probe in parallel: %s", j)
		}
	}
}

// A long IN list (an OR chain as deep) plans in linear time: folding and
// splitting conjunctions and disjunctions once walked the chain at each
// level. 50,000 items took about 25 s; the bound below is loose enough
// for a loaded machine and the race detector and still fails the
// quadratic version.
func TestLongInListPlans(t *testing.T) {
	eng := lake(t)
	var sb strings.Builder
	sb.WriteString("SELECT count(*) FROM dim WHERE dim_id IN (")
	for i := 0; i < 50000; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, "%d", i*7)
	}
	sb.WriteString(")")
	start := time.Now()
	got := plan(t, eng, sb.String())
	if got[0] != "29" { // multiples of 7 below 200
		t.Errorf("count %v", got)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("a 50,000-item IN list took %v", d)
	}
}

// A WITH query referenced twice is computed once and read by both
// references (volatile ones too, as in PostgreSQL); referenced once it
// stays inlined (its filters reach the scan); a correlated one is
// computed at each reference.
func TestSharedCTE(t *testing.T) {
	eng := lake(t)
	q := `WITH r AS (SELECT fact_fk, sum(fact_id) AS s FROM fact GROUP BY fact_fk)
		SELECT count(*), sum(a.s) FROM r a JOIN r b ON a.fact_fk = b.fact_fk + 1`
	// Per fact_fk k: 100 k + 200 * 4950 = 100 k + 990000, for k = 1..199.
	if got := plan(t, eng, q); got[0] != "199|199000000" {
		t.Errorf("join of a shared WITH query: %v", got)
	}
	lines := plan(t, eng, "EXPLAIN ANALYZE "+q)
	if strings.Count(strings.Join(lines, "\n"), "CTE r (computed once") != 2 {
		t.Errorf("both references should read one result:\n%s", strings.Join(lines, "\n"))
	}
	if got := plan(t, eng, `WITH r AS (SELECT fact_fk, sum(fact_id) AS s FROM fact GROUP BY fact_fk)
		SELECT fact_fk FROM r WHERE s = (SELECT max(s) FROM r)`); len(got) != 1 || got[0] != "199" {
		t.Errorf("scalar subquery over a shared WITH query: %v", got)
	}
	lines = plan(t, eng, "EXPLAIN WITH r AS (SELECT * FROM fact) SELECT count(*) FROM r WHERE fact_id < 10")
	if index(lines, "CTE") >= 0 || !strings.Contains(lines[index(lines, "Scan")], "filter") {
		t.Errorf("a WITH query used once stays inlined:\n%s", strings.Join(lines, "\n"))
	}
	// Volatile: both references see the same value, as in PostgreSQL.
	if got := plan(t, eng, "WITH r AS (SELECT random() AS x) SELECT count(DISTINCT x) FROM (SELECT x FROM r UNION ALL SELECT x FROM r) t"); got[0] != "1" {
		t.Errorf("a volatile WITH query read twice: %v distinct values", got)
	}
	// Correlated: each dim row has 100 facts, so each reference counts 100.
	got := plan(t, eng, `SELECT count(*) FROM dim WHERE 200 = (WITH c AS (SELECT count(*) AS n FROM fact WHERE fact_fk = dim_id) SELECT a.n + b.n FROM c a, c b)`)
	if got[0] != "200" {
		t.Errorf("correlated WITH query: %v", got)
	}
	// Past work_mem each reference runs its own copy, streaming.
	out := rows(t, eng, "SET work_mem = '64kB'", `WITH r AS (SELECT * FROM fact) SELECT (SELECT count(*) FROM r), (SELECT sum(fact_id) FROM r)`)
	if len(out) != 1 || out[0] != "20000|199990000" {
		t.Errorf("WITH query past work_mem: %v", out)
	}
}

// An inner or semi hash join hands its build's keys to the scan of its
// probe side, which drops the rows whose key is missing (and skips row
// groups outside their range); a left join, whose probe rows all count,
// does not.
func TestDynamicFilter(t *testing.T) {
	eng := lake(t)
	for _, c := range []struct {
		q, want string
		rows    string // the fact scan's rows with the keys applied
	}{
		// dim_s = 'a' for the 50 dims with id % 4 = 0; 100 facts each.
		{`SELECT count(*), sum(fact_id) FROM fact JOIN dim ON fact_fk = dim_id WHERE dim_s = 'a'`, "5000|49990000", "rows=5000 "},
		{`SELECT count(*) FROM fact WHERE fact_fk IN (SELECT dim_id FROM dim WHERE dim_s = 'b')`, "5000", "rows=5000 "},
		// fact_id is sorted in row groups of 2000: only the first holds ids < 200.
		{`SELECT count(*) FROM fact JOIN dim ON fact_id = dim_id`, "200", "rows=200 "},
		// Two keys: the integer one filters.
		{`SELECT count(*) FROM fact JOIN dim ON fact_s = dim_s AND fact_fk = dim_id WHERE dim_s = 'a'`, "5000", "rows=5000 "},
		// Two integer keys, both published: every dim_id is a fact_fk,
		// but dim_fk holds only 0..4.
		{`SELECT count(*) FROM fact JOIN dim ON fact_fk = dim_id AND fact_id = dim_fk`, "5", "rows=5 "},
		// Joins that build the (smaller) left input and probe with the facts.
		{`SELECT count(*) FROM dim WHERE dim_s = 'a' AND EXISTS (SELECT 1 FROM fact WHERE fact_fk = dim_id)`, "50", "rows=5000 "},
		{`SELECT count(*) FROM dim WHERE dim_s = 'a' AND NOT EXISTS (SELECT 1 FROM fact WHERE fact_fk = dim_id AND fact_id > 19000)`, "0", "rows=249 "},
		{`SELECT count(*), count(fact_id) FROM dim LEFT JOIN fact ON fact_fk = dim_id WHERE dim_s = 'a'`, "5000|5000", "rows=5000 "},
	} {
		if got := plan(t, eng, c.q); got[0] != c.want {
			t.Errorf("%s: %v, want %s", c.q, got, c.want)
		}
		lines := plan(t, eng, "EXPLAIN ANALYZE "+c.q)
		scan := lines[index(lines, "Scan public.fact")]
		if !strings.Contains(scan, "keys from join") || !strings.Contains(scan, c.rows) {
			t.Errorf("the fact scan should apply the join's keys (%s):\n%s", c.rows, strings.Join(lines, "\n"))
		}
	}
	// A scalar subquery runs once: its join hands its keys to its scan
	// too, and EXPLAIN shows its plan under the node that uses it.
	q := `SELECT count(*) FROM dim WHERE dim_id < (SELECT count(*) / 100 FROM fact JOIN dim d ON fact_fk = d.dim_id WHERE d.dim_s = 'a')`
	if got := plan(t, eng, q); got[0] != "50" {
		t.Errorf("%s: %v", q, got)
	}
	lines := plan(t, eng, "EXPLAIN ANALYZE "+q)
	sub := index(lines, "Subquery")
	if sub < 0 || index(lines[sub:], "Scan public.fact") < 0 || !strings.Contains(lines[sub+index(lines[sub:], "Scan public.fact")], "keys from join: fact_fk (rows=5000 ") {
		t.Errorf("the subquery's fact scan should apply its join's keys:\n%s", strings.Join(lines, "\n"))
	}
	q = `SELECT count(*), count(dim_id) FROM fact LEFT JOIN dim ON fact_fk = dim_id AND dim_s = 'a'`
	if got := plan(t, eng, q); got[0] != "20000|5000" {
		t.Errorf("%s: %v", q, got)
	}
	if lines := plan(t, eng, "EXPLAIN "+q); index(lines, "keys from join") >= 0 {
		t.Errorf("a left join keeps every probe row:\n%s", strings.Join(lines, "\n"))
	}
}

// EXPLAIN ANALYZE counts a parallel aggregate's own work on each worker:
// its time is what its workers spent beyond reading their inputs, not the
// wait for them less the inputs' time over all workers (which came out
// below zero, shown as 0).
func TestParallelAggregateTime(t *testing.T) {
	eng := lake(t)
	lines := plan(t, eng, `EXPLAIN ANALYZE SELECT fact_id % 5000, count(*) FROM fact GROUP BY 1`)
	agg := lines[index(lines, "Aggregate")]
	m := regexp.MustCompile(`time=([0-9.]+)ms workers=2 \[`).FindStringSubmatch(agg)
	if m == nil {
		t.Fatalf("aggregate line: %s", agg)
	}
	if ms, _ := strconv.ParseFloat(m[1], 64); ms <= 0 {
		t.Errorf("the aggregate's own time is %s ms: %s", m[1], agg)
	}
}

// An IN whose conjunct filters pushing brings down to its mark join, past
// the join of a decorrelated scalar subquery, becomes a semi join there
// (TPC-H q20), which hands its keys to the scan.
func TestMarkJoinBelowSubqueryJoin(t *testing.T) {
	eng := lake(t)
	q := `SELECT count(*) FROM fact WHERE fact_fk IN (SELECT dim_id FROM dim WHERE dim_s = 'a')
		AND fact_id > (SELECT min(d.dim_id) FROM dim d WHERE d.dim_fk = fact.fact_fk % 5)`
	if got := plan(t, eng, q); got[0] != "4998" {
		t.Errorf("count %v, want 4998", got)
	}
	lines := plan(t, eng, "EXPLAIN "+q)
	if index(lines, "MarkJoin") >= 0 || index(lines, "SemiJoin") < 0 {
		t.Errorf("the IN should be a semi join:\n%s", strings.Join(lines, "\n"))
	}
}
