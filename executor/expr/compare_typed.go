package expr

import (
	"bytes"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// compareTyped evaluates a comparison of two arrays of the same type with
// a loop specialised for that type and operator; either side may be a
// constant (one row standing for all n). It reports false for types it
// has no loop for.
func compareTyped(op string, a, b arrow.Array, n int, out []bool) bool {
	as, bs := stride(a, n), stride(b, n)
	switch x := a.(type) {
	case *array.Int64:
		cmpOrdered(op, x.Int64Values(), b.(*array.Int64).Int64Values(), as, bs, out)
	case *array.Int32:
		cmpOrdered(op, x.Int32Values(), b.(*array.Int32).Int32Values(), as, bs, out)
	case *array.Int16:
		cmpOrdered(op, x.Int16Values(), b.(*array.Int16).Int16Values(), as, bs, out)
	case *array.Date32:
		cmpOrdered(op, x.Date32Values(), b.(*array.Date32).Date32Values(), as, bs, out)
	case *array.Timestamp:
		cmpOrdered(op, x.TimestampValues(), b.(*array.Timestamp).TimestampValues(), as, bs, out)
	case *array.Time64:
		cmpOrdered(op, x.Time64Values(), b.(*array.Time64).Time64Values(), as, bs, out)
	case *array.Float64:
		xs, ys := x.Float64Values(), b.(*array.Float64).Float64Values()
		if hasNaN(xs) || hasNaN(ys) {
			return false // NaN sorts above everything: the generic path knows
		}
		cmpOrdered(op, xs, ys, as, bs, out)
	case *array.Decimal128:
		cmpDecimal(op, x.Values(), b.(*array.Decimal128).Values(), as, bs, out)
	case *array.String:
		xo, xb := stringData(x)
		yo, yb := stringData(b.(*array.String))
		cmpStrings(op, xo, xb, yo, yb, as, bs, out)
	default:
		return false
	}
	return true
}

func hasNaN(xs []float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) {
			return true
		}
	}
	return false
}

type ordered interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// cmpOrdered compares x[i*xs] with y[i*ys] for every row: a stride of 0
// repeats a constant's single value.
func cmpOrdered[T ordered](op string, x, y []T, xs, ys int, out []bool) {
	switch op {
	case "=":
		for i := range out {
			out[i] = x[i*xs] == y[i*ys]
		}
	case "<>":
		for i := range out {
			out[i] = x[i*xs] != y[i*ys]
		}
	case "<":
		for i := range out {
			out[i] = x[i*xs] < y[i*ys]
		}
	case "<=":
		for i := range out {
			out[i] = x[i*xs] <= y[i*ys]
		}
	case ">":
		for i := range out {
			out[i] = x[i*xs] > y[i*ys]
		}
	case ">=":
		for i := range out {
			out[i] = x[i*xs] >= y[i*ys]
		}
	}
}

func cmpDecimal(op string, x, y []decimal128.Num, xs, ys int, out []bool) {
	switch op {
	case "=":
		for i := range out {
			out[i] = x[i*xs] == y[i*ys]
		}
	case "<>":
		for i := range out {
			out[i] = x[i*xs] != y[i*ys]
		}
	case "<":
		for i := range out {
			out[i] = decLess(x[i*xs], y[i*ys])
		}
	case "<=":
		for i := range out {
			out[i] = !decLess(y[i*ys], x[i*xs])
		}
	case ">":
		for i := range out {
			out[i] = decLess(y[i*ys], x[i*xs])
		}
	case ">=":
		for i := range out {
			out[i] = !decLess(x[i*xs], y[i*ys])
		}
	}
}

// decLess reports a < b for two's complement 128-bit values.
func decLess(a, b decimal128.Num) bool {
	ah, bh := a.HighBits(), b.HighBits()
	return ah < bh || ah == bh && a.LowBits() < b.LowBits()
}

func cmpStrings(op string, xo []int32, xb []byte, yo []int32, yb []byte, xs, ys int, out []bool) {
	for i := range out {
		j, k := i*xs, i*ys
		out[i] = cmpResult(op, bytes.Compare(xb[xo[j]:xo[j+1]], yb[yo[k]:yo[k+1]]))
	}
}
