package planner

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
)

func newBatch(schema *arrow.Schema, cols []arrow.Array, rows int64) arrow.RecordBatch {
	return array.NewRecordBatch(schema, cols, rows)
}

func (lw *lowering) apply(n *Apply) (executor.Operator, error) {
	in, err := lw.lower(n.Input)
	if err != nil {
		return nil, err
	}
	var left expr.Expr
	if n.Left != nil {
		if left, err = lw.expr(n.Left, n.Input.Cols()); err != nil {
			return nil, err
		}
	}
	kind := map[ApplyKind]executor.ApplyKind{ApplyScalar: executor.ApplyScalar, ApplyExists: executor.ApplyExists, ApplyQuantified: executor.ApplyQuantified}[n.Kind]
	return executor.NewApply(in, executor.ApplySpec{Kind: kind, Schema: schemaOf(n.Cols()), Outer: outerPositions(n.Input.Cols(), n.Outer),
		Left: left, Op: n.Op, All: n.All,
		Sub: func(ctx context.Context, vals []scalar.Scalar) (executor.Operator, error) {
			return lw.subFor(n.Outer, vals).lower(n.Sub)
		}}), nil
}

// subFor is a lowering for a per-row subquery: the enclosing queries'
// bindings, and cols bound to one row's values vals (nil: left as bound).
func (lw *lowering) subFor(cols []Column, vals []scalar.Scalar) *lowering {
	outer := make(map[int]expr.Expr, len(lw.outer)+len(vals))
	for k, v := range lw.outer {
		outer[k] = v
	}
	for j, c := range cols {
		if vals[j] != nil {
			outer[c.ID] = expr.NewLiteral(vals[j])
		}
	}
	return &lowering{b: lw.b, work: lw.work, shared: lw.shared, outer: outer}
}

// outerPositions finds each outer column a per-row subquery reads among
// the input's columns; -1 when it belongs to an enclosing subquery, whose
// binding lowering.outer already holds.
func outerPositions(in, outer []Column) []int {
	pos := map[int]int{}
	for i, c := range in {
		if _, ok := pos[c.ID]; !ok {
			pos[c.ID] = i
		}
	}
	out := make([]int, len(outer))
	for i, c := range outer {
		p, ok := pos[c.ID]
		if !ok {
			p = -1
		}
		out[i] = p
	}
	return out
}
