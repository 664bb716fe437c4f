package expr

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/decimal"
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
		return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
			nulls := argNulls(n, args...)
			as, bs := stride(args[0], n), stride(args[1], n)
			switch x := args[0].(type) {
			case *array.Int64:
				return intArith(op, ret, x.Int64Values(), args[1].(*array.Int64).Int64Values(), as, bs, n, nulls)
			case *array.Int32:
				return intArith(op, ret, x.Int32Values(), args[1].(*array.Int32).Int32Values(), as, bs, n, nulls)
			case *array.Int16:
				return intArith(op, ret, x.Int16Values(), args[1].(*array.Int16).Int16Values(), as, bs, n, nulls)
			}
			return nil, sqlerr.New(sqlerr.InternalError, "integer arithmetic on %s", args[0].DataType())
		}
	case types.IsFloat(t):
		return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
			nulls := argNulls(n, args...)
			as, bs := stride(args[0], n), stride(args[1], n)
			switch x := args[0].(type) {
			case *array.Float64:
				return floatArith(op, ret, x.Float64Values(), args[1].(*array.Float64).Float64Values(), as, bs, n, nulls)
			case *array.Float32:
				return floatArith(op, ret, x.Float32Values(), args[1].(*array.Float32).Float32Values(), as, bs, n, nulls)
			}
			return nil, sqlerr.New(sqlerr.InternalError, "float arithmetic on %s", args[0].DataType())
		}
	case types.IsDecimal(t):
		sa := t.(*arrow.Decimal128Type).Scale
		return decimalKernel(op, sa, sa, ret.(*arrow.Decimal128Type))
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

type integer interface{ ~int16 | ~int32 | ~int64 }

// intArith computes x op y row by row (strides as in cmpOrdered) in
// int64 with overflow checks against ret's range; rows NULL in either
// operand are skipped by the checks (their slots hold anything).
func intArith[T integer](op string, ret arrow.DataType, x, y []T, xs, ys, n int, nulls *memory.Buffer) (arrow.Array, error) {
	lo, hi := intRange(ret)
	out := make([]T, n)
	bad := -1 // first row whose result is out of range or divides by zero
	switch op {
	case "+":
		for i := range out {
			a, b := int64(x[i*xs]), int64(y[i*ys])
			r := a + b
			if (r > a) != (b > 0) || r < lo || r > hi {
				if bad < 0 && validBit(nulls, i) {
					bad = i
				}
			}
			out[i] = T(r)
		}
	case "-":
		for i := range out {
			a, b := int64(x[i*xs]), int64(y[i*ys])
			r := a - b
			if (r < a) != (b > 0) || r < lo || r > hi {
				if bad < 0 && validBit(nulls, i) {
					bad = i
				}
			}
			out[i] = T(r)
		}
	case "*":
		for i := range out {
			a, b := int64(x[i*xs]), int64(y[i*ys])
			h, l := bits.Mul64(uint64(a), uint64(b))
			hs := int64(h)
			if a < 0 {
				hs -= b
			}
			if b < 0 {
				hs -= a
			}
			r := int64(l)
			if hs != r>>63 || r < lo || r > hi {
				if bad < 0 && validBit(nulls, i) {
					bad = i
				}
			}
			out[i] = T(r)
		}
	case "/", "%":
		for i := range out {
			a, b := int64(x[i*xs]), int64(y[i*ys])
			if b == 0 || (op == "/" && a == math.MinInt64 && b == -1) {
				if validBit(nulls, i) {
					if b == 0 {
						return nil, errDivZero
					}
					return nil, rangeErr(ret)
				}
				continue
			}
			var r int64
			switch {
			case op == "%" && b == -1:
				r = 0
			case op == "%":
				r = a % b
			default:
				r = a / b
			}
			if (r < lo || r > hi) && bad < 0 && validBit(nulls, i) {
				bad = i
			}
			out[i] = T(r)
		}
	}
	if bad >= 0 {
		return nil, rangeErr(ret)
	}
	return fixedArray(ret, out, nulls), nil
}

type float interface{ ~float32 | ~float64 }

// floatArith computes x op y row by row; an infinite result from finite
// operands is an overflow error, as in PostgreSQL.
func floatArith[T float](op string, ret arrow.DataType, x, y []T, xs, ys, n int, nulls *memory.Buffer) (arrow.Array, error) {
	out := make([]T, n)
	switch op {
	case "+":
		for i := range out {
			out[i] = x[i*xs] + y[i*ys]
		}
	case "-":
		for i := range out {
			out[i] = x[i*xs] - y[i*ys]
		}
	case "*":
		for i := range out {
			out[i] = x[i*xs] * y[i*ys]
		}
	case "/", "%":
		for i := range out {
			a, b := x[i*xs], y[i*ys]
			if b == 0 {
				if validBit(nulls, i) {
					return nil, errDivZero
				}
				continue
			}
			if op == "/" {
				out[i] = a / b
			} else {
				out[i] = T(math.Mod(float64(a), float64(b)))
			}
		}
	}
	for i, r := range out {
		f := float64(r)
		if math.IsInf(f, 0) && validBit(nulls, i) && !math.IsInf(float64(x[i*xs]), 0) && !math.IsInf(float64(y[i*ys]), 0) {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
		}
		// A zero product or quotient of non-zero operands underflowed
		// (PostgreSQL's float8mul and float8div check this too).
		if f == 0 && (op == "*" || op == "/") && validBit(nulls, i) && x[i*xs] != 0 && (op == "/" || y[i*ys] != 0) &&
			!math.IsInf(float64(y[i*ys]), 0) {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
		}
	}
	return fixedArray(ret, out, nulls), nil
}

// decimalKernel computes a op b over numerics of scales sa and sb exactly,
// rounding the result half away from zero to ret's scale (as PostgreSQL
// does), on 128-bit integers (see package decimal). Operands the 128-bit
// path cannot handle exactly fall back to math/big for that row.
func decimalKernel(op string, sa, sb int32, ret *arrow.Decimal128Type) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		x, y := decimals(args[0]), decimals(args[1])
		nulls := argNulls(n, args[0], args[1])
		xs, ys := stride(args[0], n), stride(args[1], n)
		out := make([]decimal128.Num, n)
		var err error
		switch op {
		case "+", "-":
			err = decimalAddSub(op == "-", x, y, xs, ys, sa, sb, ret, nulls, out)
		case "*":
			err = decimalMul(x, y, xs, ys, sa+sb, ret, nulls, out)
		case "/":
			err = decimalDiv(x, y, xs, ys, sa, sb, ret, nulls, out)
		case "%":
			err = decimalMod(x, y, xs, ys, sa, sb, ret, nulls, out)
		}
		if err != nil {
			return nil, err
		}
		return decimalArray(ret, out, nulls), nil
	}
}

var errNumericOverflow = sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")

// decimalAddSub computes x ± y with both brought to ret's scale.
//
// When both operands are at ret's scale (a constant is rescaled once, up
// front), rows whose operands are int64s take a fast lane: their sum
// cannot overflow 128 bits nor reach 10^38, and a NULL row's garbage is
// harmless there because nothing in the lane fails (an int64 overflow
// leaves the lane for the 128-bit path).
func decimalAddSub(sub bool, x, y []decimal128.Num, xs, ys int, sa, sb int32, ret *arrow.Decimal128Type, nulls *memory.Buffer, out []decimal128.Num) error {
	x, sa = rescaleConstant(x, xs, sa, ret.Scale)
	y, sb = rescaleConstant(y, ys, sb, ret.Scale)
	fast := sa == ret.Scale && sb == ret.Scale
	if fast && addSub64(sub, x, y, xs, ys, out) {
		return nil
	}
	for i := range out {
		if fast {
			a, b := x[i*xs], y[i*ys]
			if decimal.FitsInt64(a) && decimal.FitsInt64(b) {
				al, bl := int64(a.LowBits()), int64(b.LowBits())
				var r int64
				var overflow bool
				if sub {
					r = al - bl
					overflow = (al^bl)&(al^r) < 0
				} else {
					r = al + bl
					overflow = (al^r)&(bl^r) < 0
				}
				if !overflow { // else the 128-bit path below
					out[i] = decimal128.FromI64(r)
					continue
				}
			}
		}
		if !validBit(nulls, i) {
			continue
		}
		a, ok1 := decimal.Rescale(x[i*xs], sa, ret.Scale)
		b, ok2 := decimal.Rescale(y[i*ys], sb, ret.Scale)
		var r decimal128.Num
		var ok bool
		if sub {
			r, ok = decimal.Sub(a, b)
		} else {
			r, ok = decimal.Add(a, b)
		}
		if !ok || !ok1 || !ok2 || !decimal.Fits(r, ret.Precision) {
			return errNumericOverflow
		}
		out[i] = r
	}
	return nil
}

// addSub64 is decimalAddSub's fast lane for a whole batch at once: when
// every operand of every row is an int64 and no sum or difference
// overflows 64 bits, out holds the results and it returns true; else the
// caller goes row by row. The loop has no branch on the data (the checks
// are ORed together), so it runs at the speed of the additions. NULL
// rows' garbage can only send the batch to the slower path.
func addSub64(sub bool, x, y []decimal128.Num, xs, ys int, out []decimal128.Num) bool {
	var bad int64
	if sub {
		for i := range out {
			a, b := x[i*xs], y[i*ys]
			al, bl := int64(a.LowBits()), int64(b.LowBits())
			r := al - bl
			bad |= (a.HighBits() ^ al>>63) | (b.HighBits() ^ bl>>63) | ((al^bl)&(al^r))>>63
			out[i] = decimal128.New(r>>63, uint64(r))
		}
	} else {
		for i := range out {
			a, b := x[i*xs], y[i*ys]
			al, bl := int64(a.LowBits()), int64(b.LowBits())
			r := al + bl
			bad |= (a.HighBits() ^ al>>63) | (b.HighBits() ^ bl>>63) | ((al^r)&(bl^r))>>63
			out[i] = decimal128.New(r>>63, uint64(r))
		}
	}
	return bad == 0
}

// mul64 is decimalMul's fast lane for a whole batch (as addSub64): when
// every operand is an int64, out holds the exact 128-bit products
// (below 2^126, so below 10^38) and it returns true.
func mul64(x, y []decimal128.Num, xs, ys int, out []decimal128.Num) bool {
	var bad int64
	for i := range out {
		a, b := x[i*xs], y[i*ys]
		al, bl := int64(a.LowBits()), int64(b.LowBits())
		bad |= (a.HighBits() ^ al>>63) | (b.HighBits() ^ bl>>63)
		// The signed product from the unsigned one: subtract b from
		// the high word when a < 0, and a when b < 0.
		hi, lo := bits.Mul64(uint64(al), uint64(bl))
		hi -= uint64(al>>63&bl) + uint64(bl>>63&al)
		out[i] = decimal128.New(int64(hi), lo)
	}
	return bad == 0
}

// rescaleConstant brings a constant operand (stride 0) from scale s to
// scale to once, so that a per-row loop need not; a column, or a constant
// that does not rescale exactly, is returned as it is.
func rescaleConstant(x []decimal128.Num, stride int, s, to int32) ([]decimal128.Num, int32) {
	if stride != 0 || s == to || len(x) == 0 {
		return x, s
	}
	if r, ok := decimal.Rescale(x[0], s, to); ok {
		return []decimal128.Num{r}, to
	}
	return x, s
}

// decimalMul computes x * y; the exact product has scale ps.
//
// When the product needs no rounding, rows whose operands are int64s take
// a fast lane: decimal.MulInt64 is exact and below 10^38.
func decimalMul(x, y []decimal128.Num, xs, ys int, ps int32, ret *arrow.Decimal128Type, nulls *memory.Buffer, out []decimal128.Num) error {
	fast := ps == ret.Scale
	if fast && mul64(x, y, xs, ys, out) {
		return nil
	}
	for i := range out {
		if fast {
			a, b := x[i*xs], y[i*ys]
			if decimal.FitsInt64(a) && decimal.FitsInt64(b) {
				out[i] = decimal.MulInt64(int64(a.LowBits()), int64(b.LowBits()))
				continue
			}
		}
		if !validBit(nulls, i) {
			continue
		}
		p, ok := decimal.Mul(x[i*xs], y[i*ys])
		if ok {
			p, ok = decimal.Rescale(p, ps, ret.Scale)
		}
		if !ok {
			// Beyond 127 bits before rounding: exact arithmetic.
			r := new(big.Rat).SetFrac(new(big.Int).Mul(x[i*xs].BigInt(), y[i*ys].BigInt()), pow10(ps))
			d, err := text.RatToDecimal(r, ret.Precision, ret.Scale)
			if err != nil {
				return err
			}
			p = d
		}
		if !decimal.Fits(p, ret.Precision) {
			return errNumericOverflow
		}
		out[i] = p
	}
	return nil
}

// decimalDiv computes x / y rounded to ret's scale: x * 10^(rs+sb-sa) / y.
func decimalDiv(x, y []decimal128.Num, xs, ys int, sa, sb int32, ret *arrow.Decimal128Type, nulls *memory.Buffer, out []decimal128.Num) error {
	shift := ret.Scale + sb - sa
	for i := range out {
		if !validBit(nulls, i) {
			continue
		}
		if y[i*ys] == (decimal128.Num{}) {
			return errDivZero
		}
		var q decimal128.Num
		ok := shift >= 0 && shift <= 38
		if ok {
			var num decimal128.Num
			if num, ok = decimal.MulPow10(x[i*xs], shift); ok {
				q, ok = decimal.DivRound(num, y[i*ys])
			}
		}
		if !ok {
			r := new(big.Rat).SetFrac(new(big.Int).Mul(x[i*xs].BigInt(), pow10(sb)), new(big.Int).Mul(y[i*ys].BigInt(), pow10(sa)))
			d, err := text.RatToDecimal(r, ret.Precision, ret.Scale)
			if err != nil {
				return err
			}
			q = d
		}
		if !decimal.Fits(q, ret.Precision) {
			return errNumericOverflow
		}
		out[i] = q
	}
	return nil
}

// decimalMod computes the remainder of x / y (sign of x), at scale
// max(sa, sb), brought to ret's scale.
func decimalMod(x, y []decimal128.Num, xs, ys int, sa, sb int32, ret *arrow.Decimal128Type, nulls *memory.Buffer, out []decimal128.Num) error {
	s := max(sa, sb)
	for i := range out {
		if !validBit(nulls, i) {
			continue
		}
		if y[i*ys] == (decimal128.Num{}) {
			return errDivZero
		}
		a, ok1 := decimal.Rescale(x[i*xs], sa, s)
		b, ok2 := decimal.Rescale(y[i*ys], sb, s)
		var r decimal128.Num
		ok := ok1 && ok2
		if ok {
			_, r, ok = decimal.DivTrunc(a, b)
		}
		if ok {
			r, ok = decimal.Rescale(r, s, ret.Scale)
		}
		if !ok {
			xb := new(big.Int).Mul(x[i*xs].BigInt(), pow10(s-sa))
			yb := new(big.Int).Mul(y[i*ys].BigInt(), pow10(s-sb))
			_, rem := new(big.Int).QuoRem(xb, yb, new(big.Int))
			d, err := text.RatToDecimal(new(big.Rat).SetFrac(rem, pow10(s)), ret.Precision, ret.Scale)
			if err != nil {
				return err
			}
			r = d
		}
		if !decimal.Fits(r, ret.Precision) {
			return errNumericOverflow
		}
		out[i] = r
	}
	return nil
}
