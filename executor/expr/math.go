package expr

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// floatFunc binds a float8 -> float8 function.
func floatFunc(f func(float64) (float64, error)) binder {
	return fixed(types.Float64, func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		x := float64s(args[0])
		v := valid(n, args[0])
		out := make([]float64, n)
		for i := range out {
			if !isValid(v, i) {
				continue
			}
			r, err := f(x[i])
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return newFloatArray(ec.Mem, types.Float64, out, v), nil
	}, types.Float64)
}

func pure(f func(float64) float64) func(float64) (float64, error) {
	return func(x float64) (float64, error) { return f(x), nil }
}

func registerMath(r *Registry) {
	r.add(bindAbs, "abs")
	r.add(bindRound("round"), "round")
	r.add(bindRound("trunc"), "trunc", "truncate")
	r.add(bindRound("floor"), "floor")
	r.add(bindRound("ceil"), "ceil", "ceiling")
	r.add(floatFunc(func(x float64) (float64, error) {
		if x < 0 {
			return 0, sqlerr.New("2201F", "cannot take square root of a negative number")
		}
		return math.Sqrt(x), nil
	}), "sqrt")
	r.add(floatFunc(pure(math.Cbrt)), "cbrt")
	r.add(floatFunc(func(x float64) (float64, error) {
		r := math.Exp(x)
		if math.IsInf(r, 0) {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
		}
		return r, nil
	}), "exp")
	r.add(floatFunc(func(x float64) (float64, error) {
		if x == 0 {
			return 0, sqlerr.New("2201E", "cannot take logarithm of zero")
		}
		if x < 0 {
			return 0, sqlerr.New("2201E", "cannot take logarithm of a negative number")
		}
		return math.Log(x), nil
	}), "ln")
	r.add(bindLog, "log", "log10")
	r.add(floatFunc(pure(func(x float64) float64 { return x * 180 / math.Pi })), "degrees")
	r.add(floatFunc(pure(func(x float64) float64 { return x * math.Pi / 180 })), "radians")
	// The periodic functions are undefined at ±infinity (PostgreSQL: 22003).
	periodic := func(f func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) {
			if math.IsInf(x, 0) {
				return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "input is out of range")
			}
			return f(x), nil
		}
	}
	r.add(floatFunc(periodic(math.Sin)), "sin")
	r.add(floatFunc(periodic(math.Cos)), "cos")
	r.add(floatFunc(periodic(math.Tan)), "tan")
	r.add(floatFunc(func(x float64) (float64, error) {
		if x < -1 || x > 1 {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "input is out of range")
		}
		return math.Asin(x), nil
	}), "asin")
	r.add(floatFunc(func(x float64) (float64, error) {
		if x < -1 || x > 1 {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "input is out of range")
		}
		return math.Acos(x), nil
	}), "acos")
	r.add(floatFunc(pure(math.Atan)), "atan")
	r.add(floatFunc(pure(math.Sinh)), "sinh")
	r.add(floatFunc(pure(math.Cosh)), "cosh")
	r.add(floatFunc(pure(math.Tanh)), "tanh")
	r.add(floatFunc(pure(math.Asinh)), "asinh")
	r.add(floatFunc(func(x float64) (float64, error) {
		if x < 1 {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "input is out of range")
		}
		return math.Acosh(x), nil
	}), "acosh")
	r.add(floatFunc(func(x float64) (float64, error) {
		if x < -1 || x > 1 {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "input is out of range")
		}
		return math.Atanh(x), nil
	}), "atanh")
	r.add(floatFunc(periodic(func(x float64) float64 { return 1 / math.Tan(x) })), "cot")
	r.add(fixed(types.Float64, func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		y, x := float64s(args[0]), float64s(args[1])
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Atan2(y[i], x[i])
		}
		return newFloatArray(ec.Mem, types.Float64, out, valid(n, args...)), nil
	}, types.Float64, types.Float64), "atan2")
	r.add(func(name string, args []Expr) (Expr, error) {
		if len(args) != 0 {
			return nil, funcErr(name, args)
		}
		return &Call{Name: name, Ret: types.Float64, fn: func(ec *Context, _ []arrow.Array, n int) (arrow.Array, error) {
			return newFloatArray(ec.Mem, types.Float64, []float64{math.Pi}[:1:1][:min(n, 1)], nil), nil
		}}, nil
	}, "pi")
	r.add(func(name string, args []Expr) (Expr, error) {
		if len(args) != 0 {
			return nil, funcErr(name, args)
		}
		return &Call{Name: name, Ret: types.Float64, volatile: true, fn: func(ec *Context, _ []arrow.Array, n int) (arrow.Array, error) {
			out := make([]float64, n)
			for i := range out {
				out[i] = rand.Float64()
			}
			return newFloatArray(ec.Mem, types.Float64, out, nil), nil
		}}, nil
	}, "random")
	r.add(func(name string, args []Expr) (Expr, error) {
		if len(args) != 0 {
			return nil, funcErr(name, args)
		}
		// A version 4 (random) UUID as text (lakesql's uuid is text).
		return &Call{Name: name, Ret: types.String, volatile: true, fn: func(ec *Context, _ []arrow.Array, n int) (arrow.Array, error) {
			out := make([]string, n)
			var b [16]byte
			for i := range out {
				for k := 0; k < 16; k += 8 {
					binary.LittleEndian.PutUint64(b[k:], rand.Uint64())
				}
				b[6] = b[6]&0x0f | 0x40
				b[8] = b[8]&0x3f | 0x80
				h := hex.EncodeToString(b[:])
				out[i] = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
			}
			return newStringArray(ec.Mem, out, nil), nil
		}}, nil
	}, "gen_random_uuid")
	r.add(bindMath, "mod", "div", "sign", "gcd", "lcm")
	r.add(bindGreatest, "greatest", "least")
	r.add(bindNullIf, "nullif")
}

// pi must return one value per row.
func registerPi(r *Registry) {
	r.funcs["pi"] = func(name string, args []Expr) (Expr, error) {
		if len(args) != 0 {
			return nil, funcErr(name, args)
		}
		return &Call{Name: name, Ret: types.Float64, fn: func(ec *Context, _ []arrow.Array, n int) (arrow.Array, error) {
			out := make([]float64, n)
			for i := range out {
				out[i] = math.Pi
			}
			return newFloatArray(ec.Mem, types.Float64, out, nil), nil
		}}, nil
	}
}

func numericArg(name string, args []Expr, i int) (Expr, arrow.DataType, error) {
	a := args[i]
	if IsUnknownLiteral(a) {
		c, err := NewCast(a, types.Float64)
		return c, types.Float64, err
	}
	t := a.Type()
	if t.ID() == arrow.NULL {
		return NewNullLiteral(types.Float64), types.Float64, nil
	}
	if !types.IsNumeric(t) {
		return nil, nil, funcErr(name, args)
	}
	return a, t, nil
}

func bindAbs(name string, args []Expr) (Expr, error) {
	if len(args) != 1 {
		return nil, funcErr(name, args)
	}
	a, t, err := numericArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	return &Call{Name: name, Args: []Expr{a}, Ret: t, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		v := valid(n, x[0])
		switch {
		case types.IsInteger(t):
			lo, _ := intRange(t)
			iv := int64s(x[0])
			out := make([]int64, n)
			for i, y := range iv {
				if isValid(v, i) && y == lo {
					return nil, rangeErr(t)
				}
				if y < 0 {
					y = -y
				}
				out[i] = y
			}
			return newIntArray(ec.Mem, t, out, v), nil
		case types.IsFloat(t):
			fv := float64s(x[0])
			out := make([]float64, n)
			for i, y := range fv {
				out[i] = math.Abs(y)
			}
			return newFloatArray(ec.Mem, t, out, v), nil
		}
		d := x[0].(*array.Decimal128)
		out := make([]decimal128.Num, n)
		for i := range out {
			out[i] = d.Value(i).Abs()
		}
		b := array.NewDecimal128Builder(ec.Mem, t.(*arrow.Decimal128Type))
		b.AppendValues(out, v)
		return b.NewArray(), nil
	}}, nil
}

// bindRound handles round/trunc/floor/ceil for numeric (exact) and float.
func bindRound(kind string) binder {
	return func(name string, args []Expr) (Expr, error) {
		if len(args) < 1 || len(args) > 2 || (len(args) == 2 && (kind == "floor" || kind == "ceil")) {
			return nil, funcErr(name, args)
		}
		a, t, err := numericArg(name, args, 0)
		if err != nil {
			return nil, err
		}
		if types.IsInteger(t) {
			if len(args) == 1 {
				if kind == "floor" || kind == "ceil" {
					a, _ = NewCast(a, types.Float64)
					t = types.Float64
				} else {
					return a, nil
				}
			} else {
				a, _ = NewCast(a, types.Decimal(types.MaxDecimalPrecision, 0))
				t = a.Type()
			}
		}
		if len(args) == 2 && types.IsFloat(t) {
			if a, err = NewCast(a, types.Decimal(types.MaxDecimalPrecision, 16)); err != nil {
				return nil, err
			}
			t = a.Type()
		}
		call := []Expr{a}
		digits := int64(0)
		hasDigits := false
		if len(args) == 2 {
			d, err := coerce(args[1], types.Int32)
			if err != nil {
				return nil, err
			}
			if l, ok := d.(*Literal); ok && l.Value.IsValid() {
				digits = int64s(mustArray(l))[0]
				hasDigits = true
			} else {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s with a non-constant scale is not supported", name)
			}
		}
		if types.IsFloat(t) {
			return &Call{Name: name, Args: call, Ret: t, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
				fv := float64s(x[0])
				out := make([]float64, n)
				for i, y := range fv {
					switch kind {
					case "round":
						out[i] = math.RoundToEven(y)
					case "trunc":
						out[i] = math.Trunc(y)
					case "floor":
						out[i] = math.Floor(y)
					case "ceil":
						out[i] = math.Ceil(y)
					}
				}
				return newFloatArray(ec.Mem, t, out, valid(n, x[0])), nil
			}}, nil
		}
		dt := t.(*arrow.Decimal128Type)
		outScale := dt.Scale
		if hasDigits {
			outScale = int32(max(digits, 0))
		} else {
			outScale = 0
		}
		ret := types.Decimal(types.MaxDecimalPrecision, outScale)
		return &Call{Name: name, Args: call, Ret: ret, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			d := x[0].(*array.Decimal128)
			v := valid(n, d)
			out := make([]decimal128.Num, n)
			unit := new(big.Rat).SetInt(pow10(int32(max(-digits, 0))))
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					continue
				}
				r := decimalRat(d.Value(i), dt.Scale)
				// Scale so that rounding happens at 'digits' places.
				m := new(big.Rat).Mul(r, new(big.Rat).SetInt(pow10(int32(max(digits, 0)))))
				if digits < 0 {
					m.Quo(r, unit)
				}
				q := roundRat(m, kind)
				res := new(big.Rat).SetInt(q)
				if digits >= 0 {
					res.Quo(res, new(big.Rat).SetInt(pow10(int32(digits))))
				} else {
					res.Mul(res, unit)
				}
				nd, err := text.RatToDecimal(res, types.MaxDecimalPrecision, outScale)
				if err != nil {
					return nil, err
				}
				out[i] = nd
			}
			b := array.NewDecimal128Builder(ec.Mem, ret.(*arrow.Decimal128Type))
			b.AppendValues(out, v)
			return b.NewArray(), nil
		}}, nil
	}
}

// roundRat rounds a rational to an integer by kind.
func roundRat(r *big.Rat, kind string) *big.Int {
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int)) // truncates toward zero
	if m.Sign() == 0 {
		return q
	}
	switch kind {
	case "trunc":
		return q
	case "floor":
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		}
		return q
	case "ceil":
		if num.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		}
		return q
	}
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if twice.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

func mustArray(l *Literal) arrow.Array {
	a, _ := l.Eval(&Context{Mem: defaultMem()}, oneRow)
	return a
}

func bindLog(name string, args []Expr) (Expr, error) {
	if len(args) == 2 {
		return fixed(types.Float64, func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			b, y := float64s(x[0]), float64s(x[1])
			v := valid(n, x...)
			out := make([]float64, n)
			for i := range out {
				if !isValid(v, i) {
					continue
				}
				if b[i] <= 0 || y[i] <= 0 {
					return nil, sqlerr.New("2201E", "cannot take logarithm of a negative number")
				}
				out[i] = math.Log(y[i]) / math.Log(b[i])
			}
			return newFloatArray(ec.Mem, types.Float64, out, v), nil
		}, types.Float64, types.Float64)(name, args)
	}
	return floatFunc(func(x float64) (float64, error) {
		if x == 0 {
			return 0, sqlerr.New("2201E", "cannot take logarithm of zero")
		}
		if x < 0 {
			return 0, sqlerr.New("2201E", "cannot take logarithm of a negative number")
		}
		return math.Log10(x), nil
	})(name, args)
}

// bindMath: power, mod, div, sign, gcd, lcm.
func bindMath(name string, args []Expr) (Expr, error) {
	switch name {
	case "power":
		if len(args) != 2 {
			return nil, funcErr(name, args)
		}
		a, ta, err := numericArg(name, args, 0)
		if err != nil {
			return nil, err
		}
		b, tb, err := numericArg(name, args, 1)
		if err != nil {
			return nil, err
		}
		ret := types.Float64
		if types.IsDecimal(ta) || types.IsDecimal(tb) {
			ret = types.Decimal(types.MaxDecimalPrecision, 16)
		}
		a, _ = NewCast(a, types.Float64)
		b, _ = NewCast(b, types.Float64)
		var k kernel = func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			p, q := float64s(x[0]), float64s(x[1])
			v := valid(n, x...)
			out := make([]float64, n)
			for i := range out {
				if !isValid(v, i) {
					continue
				}
				if p[i] == 0 && q[i] < 0 {
					return nil, sqlerr.New("2201F", "zero raised to a negative power is undefined")
				}
				if p[i] < 0 && q[i] != math.Trunc(q[i]) {
					return nil, sqlerr.New("2201F", "a negative number raised to a non-integer power yields a complex result")
				}
				r := math.Pow(p[i], q[i])
				if math.IsInf(r, 0) {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
				}
				out[i] = r
			}
			arr := newFloatArray(ec.Mem, types.Float64, out, v)
			if types.IsDecimal(ret) {
				return castArray(ec, arr, ret)
			}
			return arr, nil
		}
		return &Call{Name: name, Args: []Expr{a, b}, Ret: ret, fn: k}, nil
	case "mod", "div":
		if len(args) != 2 {
			return nil, funcErr(name, args)
		}
		op := "%"
		if name == "div" {
			op = "/"
		}
		e, err := bindArith(op, args)
		if err != nil {
			return nil, funcErr(name, args)
		}
		if name == "div" && types.IsDecimal(e.Type()) {
			return bindRound("trunc")("trunc", []Expr{e})
		}
		return e, nil
	case "sign":
		if len(args) != 1 {
			return nil, funcErr(name, args)
		}
		a, t, err := numericArg(name, args, 0)
		if err != nil {
			return nil, err
		}
		ret := types.Float64
		if types.IsDecimal(t) || types.IsInteger(t) {
			ret = types.Decimal(types.MaxDecimalPrecision, 0)
			if types.IsInteger(t) {
				ret = t
			}
		}
		return &Call{Name: name, Args: []Expr{a}, Ret: ret, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			f := float64s(x[0])
			out := make([]float64, n)
			for i, y := range f {
				switch {
				case y > 0:
					out[i] = 1
				case y < 0:
					out[i] = -1
				}
			}
			return castArray(ec, newFloatArray(ec.Mem, types.Float64, out, valid(n, x[0])), ret)
		}}, nil
	case "gcd", "lcm":
		if len(args) != 2 {
			return nil, funcErr(name, args)
		}
		u, t, err := unify(args)
		if err != nil || !types.IsInteger(t) {
			return nil, funcErr(name, args)
		}
		return &Call{Name: name, Args: u, Ret: t, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			a, b := int64s(x[0]), int64s(x[1])
			out := make([]int64, n)
			for i := range out {
				g := gcd(a[i], b[i])
				if name == "gcd" {
					out[i] = g
				} else if g != 0 {
					out[i] = abs64(a[i] / g * b[i])
				}
			}
			return newIntArray(ec.Mem, t, out, valid(n, x...)), nil
		}}, nil
	}
	return nil, funcErr(name, args)
}

func gcd(a, b int64) int64 {
	a, b = abs64(a), abs64(b)
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// bindGreatest: greatest/least ignore NULLs (NULL only if all are NULL).
func bindGreatest(name string, args []Expr) (Expr, error) {
	u, t, err := unify(args)
	if err != nil {
		return nil, err
	}
	return &Call{Name: name, Args: u, Ret: t, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		src := make([]int32, n)
		pos := make([]int32, n)
		for i := 0; i < n; i++ {
			best := -1
			for k := range x {
				if x[k].IsNull(i) {
					continue
				}
				if best < 0 {
					best = k
					continue
				}
				c := comparer(x[k], x[best])(i, i)
				if (name == "greatest" && c > 0) || (name == "least" && c < 0) {
					best = k
				}
			}
			src[i] = int32(best)
			pos[i] = int32(i)
		}
		return gather(ec, t, x, src, pos)
	}}, nil
}

// bindNullIf: NULLIF(a, b) is NULL when a = b, else a.
func bindNullIf(name string, args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, funcErr(name, args)
	}
	u, t, err := unify(args)
	if err != nil {
		return nil, err
	}
	// The result is the first argument as the comparison's type has it,
	// as in PostgreSQL, whose numerics keep their own scale: NULLIF(2.25,
	// 999999999.999) is 2.25 and NULLIF(1, 2.5) is 1, so a numeric result
	// keeps the first argument's scale.
	out := 0
	if a0 := args[0].Type(); types.IsDecimal(t) && !types.Equal(a0, t) && !IsUnknownLiteral(args[0]) && (types.IsDecimal(a0) || types.IsInteger(a0)) {
		first := args[0]
		if types.IsInteger(a0) {
			if first, err = NewCast(first, types.Decimal(19, 0)); err != nil {
				return nil, err
			}
		}
		u = append(u, first)
		out, t = 2, first.Type()
	}
	return &Call{Name: name, Args: u, Ret: t, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		c := comparer(x[0], x[1])
		src := make([]int32, n)
		pos := make([]int32, n)
		for i := 0; i < n; i++ {
			pos[i] = int32(i)
			if x[0].IsValid(i) && x[1].IsValid(i) && c(i, i) == 0 {
				src[i] = -1
			}
		}
		return gather(ec, t, x[out:out+1], src, pos)
	}}, nil
}

// factorial(n): n! as numeric (exact up to the 38 digits numeric holds).
func registerFactorial(r *Registry) {
	ret := types.Decimal(types.MaxDecimalPrecision, 0)
	r.add(fixed(ret, func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		iv := int64s(x[0])
		v := valid(n, x[0])
		b := array.NewDecimal128Builder(ec.Mem, ret.(*arrow.Decimal128Type))
		defer b.Release()
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				b.AppendNull()
				continue
			}
			if iv[i] < 0 {
				return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "factorial of a negative number is undefined")
			}
			f := new(big.Int).MulRange(1, iv[i])
			if iv[i] == 0 {
				f.SetInt64(1)
			}
			if f.BitLen() > 126 {
				return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
			}
			b.Append(decimal128.FromBigInt(f))
		}
		return b.NewArray(), nil
	}, types.Int64), "factorial")
}
