package expr

import (
	"math"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

var errDivZero = sqlerr.New(sqlerr.DivisionByZero, "division by zero")

// arithType is the result type of a numeric operator over (already unified) operands.
func arithType(op string, a, b arrow.DataType) arrow.DataType {
	if !types.IsDecimal(a) {
		return a
	}
	da, db := a.(*arrow.Decimal128Type), b.(*arrow.Decimal128Type)
	switch op {
	case "*":
		s := da.Scale + db.Scale
		if s > 30 {
			s = max(da.Scale, db.Scale, 16)
		}
		return types.Decimal(types.MaxDecimalPrecision, s)
	case "/":
		return types.Decimal(types.MaxDecimalPrecision, divScale(da.Scale, db.Scale))
	}
	s := max(da.Scale, db.Scale)
	return types.Decimal(min(max(da.Precision-da.Scale, db.Precision-db.Scale)+s+1, types.MaxDecimalPrecision), s)
}

// divScale approximates PostgreSQL's select_div_scale: at least 16
// significant digits, and never fewer fraction digits than the operands.
func divScale(sa, sb int32) int32 { return max(sa, sb, 16) }

// arithKernel returns the kernel for op over operands of type t (unified).
func arithKernel(op string, t, ret arrow.DataType) kernel {
	switch {
	case types.IsInteger(t):
		lo, hi := intRange(ret)
		return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
			a, b := int64s(args[0]), int64s(args[1])
			v := valid(n, args[0], args[1])
			out := make([]int64, n)
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					continue
				}
				x, y := a[i], b[i]
				var r int64
				switch op {
				case "+":
					r = x + y
					if (r > x) != (y > 0) {
						return nil, rangeErr(ret)
					}
				case "-":
					r = x - y
					if (r < x) != (y > 0) {
						return nil, rangeErr(ret)
					}
				case "*":
					if x != 0 && y != 0 {
						hiBits, loBits := mulCheck(x, y)
						if !hiBits {
							return nil, rangeErr(ret)
						}
						r = loBits
					}
				case "/":
					if y == 0 {
						return nil, errDivZero
					}
					if x == math.MinInt64 && y == -1 {
						return nil, rangeErr(ret)
					}
					r = x / y
				case "%":
					if y == 0 {
						return nil, errDivZero
					}
					if y == -1 {
						r = 0
					} else {
						r = x % y
					}
				}
				if r < lo || r > hi {
					return nil, rangeErr(ret)
				}
				out[i] = r
			}
			return newIntArray(ec.Mem, ret, out, v), nil
		}
	case types.IsFloat(t):
		return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
			a, b := float64s(args[0]), float64s(args[1])
			v := valid(n, args[0], args[1])
			out := make([]float64, n)
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					continue
				}
				x, y := a[i], b[i]
				var r float64
				switch op {
				case "+":
					r = x + y
				case "-":
					r = x - y
				case "*":
					r = x * y
				case "/":
					if y == 0 {
						return nil, errDivZero
					}
					r = x / y
				case "%":
					if y == 0 {
						return nil, errDivZero
					}
					r = math.Mod(x, y)
				}
				if math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
				}
				out[i] = r
			}
			return newFloatArray(ec.Mem, ret, out, v), nil
		}
	case types.IsDecimal(t):
		sa := t.(*arrow.Decimal128Type).Scale
		rt := ret.(*arrow.Decimal128Type)
		return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
			a, b := args[0].(*array.Decimal128), args[1].(*array.Decimal128)
			v := valid(n, a, b)
			out := make([]decimal128.Num, n)
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					continue
				}
				x, y := a.Value(i), b.Value(i)
				var r decimal128.Num
				switch op {
				case "+":
					r = x.Add(y).IncreaseScaleBy(rt.Scale - sa)
				case "-":
					r = x.Sub(y).IncreaseScaleBy(rt.Scale - sa)
				case "*":
					p := new(big.Int).Mul(x.BigInt(), y.BigInt())
					// p has scale 2*sa; bring it to rt.Scale.
					d, err := text.RatToDecimal(new(big.Rat).SetFrac(p, pow10(2*sa)), rt.Precision, rt.Scale)
					if err != nil {
						return nil, err
					}
					r = d
				case "/", "%":
					if y.Sign() == 0 {
						return nil, errDivZero
					}
					if op == "%" {
						_, rem := new(big.Int).QuoRem(x.BigInt(), y.BigInt(), new(big.Int))
						r = decimal128.FromBigInt(rem).IncreaseScaleBy(rt.Scale - sa)
						break
					}
					q := new(big.Rat).SetFrac(x.BigInt(), y.BigInt())
					d, err := text.RatToDecimal(q, rt.Precision, rt.Scale)
					if err != nil {
						return nil, err
					}
					r = d
				}
				if !r.FitsInPrecision(rt.Precision) {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")
				}
				out[i] = r
			}
			bld := array.NewDecimal128Builder(ec.Mem, rt)
			bld.AppendValues(out, v)
			return bld.NewArray(), nil
		}
	}
	return nil
}

func pow10(n int32) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// mulCheck multiplies with overflow detection (ok false on overflow).
func mulCheck(x, y int64) (bool, int64) {
	r := x * y
	if x == -1 && y == math.MinInt64 || y == -1 && x == math.MinInt64 {
		return false, 0
	}
	if r/y != x {
		return false, 0
	}
	return true, r
}

func negKernel(t arrow.DataType) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[0]
		v := valid(n, a)
		switch {
		case types.IsInteger(t):
			lo, _ := intRange(t)
			x := int64s(a)
			out := make([]int64, n)
			for i := range out {
				if isValid(v, i) && x[i] == lo {
					return nil, rangeErr(t)
				}
				out[i] = -x[i]
			}
			return newIntArray(ec.Mem, t, out, v), nil
		case types.IsFloat(t):
			x := float64s(a)
			out := make([]float64, n)
			for i := range out {
				out[i] = -x[i]
			}
			return newFloatArray(ec.Mem, t, out, v), nil
		case types.IsDecimal(t):
			d := a.(*array.Decimal128)
			out := make([]decimal128.Num, n)
			for i := range out {
				out[i] = d.Value(i).Negate()
			}
			b := array.NewDecimal128Builder(ec.Mem, t.(*arrow.Decimal128Type))
			b.AppendValues(out, v)
			return b.NewArray(), nil
		case t.ID() == arrow.INTERVAL_MONTH_DAY_NANO:
			iv := a.(*array.MonthDayNanoInterval)
			b := array.NewMonthDayNanoIntervalBuilder(ec.Mem)
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					b.AppendNull()
					continue
				}
				x := iv.Value(i)
				b.Append(arrow.MonthDayNanoInterval{Months: -x.Months, Days: -x.Days, Nanoseconds: -x.Nanoseconds})
			}
			return b.NewArray(), nil
		}
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: - %s", types.Name(t))
	}
}

// decimalResult is the type of a * b, a / b or a % b over numerics.
func decimalResult(op string, a, b *arrow.Decimal128Type) arrow.DataType {
	switch op {
	case "*":
		s := a.Scale + b.Scale
		if s > 30 {
			s = max(a.Scale, b.Scale, 16)
		}
		return types.Decimal(types.MaxDecimalPrecision, s)
	case "/":
		return types.Decimal(types.MaxDecimalPrecision, divScale(a.Scale, b.Scale))
	}
	return types.Decimal(types.MaxDecimalPrecision, max(a.Scale, b.Scale))
}

// decimalKernel computes a * b, a / b or a % b exactly, rounding the
// result half away from zero to ret's scale.
func decimalKernel(op string, sa, sb int32, ret *arrow.Decimal128Type) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		a, b := args[0].(*array.Decimal128), args[1].(*array.Decimal128)
		v := valid(n, a, b)
		out := make([]decimal128.Num, n)
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				continue
			}
			x, y := a.Value(i), b.Value(i)
			var r *big.Rat
			switch op {
			case "*":
				if sa+sb == ret.Scale {
					p := x.Mul(y)
					// Fast path when the product fits (checked by dividing back).
					if y.Sign() != 0 {
						if q, _ := p.Div(y); q == x && p.FitsInPrecision(ret.Precision) {
							out[i] = p
							continue
						}
					}
				}
				r = new(big.Rat).SetFrac(new(big.Int).Mul(x.BigInt(), y.BigInt()), pow10(sa+sb))
			case "/":
				if y.Sign() == 0 {
					return nil, errDivZero
				}
				r = new(big.Rat).SetFrac(new(big.Int).Mul(x.BigInt(), pow10(sb)), new(big.Int).Mul(y.BigInt(), pow10(sa)))
			case "%":
				if y.Sign() == 0 {
					return nil, errDivZero
				}
				s := max(sa, sb)
				xb := new(big.Int).Mul(x.BigInt(), pow10(s-sa))
				yb := new(big.Int).Mul(y.BigInt(), pow10(s-sb))
				_, rem := new(big.Int).QuoRem(xb, yb, new(big.Int))
				r = new(big.Rat).SetFrac(rem, pow10(s))
			}
			d, err := text.RatToDecimal(r, ret.Precision, ret.Scale)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		bld := array.NewDecimal128Builder(ec.Mem, ret)
		bld.AppendValues(out, v)
		return bld.NewArray(), nil
	}
}
