package planner

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
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
	return &applyOp{lw: lw, n: n, input: in, left: left, outerPos: outerPositions(n.Input.Cols(), n.Outer),
		schema: schemaOf(n.Cols()), cache: map[string]scalar.Scalar{}}, nil
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

// applyOp runs a correlated subquery once per distinct combination of the
// outer values it uses. It is the fallback for subqueries the planner
// cannot turn into joins.
type applyOp struct {
	lw       *lowering
	n        *Apply
	input    executor.Operator
	left     expr.Expr
	outerPos []int
	schema   *arrow.Schema
	cache    map[string]scalar.Scalar
	ec       *expr.Context
}

func (a *applyOp) Schema() *arrow.Schema { return a.schema }

func (a *applyOp) Open(ctx context.Context) error {
	a.ec = expr.NewContext(ctx, a.lw.b.ec.Location)
	a.ec.Now = a.lw.b.ec.Now
	return a.input.Open(ctx)
}

func (a *applyOp) Close() error { return a.input.Close() }

func (a *applyOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := a.input.Next(ctx)
	if err != nil || rec == nil {
		return nil, err
	}
	var leftArr arrow.Array
	if a.left != nil {
		if leftArr, err = a.left.Eval(a.ec, rec); err != nil {
			return nil, err
		}
	}
	rows := int(rec.NumRows())
	vals := make([]scalar.Scalar, rows)
	for i := 0; i < rows; i++ {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		var key strings.Builder
		outer, err := a.lw.bindOuter(rec, i, a.n.Outer, a.outerPos, &key)
		if err != nil {
			return nil, err
		}
		var lv scalar.Scalar
		if leftArr != nil {
			if lv, err = scalar.GetScalar(leftArr, i); err != nil {
				return nil, err
			}
			key.WriteString(lv.String() + boolStr(lv.IsValid()))
		}
		k := key.String()
		if v, ok := a.cache[k]; ok {
			vals[i] = v
			continue
		}
		v, err := a.evalSub(ctx, outer, lv)
		if err != nil {
			return nil, err
		}
		a.cache[k] = v
		vals[i] = v
	}
	col, err := buildArray(a.n.Out.Type, vals)
	if err != nil {
		return nil, err
	}
	cols := append(append([]arrow.Array(nil), rec.Columns()...), col)
	return newBatch(a.schema, cols, rec.NumRows()), nil
}

func boolStr(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

func (a *applyOp) evalSub(ctx context.Context, outer map[int]expr.Expr, lv scalar.Scalar) (scalar.Scalar, error) {
	op, err := a.lw.openSub(ctx, a.n.Sub, outer)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	switch a.n.Kind {
	case ApplyScalar:
		var found scalar.Scalar
		for {
			b, err := op.Next(ctx)
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			for r := 0; r < int(b.NumRows()); r++ {
				if found != nil {
					return nil, sqlerr.New(sqlerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
				}
				if found, err = scalar.GetScalar(b.Column(0), r); err != nil {
					return nil, err
				}
			}
		}
		if found == nil {
			return scalar.MakeNullScalar(a.n.Out.Type), nil
		}
		return found, nil
	case ApplyExists:
		for {
			b, err := op.Next(ctx)
			if err != nil {
				return nil, err
			}
			if b == nil {
				return scalar.NewBooleanScalar(false), nil
			}
			if b.NumRows() > 0 {
				return scalar.NewBooleanScalar(true), nil
			}
		}
	}
	// Quantified: three-valued ANY / ALL of (lv op x) over the rows x.
	cmp, err := call(a.n.Op, expr.NewLiteral(lv), expr.NewColumn(0, a.n.Sub.Cols()[0].Type, "x"))
	if err != nil {
		return nil, err
	}
	sawNull := false
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		res, err := cmp.Eval(a.ec, b)
		if err != nil {
			return nil, err
		}
		bools := res.(*array.Boolean)
		for r := 0; r < bools.Len(); r++ {
			if bools.IsNull(r) {
				sawNull = true
				continue
			}
			if bools.Value(r) != a.n.All {
				// ANY found a true, or ALL found a false.
				return scalar.NewBooleanScalar(!a.n.All), nil
			}
		}
	}
	if sawNull {
		return scalar.MakeNullScalar(types.Bool), nil
	}
	return scalar.NewBooleanScalar(a.n.All), nil
}

// buildArray makes an array of t from scalars (NULL scalars of any type
// become nulls).
func buildArray(t arrow.DataType, vals []scalar.Scalar) (arrow.Array, error) {
	b := array.NewBuilder(memory.DefaultAllocator, t)
	defer b.Release()
	for _, v := range vals {
		if v == nil || !v.IsValid() {
			b.AppendNull()
			continue
		}
		if !arrow.TypeEqual(v.DataType(), t) {
			cv, err := v.CastTo(t)
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.InternalError, "subquery value")
			}
			v = cv
		}
		arr, err := scalar.MakeArrayFromScalar(v, 1, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		if err := appendFrom(b, arr); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

func appendFrom(b array.Builder, arr arrow.Array) error {
	// Builders can append values from an array of the same type.
	type valueAppender interface {
		AppendValueFromString(string) error
	}
	if arr.IsNull(0) {
		b.AppendNull()
		return nil
	}
	if va, ok := b.(valueAppender); ok {
		return va.AppendValueFromString(arr.ValueStr(0))
	}
	return sqlerr.New(sqlerr.InternalError, "cannot build %s", arr.DataType())
}
