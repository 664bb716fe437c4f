package executor

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
)

// sortInput makes batches of (id, k int64 with NULLs, f float64 with NaN
// and -0, s text with NULLs and embedded NUL bytes).
func sortInput(r *rand.Rand, batches, rows int) (*arrow.Schema, []arrow.RecordBatch) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: types.Int64, Nullable: true},
		{Name: "k", Type: types.Int64, Nullable: true},
		{Name: "f", Type: types.Float64, Nullable: true},
		{Name: "s", Type: types.String, Nullable: true},
	}, nil)
	var out []arrow.RecordBatch
	id := int64(0)
	for b := 0; b < batches; b++ {
		ib := array.NewInt64Builder(memory.DefaultAllocator)
		kb := array.NewInt64Builder(memory.DefaultAllocator)
		fb := array.NewFloat64Builder(memory.DefaultAllocator)
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		for i := 0; i < rows; i++ {
			ib.Append(id)
			id++
			if r.IntN(10) == 0 {
				kb.AppendNull()
			} else {
				kb.Append(r.Int64N(20) - 10)
			}
			switch r.IntN(12) {
			case 0:
				fb.Append(math.NaN())
			case 1:
				fb.Append(math.Copysign(0, -1))
			case 2:
				fb.AppendNull()
			default:
				fb.Append(float64(r.IntN(7)) - 3)
			}
			switch r.IntN(8) {
			case 0:
				sb.AppendNull()
			case 1:
				sb.Append("a\x00b")
			default:
				sb.Append(fmt.Sprintf("%c%c", 'a'+r.IntN(3), 'a'+r.IntN(3))[:1+r.IntN(2)])
			}
		}
		out = append(out, array.NewRecordBatch(schema, []arrow.Array{ib.NewArray(), kb.NewArray(), fb.NewArray(), sb.NewArray()}, int64(rows)))
	}
	return schema, out
}

// reference sorts with MakeComparator, stably, and renders the ids.
func reference(t *testing.T, schema *arrow.Schema, bs []arrow.RecordBatch, keys []SortKey) []int64 {
	all, err := concatBatches(schema, bs)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := evalKeys(expr.NewContext(context.Background(), nil), all, keys)
	if err != nil {
		t.Fatal(err)
	}
	cmp := MakeComparator(cols, keys)
	perm := make([]int, all.NumRows())
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(a, b int) bool { return cmp(perm[a], perm[b]) < 0 })
	ids := all.Column(0).(*array.Int64)
	out := make([]int64, len(perm))
	for i, p := range perm {
		out[i] = ids.Value(p)
	}
	return out
}

func sortedIDs(t *testing.T, ctx context.Context, op Operator) []int64 {
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	var out []int64
	for {
		b, err := op.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			return out
		}
		if b.NumRows() > 4096 {
			t.Fatalf("batch of %d rows", b.NumRows())
		}
		ids := b.Column(0).(*array.Int64)
		for i := 0; i < ids.Len(); i++ {
			out = append(out, ids.Value(i))
		}
	}
}

// The sort (in memory, spilled to files, over parallel inputs) and the
// Top-N order rows exactly as the comparator the engine has always used:
// NULLs placed as asked, DESC, NaN above numbers, -0 = 0, text by bytes.
func TestSortAgainstComparator(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	schema, bs := sortInput(r, 12, 1000)
	col := func(i int) expr.Expr { return expr.NewColumn(i, schema.Field(i).Type, schema.Field(i).Name) }
	keySets := [][]SortKey{
		{{Expr: col(1)}},
		{{Expr: col(1), Desc: true, NullsFirst: true}, {Expr: col(2)}},
		{{Expr: col(3), NullsFirst: true}, {Expr: col(2), Desc: true}},
		{{Expr: col(2), Desc: true}, {Expr: col(3), Desc: true, NullsFirst: false}},
	}
	pool := budget.NewPool(0)
	for ki, keys := range keySets {
		want := reference(t, schema, bs, keys)
		for _, spill := range []bool{false, true} {
			ctx := context.Background()
			if spill {
				// 64 kB of work_mem: every few batches become a run on disk.
				acc := pool.NewAccount(64<<10, t.TempDir())
				defer acc.Close()
				ctx = budget.WithAccount(ctx, acc)
			}
			got := sortedIDs(t, ctx, NewSort(NewBatches(schema, bs), keys))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("keys %d spill=%v: order differs\n got %v\nwant %v", ki, spill, got[:20], want[:20])
			}
			if spill && budget.From(ctx).Spilled() == 0 {
				t.Fatalf("keys %d: nothing spilled", ki)
			}
		}
		// Top-N: the same rows as the full sort's slice.
		for _, lim := range [][2]int64{{10, 0}, {100, 37}, {5000, 100}} {
			got := sortedIDs(t, context.Background(), NewTopN(NewBatches(schema, bs), keys, lim[0], lim[1]))
			if fmt.Sprint(got) != fmt.Sprint(want[lim[1]:lim[1]+lim[0]]) {
				t.Fatalf("keys %d top %v: differs", ki, lim)
			}
		}
		// Parallel inputs: the same multiset in an order the keys allow.
		ins := []Operator{NewBatches(schema, bs[:4]), NewBatches(schema, bs[4:9]), NewBatches(schema, bs[9:])}
		got := sortedIDs(t, context.Background(), NewParallelSort(ins, keys, -1, 0))
		if len(got) != len(want) {
			t.Fatalf("parallel: %d rows", len(got))
		}
		all, _ := concatBatches(schema, bs)
		cols, _ := evalKeys(expr.NewContext(context.Background(), nil), all, keys)
		cmp := MakeComparator(cols, keys)
		for i := 1; i < len(got); i++ {
			if cmp(int(got[i-1]), int(got[i])) > 0 {
				t.Fatalf("keys %d parallel: rows %d and %d out of order", ki, got[i-1], got[i])
			}
		}
	}
}
