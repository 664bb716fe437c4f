package aggregate

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Filtered is f with a FILTER (WHERE cond): the accumulator takes one more
// argument, the condition, and folds only the rows where it is true. (The
// planner writes FILTER as CASE WHEN cond THEN x END for aggregates that
// skip NULLs anyway; array_agg and the JSON aggregates keep NULLs, so they
// need this.)
func Filtered(f *Func) *Func {
	return &Func{
		Name:     f.Name,
		ArgTypes: append(append([]arrow.DataType(nil), f.ArgTypes...), types.Bool),
		Ret:      f.Ret,
		New:      func() Accumulator { return &filterAcc{inner: f.New()} },
	}
}

type filterAcc struct{ inner Accumulator }

func (a *filterAcc) Update(groups []uint32, numGroups int, args []arrow.Array) error {
	cond, ok := args[len(args)-1].(*array.Boolean)
	if !ok {
		return sqlerr.New(sqlerr.InternalError, "aggregate filter is not boolean")
	}
	args = args[:len(args)-1]
	var rows []int64
	var sel []uint32
	for i, g := range groups {
		if cond.IsValid(i) && cond.Value(i) {
			rows = append(rows, int64(i))
			sel = append(sel, g)
		}
	}
	if len(rows) == len(groups) {
		return a.inner.Update(groups, numGroups, args)
	}
	b := array.NewInt64Builder(mem)
	b.AppendValues(rows, nil)
	idx := b.NewArray()
	defer idx.Release()
	taken := make([]arrow.Array, len(args))
	for k, arg := range args {
		t, err := compute.TakeArray(context.Background(), arg, idx)
		if err != nil {
			return sqlerr.Wrap(err, sqlerr.InternalError, "aggregate filter")
		}
		taken[k] = t
	}
	return a.inner.Update(sel, numGroups, taken)
}

func (a *filterAcc) Merge(other Accumulator, groups []uint32, numGroups int) error {
	return a.inner.Merge(other.(*filterAcc).inner, groups, numGroups)
}

func (a *filterAcc) Result(numGroups int) (arrow.Array, error) { return a.inner.Result(numGroups) }
