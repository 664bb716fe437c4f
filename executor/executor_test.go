package executor

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/executor/aggregate"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// intTable builds an operator over rows of nullable int64 columns (nil = NULL).
func intTable(names []string, rows [][]any) Operator {
	fields := make([]arrow.Field, len(names))
	bs := make([]*array.Int64Builder, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: types.Int64, Nullable: true}
		bs[i] = array.NewInt64Builder(memory.DefaultAllocator)
	}
	for _, r := range rows {
		for i, v := range r {
			if v == nil {
				bs[i].AppendNull()
			} else {
				bs[i].Append(int64(v.(int)))
			}
		}
	}
	cols := make([]arrow.Array, len(names))
	for i, b := range bs {
		cols[i] = b.NewArray()
	}
	schema := arrow.NewSchema(fields, nil)
	return NewBatches(schema, []arrow.RecordBatch{array.NewRecordBatch(schema, cols, int64(len(rows)))})
}

// collect runs op and renders its rows as "a|b" strings.
func collect(t *testing.T, op Operator) []string {
	t.Helper()
	ctx := context.Background()
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
			return out
		}
		for i := 0; i < int(b.NumRows()); i++ {
			var cells []string
			for c := 0; c < int(b.NumCols()); c++ {
				if b.Column(c).IsNull(i) {
					cells = append(cells, "NULL")
				} else {
					cells = append(cells, string(text.Append(nil, b.Column(c), i, time.UTC)))
				}
			}
			out = append(out, strings.Join(cells, "|"))
		}
	}
}

func col(i int) expr.Expr { return expr.NewColumn(i, types.Int64, "c") }

func check(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

func TestSortNulls(t *testing.T) {
	in := func() Operator { return intTable([]string{"a"}, [][]any{{3}, {nil}, {1}, {2}}) }
	check(t, "asc", collect(t, NewSort(in(), []SortKey{{Expr: col(0)}})), "1", "2", "3", "NULL")
	check(t, "desc", collect(t, NewSort(in(), []SortKey{{Expr: col(0), Desc: true, NullsFirst: true}})), "NULL", "3", "2", "1")
	check(t, "top2", collect(t, NewTopN(in(), []SortKey{{Expr: col(0)}}, 2, 1)), "2", "3")
	check(t, "limit", collect(t, NewLimit(in(), 1, 2)), "NULL", "1")
}

func TestHashJoinTypes(t *testing.T) {
	left := func() Operator { return intTable([]string{"a"}, [][]any{{1}, {2}, {nil}, {4}}) }
	right := func() Operator { return intTable([]string{"b"}, [][]any{{1}, {1}, {3}, {nil}}) }
	join := func(typ JoinType, nullAware bool) []string {
		op := NewHashJoin(left(), right(), HashJoinSpec{Type: typ, LeftKeys: []expr.Expr{col(0)}, RightKeys: []expr.Expr{col(0)}, NullAware: nullAware})
		if typ != Mark && typ != Semi && typ != Anti {
			op = NewSort(op, []SortKey{{Expr: col(0)}, {Expr: col(1)}})
		}
		return collect(t, op)
	}
	check(t, "inner", join(Inner, false), "1|1", "1|1")
	check(t, "left", join(Left, false), "1|1", "1|1", "2|NULL", "4|NULL", "NULL|NULL")
	check(t, "right", join(Right, false), "1|1", "1|1", "NULL|3", "NULL|NULL")
	check(t, "full", join(Full, false), "1|1", "1|1", "2|NULL", "4|NULL", "NULL|3", "NULL|NULL", "NULL|NULL")
	check(t, "semi", join(Semi, false), "1")
	check(t, "anti", join(Anti, false), "2", "NULL", "4")
	// NOT IN with a NULL on the right keeps nothing.
	check(t, "null-aware anti", join(Anti, true))
	check(t, "mark", join(Mark, true), "1|t", "2|NULL", "NULL|NULL", "4|NULL")
}

func TestHashAggregate(t *testing.T) {
	in := func() Operator {
		return intTable([]string{"g", "v"}, [][]any{{1, 10}, {1, nil}, {2, 5}, {nil, 7}, {1, 10}})
	}
	count, _ := aggregate.Resolve("count", []arrow.DataType{types.Int64})
	sum, _ := aggregate.Resolve("sum", []arrow.DataType{types.Int64})
	op := NewHashAggregate(in(), []expr.Expr{col(0)}, []AggregateExpr{
		{Func: count, Args: []expr.Expr{col(1)}},
		{Func: sum, Args: []expr.Expr{col(1)}},
		{Func: count, Args: []expr.Expr{col(1)}, Distinct: true},
	}, nil)
	check(t, "group by", collect(t, NewSort(op, []SortKey{{Expr: col(0)}})), "1|2|20|1", "2|1|5|1", "NULL|1|7|1")
	// No groups and no rows: one row, count 0 and sum NULL.
	empty := intTable([]string{"g", "v"}, nil)
	op = NewHashAggregate(empty, nil, []AggregateExpr{{Func: count, Args: []expr.Expr{col(1)}}, {Func: sum, Args: []expr.Expr{col(1)}}}, nil)
	check(t, "empty", collect(t, op), "0|NULL")
	// ROLLUP: (g), ().
	op = NewHashAggregate(in(), []expr.Expr{col(0)}, []AggregateExpr{{Func: sum, Args: []expr.Expr{col(1)}}}, [][]int{{0}, {}})
	check(t, "rollup", collect(t, NewSort(op, []SortKey{{Expr: col(2)}, {Expr: col(0)}})), "1|20|0", "2|5|0", "NULL|7|0", "NULL|32|1")
}

func TestSetOps(t *testing.T) {
	l := func() Operator { return intTable([]string{"a"}, [][]any{{1}, {1}, {2}, {nil}}) }
	r := func() Operator { return intTable([]string{"a"}, [][]any{{1}, {nil}, {3}}) }
	sorted := func(op Operator) []string { return collect(t, NewSort(op, []SortKey{{Expr: col(0)}})) }
	check(t, "union", sorted(NewSetOp(Union, false, l(), r())), "1", "2", "3", "NULL")
	check(t, "union all", sorted(NewSetOp(Union, true, l(), r())), "1", "1", "1", "2", "3", "NULL", "NULL")
	check(t, "intersect", sorted(NewSetOp(Intersect, false, l(), r())), "1", "NULL")
	check(t, "except all", sorted(NewSetOp(Except, true, l(), r())), "1", "2")
}

func TestWindow(t *testing.T) {
	in := intTable([]string{"p", "v"}, [][]any{{1, 10}, {1, 20}, {1, 20}, {2, 5}})
	sum, _ := aggregate.Resolve("sum", []arrow.DataType{types.Int64})
	one, _ := expr.NewCast(expr.NewUnknownLiteral("1"), types.Int64)
	op := NewWindow([]Operator{in}, []WindowExpr{
		{Func: "rank", PartitionBy: []expr.Expr{col(0)}, OrderBy: []SortKey{{Expr: col(1)}}},
		{Agg: sum, Args: []expr.Expr{col(1)}, PartitionBy: []expr.Expr{col(0)}, OrderBy: []SortKey{{Expr: col(1)}}},
		{Agg: sum, Args: []expr.Expr{col(1)}, PartitionBy: []expr.Expr{col(0)}, OrderBy: []SortKey{{Expr: col(1)}},
			Frame: &Frame{Mode: Rows, Start: FrameBound{Kind: Preceding, Offset: one}, End: FrameBound{Kind: CurrentRow}}},
	}, false)
	check(t, "window", collect(t, op), "1|10|1|10|10", "1|20|2|50|30", "1|20|2|50|40", "2|5|1|5|5")
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	op := NewSort(intTable([]string{"a"}, [][]any{{1}}), []SortKey{{Expr: col(0)}})
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := op.Next(ctx); err == nil {
		t.Fatal("canceled sort returned no error")
	}
}

// A filter that keeps only some columns returns them (in its order, under
// its names) for the rows that pass, whether all, some or none of a
// batch's rows pass.
func TestFilterKeep(t *testing.T) {
	rows := [][]any{{1, 10, 100}, {2, 20, 200}, {3, nil, 300}, {4, 40, 400}}
	for _, c := range []struct {
		bound int64
		want  []string
	}{
		{0, []string{"100|1", "200|2", "300|3", "400|4"}},
		{2, []string{"300|3", "400|4"}},
		{9, nil},
	} {
		pred, err := expr.BindOperator(">", []expr.Expr{col(0), expr.NewLiteral(scalar.NewInt64Scalar(c.bound))})
		if err != nil {
			t.Fatal(err)
		}
		op := NewFilterKeep(intTable([]string{"a", "b", "c"}, rows), pred, []int{2, 0}, []string{"z", "y"})
		if s := op.Schema(); s.NumFields() != 2 || s.Field(0).Name != "z" || s.Field(1).Name != "y" {
			t.Fatalf("schema %v", s)
		}
		check(t, fmt.Sprintf("a > %d", c.bound), collect(t, op), c.want...)
	}
}
