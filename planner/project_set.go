package planner

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// ProjectSet evaluates the set-returning functions of a select list; its
// output is the input's columns and one column per function.
type ProjectSet struct {
	Input Node
	Funcs []SetCall
}

// SetCall is one set-returning function call and its output column.
type SetCall struct {
	Name string
	Args []expr.Expr
	Out  Column
}

func (n *ProjectSet) Inputs() []Node { return []Node{n.Input} }
func (n *ProjectSet) Cols() []Column {
	out := append([]Column(nil), n.Input.Cols()...)
	for _, f := range n.Funcs {
		out = append(out, f.Out)
	}
	return out
}

// setReturning are the functions that may return several rows from a
// select list.
var setReturning = map[string]bool{"unnest": true, "generate_series": true, "generate_subscripts": true,
	"pg_partition_ancestors": true, "_pg_expandarray": true, "regexp_split_to_table": true}

// setCall binds a set-returning function call of the select list: it adds
// the call to the ProjectSet under the select list (creating it) and
// stands for its output column.
func (eb *exprBinder) setCall(name string, args []expr.Expr) (expr.Expr, error) {
	if eb.what != "SELECT" || eb.plan == nil || eb.inAgg {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "set-returning functions are not allowed in %s", eb.what)
	}
	if name == "regexp_split_to_table" {
		// The unnest of regexp_split_to_array.
		a, err := eb.b.env.Funcs.Bind("regexp_split_to_array", args)
		if err != nil {
			return nil, err
		}
		name, args = "unnest", []expr.Expr{a}
	}
	var t arrow.DataType
	switch name {
	case "unnest":
		if len(args) != 1 || args[0].Type().ID() != arrow.LIST {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function unnest with these arguments does not exist")
		}
		t = expr.ElementType(args[0].Type())
	case "_pg_expandarray":
		// information_schema._pg_expandarray(arr): (x, n) per element, the
		// value and its 1-based position (pgjdbc reads index keys so).
		if len(args) != 1 || args[0].Type().ID() != arrow.LIST {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function _pg_expandarray with these arguments does not exist")
		}
		t = arrow.StructOf(arrow.Field{Name: "x", Type: args[0].Type().(*arrow.ListType).Elem(), Nullable: true},
			arrow.Field{Name: "n", Type: types.Int32, Nullable: true})
	case "generate_subscripts":
		if len(args) != 2 || args[0].Type().ID() != arrow.LIST {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_subscripts with these arguments does not exist")
		}
		t = types.Int32
	case "pg_partition_ancestors":
		// A relation that is not a partition is its only ancestor.
		if len(args) != 1 {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function pg_partition_ancestors needs one argument")
		}
		c, err := expr.NewCast(args[0], types.Int64)
		if err != nil {
			return nil, err
		}
		args[0], t = c, types.Int64
	case "generate_series":
		if len(args) < 2 || len(args) > 3 {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_series with %d arguments does not exist", len(args))
		}
		var err error
		if t, err = seriesArgs(args); err != nil {
			return nil, err
		}
	}
	ps, ok := (*eb.plan).(*ProjectSet)
	if !ok {
		ps = &ProjectSet{Input: *eb.plan}
		*eb.plan = ps
	}
	out := eb.b.newCol(name, "", t)
	ps.Funcs = append(ps.Funcs, SetCall{Name: name, Args: args, Out: out})
	return newColRef(out), nil
}

// seriesArgs types generate_series's arguments: integers (cast to bigint,
// the result int or bigint), numeric (all numeric) or timestamps (the step
// an interval). It returns the result type.
func seriesArgs(args []expr.Expr) (arrow.DataType, error) {
	t := arrow.DataType(types.Int32)
	scale := int32(0)
	for _, a := range args {
		at := a.Type()
		if expr.IsUnknownLiteral(a) {
			continue
		}
		switch {
		case types.IsInteger(at):
			if at.ID() == arrow.INT64 && !types.IsDecimal(t) && t.ID() != arrow.TIMESTAMP {
				t = types.Int64
			}
		case types.IsDecimal(at):
			if t.ID() != arrow.TIMESTAMP {
				t = at
			}
			scale = max(scale, at.(*arrow.Decimal128Type).Scale)
		case at.ID() == arrow.TIMESTAMP || at.ID() == arrow.DATE32:
			if t.ID() != arrow.TIMESTAMP || !types.IsTimestampTZ(t) && at.ID() != arrow.TIMESTAMP {
				// A date reads as timestamptz, PostgreSQL's preferred type.
				t = types.TimestampTZ
				if at.ID() == arrow.TIMESTAMP && !types.IsTimestampTZ(at) {
					t = types.Timestamp
				}
			}
		case at.ID() == arrow.INTERVAL_MONTH_DAY_NANO, at.ID() == arrow.NULL:
		default:
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_series(%s) does not exist", typeNames(args))
		}
	}
	if types.IsDecimal(t) {
		t = types.Decimal(types.MaxDecimalPrecision, scale)
	}
	for i := range args {
		want := t
		switch {
		case types.IsInteger(t):
			want = types.Int64
		case t.ID() == arrow.TIMESTAMP && i == 2:
			want = types.Interval
		}
		if !types.Equal(args[i].Type(), want) || expr.IsUnknownLiteral(args[i]) {
			c, err := expr.NewCast(args[i], want)
			if err != nil {
				return nil, err
			}
			args[i] = c
		}
	}
	if t.ID() == arrow.TIMESTAMP && len(args) != 3 {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_series(%s) does not exist", typeNames(args))
	}
	return t, nil
}

func typeNames(args []expr.Expr) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = types.Name(a.Type())
		if expr.IsUnknownLiteral(a) {
			parts[i] = "unknown"
		}
	}
	return strings.Join(parts, ", ")
}

func (lw *lowering) projectSet(n *ProjectSet) (executor.Operator, error) {
	in, err := lw.lower(n.Input)
	if err != nil {
		return nil, err
	}
	cols := n.Input.Cols()
	funcs := make([]executor.SetFunc, len(n.Funcs))
	for i, f := range n.Funcs {
		args, err := lw.exprs(f.Args, cols)
		if err != nil {
			return nil, err
		}
		funcs[i] = executor.SetFunc{Name: f.Name, Args: args, Type: f.Out.Type}
	}
	return rename(executor.NewProjectSet(in, funcs), n.Cols()), nil
}

// bindLateralFunction binds FROM t, f(t.x) [AS a]: a set-returning
// function in FROM whose arguments read the items before it (implicitly
// LATERAL in PostgreSQL, the way to flatten arrays: FROM events,
// unnest(tags) AS tag). It becomes a ProjectSet over the left side, so
// each left row repeats once per value and rows with no values drop out,
// as in the cross join it stands for. ok is false when j is not such a
// join.
func (b *binder) bindLateralFunction(j *ast.Join, left Node, lcols []Column, outer *scope) (Node, []Column, bool, error) {
	ts, isSource := j.Right.(*ast.TableSource)
	if !isSource || j.On != nil || len(j.Using) > 0 || j.NaturalJoin || j.Tp != ast.CrossJoin {
		return nil, nil, false, nil
	}
	sel, isSelect := ts.Source.(*ast.SelectStmt)
	if !isSelect {
		return nil, nil, false, nil
	}
	tf, isFunc := parser.TableFunctionOf(sel)
	if !isFunc || !setReturning[tf.Name] {
		return nil, nil, false, nil
	}
	node, rcols, err := b.bindTableSource(ts, newScope(lcols, outer))
	if err != nil {
		return nil, nil, true, err
	}
	var calls []SetCall
	var args []expr.Expr
	switch fn := node.(type) {
	case *TableFunc:
		if calls, err = setCallsFor(fn, rcols); err != nil {
			return nil, nil, true, err
		}
		args = fn.Args
	case *ProjectSet: // WITH ORDINALITY
		for i, c := range fn.Funcs {
			c.Out = rcols[i] // named as the FROM item names them
			calls = append(calls, c)
			args = append(args, c.Args...)
		}
	default:
		return nil, nil, false, nil
	}
	leftIDs := idSet(lcols)
	lateral := false
	for _, a := range args {
		for id := range refs(a) {
			if leftIDs[id] {
				lateral = true
			}
		}
	}
	if !lateral || calls == nil {
		// Uncorrelated: an ordinary join with the function's table.
		return nil, nil, false, nil
	}
	return &ProjectSet{Input: left, Funcs: calls}, append(append([]Column(nil), lcols...), rcols...), true, nil
}

// setCallsFor turns a table function's call into ProjectSet calls whose
// outputs are outs (unnest of several arrays: one call per array).
func setCallsFor(fn *TableFunc, outs []Column) ([]SetCall, error) {
	switch fn.Name {
	case "unnest":
		var calls []SetCall
		for i, a := range fn.Args {
			calls = append(calls, SetCall{Name: "unnest", Args: []expr.Expr{a}, Out: outs[i]})
		}
		return calls, nil
	case "generate_series", "generate_subscripts":
		args := append([]expr.Expr(nil), fn.Args...)
		if fn.Name == "generate_series" {
			for i := range args {
				var err error
				if args[i], err = expr.NewCast(args[i], types.Int64); err != nil {
					return nil, err
				}
			}
		}
		return []SetCall{{Name: fn.Name, Args: args, Out: outs[0]}}, nil
	}
	return nil, nil
}
