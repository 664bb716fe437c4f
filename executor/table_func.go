package executor

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
)

// The set-returning functions of FROM (generate_series, unnest,
// generate_subscripts) over uncorrelated arguments, evaluated once with
// the statement's expression context ec.

// NewSeries is generate_series over integers: the column of schema, of
// the type of its first field.
func NewSeries(schema *arrow.Schema, args []expr.Expr, ec *expr.Context) Operator {
	return &seriesOp{schema: schema, args: args, ec: ec, typ: schema.Field(0).Type}
}

// NewValueSeries is generate_series over numeric values or timestamps.
func NewValueSeries(schema *arrow.Schema, args []expr.Expr, ec *expr.Context) Operator {
	return &valueSeriesOp{schema: schema, args: args, ec: ec, typ: schema.Field(0).Type}
}

// NewArrayTable is unnest(array, ...) or generate_subscripts(array, dim).
func NewArrayTable(name string, schema *arrow.Schema, args []expr.Expr, ec *expr.Context) Operator {
	return &arrayTableOp{name: name, schema: schema, args: args, ec: ec}
}

// seriesOp generates an integer series in batches.
type seriesOp struct {
	schema          *arrow.Schema
	args            []expr.Expr
	ec              *expr.Context
	cur, stop, step int64
	done            bool
	typ             arrow.DataType
}

func (s *seriesOp) Schema() *arrow.Schema { return s.schema }

// valueSeriesOp is generate_series over numeric or timestamps in FROM: it
// computes the series when opened and returns it in batches.
type valueSeriesOp struct {
	schema *arrow.Schema
	args   []expr.Expr
	ec     *expr.Context
	typ    arrow.DataType
	vals   arrow.Array
	next   int
}

func (s *valueSeriesOp) Schema() *arrow.Schema { return s.schema }
func (s *valueSeriesOp) Close() error          { return nil }

func (s *valueSeriesOp) Open(ctx context.Context) error {
	empty := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	arrs := make([]arrow.Array, len(s.args))
	for i, a := range s.args {
		arr, err := a.Eval(s.ec, empty)
		if err != nil {
			return err
		}
		arrs[i] = arr
	}
	vals, err := expr.SeriesValues(s.ec, s.typ, arrs, 0)
	if err != nil {
		return err
	}
	s.vals, s.next = vals, 0
	return nil
}

func (s *valueSeriesOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	if s.vals == nil || s.next >= s.vals.Len() {
		return nil, nil
	}
	end := min(s.next+batch.Size, s.vals.Len())
	col := array.NewSlice(s.vals, int64(s.next), int64(end))
	s.next = end
	return array.NewRecordBatch(s.schema, []arrow.Array{col}, int64(col.Len())), nil
}

func (s *seriesOp) Open(ctx context.Context) error {
	empty := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	vals := make([]int64, 3)
	vals[2] = 1
	for i, a := range s.args {
		arr, err := a.Eval(s.ec, empty)
		if err != nil {
			return err
		}
		if arr.IsNull(0) {
			s.done = true
			return nil
		}
		switch arr := arr.(type) {
		case *array.Int64:
			vals[i] = arr.Value(0)
		case *array.Int32:
			vals[i] = int64(arr.Value(0))
		case *array.Int16:
			vals[i] = int64(arr.Value(0))
		}
	}
	if vals[2] == 0 {
		return sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero")
	}
	s.cur, s.stop, s.step = vals[0], vals[1], vals[2]
	return nil
}

func (s *seriesOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.done {
		return nil, nil
	}
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	var vals []int64
	for len(vals) < batch.Size {
		if (s.step > 0 && s.cur > s.stop) || (s.step < 0 && s.cur < s.stop) {
			s.done = true
			break
		}
		vals = append(vals, s.cur)
		next := s.cur + s.step
		if (s.step > 0 && next < s.cur) || (s.step < 0 && next > s.cur) {
			s.done = true // overflow: the series ends
			break
		}
		s.cur = next
	}
	if len(vals) == 0 {
		return nil, nil
	}
	var arr arrow.Array
	if s.typ.ID() == arrow.INT32 {
		b := array.NewInt32Builder(memory.DefaultAllocator)
		for _, v := range vals {
			b.Append(int32(v))
		}
		arr = b.NewArray()
	} else {
		b := array.NewInt64Builder(memory.DefaultAllocator)
		b.AppendValues(vals, nil)
		arr = b.NewArray()
	}
	return array.NewRecordBatch(s.schema, []arrow.Array{arr}, int64(len(vals))), nil
}

func (s *seriesOp) Close() error { return nil }

// arrayTableOp is unnest(arr, ...) and generate_subscripts(arr, dim) in
// FROM: it evaluates its (uncorrelated) arguments once and returns the
// elements (several arrays side by side, the shorter padded with NULLs)
// or the subscripts.
type arrayTableOp struct {
	name   string
	schema *arrow.Schema
	args   []expr.Expr
	ec     *expr.Context
	done   bool
}

func (s *arrayTableOp) Schema() *arrow.Schema      { return s.schema }
func (s *arrayTableOp) Open(context.Context) error { s.done = false; return nil }
func (s *arrayTableOp) Close() error               { return nil }

func (s *arrayTableOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.done {
		return nil, nil
	}
	s.done = true
	empty := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	vals := make([]arrow.Array, len(s.args))
	for i, a := range s.args {
		arr, err := a.Eval(s.ec, empty)
		if err != nil {
			return nil, err
		}
		vals[i] = arr
	}
	list := vals[0].(*array.List)
	if list.IsNull(0) {
		return nil, nil
	}
	if s.name == "generate_subscripts" {
		start, end := list.ValueOffsets(0)
		if vals[1].IsNull(0) || vals[1].ValueStr(0) != "1" {
			return nil, nil
		}
		b := array.NewInt32Builder(memory.DefaultAllocator)
		for k := int32(1); k <= int32(end-start); k++ {
			b.Append(k)
		}
		col := b.NewArray()
		return array.NewRecordBatch(s.schema, []arrow.Array{col}, int64(col.Len())), nil
	}
	rows := int64(0)
	for _, v := range vals {
		if l := v.(*array.List); !l.IsNull(0) {
			_, start, end := expr.ArrayElements(l, 0)
			rows = max(rows, end-start)
		}
	}
	cols := make([]arrow.Array, len(vals))
	for i, v := range vals {
		l := v.(*array.List)
		elems, start, end := expr.ArrayElements(l, 0)
		if l.IsNull(0) {
			start, end = 0, 0
		}
		col := array.NewSlice(elems, start, end)
		if pad := rows - (end - start); pad > 0 {
			nulls := array.MakeArrayOfNull(memory.DefaultAllocator, col.DataType(), int(pad))
			joined, err := array.Concatenate([]arrow.Array{col, nulls}, memory.DefaultAllocator)
			if err != nil {
				return nil, err
			}
			col = joined
		}
		cols[i] = col
	}
	return array.NewRecordBatch(s.schema, cols, rows), nil
}
