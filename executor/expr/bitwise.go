package expr

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// bindBitwise binds the integer bitwise operators &, |, # (xor), << and
// >>. Both sides share the wider integer type (shifts keep the left
// side's type, as in PostgreSQL).
func bindBitwise(op string, args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, opErr(op, args)
	}
	a, b := args[0], args[1]
	for _, e := range []Expr{a, b} {
		if !types.IsInteger(e.Type()) && !IsUnknownLiteral(e) && e.Type().ID() != arrow.NULL {
			return nil, opErr(op, args)
		}
	}
	var t arrow.DataType
	if op == "<<" || op == ">>" {
		if b.Type().ID() == arrow.INT64 {
			return nil, opErr(op, args) // the shift count is an integer, not a bigint
		}
		t = a.Type()
		if IsUnknownLiteral(a) || a.Type().ID() == arrow.NULL {
			t = types.Int32
		}
		var err error
		if a, err = coerce(a, t); err != nil {
			return nil, err
		}
		if b, err = coerce(b, types.Int32); err != nil {
			return nil, err
		}
	} else {
		cast, ct, err := unify(args)
		if err != nil {
			return nil, opErr(op, args)
		}
		if !types.IsInteger(ct) {
			ct = types.Int32
			for i := range cast {
				if cast[i], err = coerce(cast[i], ct); err != nil {
					return nil, err
				}
			}
		}
		a, b, t = cast[0], cast[1], ct
	}
	return &Call{Name: op, Args: []Expr{a, b}, Ret: t, fn: func(ec *Context, arrs []arrow.Array, n int) (arrow.Array, error) {
		x, y := int64s(arrs[0]), int64s(arrs[1])
		v := valid(n, arrs[0], arrs[1])
		out := make([]int64, n)
		bits := uint(8 * t.(arrow.FixedWidthDataType).Bytes())
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				continue
			}
			switch op {
			case "&":
				out[i] = x[i] & y[i]
			case "|":
				out[i] = x[i] | y[i]
			case "#":
				out[i] = x[i] ^ y[i]
			case "<<":
				out[i] = signExtend(x[i]<<uint(y[i]&int64(bits-1)), bits)
			case ">>":
				out[i] = x[i] >> uint(y[i]&int64(bits-1))
			}
		}
		return newIntArray(ec.Mem, t, out, v), nil
	}}, nil
}

// bindBitNot binds the prefix ~ (bitwise NOT) of an integer.
func bindBitNot(a Expr) (Expr, error) {
	if IsUnknownLiteral(a) || a.Type().ID() == arrow.NULL {
		var err error
		if a, err = coerce(a, types.Int32); err != nil {
			return nil, err
		}
	}
	if !types.IsInteger(a.Type()) {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: ~ %s", types.Name(a.Type()))
	}
	t := a.Type()
	return &Call{Name: "~", Args: []Expr{a}, Ret: t, fn: func(ec *Context, arrs []arrow.Array, n int) (arrow.Array, error) {
		x := int64s(arrs[0])
		v := valid(n, arrs[0])
		out := make([]int64, n)
		for i := range out {
			out[i] = ^x[i]
		}
		return newIntArray(ec.Mem, t, out, v), nil
	}}, nil
}

// signExtend keeps the low bits of v as a signed value of that width
// (a shift wraps within the type, as PostgreSQL's does).
func signExtend(v int64, bits uint) int64 {
	if bits >= 64 {
		return v
	}
	shift := 64 - bits
	return v << shift >> shift
}
