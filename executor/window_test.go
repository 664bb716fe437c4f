package executor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/aggregate"
	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// windowRow is one input row of the window tests: id (input order),
// partition key p and order key o (NULL when the bool is false), value v.
type windowRow struct {
	id         int64
	p, o       int64
	pNull, oOK bool
	v          int64
}

// windowInput makes rows in batches of rowsPerBatch: part(i) gives row
// i's partition key (-1: NULL); o has ties and NULLs.
func windowInput(r *rand.Rand, n, rowsPerBatch int, part func(i int) int64) (*arrow.Schema, []arrow.RecordBatch, []windowRow) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: types.Int64, Nullable: true},
		{Name: "p", Type: types.Int64, Nullable: true},
		{Name: "o", Type: types.Int64, Nullable: true},
		{Name: "v", Type: types.Int64, Nullable: true},
	}, nil)
	var rows []windowRow
	var out []arrow.RecordBatch
	for start := 0; start < n; start += rowsPerBatch {
		ib := array.NewInt64Builder(memory.DefaultAllocator)
		pb := array.NewInt64Builder(memory.DefaultAllocator)
		ob := array.NewInt64Builder(memory.DefaultAllocator)
		vb := array.NewInt64Builder(memory.DefaultAllocator)
		end := min(start+rowsPerBatch, n)
		for i := start; i < end; i++ {
			w := windowRow{id: int64(i), p: part(i), v: r.Int64N(100)}
			w.pNull = w.p < 0
			w.oOK = r.IntN(10) != 0
			w.o = r.Int64N(8)
			rows = append(rows, w)
			ib.Append(w.id)
			if w.pNull {
				pb.AppendNull()
			} else {
				pb.Append(w.p)
			}
			if w.oOK {
				ob.Append(w.o)
			} else {
				ob.AppendNull()
			}
			vb.Append(w.v)
		}
		out = append(out, array.NewRecordBatch(schema, []arrow.Array{ib.NewArray(), pb.NewArray(), ob.NewArray(), vb.NewArray()}, int64(end-start)))
	}
	return schema, out, rows
}

// windowFuncs are the functions the tests compute, over PARTITION BY p
// ORDER BY o: row_number, rank, sum(v) (default frame: peers included),
// lag(v), count(*) over ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING.
func windowFuncs(t *testing.T, partitioned bool) []WindowExpr {
	sum, err := aggregate.Resolve("sum", []arrow.DataType{types.Int64})
	if err != nil {
		t.Fatal(err)
	}
	count, err := aggregate.Resolve("count", nil)
	if err != nil {
		t.Fatal(err)
	}
	one, _ := expr.NewCast(expr.NewUnknownLiteral("1"), types.Int64)
	var part []expr.Expr
	if partitioned {
		part = []expr.Expr{col(1)}
	}
	order := []SortKey{{Expr: col(2)}}
	return []WindowExpr{
		{Func: "row_number", PartitionBy: part, OrderBy: order},
		{Func: "rank", PartitionBy: part, OrderBy: order},
		{Agg: sum, Args: []expr.Expr{col(3)}, PartitionBy: part, OrderBy: order},
		{Func: "lag", Args: []expr.Expr{col(3)}, PartitionBy: part, OrderBy: order},
		{Agg: count, PartitionBy: part, OrderBy: order,
			Frame: &Frame{Mode: Rows, Start: FrameBound{Kind: Preceding, Offset: one}, End: FrameBound{Kind: Following, Offset: one}}},
	}
}

// windowReference computes windowFuncs row by row: for each row id, the
// values rendered as text.
func windowReference(rows []windowRow, partitioned bool) map[int64]string {
	parts := map[string][]windowRow{}
	for _, r := range rows {
		k := "all"
		if partitioned {
			k = fmt.Sprint(r.p, r.pNull)
			if r.pNull {
				k = "null"
			}
		}
		parts[k] = append(parts[k], r)
	}
	// NULLs last; ties in input order (the sort is stable).
	less := func(a, b windowRow) bool {
		if a.oOK != b.oOK {
			return a.oOK
		}
		if a.oOK && a.o != b.o {
			return a.o < b.o
		}
		return a.id < b.id
	}
	peer := func(a, b windowRow) bool { return a.oOK == b.oOK && (!a.oOK || a.o == b.o) }
	out := map[int64]string{}
	for _, p := range parts {
		sort.Slice(p, func(i, j int) bool { return less(p[i], p[j]) })
		// prefix[i] sums the first i values; a peer group is [ps, pe).
		prefix := make([]int64, len(p)+1)
		for i, r := range p {
			prefix[i+1] = prefix[i] + r.v
		}
		ps, pe := 0, 0
		for i, r := range p {
			if i == pe {
				ps, pe = i, i+1
				for pe < len(p) && peer(p[pe], r) {
					pe++
				}
			}
			rank := ps + 1
			sum := prefix[pe]
			lag := "NULL"
			if i > 0 {
				lag = fmt.Sprint(p[i-1].v)
			}
			count := min(i+1, len(p)-1) - max(i-1, 0) + 1
			out[r.id] = fmt.Sprintf("%d|%d|%d|%s|%d", i+1, rank, sum, lag, count)
		}
	}
	return out
}

// runWindow returns the window's output by row id, checking that rows
// come in window order (partitions together, ordered within) and that no
// batch is larger than batch.Size.
func runWindow(t *testing.T, ctx context.Context, op Operator, partitioned bool) (map[int64]string, error) {
	t.Helper()
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	defer op.Close()
	got := map[int64]string{}
	seenParts := map[string]bool{}
	lastPart := ""
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return got, nil
		}
		if b.NumRows() > batch.Size {
			t.Fatalf("batch of %d rows", b.NumRows())
		}
		for i := 0; i < int(b.NumRows()); i++ {
			p := b.Column(1).ValueStr(i)
			if partitioned && p != lastPart {
				if seenParts[p] {
					t.Fatalf("partition %s comes back after %s", p, lastPart)
				}
				seenParts[p] = true
				lastPart = p
			}
			vals := make([]string, 0, b.NumCols()-4)
			for c := 4; c < int(b.NumCols()); c++ {
				v := b.Column(c).ValueStr(i)
				if b.Column(c).IsNull(i) {
					v = "NULL"
				}
				vals = append(vals, v)
			}
			id := b.Column(0).(*array.Int64).Value(i)
			if _, dup := got[id]; dup {
				t.Fatalf("row %d twice", id)
			}
			got[id] = strings.Join(vals, "|")
		}
	}
}

func compareWindow(t *testing.T, name string, got, want map[int64]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", name, len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("%s: row %d = %s, want %s", name, id, got[id], w)
		}
	}
}

// TestWindowPartitions computes window functions over partitions that
// span input batches and chunks, many small partitions, one partition
// holding everything, and OVER (ORDER BY) without partitions, against a
// row-by-row reference.
func TestWindowPartitions(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name        string
		n, perBatch int
		part        func(i int) int64
		partitioned bool
	}{
		{"spanning batches", 30000, 1000, func(i int) int64 { return int64(r.IntN(7)) - 1 }, true},
		{"many small", 30000, 4096, func(i int) int64 { return int64(r.IntN(10000)) }, true},
		{"tiny batches", 3000, 7, func(i int) int64 { return int64(r.IntN(5)) }, true},
		{"one partition", 20000, 3000, func(i int) int64 { return 3 }, true},
		{"no partition by", 20000, 3000, func(i int) int64 { return int64(r.IntN(3)) }, false},
	} {
		schema, bs, rows := windowInput(r, c.n, c.perBatch, c.part)
		op := NewWindow([]Operator{NewBatches(schema, bs)}, windowFuncs(t, c.partitioned), false)
		got, err := runWindow(t, context.Background(), op, c.partitioned)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		compareWindow(t, c.name, got, windowReference(rows, c.partitioned))
	}
}

// TestWindowPresorted reads input already in window order, in batches
// of 7 rows, without a sort of its own; OVER () reads the union of
// parallel inputs in any order as one partition.
func TestWindowPresorted(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	schema, bs, rows := windowInput(r, 12000, 500, func(i int) int64 { return int64(r.IntN(50)) })
	funcs := windowFuncs(t, true)
	all, err := Materialize(ctx, NewSort(NewBatches(schema, bs), WindowSortKeys(funcs[0])))
	if err != nil {
		t.Fatal(err)
	}
	var small []arrow.RecordBatch
	for s := int64(0); s < all.NumRows(); s += 7 {
		small = append(small, all.NewSlice(s, min(s+7, all.NumRows())))
	}
	op := NewWindow([]Operator{NewBatches(schema, small)}, funcs, true)
	if op.(*Window).sort != nil {
		t.Fatal("presorted input sorted again")
	}
	got, err := runWindow(t, ctx, op, true)
	if err != nil {
		t.Fatal(err)
	}
	compareWindow(t, "presorted", got, windowReference(rows, true))

	count, err := aggregate.Resolve("count", nil)
	if err != nil {
		t.Fatal(err)
	}
	op = NewWindow([]Operator{NewBatches(schema, bs[:10]), NewBatches(schema, bs[10:])}, []WindowExpr{{Agg: count}}, false)
	if op.(*Window).sort != nil {
		t.Fatal("OVER () sorted")
	}
	got, err = runWindow(t, ctx, op, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) || got[0] != "12000" || got[11999] != "12000" {
		t.Fatalf("count(*) over (): %d rows, %q", len(got), got[0])
	}
}

// TestWindowMemory runs windows under memory budgets: with a small
// work_mem the sort spills and the answers stay the same; with a small
// pool, many small partitions still complete (the window holds one
// partition at a time) while one partition larger than the pool fails
// with 53200. Every reservation is given back.
func TestWindowMemory(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	small := func(i int) int64 { return int64(r.IntN(20000)) }
	schema, bs, rows := windowInput(r, 60000, 2000, small)
	want := windowReference(rows, true)
	pool := budget.NewPool(0)

	acc := pool.NewAccount(64<<10, t.TempDir())
	op := NewWindow([]Operator{NewBatches(schema, bs)}, windowFuncs(t, true), false)
	got, err := runWindow(t, budget.WithAccount(context.Background(), acc), op, true)
	if err != nil {
		t.Fatal(err)
	}
	compareWindow(t, "spilled sort", got, want)
	if acc.Spilled() == 0 {
		t.Fatal("the sort did not spill")
	}
	if m := op.(*Window).PeakMemory(); m <= 0 {
		t.Fatalf("peak memory %d", m)
	}
	acc.Close()
	if pool.Used() != 0 {
		t.Fatalf("%d bytes still held", pool.Used())
	}

	limited := budget.NewPool(4 << 20)
	acc = limited.NewAccount(0, t.TempDir())
	op = NewWindow([]Operator{NewBatches(schema, bs)}, windowFuncs(t, true), false)
	got, err = runWindow(t, budget.WithAccount(context.Background(), acc), op, true)
	if err != nil {
		t.Fatalf("small partitions under a 4 MB pool: %v", err)
	}
	compareWindow(t, "small pool", got, want)
	if p := op.(*Window).peak; p <= 0 || p > 2<<20 {
		t.Fatalf("window partitions reserved %d bytes at most", p)
	}
	acc.Close()

	schema, bs, _ = windowInput(r, 300000, 4096, func(int) int64 { return 1 })
	for _, funcs := range [][]WindowExpr{windowFuncs(t, true), {{Func: "row_number"}}} {
		acc = limited.NewAccount(0, t.TempDir())
		op = NewWindow([]Operator{NewBatches(schema, bs)}, funcs, false)
		_, err = runWindow(t, budget.WithAccount(context.Background(), acc), op, true)
		if sqlerr.Code(err) != sqlerr.OutOfMemory {
			t.Fatalf("one partition over the pool: want 53200, got %v", err)
		}
		acc.Close()
		if limited.Used() != 0 {
			t.Fatalf("%d bytes still held", limited.Used())
		}
	}
}

// TestWindowRowBytes counts a slice of a batch as its share.
func TestWindowRowBytes(t *testing.T) {
	schema, bs, _ := windowInput(rand.New(rand.NewPCG(7, 8)), 10000, 10000, func(int) int64 { return 1 })
	all := batchBytes(bs[0])
	part := batchBytes(bs[0].NewSlice(0, 100))
	if all < 4*8*10000 || part*50 > all {
		t.Fatalf("10000 rows: %d bytes, 100 of them: %d", all, part)
	}
	_ = schema
}

// TestWindowFrames checks RANGE offset frames (binary-searched, NULL and
// DESC keys) and first/last/nth_value over ROWS frames, with and without
// EXCLUDE, against a row-by-row reference.
func TestWindowFrames(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	schema, bs, rows := windowInput(r, 6000, 1000, func(int) int64 { return int64(r.IntN(4)) })
	sum, err := aggregate.Resolve("sum", []arrow.DataType{types.Int64})
	if err != nil {
		t.Fatal(err)
	}
	lit := func(s string) expr.Expr {
		e, err := expr.NewCast(expr.NewUnknownLiteral(s), types.Int64)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	part := []expr.Expr{col(1)}
	bound := func(k BoundKind, off string) FrameBound {
		if off == "" {
			return FrameBound{Kind: k}
		}
		return FrameBound{Kind: k, Offset: lit(off)}
	}
	rangeFrame := &Frame{Mode: Range, Start: bound(Preceding, "2"), End: bound(Following, "1")}
	rowsFrame := &Frame{Mode: Rows, Start: bound(Preceding, "1"), End: bound(Following, "2")}
	exclFrame := &Frame{Mode: Rows, Start: bound(CurrentRow, ""), End: bound(Following, "1"), Exclude: ExcludeCurrentRow}
	for _, desc := range []bool{false, true} {
		order := []SortKey{{Expr: col(2), Desc: desc, NullsFirst: desc}}
		funcs := []WindowExpr{
			{Agg: sum, Args: []expr.Expr{col(3)}, PartitionBy: part, OrderBy: order, Frame: rangeFrame},
			{Func: "first_value", Args: []expr.Expr{col(3)}, PartitionBy: part, OrderBy: order, Frame: rowsFrame},
			{Func: "last_value", Args: []expr.Expr{col(3)}, PartitionBy: part, OrderBy: order, Frame: rowsFrame},
			{Func: "nth_value", Args: []expr.Expr{col(3), lit("2")}, PartitionBy: part, OrderBy: order, Frame: rowsFrame},
			{Func: "first_value", Args: []expr.Expr{col(3)}, PartitionBy: part, OrderBy: order, Frame: exclFrame},
		}
		got, err := runWindow(t, context.Background(), NewWindow([]Operator{NewBatches(schema, bs)}, funcs, false), true)
		if err != nil {
			t.Fatal(err)
		}
		// The reference: each partition in window order (NULLs last
		// ascending, first descending; ties in input order).
		parts := map[int64][]windowRow{}
		for _, w := range rows {
			parts[w.p] = append(parts[w.p], w)
		}
		want := map[int64]string{}
		for _, p := range parts {
			sort.SliceStable(p, func(i, j int) bool {
				a, b := p[i], p[j]
				if a.oOK != b.oOK {
					return a.oOK != desc
				}
				if !a.oOK {
					return false
				}
				if desc {
					return a.o > b.o
				}
				return a.o < b.o
			})
			val := func(i int) string {
				if i < 0 || i >= len(p) {
					return "NULL"
				}
				return fmt.Sprint(p[i].v)
			}
			for i, w := range p {
				// RANGE 2 PRECEDING AND 1 FOLLOWING: keys within [o-2, o+1]
				// ascending, [o-1, o+2] descending; a NULL key's frame is
				// its peers, the NULLs.
				lo, hi := w.o-2, w.o+1
				if desc {
					lo, hi = w.o-1, w.o+2
				}
				var s int64
				for _, q := range p {
					if (!w.oOK && !q.oOK) || (w.oOK && q.oOK && q.o >= lo && q.o <= hi) {
						s += q.v
					}
				}
				fs, fe := max(i-1, 0), min(i+2, len(p)-1)
				nth := "NULL"
				if fs+1 <= fe {
					nth = val(fs + 1)
				}
				want[w.id] = fmt.Sprintf("%d|%s|%s|%s|%s", s, val(fs), val(fe), nth, val(i+1))
			}
		}
		compareWindow(t, fmt.Sprintf("frames (desc %v)", desc), got, want)
	}
}
