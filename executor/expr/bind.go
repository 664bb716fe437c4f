package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

type scalarFloat64 = scalar.Float64

func defaultMem() memory.Allocator { return memory.DefaultAllocator }

var oneRow = array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)

func scalarAt(a arrow.Array, i int) (scalar.Scalar, error) { return scalar.GetScalar(a, i) }

// numericRank orders the numeric types for implicit promotion.
func numericRank(t arrow.DataType) int {
	switch t.ID() {
	case arrow.INT16:
		return 1
	case arrow.INT32:
		return 2
	case arrow.INT64:
		return 3
	case arrow.DECIMAL128:
		return 4
	case arrow.FLOAT32:
		return 5
	case arrow.FLOAT64:
		return 6
	}
	return 0
}

func temporalRank(t arrow.DataType) int {
	switch {
	case t.ID() == arrow.DATE32:
		return 1
	case t.ID() == arrow.TIMESTAMP && !types.IsTimestampTZ(t):
		return 2
	case types.IsTimestampTZ(t):
		return 3
	}
	return 0
}

// CommonType resolves the type values of several branches share
// (UNION, CASE, VALUES, IN, COALESCE), following PostgreSQL: unknown
// literals take the others' type, numbers promote, dates promote to
// timestamps; anything else must match exactly (42804).
func CommonType(ts []arrow.DataType, unknown []bool) (arrow.DataType, error) {
	var out arrow.DataType
	for i, t := range ts {
		if (i < len(unknown) && unknown[i]) || t.ID() == arrow.NULL {
			continue
		}
		if out == nil {
			out = t
			continue
		}
		if types.Equal(out, t) {
			continue
		}
		switch {
		case numericRank(out) > 0 && numericRank(t) > 0:
			out = promoteNumeric(out, t)
		case temporalRank(out) > 0 && temporalRank(t) > 0:
			if temporalRank(t) > temporalRank(out) {
				out = t
			}
		case types.IsString(out) && types.IsString(t):
		case out.ID() == arrow.LIST && t.ID() == arrow.LIST:
			// Arrays meet at their elements' common type (int[] and
			// bigint[] give bigint[]), as PostgreSQL coerces arrays.
			e, err := CommonType([]arrow.DataType{out.(*arrow.ListType).Elem(), t.(*arrow.ListType).Elem()}, nil)
			if err != nil {
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "types %s and %s cannot be matched", types.Name(out), types.Name(t))
			}
			out = types.List(e)
		default:
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "types %s and %s cannot be matched", types.Name(out), types.Name(t))
		}
	}
	if out == nil {
		for i, t := range ts {
			if i < len(unknown) && unknown[i] {
				return types.String, nil
			}
			_ = t
		}
		if len(ts) > 0 {
			return ts[0], nil
		}
		return types.String, nil
	}
	return out, nil
}

// promoteNumeric is the common type of two numeric types.
func promoteNumeric(a, b arrow.DataType) arrow.DataType {
	if types.IsDecimal(a) && types.IsDecimal(b) {
		da, db := a.(*arrow.Decimal128Type), b.(*arrow.Decimal128Type)
		s := max(da.Scale, db.Scale)
		ip := max(da.Precision-da.Scale, db.Precision-db.Scale)
		return types.Decimal(min(ip+s, types.MaxDecimalPrecision), s)
	}
	if numericRank(a) >= numericRank(b) {
		if types.IsDecimal(a) && types.IsInteger(b) {
			return widenDecimalFor(a.(*arrow.Decimal128Type), b)
		}
		return a
	}
	if types.IsDecimal(b) && types.IsInteger(a) {
		return widenDecimalFor(b.(*arrow.Decimal128Type), a)
	}
	return b
}

func widenDecimalFor(d *arrow.Decimal128Type, intType arrow.DataType) arrow.DataType {
	digits := map[arrow.Type]int32{arrow.INT16: 5, arrow.INT32: 10, arrow.INT64: 19}[intType.ID()]
	ip := max(d.Precision-d.Scale, digits)
	return types.Decimal(min(ip+d.Scale, types.MaxDecimalPrecision), d.Scale)
}

// coerce casts e to t if needed (implicitly).
func coerce(e Expr, t arrow.DataType) (Expr, error) {
	if types.Equal(e.Type(), t) && !IsUnknownLiteral(e) {
		return e, nil
	}
	return NewCast(e, t)
}

// unify casts all args to their common type.
func unify(args []Expr) ([]Expr, arrow.DataType, error) {
	ts := make([]arrow.DataType, len(args))
	unk := make([]bool, len(args))
	for i, a := range args {
		ts[i] = a.Type()
		unk[i] = IsUnknownLiteral(a)
	}
	t, err := CommonType(ts, unk)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Expr, len(args))
	for i, a := range args {
		c, err := coerce(a, t)
		if err != nil {
			return nil, nil, err
		}
		out[i] = c
	}
	return out, t, nil
}

// NewCase builds a CASE whose branches share one type.
func NewCase(whens []When, els Expr) (Expr, error) {
	var results []Expr
	for i := range whens {
		c, err := coerce(whens[i].Cond, types.Bool)
		if err != nil {
			return nil, err
		}
		if c.Type().ID() != arrow.BOOL {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of CASE/WHEN must be type boolean, not type %s", types.Name(whens[i].Cond.Type()))
		}
		whens[i].Cond = c
		results = append(results, whens[i].Then)
	}
	if els != nil {
		results = append(results, els)
	}
	unified, t, err := unify(results)
	if err != nil {
		if se, ok := err.(*sqlerr.Error); ok {
			se.Message = "CASE " + se.Message
		}
		return nil, err
	}
	for i := range whens {
		whens[i].Then = unified[i]
	}
	if els != nil {
		els = unified[len(unified)-1]
	}
	return &Case{Whens: whens, Else: els, Ret: t}, nil
}

// NewCoalesce builds COALESCE over args of one common type.
func NewCoalesce(args []Expr) (Expr, error) {
	if len(args) == 0 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "COALESCE needs arguments")
	}
	unified, t, err := unify(args)
	if err != nil {
		if se, ok := err.(*sqlerr.Error); ok {
			se.Message = "COALESCE " + se.Message
		}
		return nil, err
	}
	if len(unified) == 1 {
		return unified[0], nil
	}
	return &Coalesce{Args: unified, Ret: t}, nil
}

// NewInList builds e [NOT] IN (list) with SQL's NULL semantics.
func NewInList(e Expr, list []Expr, negated bool) (Expr, error) {
	all, _, err := unify(append([]Expr{e}, list...))
	if err != nil {
		return nil, err
	}
	if len(all[0].Children()) > 0 && len(list) > 1 && !IsVolatile(all[0]) {
		// A computed left side is evaluated once, not once per item.
		return newInList(all[0], all[1:], negated)
	}
	var out Expr
	for _, x := range all[1:] {
		eq, err := BindOperator("=", []Expr{all[0], x})
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = eq
		} else if out, err = BindOperator("or", []Expr{out, eq}); err != nil {
			return nil, err
		}
	}
	if negated {
		return BindOperator("not", []Expr{out})
	}
	return out, nil
}

// Fold evaluates a constant expression into a literal.
func Fold(e Expr, ec *Context) (Expr, error) {
	if _, ok := e.(*Literal); ok {
		return e, nil
	}
	if IsVolatile(e) || hasColumn(e) {
		return e, nil
	}
	arr, err := e.Eval(ec, oneRow)
	if err != nil {
		return nil, err
	}
	sc, err := scalarAt(arr, 0)
	if err != nil {
		return e, nil
	}
	return &Literal{Value: sc}, nil
}

func hasColumn(e Expr) bool {
	if _, ok := e.(*Column); ok {
		return true
	}
	switch e.(type) {
	case *Literal, *Call, *Cast, *Case, *Coalesce:
	default:
		return true // unknown node kinds (planner's) are not constant
	}
	for _, c := range e.Children() {
		if hasColumn(c) {
			return true
		}
	}
	return false
}

// IsVolatile reports whether e calls a function whose value changes per
// call (random()).
func IsVolatile(e Expr) bool {
	if c, ok := e.(*Call); ok && c.volatile {
		return true
	}
	for _, k := range e.Children() {
		if IsVolatile(k) {
			return true
		}
	}
	return false
}
