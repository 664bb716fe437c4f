package planner

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
)

// LateralJoin is FROM t, LATERAL (subquery): Sub reads columns of Input
// (Outer), so it runs once per distinct combination of their values and
// each Input row is paired with the rows it returns. Left keeps Input rows
// for which Sub returns none, with NULLs (LEFT JOIN LATERAL ... ON true).
type LateralJoin struct {
	Input, Sub Node
	Outer      []Column
	Left       bool
}

func (n *LateralJoin) Inputs() []Node { return []Node{n.Input, n.Sub} }
func (n *LateralJoin) Cols() []Column {
	return append(append([]Column(nil), n.Input.Cols()...), n.Sub.Cols()...)
}

// bindLateral binds a LATERAL derived table in FROM. ok is false when j's
// right side is not one (or does not read the left side: an ordinary join).
func (b *binder) bindLateral(j *ast.Join, left Node, lcols []Column, outer *scope) (Node, []Column, Node, []Column, bool, error) {
	var sub Node
	var rcols []Column
	var err error
	switch ts, isSource := j.Right.(*ast.TableSource); {
	case isSource && ts.Lateral:
		sub, rcols, err = b.bindTableSource(ts, newScope(lcols, outer))
	case containsLateral(j.Right):
		// A LATERAL item deeper in the right side (FROM a, b JOIN LATERAL
		// (... a.x ...)) sees the left side too, as in PostgreSQL; other
		// derived tables there do not (scope.lateralOnly).
		ls := newScope(lcols, outer)
		ls.lateralOnly = true
		sub, rcols, err = b.bindFrom(j.Right, ls)
	default:
		return nil, nil, nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, nil, nil, true, err
	}
	leftIDs := idSet(lcols)
	var outerCols []Column
	for id, c := range freeRefs(sub) {
		if leftIDs[id] {
			outerCols = append(outerCols, c)
		}
	}
	if len(outerCols) == 0 {
		// Reads nothing on its left: an ordinary join with it.
		return nil, nil, sub, rcols, false, nil
	}
	switch {
	case j.Tp == ast.LeftJoin:
		if j.On != nil && !isTrueLiteral(j.On.Expr) {
			return nil, nil, nil, nil, true, sqlerr.New(sqlerr.FeatureNotSupported, "LEFT JOIN LATERAL supports only ON true")
		}
	case j.Tp == ast.RightJoin || j.NaturalJoin || len(j.Using) > 0:
		return nil, nil, nil, nil, true, sqlerr.New(sqlerr.FeatureNotSupported, "this join with LATERAL is not supported")
	}
	// The sub plan's columns are named as the FROM item names them.
	proj := &Project{Input: sub, Out: rcols}
	for _, c := range sub.Cols() {
		proj.Exprs = append(proj.Exprs, newColRef(c))
	}
	var node Node = &LateralJoin{Input: left, Sub: proj, Outer: outerCols, Left: j.Tp == ast.LeftJoin}
	cols := append(append([]Column(nil), lcols...), rcols...)
	if j.On != nil && j.Tp != ast.LeftJoin {
		eb := &exprBinder{b: b, s: newScope(cols, outer.pastLateralOnly()), what: "JOIN/ON"}
		c, err := eb.bind(j.On.Expr)
		if err != nil {
			return nil, nil, nil, nil, true, err
		}
		if c, err = asBool(c, "JOIN/ON"); err != nil {
			return nil, nil, nil, nil, true, err
		}
		node = &Filter{Input: node, Pred: c}
	}
	return node, cols, nil, nil, true, nil
}

// containsLateral reports whether a FROM item holds a LATERAL derived
// table or a function (implicitly LATERAL) inside a join.
func containsLateral(n ast.ResultSetNode) bool {
	switch n := n.(type) {
	case *ast.Join:
		return n.Left != nil && containsLateral(n.Left) || n.Right != nil && containsLateral(n.Right)
	case *ast.TableSource:
		if n.Lateral {
			return true
		}
		switch src := n.Source.(type) {
		case *ast.Join:
			return containsLateral(src)
		case *ast.SelectStmt, *ast.SetOprStmt:
			_, ok := parser.TableFunctionOf(src)
			return ok
		}
	}
	return false
}

// isTrueLiteral reports whether n is the constant TRUE (which the
// bridge writes as a cast of 'true' to boolean).
func isTrueLiteral(n ast.ExprNode) bool {
	if p, ok := n.(*ast.ParenthesesExpr); ok {
		return isTrueLiteral(p.Expr)
	}
	fn, ok := n.(*ast.FuncCallExpr)
	if !ok {
		return false
	}
	arg, typ, ok := parser.CastOf(fn)
	if !ok || !strings.HasPrefix(strings.ToLower(typ), "bool") {
		return false
	}
	v, ok := arg.(ast.ValueExpr)
	return ok && strings.EqualFold(fmt.Sprint(v.GetValue()), "true")
}

func (lw *lowering) lateral(n *LateralJoin) (executor.Operator, error) {
	in, err := lw.lower(n.Input)
	if err != nil {
		return nil, err
	}
	return executor.NewLateral(in, executor.LateralSpec{Schema: schemaOf(n.Cols()), Outer: outerPositions(n.Input.Cols(), n.Outer), Left: n.Left,
		Sub: func(ctx context.Context, vals []scalar.Scalar) (executor.Operator, error) {
			return lw.subFor(n.Outer, vals).lower(n.Sub)
		}}), nil
}
