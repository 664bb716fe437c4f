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
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
)

// keyValBatches makes batches of (key int64 with NULLs, val int64).
func keyValBatches(r *rand.Rand, name string, batches, rows, keys int) (*arrow.Schema, []arrow.RecordBatch) {
	schema := arrow.NewSchema([]arrow.Field{{Name: name + "k", Type: types.Int64, Nullable: true}, {Name: name + "v", Type: types.Int64, Nullable: true}}, nil)
	var out []arrow.RecordBatch
	v := int64(0)
	for b := 0; b < batches; b++ {
		kb := array.NewInt64Builder(memory.DefaultAllocator)
		vb := array.NewInt64Builder(memory.DefaultAllocator)
		for i := 0; i < rows; i++ {
			if r.IntN(50) == 0 {
				kb.AppendNull()
			} else {
				kb.Append(r.Int64N(int64(keys)))
			}
			vb.Append(v)
			v++
		}
		out = append(out, array.NewRecordBatch(schema, []arrow.Array{kb.NewArray(), vb.NewArray()}, int64(rows)))
	}
	return schema, out
}

// rowsOf drains op into sorted row strings.
func rowsOf(t *testing.T, ctx context.Context, op Operator) []string {
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	var out []string
	for {
		b, err := op.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		if b.NumRows() > 4096 {
			t.Fatalf("a batch of %d rows", b.NumRows())
		}
		for i := 0; i < int(b.NumRows()); i++ {
			var parts []string
			for _, c := range b.Columns() {
				parts = append(parts, c.ValueStr(i))
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
	sort.Strings(out)
	return out
}

// Every kind of hash join gives the same rows whether its build side
// fits in memory or spills to partition files (work_mem of 64 kB), and
// with a residual condition.
func TestHashJoinSpills(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	ls, lb := keyValBatches(r, "l", 6, 3000, 4000)
	rs, rb := keyValBatches(r, "r", 8, 3000, 5000)
	// residual: lv + rv is even (columns of the pair batch: lk lv rk rv)
	sum, _ := expr.BindOperator("+", []expr.Expr{expr.NewColumn(1, types.Int64, "lv"), expr.NewColumn(3, types.Int64, "rv")})
	mod, _ := expr.BindOperator("%", []expr.Expr{sum, expr.NewLiteral(scalarInt(2))})
	even, _ := expr.BindOperator("=", []expr.Expr{mod, expr.NewLiteral(scalarInt(0))})
	pool := budget.NewPool(0)
	for _, typ := range []JoinType{Inner, Left, Right, Full, Semi, Anti, Mark} {
		for _, residual := range []expr.Expr{nil, even} {
			spec := keyJoin(typ, residual)
			want := rowsOf(t, context.Background(), NewHashJoin(NewBatches(ls, lb), NewBatches(rs, rb), spec))
			acc := pool.NewAccount(64<<10, t.TempDir())
			ctx := budget.WithAccount(context.Background(), acc)
			got := rowsOf(t, ctx, NewHashJoin(NewBatches(ls, lb), NewBatches(rs, rb), spec))
			if acc.Spilled() == 0 {
				t.Fatalf("type %d: nothing spilled", typ)
			}
			acc.Close()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("type %d residual %v: %d rows spilled, %d in memory", typ, residual != nil, len(got), len(want))
			}
		}
	}
}

func scalarInt(v int64) scalar.Scalar { return scalar.NewInt64Scalar(v) }

// keyJoin is a join of type typ of batches from keyValBatches on their
// key columns (the first of each side), NULLs not equal.
func keyJoin(typ JoinType, residual expr.Expr) HashJoinSpec {
	lk := expr.NewColumn(0, types.Int64, "lk")
	rk := expr.NewColumn(0, types.Int64, "rk")
	return HashJoinSpec{Type: typ, LeftKeys: []expr.Expr{lk}, RightKeys: []expr.Expr{rk}, NullEqual: []bool{false}, Residual: residual}
}

// keyBuild is the build of keyJoin's joins over right.
func keyBuild(right Operator) *JoinBuild {
	return NewJoinBuild(right, keyJoin(Inner, nil).RightKeys, []bool{false})
}

// A right semi (anti) join of L and R gives the rows of R that some (no)
// row of L matches: the semi (anti) join of R and L. Also when two probes
// share the build (each with half of L: the last to finish emits), and
// when the build spills.
func TestRightSemiJoin(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ls, lb := keyValBatches(r, "l", 6, 3000, 8000)
	rs, rb := keyValBatches(r, "r", 2, 3000, 8000)
	// residual: the two values' sum is even (symmetric in the sides).
	sum, _ := expr.BindOperator("+", []expr.Expr{expr.NewColumn(1, types.Int64, "a"), expr.NewColumn(3, types.Int64, "b")})
	mod, _ := expr.BindOperator("%", []expr.Expr{sum, expr.NewLiteral(scalarInt(2))})
	even, _ := expr.BindOperator("=", []expr.Expr{mod, expr.NewLiteral(scalarInt(0))})
	pool := budget.NewPool(0)
	for _, typ := range []JoinType{RightSemi, RightAnti} {
		plain := Semi
		if typ == RightAnti {
			plain = Anti
		}
		for _, residual := range []expr.Expr{nil, even} {
			want := rowsOf(t, context.Background(), NewHashJoin(NewBatches(rs, rb), NewBatches(ls, lb), keyJoin(plain, residual)))
			if len(want) == 0 || len(want) == 6000 {
				t.Fatalf("a test that cannot fail: %d rows", len(want))
			}
			spec := keyJoin(typ, residual)
			got := rowsOf(t, context.Background(), NewHashJoin(NewBatches(ls, lb), NewBatches(rs, rb), spec))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("type %d residual %v: %d rows, want %d", typ, residual != nil, len(got), len(want))
			}
			for _, limit := range []int64{0, 64 << 10} {
				acc := pool.NewAccount(limit, t.TempDir())
				ctx := budget.WithAccount(context.Background(), acc)
				build := keyBuild(NewBatches(rs, rb))
				a := NewSharedHashJoin(NewBatches(ls, lb[:3]), build, spec)
				b := NewSharedHashJoin(NewBatches(ls, lb[3:]), build, spec)
				got := append(rowsOf(t, ctx, a), rowsOf(t, ctx, b)...)
				sort.Strings(got)
				if limit > 0 && acc.Spilled() == 0 {
					t.Fatalf("nothing spilled")
				}
				acc.Close()
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("type %d residual %v limit %d, shared build: %d rows, want %d", typ, residual != nil, limit, len(got), len(want))
				}
			}
		}
	}
}

// Right and full joins whose build two probes share (each with half of
// the left rows) emit the build's unmatched rows once, after both: the
// same rows as one join over all of the left rows, in memory or spilled.
func TestSharedRightJoin(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	ls, lb := keyValBatches(r, "l", 6, 3000, 8000)
	rs, rb := keyValBatches(r, "r", 2, 3000, 8000)
	pool := budget.NewPool(0)
	for _, typ := range []JoinType{Right, Full} {
		spec := keyJoin(typ, nil)
		want := rowsOf(t, context.Background(), NewHashJoin(NewBatches(ls, lb), NewBatches(rs, rb), spec))
		for _, limit := range []int64{0, 64 << 10} {
			acc := pool.NewAccount(limit, t.TempDir())
			ctx := budget.WithAccount(context.Background(), acc)
			build := keyBuild(NewBatches(rs, rb))
			a := NewSharedHashJoin(NewBatches(ls, lb[:3]), build, spec)
			b := NewSharedHashJoin(NewBatches(ls, lb[3:]), build, spec)
			got := append(rowsOf(t, ctx, a), rowsOf(t, ctx, b)...)
			sort.Strings(got)
			if limit > 0 && acc.Spilled() == 0 {
				t.Fatalf("nothing spilled")
			}
			acc.Close()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("type %d limit %d: %d rows, want %d", typ, limit, len(got), len(want))
			}
		}
	}
}

// A build shared by several probes is filled in parallel, one part of the
// table per goroutine: the inner and left joins of the probes together
// are the joins of one probe over all the left rows, with each key's
// matches (many per key, NULL keys in none) in the same order.
func TestParallelBuild(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	ls, lb := keyValBatches(r, "l", 8, 3000, 5000)
	rs, rb := keyValBatches(r, "r", 6, 4000, 5000)
	for _, typ := range []JoinType{Inner, Left} {
		spec := keyJoin(typ, nil)
		// Unsorted: each left row's matches in the build's row order.
		var want []string
		for _, half := range [][]arrow.RecordBatch{lb[:2], lb[2:4], lb[4:6], lb[6:]} {
			want = append(want, collect(t, NewHashJoin(NewBatches(ls, half), NewBatches(rs, rb), spec))...)
		}
		build := keyBuild(NewBatches(rs, rb))
		var got []string
		probes := []Operator{
			NewSharedHashJoin(NewBatches(ls, lb[:2]), build, spec), NewSharedHashJoin(NewBatches(ls, lb[2:4]), build, spec),
			NewSharedHashJoin(NewBatches(ls, lb[4:6]), build, spec), NewSharedHashJoin(NewBatches(ls, lb[6:]), build, spec),
		}
		for _, p := range probes {
			got = append(got, collect(t, p)...)
		}
		if len(build.jb.tables) != 4 {
			t.Fatalf("type %d: the build has %d parts, want 4 (one per probe)", typ, len(build.jb.tables))
		}
		if len(want) < 20000 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("type %d: %d rows, want %d", typ, len(got), len(want))
		}
	}
}

// A build whose keys are unique (a table's key) takes the probe's fast
// path, one row per key: inner and left joins give each probe row its
// row, or none, across output batches of batch.Size. Keys of a compact
// range are found through denseKeys, others through the table.
func TestUniqueBuild(t *testing.T) {
	for _, spread := range []int64{1, 100003} {
		testUniqueBuild(t, spread)
	}
}

func testUniqueBuild(t *testing.T, spread int64) {
	r := rand.New(rand.NewPCG(17, 18))
	ls, lb := keyValBatches(r, "l", 6, 3000, 6000)
	if spread > 1 {
		for i, b := range lb {
			kb := array.NewInt64Builder(memory.DefaultAllocator)
			keys := b.Column(0).(*array.Int64)
			for k := range keys.Len() {
				if keys.IsNull(k) {
					kb.AppendNull()
				} else {
					kb.Append(keys.Value(k) * spread)
				}
			}
			lb[i] = array.NewRecordBatch(ls, []arrow.Array{kb.NewArray(), b.Column(1)}, b.NumRows())
		}
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "rk", Type: types.Int64, Nullable: true}, {Name: "rv", Type: types.Int64, Nullable: true}}, nil)
	kb, vb := array.NewInt64Builder(memory.DefaultAllocator), array.NewInt64Builder(memory.DefaultAllocator)
	rowOf := map[int64]int64{}   // key -> its build row's value
	for x := range int64(5000) { // keys 0..4999 (times spread) once each, shuffled
		k := x * 7919 % 5000 * spread
		kb.Append(k)
		vb.Append(x)
		rowOf[k] = x
	}
	rb := []arrow.RecordBatch{array.NewRecordBatch(schema, []arrow.Array{kb.NewArray(), vb.NewArray()}, 5000)}
	for _, typ := range []JoinType{Inner, Left} {
		spec := keyJoin(typ, nil)
		j := NewHashJoin(NewBatches(ls, lb), NewBatches(schema, rb), spec).(*HashJoin)
		got := collect(t, j)
		if !j.jb.unique || (j.jb.dense != nil) != (spread == 1) {
			t.Fatalf("type %d spread %d: unique %v, dense %v", typ, spread, j.jb.unique, j.jb.dense != nil)
		}
		var want []string
		for _, b := range lb {
			keys, vals := b.Column(0).(*array.Int64), b.Column(1).(*array.Int64)
			for i := range int(b.NumRows()) {
				k := keys.Value(i)
				switch {
				case keys.IsValid(i) && k < 5000*spread:
					want = append(want, fmt.Sprintf("%d|%d|%d|%d", k, vals.Value(i), k, rowOf[k]))
				case typ == Left:
					lkey := "NULL"
					if keys.IsValid(i) {
						lkey = fmt.Sprint(k)
					}
					want = append(want, fmt.Sprintf("%s|%d|NULL|NULL", lkey, vals.Value(i)))
				}
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if len(want) < 5000 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("type %d: %d rows, want %d", typ, len(got), len(want))
		}
	}
}
