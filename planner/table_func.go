package planner

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// TableFunc is a set-returning function in FROM (generate_series).
type TableFunc struct {
	Name string
	Args []expr.Expr
	Out  []Column
}

func (n *TableFunc) Cols() []Column { return n.Out }
func (n *TableFunc) Inputs() []Node { return nil }

func (b *binder) bindTableFunction(tf parser.TableFunction, outer *scope) (Node, []Column, error) {
	eb := &exprBinder{b: b, s: newScope(nil, outer), what: "FROM"}
	args, err := eb.bindAll(tf.Args)
	if err != nil {
		return nil, nil, err
	}
	switch tf.Name {
	case "generate_series":
		if len(args) < 2 || len(args) > 3 {
			return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_series with %d arguments does not exist", len(args))
		}
		t := types.Int64
		allInt32 := true
		for _, a := range args {
			at := a.Type()
			if expr.IsUnknownLiteral(a) {
				continue
			}
			switch {
			case types.IsInteger(at):
				if at.ID() == arrow.INT64 {
					allInt32 = false
				}
			case at.ID() == arrow.TIMESTAMP || at.ID() == arrow.DATE32:
				t = types.Timestamp
				if types.IsTimestampTZ(at) {
					t = types.TimestampTZ
				}
			case types.IsDecimal(at):
				t = at
			case types.IsFloat(at):
				return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_series(double precision, double precision) does not exist")
			}
		}
		if t.ID() == arrow.INT64 && allInt32 {
			t = types.Int32
		}
		for i := range args {
			want := t
			if i == 2 && (t.ID() == arrow.TIMESTAMP) {
				want = types.Interval
			}
			if !types.Equal(args[i].Type(), want) || expr.IsUnknownLiteral(args[i]) {
				if args[i], err = expr.NewCast(args[i], want); err != nil {
					return nil, nil, err
				}
			}
		}
		out := []Column{b.newCol("generate_series", "", t)}
		return &TableFunc{Name: tf.Name, Args: args, Out: out}, out, nil
	}
	return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", tf.Name)
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

func (lw *lowering) tableFunc(n *TableFunc) (executor.Operator, error) {
	args, err := lw.exprs(n.Args, nil)
	if err != nil {
		return nil, err
	}
	if n.Out[0].Type.ID() == arrow.TIMESTAMP || types.IsDecimal(n.Out[0].Type) {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "generate_series over %s is not supported yet", types.Name(n.Out[0].Type))
	}
	return &seriesOp{schema: schemaOf(n.Out), args: args, ec: lw.b.ec, typ: n.Out[0].Type}, nil
}

func (s *seriesOp) Schema() *arrow.Schema { return s.schema }

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
	if err := executor.CheckCancel(ctx); err != nil {
		return nil, err
	}
	var vals []int64
	for len(vals) < executor.BatchSize {
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
