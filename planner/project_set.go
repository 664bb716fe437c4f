package planner

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
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
	"pg_partition_ancestors": true, "_pg_expandarray": true}

// setCall binds a set-returning function call of the select list: it adds
// the call to the ProjectSet under the select list (creating it) and
// stands for its output column.
func (eb *exprBinder) setCall(name string, args []expr.Expr) (expr.Expr, error) {
	if eb.what != "SELECT" || eb.plan == nil || eb.inAgg {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "set-returning functions are not allowed in %s", eb.what)
	}
	var t arrow.DataType
	switch name {
	case "unnest":
		if len(args) != 1 || args[0].Type().ID() != arrow.LIST {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function unnest with these arguments does not exist")
		}
		t = args[0].Type().(*arrow.ListType).Elem()
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
		t = types.Int32
		for i, a := range args {
			if !types.IsInteger(a.Type()) && !expr.IsUnknownLiteral(a) {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "generate_series in a select list takes integers")
			}
			if a.Type().ID() == arrow.INT64 {
				t = types.Int64
			}
			c, err := expr.NewCast(a, types.Int64)
			if err != nil {
				return nil, err
			}
			args[i] = c
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
