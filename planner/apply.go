package planner

import (
	"context"
	"strings"

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
			outer := make(map[int]expr.Expr, len(lw.outer)+len(vals))
			for k, v := range lw.outer {
				outer[k] = v
			}
			for j, c := range n.Outer {
				if vals[j] != nil {
					outer[c.ID] = expr.NewLiteral(vals[j])
				}
			}
			return (&lowering{b: lw.b, work: lw.work, outer: outer}).lower(n.Sub)
		}}), nil
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

// bindOuter binds the outer columns a per-row subquery reads to their
// values in row i of rec (on top of the enclosing subqueries'
// bindings) and writes those values to key, for caching by them.
func (lw *lowering) bindOuter(rec arrow.RecordBatch, i int, cols []Column, pos []int, key *strings.Builder) (map[int]expr.Expr, error) {
	outer := make(map[int]expr.Expr, len(lw.outer)+len(cols))
	for k, v := range lw.outer {
		outer[k] = v
	}
	for j, c := range cols {
		if pos[j] < 0 {
			continue
		}
		sc, err := scalar.GetScalar(rec.Column(pos[j]), i)
		if err != nil {
			return nil, err
		}
		outer[c.ID] = expr.NewLiteral(sc)
		key.WriteString(sc.String())
		key.WriteByte(0)
		key.WriteString(boolStr(sc.IsValid()))
		key.WriteByte(1)
	}
	return outer, nil
}

// openSub lowers n with the outer columns bound and opens it.
func (lw *lowering) openSub(ctx context.Context, n Node, outer map[int]expr.Expr) (executor.Operator, error) {
	sub := &lowering{b: lw.b, work: lw.work, outer: outer}
	op, err := sub.lower(n)
	if err != nil {
		return nil, err
	}
	if err := op.Open(ctx); err != nil {
		op.Close()
		return nil, err
	}
	return op, nil
}

func boolStr(b bool) string {
	if b {
		return "t"
	}
	return "f"
}
