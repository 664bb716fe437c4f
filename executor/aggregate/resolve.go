package aggregate

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Resolve finds the aggregate name for argument types, with PostgreSQL's
// result types: count -> bigint; sum(int2/int4) -> bigint, sum(int8) and
// sum(numeric) -> numeric, sum(float) -> float8; avg(integer or numeric)
// -> numeric, avg(float) -> float8; min/max keep the type.
func Resolve(name string, argTypes []arrow.DataType) (*Func, error) {
	errf := func() error {
		parts := make([]string, len(argTypes))
		for i, t := range argTypes {
			parts[i] = types.Name(t)
		}
		return sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(parts, ", "))
	}
	one := func() (arrow.DataType, error) {
		if len(argTypes) != 1 {
			return nil, errf()
		}
		t := argTypes[0]
		if t.ID() == arrow.NULL {
			t = types.String
		}
		return t, nil
	}
	if f, ok := resolveRegr(name, argTypes); ok {
		return f, nil
	}
	if f, ok, err := resolveOrderedSet(name, argTypes); ok {
		if f == nil && err == nil {
			return nil, errf()
		}
		return f, err
	}
	switch name {
	case "count":
		if len(argTypes) > 1 {
			return nil, errf()
		}
		return &Func{Name: name, ArgTypes: argTypes, Ret: types.Int64, New: func() Accumulator { return &countAcc{star: len(argTypes) == 0} }}, nil
	case "sum":
		t, err := one()
		if err != nil {
			return nil, err
		}
		switch {
		case t.ID() == arrow.INT16 || t.ID() == arrow.INT32:
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: types.Int64, New: func() Accumulator { return &sumIntAcc{} }}, nil
		case t.ID() == arrow.INT64:
			ret := types.Decimal(types.MaxDecimalPrecision, 0)
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: ret, New: func() Accumulator { return &sumDecAcc{ret: ret, fromInt: true} }}, nil
		case types.IsDecimal(t):
			ret := types.Decimal(types.MaxDecimalPrecision, t.(*arrow.Decimal128Type).Scale)
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: ret, New: func() Accumulator { return &sumDecAcc{ret: ret} }}, nil
		case types.IsFloat(t):
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: t, New: func() Accumulator { return &sumFloatAcc{ret: t} }}, nil
		case t.ID() == arrow.INTERVAL_MONTH_DAY_NANO:
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: t, New: func() Accumulator { return &sumIntervalAcc{} }}, nil
		}
	case "avg":
		t, err := one()
		if err != nil {
			return nil, err
		}
		switch {
		case types.IsInteger(t):
			ret := types.Decimal(types.MaxDecimalPrecision, 16)
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: ret, New: func() Accumulator { return &avgAcc{ret: ret, kind: avgInt} }}, nil
		case types.IsDecimal(t):
			s := max(t.(*arrow.Decimal128Type).Scale, 16)
			ret := types.Decimal(types.MaxDecimalPrecision, s)
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: ret, New: func() Accumulator { return &avgAcc{ret: ret, kind: avgDec, inScale: t.(*arrow.Decimal128Type).Scale} }}, nil
		case types.IsFloat(t):
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: types.Float64, New: func() Accumulator { return &avgAcc{ret: types.Float64, kind: avgFloat} }}, nil
		case t.ID() == arrow.INTERVAL_MONTH_DAY_NANO:
			return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: t, New: func() Accumulator { return &avgIntervalAcc{} }}, nil
		}
	case "min", "max", "any_value":
		t, err := one()
		if err != nil {
			return nil, err
		}
		if t.ID() == arrow.STRUCT {
			return nil, errf()
		}
		return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: t, New: func() Accumulator { return &minMaxAcc{isMax: name == "max", any: name == "any_value", typ: t} }}, nil
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		t, err := one()
		if err != nil {
			return nil, err
		}
		if !types.IsNumeric(t) {
			return nil, errf()
		}
		ret := types.Float64
		if !types.IsFloat(t) {
			ret = types.Decimal(types.MaxDecimalPrecision, 16)
		}
		return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: ret, New: func() Accumulator { return &varAcc{kind: name, ret: ret} }}, nil
	case "string_agg", "group_concat":
		if len(argTypes) != 2 {
			if len(argTypes) == 1 {
				return &Func{Name: "string_agg", ArgTypes: []arrow.DataType{types.String}, Ret: types.String, New: func() Accumulator { return &stringAggAcc{defaultSep: ","} }}, nil
			}
			return nil, errf()
		}
		return &Func{Name: "string_agg", ArgTypes: []arrow.DataType{types.String, types.String}, Ret: types.String, New: func() Accumulator { return &stringAggAcc{} }}, nil
	case "bool_and", "bool_or", "every":
		if len(argTypes) != 1 || (argTypes[0].ID() != arrow.BOOL && argTypes[0].ID() != arrow.NULL) {
			return nil, errf()
		}
		return &Func{Name: name, ArgTypes: []arrow.DataType{types.Bool}, Ret: types.Bool, New: func() Accumulator { return &boolAcc{and: name != "bool_or"} }}, nil
	case "array_agg":
		t, err := one()
		if err != nil {
			return nil, err
		}
		return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: types.List(t), New: func() Accumulator { return &arrayAggAcc{elem: t} }}, nil
	case "bit_and", "bit_or", "bit_xor":
		t, err := one()
		if err != nil {
			return nil, err
		}
		if !types.IsInteger(t) {
			return nil, errf()
		}
		return &Func{Name: name, ArgTypes: []arrow.DataType{t}, Ret: t, New: func() Accumulator { return &bitAcc{op: name, typ: t} }}, nil
	}
	return nil, errf()
}

var ctxBackground = context.Background()
