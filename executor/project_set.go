package executor

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// SetFunc is a set-returning function in a select list: for each input
// row it yields zero or more values.
type SetFunc struct {
	// Name is unnest (Args: one array), generate_series (start, stop
	// [, step], integers) or generate_subscripts (array, dimension).
	Name string
	Args []expr.Expr
	Type arrow.DataType
}

// ProjectSet evaluates set-returning functions of the select list
// (SELECT unnest(tags), x FROM t). Each input row becomes as many rows as
// its longest function result, the shorter results padded with NULLs, as
// in PostgreSQL 10 and later; a row whose functions all return nothing is
// dropped. The output is the input's columns followed by one column per
// function.
type ProjectSet struct {
	input  Operator
	funcs  []SetFunc
	schema *arrow.Schema
	ec     *expr.Context
}

// NewProjectSet returns input with funcs' results appended as columns.
func NewProjectSet(input Operator, funcs []SetFunc) *ProjectSet {
	fields := append([]arrow.Field(nil), input.Schema().Fields()...)
	for i, f := range funcs {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("%s%d", f.Name, i), Type: f.Type, Nullable: true})
	}
	return &ProjectSet{input: input, funcs: funcs, schema: arrow.NewSchema(fields, nil)}
}

func (p *ProjectSet) Schema() *arrow.Schema { return p.schema }
func (p *ProjectSet) Close() error          { return p.input.Close() }
func (p *ProjectSet) Open(ctx context.Context) error {
	p.ec = evalContext(ctx)
	return p.input.Open(ctx)
}

// setResult is one function's values for a batch: row i's values are
// positions idx[start[i]:start[i+1]] of vals (an index of -1 is NULL).
type setResult struct {
	vals  arrow.Array
	idx   []int64
	start []int
}

func (p *ProjectSet) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		b, err := p.input.Next(ctx)
		if err != nil || b == nil {
			return nil, err
		}
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		out, err := p.expand(ctx, b)
		if err != nil {
			return nil, err
		}
		if out.NumRows() > 0 {
			return out, nil
		}
	}
}

func (p *ProjectSet) expand(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	results := make([]setResult, len(p.funcs))
	ordinality := -1
	for k, f := range p.funcs {
		if f.Name == "ordinality" {
			ordinality = k // numbered once the others' lengths are known
			results[k] = setResult{start: make([]int, n+1)}
			continue
		}
		args := make([]arrow.Array, len(f.Args))
		for i, a := range f.Args {
			arr, err := a.Eval(p.ec, b)
			if err != nil {
				return nil, err
			}
			args[i] = arr
		}
		r, err := evalSetFunc(p.ec, f, args, n)
		if err != nil {
			return nil, err
		}
		results[k] = r
	}
	if ordinality >= 0 {
		results[ordinality] = ordinalityResult(results, ordinality, n)
	}
	// Rows of the output per input row: the longest result.
	var inIdx []int64
	funcIdx := make([][]int64, len(p.funcs))
	for i := 0; i < n; i++ {
		m := 0
		for _, r := range results {
			m = max(m, r.start[i+1]-r.start[i])
		}
		for j := 0; j < m; j++ {
			inIdx = append(inIdx, int64(i))
			for k, r := range results {
				if pos := r.start[i] + j; pos < r.start[i+1] {
					funcIdx[k] = append(funcIdx[k], r.idx[pos])
				} else {
					funcIdx[k] = append(funcIdx[k], -1)
				}
			}
		}
	}
	// The input's columns, each row repeated (one index for all of them).
	in, err := takeRows(ctx, b.Schema(), b, inIdx)
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, 0, len(p.schema.Fields()))
	cols = append(cols, in.Columns()...)
	for k, r := range results {
		t, err := takeIndices(ctx, r.vals, funcIdx[k])
		if err != nil {
			return nil, err
		}
		cols = append(cols, t)
	}
	return array.NewRecordBatch(p.schema, cols, int64(len(inIdx))), nil
}

// ordinalityResult numbers each row's output rows 1, 2, ... up to the
// longest of the other functions' results (WITH ORDINALITY).
func ordinalityResult(results []setResult, skip, n int) setResult {
	r := setResult{start: make([]int, n+1)}
	longest := 0
	for i := 0; i < n; i++ {
		r.start[i] = len(r.idx)
		m := 0
		for k, o := range results {
			if k != skip {
				m = max(m, o.start[i+1]-o.start[i])
			}
		}
		for j := 0; j < m; j++ {
			r.idx = append(r.idx, int64(j))
		}
		longest = max(longest, m)
	}
	r.start[n] = len(r.idx)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for j := 1; j <= longest; j++ {
		b.Append(int64(j))
	}
	r.vals = b.NewArray()
	return r
}

// takeIndices selects positions of arr; -1 gives NULL.
func takeIndices(ctx context.Context, arr arrow.Array, idx []int64) (arrow.Array, error) {
	bld := array.NewInt64Builder(memory.DefaultAllocator)
	defer bld.Release()
	bld.Reserve(len(idx))
	for _, i := range idx {
		if i < 0 {
			bld.AppendNull()
		} else {
			bld.Append(i)
		}
	}
	ix := bld.NewArray()
	defer ix.Release()
	return expr.TakeArray(ctx, arr, ix)
}

// evalSetFunc computes f for each of n rows of its argument arrays.
func evalSetFunc(ec *expr.Context, f SetFunc, args []arrow.Array, n int) (setResult, error) {
	r := setResult{start: make([]int, n+1)}
	switch f.Name {
	case "unnest":
		l, ok := args[0].(*array.List)
		if !ok {
			return r, sqlerr.New(sqlerr.DatatypeMismatch, "unnest needs an array")
		}
		r.vals = expr.ArrayLeaves(l)
		for i := 0; i < n; i++ {
			r.start[i] = len(r.idx)
			if l.IsNull(i) {
				continue
			}
			_, s, e := expr.ArrayElements(l, i) // every element of every dimension
			for k := s; k < e; k++ {
				r.idx = append(r.idx, k)
			}
		}
	case "_pg_expandarray":
		// (x, n): each element and its position.
		l, ok := args[0].(*array.List)
		if !ok {
			return r, sqlerr.New(sqlerr.DatatypeMismatch, "_pg_expandarray needs an array")
		}
		vals := l.ListValues()
		ns := make([]int32, vals.Len())
		for i := 0; i < n; i++ {
			r.start[i] = len(r.idx)
			if l.IsNull(i) {
				continue
			}
			s, e := l.ValueOffsets(i)
			for k := s; k < e; k++ {
				ns[k] = int32(k - s + 1)
				r.idx = append(r.idx, k)
			}
		}
		nb := array.NewInt32Builder(ec.Mem)
		defer nb.Release()
		nb.AppendValues(ns, nil)
		nArr := nb.NewArray()
		st, err := array.NewStructArrayWithFields([]arrow.Array{vals, nArr}, f.Type.(*arrow.StructType).Fields())
		if err != nil {
			return r, sqlerr.Wrap(err, sqlerr.InternalError, "record")
		}
		r.vals = st
	case "pg_partition_ancestors":
		// Its argument, as no relation is a partition.
		r.vals = args[0]
		for i := 0; i < n; i++ {
			r.start[i] = len(r.idx)
			if !args[0].IsNull(i) {
				r.idx = append(r.idx, int64(i))
			}
		}
	case "generate_series":
		if !types.IsInteger(f.Type) {
			// numeric and timestamp series, row by row.
			parts := make([]arrow.Array, 0, n)
			total := 0
			for i := 0; i < n; i++ {
				r.start[i] = total
				vals, err := expr.SeriesValues(ec, f.Type, args, i)
				if err != nil {
					return r, err
				}
				for k := 0; k < vals.Len(); k++ {
					r.idx = append(r.idx, int64(total+k))
				}
				total += vals.Len()
				parts = append(parts, vals)
			}
			if len(parts) == 0 {
				r.vals = array.MakeArrayOfNull(ec.Mem, f.Type, 0)
			} else {
				all, err := array.Concatenate(parts, ec.Mem)
				if err != nil {
					return r, sqlerr.Wrap(err, sqlerr.InternalError, "concatenate")
				}
				r.vals = all
			}
			break
		}
		fallthrough
	case "generate_subscripts":
		bld := array.NewInt64Builder(ec.Mem)
		defer bld.Release()
		for i := 0; i < n; i++ {
			r.start[i] = bld.Len()
			lo, hi, step, ok := seriesBounds(f.Name, args, i)
			if !ok {
				continue
			}
			if step == 0 {
				return r, sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero")
			}
			for v := lo; (step > 0 && v <= hi) || (step < 0 && v >= hi); v += step {
				bld.Append(v)
				r.idx = append(r.idx, int64(bld.Len()-1))
				if bld.Len() > 1<<26 {
					return r, sqlerr.New(sqlerr.ProgramLimitExceeded, "set-returning function result too large")
				}
				if (step > 0 && v > hi-step) || (step < 0 && v < hi-step) {
					break // the next step would overflow or pass the end
				}
			}
		}
		vals := bld.NewArray()
		cast, err := compute.CastArray(context.Background(), vals, compute.SafeCastOptions(f.Type))
		if err != nil {
			return r, sqlerr.Wrap(err, sqlerr.InternalError, "cast")
		}
		r.vals = cast
	default:
		return r, sqlerr.New(sqlerr.FeatureNotSupported, "set-returning function %s is not supported in a select list", f.Name)
	}
	r.start[n] = len(r.idx)
	return r, nil
}

// seriesBounds reads row i's bounds of generate_series(start, stop[,
// step]) or generate_subscripts(array, dim) (only dimension 1 exists).
func seriesBounds(name string, args []arrow.Array, i int) (lo, hi, step int64, ok bool) {
	for _, a := range args {
		if a.IsNull(i) {
			return 0, 0, 0, false
		}
	}
	if name == "generate_subscripts" {
		l, isList := args[0].(*array.List)
		if !isList || len(args) < 2 || expr.Int64At(args[1], i) != 1 {
			return 0, 0, 0, false
		}
		s, e := l.ValueOffsets(i)
		return 1, e - s, 1, e > s
	}
	if len(args) < 2 {
		return 0, 0, 0, false
	}
	step = 1
	if len(args) == 3 {
		step = expr.Int64At(args[2], i)
	}
	return expr.Int64At(args[0], i), expr.Int64At(args[1], i), step, true
}
