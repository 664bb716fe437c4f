package planner

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
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

// lateralOp runs the lateral subquery per distinct outer values (cached)
// and pairs each input row with its rows.
type lateralOp struct {
	lw       *lowering
	n        *LateralJoin
	input    executor.Operator
	outerPos []int
	schema   *arrow.Schema
	cache    map[string]arrow.RecordBatch
	pending  []arrow.RecordBatch
}

func (lw *lowering) lateral(n *LateralJoin) (executor.Operator, error) {
	in, err := lw.lower(n.Input)
	if err != nil {
		return nil, err
	}
	return &lateralOp{lw: lw, n: n, input: in, outerPos: outerPositions(n.Input.Cols(), n.Outer), schema: schemaOf(n.Cols()), cache: map[string]arrow.RecordBatch{}}, nil
}

func (l *lateralOp) Schema() *arrow.Schema          { return l.schema }
func (l *lateralOp) Open(ctx context.Context) error { return l.input.Open(ctx) }
func (l *lateralOp) Close() error                   { return l.input.Close() }

func (l *lateralOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if len(l.pending) > 0 {
			b := l.pending[0]
			l.pending = l.pending[1:]
			return b, nil
		}
		rec, err := l.input.Next(ctx)
		if err != nil || rec == nil {
			return nil, err
		}
		if err := l.expand(ctx, rec); err != nil {
			return nil, err
		}
	}
}

// expand pairs each row of rec with its subquery rows.
func (l *lateralOp) expand(ctx context.Context, rec arrow.RecordBatch) error {
	subTypes := l.n.Sub.Cols()
	for i := 0; i < int(rec.NumRows()); i++ {
		if err := batch.CheckCancel(ctx); err != nil {
			return err
		}
		var key strings.Builder
		outer, err := l.lw.bindOuter(rec, i, l.n.Outer, l.outerPos, &key)
		if err != nil {
			return err
		}
		rows, ok := l.cache[key.String()]
		if !ok {
			if rows, err = l.run(ctx, outer); err != nil {
				return err
			}
			l.cache[key.String()] = rows
		}
		n := int(rows.NumRows())
		if n == 0 && !l.n.Left {
			continue
		}
		idx := make([]int64, max(n, 1))
		for k := range idx {
			idx[k] = int64(i)
		}
		ix := array.NewInt64Builder(memory.DefaultAllocator)
		ix.AppendValues(idx, nil)
		ixa := ix.NewArray()
		cols := make([]arrow.Array, 0, len(l.schema.Fields()))
		for _, c := range rec.Columns() {
			t, err := expr.TakeArray(ctx, c, ixa)
			if err != nil {
				return err
			}
			cols = append(cols, t)
		}
		for k, c := range subTypes {
			if n == 0 {
				cols = append(cols, array.MakeArrayOfNull(memory.DefaultAllocator, c.Type, 1))
			} else {
				cols = append(cols, rows.Column(k))
			}
		}
		l.pending = append(l.pending, array.NewRecordBatch(l.schema, cols, int64(max(n, 1))))
	}
	return nil
}

// run evaluates the subquery for one combination of outer values and
// returns its rows as one rec.
func (l *lateralOp) run(ctx context.Context, outer map[int]expr.Expr) (arrow.RecordBatch, error) {
	op, err := l.lw.openSub(ctx, l.n.Sub, outer)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	return executor.Materialize(ctx, op)
}
