package expr

import (
	"bytes"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/types"
)

// cmpFunc compares row i of a with row j of b: -1, 0, 1.
type cmpFunc func(i, j int) int

// comparer builds a typed comparison between two arrays of the same type.
func comparer(a, b arrow.Array) cmpFunc {
	switch x := a.(type) {
	case *array.String:
		y := b.(*array.String)
		return func(i, j int) int { return bytes.Compare([]byte(x.Value(i)), []byte(y.Value(j))) }
	case *array.Binary:
		y := b.(*array.Binary)
		return func(i, j int) int { return bytes.Compare(x.Value(i), y.Value(j)) }
	case *array.Float64, *array.Float32:
		xf, yf := float64s(a), float64s(b)
		return func(i, j int) int { return cmpFloat(xf[i], yf[j]) }
	case *array.Decimal128:
		y := b.(*array.Decimal128)
		return func(i, j int) int { return x.Value(i).Cmp(y.Value(j)) }
	case *array.Boolean:
		y := b.(*array.Boolean)
		return func(i, j int) int {
			p, q := x.Value(i), y.Value(j)
			switch {
			case p == q:
				return 0
			case !p:
				return -1
			}
			return 1
		}
	case *array.MonthDayNanoInterval:
		y := b.(*array.MonthDayNanoInterval)
		return func(i, j int) int { return cmpInt(intervalKey(x.Value(i)), intervalKey(y.Value(j))) }
	case *array.List:
		y := b.(*array.List)
		return func(i, j int) int {
			xs, xe := x.ValueOffsets(i)
			ys, ye := y.ValueOffsets(j)
			c := comparer(x.ListValues(), y.ListValues())
			for k := int64(0); xs+k < xe && ys+k < ye; k++ {
				if r := c(int(xs+k), int(ys+k)); r != 0 {
					return r
				}
			}
			return cmpInt(xe-xs, ye-ys)
		}
	case *array.Null:
		return func(i, j int) int { return 0 }
	}
	xi, yi := int64s(a), int64s(b)
	return func(i, j int) int { return cmpInt(xi[i], yi[j]) }
}

// intervalKey orders intervals as PostgreSQL does (a month is 30 days).
func intervalKey(v arrow.MonthDayNanoInterval) int64 {
	return int64(v.Months)*30*86400e6 + int64(v.Days)*86400e6 + v.Nanoseconds/1000
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders floats with NaN equal to itself and above everything.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareKernel evaluates a comparison operator over unified operands.
func compareKernel(op string) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		a, b := args[0], args[1]
		out := make([]bool, n)
		var c cmpFunc
		if op == "<=>" || op == "is_distinct" {
			a, b = expand(ec, a, n), expand(ec, b, n)
			c = comparer(a, b)
			for i := 0; i < n; i++ {
				an, bn := a.IsNull(i), b.IsNull(i)
				var eq bool
				switch {
				case an && bn:
					eq = true
				case an || bn:
					eq = false
				default:
					eq = c(i, i) == 0
				}
				out[i] = eq == (op == "<=>")
			}
			return newBoolArray(ec.Mem, out, nil), nil
		}
		nulls := argNulls(n, a, b)
		if compareTyped(op, a, b, n, out) {
			return boolArray(out, nulls), nil
		}
		a, b = expand(ec, a, n), expand(ec, b, n)
		c = comparer(a, b)
		for i := 0; i < n; i++ {
			if !validBit(nulls, i) {
				continue
			}
			out[i] = cmpResult(op, c(i, i))
		}
		return boolArray(out, nulls), nil
	}
}

// cmpResult turns a three-way comparison into op's answer.
func cmpResult(op string, r int) bool {
	switch op {
	case "=":
		return r == 0
	case "<>":
		return r != 0
	case "<":
		return r < 0
	case "<=":
		return r <= 0
	case ">":
		return r > 0
	case ">=":
		return r >= 0
	}
	return false
}

// andKernel / orKernel implement three-valued logic over whole arrays.
func logicKernel(isAnd bool) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		a, b := args[0].(*array.Boolean), args[1].(*array.Boolean)
		out := make([]bool, n)
		v := make([]bool, n)
		anyNull := false
		for i := 0; i < n; i++ {
			an, bn := a.IsNull(i), b.IsNull(i)
			av, bv := !an && a.Value(i), !bn && b.Value(i)
			if isAnd {
				switch {
				case !an && !av, !bn && !bv:
					out[i], v[i] = false, true
				case an || bn:
					v[i] = false
				default:
					out[i], v[i] = true, true
				}
			} else {
				switch {
				case av || bv:
					out[i], v[i] = true, true
				case an || bn:
					v[i] = false
				default:
					out[i], v[i] = false, true
				}
			}
			if !v[i] {
				anyNull = true
			}
		}
		if !anyNull {
			v = nil
		}
		return newBoolArray(ec.Mem, out, v), nil
	}
}

func notKernel(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
	a := args[0].(*array.Boolean)
	out := make([]bool, n)
	for i := range out {
		out[i] = !a.Value(i)
	}
	return newBoolArray(ec.Mem, out, valid(n, a)), nil
}

func isNullKernel(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
	out := make([]bool, n)
	// arrow's NullArray has no validity bitmap, so IsNull reports false.
	allNull := args[0].DataType().ID() == arrow.NULL
	for i := range out {
		out[i] = allNull || args[0].IsNull(i)
	}
	return newBoolArray(ec.Mem, out, nil), nil
}

func isNotNullKernel(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
	out := make([]bool, n)
	allNull := args[0].DataType().ID() == arrow.NULL
	for i := range out {
		out[i] = !allNull && args[0].IsValid(i)
	}
	return newBoolArray(ec.Mem, out, nil), nil
}

// truthKernel implements IS [NOT] TRUE/FALSE.
func truthKernel(want, negate bool) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[0].(*array.Boolean)
		out := make([]bool, n)
		for i := range out {
			r := a.IsValid(i) && a.Value(i) == want
			out[i] = r != negate
		}
		return newBoolArray(ec.Mem, out, nil), nil
	}
}

var _ = types.Bool
