package executor

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// ApplyKind says what a per-row subquery computes.
type ApplyKind int

const (
	ApplyScalar     ApplyKind = iota // its one value (NULL without rows)
	ApplyExists                      // whether it has rows
	ApplyQuantified                  // Left Op ANY (or ALL) of its first column
)

// ApplySpec describes a correlated subquery run per row.
type ApplySpec struct {
	Kind ApplyKind
	// Schema is the input's columns and the result's.
	Schema *arrow.Schema
	// Outer are the input columns the subquery reads: a row's values of
	// them key the cache of results (-1: a column of an enclosing query,
	// bound already).
	Outer []int
	// Left, Op and All define a quantified comparison.
	Left expr.Expr
	Op   string
	All  bool
	// Sub returns the subquery's plan for one row's outer values (nil
	// where Outer is -1), unopened.
	Sub func(ctx context.Context, outer []scalar.Scalar) (Operator, error)
}

// Apply runs a correlated subquery once per distinct combination of the
// outer values it uses. It is the fallback for subqueries the planner
// cannot turn into joins.
type Apply struct {
	input Operator
	spec  ApplySpec
	cache map[string]scalar.Scalar
	ec    *expr.Context
}

// NewApply appends to input's rows the subquery's result for each.
func NewApply(input Operator, spec ApplySpec) Operator {
	return &Apply{input: input, spec: spec}
}

func (a *Apply) Schema() *arrow.Schema { return a.spec.Schema }

func (a *Apply) Open(ctx context.Context) error {
	a.ec = evalContext(ctx)
	a.cache = map[string]scalar.Scalar{}
	return a.input.Open(ctx)
}

func (a *Apply) Close() error { return a.input.Close() }

func (a *Apply) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := a.input.Next(ctx)
	if err != nil || rec == nil {
		return nil, err
	}
	var leftArr arrow.Array
	if a.spec.Left != nil {
		if leftArr, err = a.spec.Left.Eval(a.ec, rec); err != nil {
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
		outer, err := outerValues(rec, i, a.spec.Outer, &key)
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
	col, err := buildArray(a.spec.Schema.Field(a.spec.Schema.NumFields()-1).Type, vals)
	if err != nil {
		return nil, err
	}
	cols := append(append([]arrow.Array(nil), rec.Columns()...), col)
	return array.NewRecordBatch(a.spec.Schema, cols, rec.NumRows()), nil
}

// outerValues reads the outer values of row i of rec (nil for -1) and
// writes them to key, for caching by them.
func outerValues(rec arrow.RecordBatch, i int, pos []int, key *strings.Builder) ([]scalar.Scalar, error) {
	out := make([]scalar.Scalar, len(pos))
	for j, p := range pos {
		if p < 0 {
			continue
		}
		sc, err := scalar.GetScalar(rec.Column(p), i)
		if err != nil {
			return nil, err
		}
		out[j] = sc
		key.WriteString(sc.String())
		key.WriteByte(0)
		key.WriteString(boolStr(sc.IsValid()))
		key.WriteByte(1)
	}
	return out, nil
}

func boolStr(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

func (a *Apply) evalSub(ctx context.Context, outer []scalar.Scalar, lv scalar.Scalar) (scalar.Scalar, error) {
	op, err := a.spec.Sub(ctx, outer)
	if err != nil {
		return nil, err
	}
	if err := op.Open(ctx); err != nil {
		op.Close()
		return nil, err
	}
	defer op.Close()
	switch a.spec.Kind {
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
			return scalar.MakeNullScalar(a.spec.Schema.Field(a.spec.Schema.NumFields() - 1).Type), nil
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
	cmp, err := expr.BindOperator(a.spec.Op, []expr.Expr{expr.NewLiteral(lv), expr.NewColumn(0, op.Schema().Field(0).Type, "x")})
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
			if bools.Value(r) != a.spec.All {
				// ANY found a true, or ALL found a false.
				return scalar.NewBooleanScalar(!a.spec.All), nil
			}
		}
	}
	if sawNull {
		return scalar.MakeNullScalar(types.Bool), nil
	}
	return scalar.NewBooleanScalar(a.spec.All), nil
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
