package planner

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/batch"
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
	if _, ok := fileFunctions[tf.Name]; ok && !tf.Ordinality {
		return b.bindFileFunction(tf, outer)
	}
	if tf.Ordinality {
		// f(...) WITH ORDINALITY: f's set-returning calls side by side with
		// a row number, over one row (or, lateral, over the left side).
		if !setReturning[tf.Name] || tf.Name == "pg_partition_ancestors" || tf.Name == "_pg_expandarray" {
			return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "WITH ORDINALITY is supported for unnest, generate_series and generate_subscripts")
		}
		plain := tf
		plain.Ordinality = false
		node, cols, err := b.bindTableFunction(plain, outer)
		if err != nil {
			return nil, nil, err
		}
		fn, ok := node.(*TableFunc)
		if !ok {
			return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "WITH ORDINALITY is not supported for %s", tf.Name)
		}
		calls, err := setCallsFor(fn, cols)
		if err != nil {
			return nil, nil, err
		}
		ord := b.newCol("ordinality", "", types.Int64)
		calls = append(calls, SetCall{Name: "ordinality", Out: ord})
		return &ProjectSet{Input: &Values{Rows: [][]expr.Expr{{}}}, Funcs: calls}, append(cols, ord), nil
	}
	eb := &exprBinder{b: b, s: newScope(nil, outer), what: "FROM"}
	args, err := eb.bindAll(tf.Args)
	if err != nil {
		return nil, nil, err
	}
	switch tf.Name {
	case "pg_show_all_settings", "pg_get_keywords":
		// Catalog functions returning a fixed table: scans of it.
		rel := map[string]string{"pg_show_all_settings": "pg_settings", "pg_get_keywords": "pg_get_keywords"}[tf.Name]
		return b.bindTableName(&ast.TableName{Schema: ast.NewCIStr("pg_catalog"), Name: ast.NewCIStr(rel)}, outer)
	case "unnest":
		if len(args) == 0 {
			return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function unnest() does not exist")
		}
		var out []Column
		for _, a := range args {
			if a.Type().ID() != arrow.LIST {
				return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function unnest(%s) does not exist", types.Name(a.Type()))
			}
			out = append(out, b.newCol("unnest", "", expr.ElementType(a.Type())))
		}
		return &TableFunc{Name: tf.Name, Args: args, Out: out}, out, nil
	case "regexp_split_to_table":
		a, err := b.env.Funcs.Bind("regexp_split_to_array", args)
		if err != nil {
			return nil, nil, err
		}
		out := []Column{b.newCol(tf.Name, "", types.String)}
		return &TableFunc{Name: "unnest", Args: []expr.Expr{a}, Out: out}, out, nil
	case "generate_subscripts":
		if len(args) < 2 || args[0].Type().ID() != arrow.LIST {
			return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_subscripts does not exist")
		}
		out := []Column{b.newCol("generate_subscripts", "", types.Int32)}
		return &TableFunc{Name: tf.Name, Args: args, Out: out}, out, nil
	case "pg_partition_ancestors":
		// A relation that is not a partition is its own only ancestor.
		if len(args) != 1 {
			return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function pg_partition_ancestors needs one argument")
		}
		a, err := expr.NewCast(args[0], types.Int64)
		if err != nil {
			return nil, nil, err
		}
		out := []Column{b.newCol("relid", "", types.Int64)}
		return &Values{Out: out, Rows: [][]expr.Expr{{a}}}, out, nil
	case "generate_series":
		if len(args) < 2 || len(args) > 3 {
			return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_series with %d arguments does not exist", len(args))
		}
		t, err := seriesArgs(args)
		if err != nil {
			return nil, nil, err
		}
		out := []Column{b.newCol("generate_series", "", t)}
		return &TableFunc{Name: tf.Name, Args: args, Out: out}, out, nil
	}
	// Any other function in FROM is a one-row table of its value.
	call := &ast.FuncCallExpr{FnName: ast.NewCIStr(tf.Name), Args: tf.Args}
	e, err := eb.bind(call)
	if err != nil {
		return nil, nil, err
	}
	out := []Column{b.newCol(tf.Name, "", e.Type())}
	return &Values{Out: out, Rows: [][]expr.Expr{{e}}}, out, nil
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
	if n.Name == "unnest" || n.Name == "generate_subscripts" {
		return &arrayTableOp{name: n.Name, schema: schemaOf(n.Out), args: args, ec: lw.b.ec}, nil
	}
	if !types.IsInteger(n.Out[0].Type) {
		return &valueSeriesOp{schema: schemaOf(n.Out), args: args, ec: lw.b.ec, typ: n.Out[0].Type}, nil
	}
	return &seriesOp{schema: schemaOf(n.Out), args: args, ec: lw.b.ec, typ: n.Out[0].Type}, nil
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
