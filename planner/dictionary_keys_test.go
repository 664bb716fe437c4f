package planner_test

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/engine"
)

// dictRow is row i of the table dictLake writes.
func dictRow(i int) (flag string, null bool, code, long string, v int) {
	return []string{"A", "N", "R"}[i%3], i%17 == 0, fmt.Sprintf("c%04d", i%5000), fmt.Sprintf("long-value-%d", i%5), i % 100
}

// grp is row i's value of dictLake's column grp.
func grp(i int) string { return fmt.Sprintf("g%03d", i%250) }

// dictLake writes d.parquet: 20,000 rows in row groups of 2,000, whose
// text columns are dictionary encoded: flag (three values and NULLs),
// code (5,000 values: more than a reader numbers before it falls back to
// plain text), note (values too long to pack into a word), grp (250
// values).
func dictLake(t *testing.T) *engine.Engine {
	t.Helper()
	dir := t.TempDir()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "flag", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "code", Type: arrow.BinaryTypes.String},
		{Name: "note", Type: arrow.BinaryTypes.String},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64},
		{Name: "grp", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	const n = 20000
	for i := 0; i < n; i++ {
		flag, null, code, long, v := dictRow(i)
		if null {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.StringBuilder).Append(flag)
		}
		b.Field(1).(*array.StringBuilder).Append(code)
		b.Field(2).(*array.StringBuilder).Append(long)
		b.Field(3).(*array.Int64Builder).Append(int64(v))
		b.Field(4).(*array.StringBuilder).Append(grp(i))
	}
	writeParquet(t, filepath.Join(dir, "d.parquet"), b.NewRecordBatch(), 2000)
	writeTable(t, dir, "dim", 200, 5, 200)
	return openLake(t, dir)
}

// expect computes the groups of the rows of dictLake that keep selects,
// by key, as "key|count|sum(v)" lines in key order (NULL last).
func expect(keep func(i int) bool, key func(i int) string) []string {
	count, sum := map[string]int{}, map[string]int{}
	for i := 0; i < 20000; i++ {
		if keep(i) {
			_, _, _, _, v := dictRow(i)
			count[key(i)]++
			sum[key(i)] += v
		}
	}
	var keys []string
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		ka, kb := strings.ReplaceAll(keys[a], "(null)", "\xff"), strings.ReplaceAll(keys[b], "(null)", "\xff")
		return ka < kb
	})
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s|%d|%d", k, count[k], sum[k]))
	}
	return out
}

// Text group keys read straight from a scan come dictionary-encoded, and
// the groups are right: NULL keys, more groups than the few-groups path
// holds, more values than a reader numbers (it falls back to text),
// values too long to pack, rows dropped by a filter above the scan, a scan
// without conditions, two workers, a small work_mem. (Spilling with such
// keys is tested in the executor.)
func TestDictionaryGroupKeys(t *testing.T) {
	eng := dictLake(t)
	all := func(int) bool { return true }
	flagKey := func(i int) string {
		flag, null, _, _, _ := dictRow(i)
		if null {
			return "(null)"
		}
		return flag
	}
	codeKey := func(i int) string { _, _, code, _, _ := dictRow(i); return code }
	longFlagKey := func(i int) string { _, _, _, long, _ := dictRow(i); return long + "|" + flagKey(i) }
	grpKey := func(i int) string { return grp(i) + "|" + longFlagKey(i) }
	sevens := func(i int) bool { _, _, _, _, v := dictRow(i); return v%7 == 0 }
	cases := []struct {
		sql  string
		dict string // the scan's dictionary columns in EXPLAIN
		want []string
	}{
		{"SELECT flag, count(*), sum(v) FROM d GROUP BY flag ORDER BY flag NULLS LAST", "flag", expect(all, flagKey)},
		{"SELECT code, count(*), sum(v) FROM d GROUP BY code ORDER BY code", "code", expect(all, codeKey)},
		{"SELECT note, flag, count(*), sum(v) FROM d WHERE v % 7 = 0 GROUP BY note, flag ORDER BY 1, 2 NULLS LAST", "flag, note", expect(sevens, longFlagKey)},
		{"SELECT grp, note, flag, count(*), sum(v) FROM d GROUP BY grp, note, flag ORDER BY 1, 2, 3 NULLS LAST", "flag, note, grp", expect(all, grpKey)},
	}
	for _, c := range cases {
		explain := strings.Join(rows(t, eng, "EXPLAIN "+c.sql), "\n")
		if !strings.Contains(explain, "dictionary: "+c.dict+"\n") && !strings.HasSuffix(explain, "dictionary: "+c.dict) {
			t.Errorf("%s: the scan should read %s as dictionaries:\n%s", c.sql, c.dict, explain)
		}
		for _, work := range []string{"64MB", "64kB"} {
			got := rows(t, eng, "SET work_mem = '"+work+"'", c.sql)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s (work_mem %s): %d groups, want %d\n got %.200v\nwant %.200v", c.sql, work, len(got), len(c.want), got, c.want)
			}
		}
	}
}

// A text column used other than as a plain group key stays plain: read by
// an aggregate or a filter, or with a join between it and its aggregate.
func TestDictionaryGroupKeysOnlyWhereSafe(t *testing.T) {
	eng := dictLake(t)
	for _, sql := range []string{
		"SELECT flag, max(flag) FROM d GROUP BY flag",
		"SELECT flag, count(*) FROM d WHERE flag <> 'A' GROUP BY flag",
		"SELECT flag, count(DISTINCT v) FROM d GROUP BY flag",
		"SELECT upper(flag), count(*) FROM d GROUP BY upper(flag)",
		"SELECT flag, count(*) FROM d JOIN dim ON v = dim_id GROUP BY flag",
		"SELECT flag, string_agg(code, ',' ORDER BY code) FROM d GROUP BY flag",
	} {
		if explain := strings.Join(rows(t, eng, "EXPLAIN "+sql), "\n"); strings.Contains(explain, "dictionary:") {
			t.Errorf("%s: no column should be read as a dictionary:\n%s", sql, explain)
		}
	}
	// And the answers of such queries are right.
	got := rows(t, eng, "SELECT flag, max(flag), count(*) FROM d WHERE flag <> 'A' GROUP BY flag ORDER BY 1")
	want := []string{"N|N|" + fmt.Sprint(countWhere(func(i int) bool { f, null, _, _, _ := dictRow(i); return !null && f == "N" })),
		"R|R|" + fmt.Sprint(countWhere(func(i int) bool { f, null, _, _, _ := dictRow(i); return !null && f == "R" }))}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func countWhere(keep func(i int) bool) int {
	n := 0
	for i := 0; i < 20000; i++ {
		if keep(i) {
			n++
		}
	}
	return n
}
