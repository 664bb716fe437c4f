package planner

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

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

func (lw *lowering) tableFunc(n *TableFunc) (executor.Operator, error) {
	args, err := lw.exprs(n.Args, nil)
	if err != nil {
		return nil, err
	}
	if n.Name == "unnest" || n.Name == "generate_subscripts" {
		return executor.NewArrayTable(n.Name, schemaOf(n.Out), args, lw.b.ec), nil
	}
	if !types.IsInteger(n.Out[0].Type) {
		return executor.NewValueSeries(schemaOf(n.Out), args, lw.b.ec), nil
	}
	return executor.NewSeries(schemaOf(n.Out), args, lw.b.ec), nil
}
