package executor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
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

// groupInput is batches of (g int64 key with NULLs, v int64) with many
// groups, and the reference sums and counts per key.
func groupInput(r *rand.Rand, batches, rows, groups int) (*arrow.Schema, []arrow.RecordBatch, map[string]string) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "g", Type: types.Int64, Nullable: true}, {Name: "v", Type: types.Int64, Nullable: true}}, nil)
	sums, counts := map[string]int64{}, map[string]int64{}
	var bs []arrow.RecordBatch
	for b := 0; b < batches; b++ {
		gb := array.NewInt64Builder(memory.DefaultAllocator)
		vb := array.NewInt64Builder(memory.DefaultAllocator)
		for i := 0; i < rows; i++ {
			key := "NULL"
			if g := r.IntN(groups + 1); g == groups {
				gb.AppendNull()
			} else {
				gb.Append(int64(g))
				key = fmt.Sprint(g)
			}
			v := r.Int64N(100)
			vb.Append(v)
			sums[key] += v
			counts[key]++
		}
		bs = append(bs, array.NewRecordBatch(schema, []arrow.Array{gb.NewArray(), vb.NewArray()}, int64(rows)))
	}
	want := map[string]string{}
	for k := range sums {
		want[k] = fmt.Sprintf("%d,%d", sums[k], counts[k])
	}
	return schema, bs, want
}

func groupSums(t *testing.T, ctx context.Context, op Operator) (map[string]string, error) {
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	defer op.Close()
	got := map[string]string{}
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return got, nil
		}
		for i := 0; i < int(b.NumRows()); i++ {
			key := "NULL"
			if b.Column(0).IsValid(i) {
				key = fmt.Sprint(b.Column(0).(*array.Int64).Value(i))
			}
			if _, dup := got[key]; dup {
				t.Fatalf("group %s twice", key)
			}
			got[key] = b.Column(1).ValueStr(i) + "," + b.Column(2).ValueStr(i)
		}
	}
}

// GROUP BY gives every group once with its sums, whether the groups fit
// in memory, spill to files (work_mem of 64 kB), or come from parallel
// workers that spill; with the pool exhausted and no way to spill, the
// query fails with 53200.
func TestHashAggregateSpills(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	schema, bs, want := groupInput(r, 20, 2000, 30000)
	g := expr.NewColumn(0, types.Int64, "g")
	v := expr.NewColumn(1, types.Int64, "v")
	sum, err := aggregate.Resolve("sum", []arrow.DataType{types.Int64})
	if err != nil {
		t.Fatal(err)
	}
	count, err := aggregate.Resolve("count", []arrow.DataType{types.Int64})
	if err != nil {
		t.Fatal(err)
	}
	aggs := []AggregateExpr{{Func: sum, Args: []expr.Expr{v}}, {Func: count, Args: []expr.Expr{v}}}
	pool := budget.NewPool(0)
	for _, c := range []struct {
		name    string
		workMem int64
		workers int // 0: not parallel
	}{{"memory", 0, 0}, {"spill", 64 << 10, 0}, {"parallel", 0, 3}, {"parallel spill", 64 << 10, 3}, {"five workers", 0, 5}, {"five workers spill", 64 << 10, 5}} {
		acc := pool.NewAccount(c.workMem, t.TempDir())
		ctx := budget.WithAccount(context.Background(), acc)
		var op Operator
		if c.workers > 0 {
			// Their states merge in pairs, in rounds.
			var ins []Operator
			for w := range c.workers {
				ins = append(ins, NewBatches(schema, bs[w*len(bs)/c.workers:(w+1)*len(bs)/c.workers]))
			}
			op = NewParallelHashAggregate(ins, []expr.Expr{g}, aggs, nil)
		} else {
			op = NewHashAggregate(NewBatches(schema, bs), []expr.Expr{g}, aggs, nil)
		}
		got, err := groupSums(t, ctx, op)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d groups, want %d", c.name, len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Fatalf("%s: group %s = %s, want %s", c.name, k, got[k], w)
			}
		}
		if spilled := acc.Spilled() > 0; spilled != (c.workMem > 0) {
			t.Fatalf("%s: spilled %d bytes", c.name, acc.Spilled())
		}
		acc.Close()
		if pool.Used() != 0 {
			t.Fatalf("%s: %d bytes still held", c.name, pool.Used())
		}
	}
	// A pool too small, and an aggregate that cannot spill (DISTINCT):
	// 53200, not a crash.
	small := budget.NewPool(256 << 10)
	acc := small.NewAccount(0, t.TempDir())
	defer acc.Close()
	distinct := []AggregateExpr{{Func: count, Args: []expr.Expr{v}, Distinct: true}}
	_, err = groupSums(t, budget.WithAccount(context.Background(), acc), NewHashAggregate(NewBatches(schema, bs), []expr.Expr{g}, distinct, nil))
	if sqlerr.Code(err) != sqlerr.OutOfMemory {
		t.Fatalf("want 53200, got %v", err)
	}
	_ = sort.Strings
}

// dictInput is batches of (s text key, n int64 key, v int64) whose s is
// a dictionary array (a dictionary of its own per batch, in another order)
// when dict is set, plain text otherwise; s is NULL now and then.
func dictInput(dict bool, batches, rows, values int) (*arrow.Schema, []arrow.RecordBatch) {
	r := rand.New(rand.NewPCG(7, 8))
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: types.String, Nullable: true}, {Name: "n", Type: types.Int64}, {Name: "v", Type: types.Int64}}, nil)
	var bs []arrow.RecordBatch
	for range batches {
		order := r.Perm(values)
		db := array.NewStringBuilder(memory.DefaultAllocator)
		for _, k := range order {
			db.Append(fmt.Sprintf("key-%d", k)) // some pack into a word, most do not
		}
		dictionary := db.NewArray()
		idx := make([]int32, rows)
		valid := make([]bool, rows)
		nb := array.NewInt64Builder(memory.DefaultAllocator)
		vb := array.NewInt64Builder(memory.DefaultAllocator)
		for i := range rows {
			idx[i] = int32(r.IntN(values))
			valid[i] = r.IntN(20) != 0
			nb.Append(r.Int64N(50))
			vb.Append(r.Int64N(100))
		}
		var s arrow.Array
		if dict {
			nulls := make([]byte, (rows+7)/8)
			for i, ok := range valid {
				if ok {
					nulls[i/8] |= 1 << (i % 8)
				}
			}
			s = batch.NewDictionary(dictionary, idx, memory.NewBufferBytes(nulls))
		} else {
			sb := array.NewStringBuilder(memory.DefaultAllocator)
			for i, k := range idx {
				if valid[i] {
					sb.Append(dictionary.(*array.String).Value(int(k)))
				} else {
					sb.AppendNull()
				}
			}
			s = sb.NewArray()
		}
		bs = append(bs, batch.NewRecord(schema, []arrow.Array{s, nb.NewArray(), vb.NewArray()}, int64(rows)))
	}
	return schema, bs
}

// Text keys that arrive as dictionary arrays (see batch.DictionaryOf)
// group exactly as the same keys in plain text: alone (few groups, the
// packed path) and with an integer key (many groups, the hashed path),
// in memory, spilled and on parallel workers.
func TestHashAggregateDictionaryKeys(t *testing.T) {
	s := expr.NewColumn(0, types.String, "s")
	n := expr.NewColumn(1, types.Int64, "n")
	v := expr.NewColumn(2, types.Int64, "v")
	sum, err := aggregate.Resolve("sum", []arrow.DataType{types.Int64})
	if err != nil {
		t.Fatal(err)
	}
	aggs := []AggregateExpr{{Func: sum, Args: []expr.Expr{v}}}
	pool := budget.NewPool(0)
	run := func(dict bool, keys []expr.Expr, values int, workMem int64, workers int) map[string]string {
		schema, bs := dictInput(dict, 12, 3000, values)
		acc := pool.NewAccount(workMem, t.TempDir())
		defer acc.Close()
		ctx := budget.WithAccount(context.Background(), acc)
		var op Operator
		if workers > 0 {
			var ins []Operator
			for w := range workers {
				ins = append(ins, NewBatches(schema, bs[w*len(bs)/workers:(w+1)*len(bs)/workers]))
			}
			op = NewParallelHashAggregate(ins, keys, aggs, nil)
		} else {
			op = NewHashAggregate(NewBatches(schema, bs), keys, aggs, nil)
		}
		if err := op.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer op.Close()
		got := map[string]string{}
		for {
			b, err := op.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			for c := range keys {
				if b.Column(c).DataType().ID() == arrow.DICTIONARY {
					t.Fatalf("group keys come out as %s", b.Column(c).DataType())
				}
			}
			for i := 0; i < int(b.NumRows()); i++ {
				var key []string
				for c := 0; c < len(keys); c++ {
					key = append(key, b.Column(c).ValueStr(i))
				}
				got[fmt.Sprint(key)] = b.Column(len(keys)).ValueStr(i)
			}
		}
		if spilled := acc.Spilled() > 0; workMem > 0 && !spilled {
			t.Fatalf("%d keys, %d values: did not spill", len(keys), values)
		}
		return got
	}
	for _, c := range []struct {
		keys    []expr.Expr
		values  int
		workMem int64
		workers int
	}{
		{[]expr.Expr{s}, 5, 0, 0},
		{[]expr.Expr{s}, 5, 0, 2},
		{[]expr.Expr{s}, 40, 0, 0},
		{[]expr.Expr{s, n}, 200, 0, 0},
		{[]expr.Expr{s, n}, 200, 64 << 10, 0},
		{[]expr.Expr{n, s}, 200, 64 << 10, 3},
	} {
		want := run(false, c.keys, c.values, c.workMem, c.workers)
		got := run(true, c.keys, c.values, c.workMem, c.workers)
		if len(got) != len(want) {
			t.Fatalf("%+v: %d groups, want %d", c, len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Fatalf("%+v: group %s = %s, want %s", c, k, got[k], w)
			}
		}
	}
}
