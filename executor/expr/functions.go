package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Bind resolves an operator or function by name for its arguments,
// inserting PostgreSQL's implicit casts, and returns the typed call.
func Bind(name string, args []Expr) (Expr, error) {
	switch name {
	case "+", "-", "*", "/", "%":
		return bindArith(name, args)
	case "neg":
		t := args[0].Type()
		if IsUnknownLiteral(args[0]) {
			c, err := NewCast(args[0], types.Float64)
			if err != nil {
				return nil, err
			}
			args[0], t = c, types.Float64
		}
		if !types.IsNumeric(t) && t.ID() != arrow.INTERVAL_MONTH_DAY_NANO && t.ID() != arrow.NULL {
			return nil, opErr("-", args)
		}
		if t.ID() == arrow.NULL {
			t = types.Int32
			args[0] = NewNullLiteral(t)
		}
		return &Call{Name: "neg", Args: args, Ret: t, fn: negKernel(t)}, nil
	case "=", "<>", "!=", "<", "<=", ">", ">=", "<=>", "is_distinct":
		if name == "!=" {
			name = "<>"
		}
		if len(args) != 2 {
			return nil, opErr(name, args)
		}
		u, t, err := unify(args)
		if err != nil {
			return nil, opErr(name, args)
		}
		if t.ID() == arrow.STRUCT {
			return nil, opErr(name, args)
		}
		return &Call{Name: name, Args: u, Ret: types.Bool, fn: compareKernel(name)}, nil
	case "and", "or":
		for i := range args {
			c, err := coerce(args[i], types.Bool)
			if err != nil || c.Type().ID() != arrow.BOOL {
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", strings.ToUpper(name), types.Name(args[i].Type()))
			}
			args[i] = c
		}
		return &Call{Name: name, Args: args, Ret: types.Bool, fn: logicKernel(name == "and")}, nil
	case "not":
		c, err := coerce(args[0], types.Bool)
		if err != nil || c.Type().ID() != arrow.BOOL {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of NOT must be type boolean, not type %s", types.Name(args[0].Type()))
		}
		return &Call{Name: "not", Args: []Expr{c}, Ret: types.Bool, fn: notKernel}, nil
	case "is_null", "is_not_null":
		a := args[0]
		if IsUnknownLiteral(a) {
			a, _ = NewCast(a, types.String)
		}
		fn := isNullKernel
		if name == "is_not_null" {
			fn = isNotNullKernel
		}
		return &Call{Name: name, Args: []Expr{a}, Ret: types.Bool, fn: fn}, nil
	case "is_true", "is_not_true", "is_false", "is_not_false":
		c, err := coerce(args[0], types.Bool)
		if err != nil || c.Type().ID() != arrow.BOOL {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of IS TRUE must be type boolean, not type %s", types.Name(args[0].Type()))
		}
		want := name == "is_true" || name == "is_not_true"
		return &Call{Name: name, Args: []Expr{c}, Ret: types.Bool, fn: truthKernel(want, strings.HasPrefix(name, "is_not"))}, nil
	case "||":
		return bindConcatOp(args)
	case "like", "not like", "ilike", "not ilike":
		return bindLike(name, args)
	case "~", "regexp":
		return bindRegexMatch(args)
	case "^", "power", "pow":
		return bindMath("power", args)
	case "coalesce":
		return NewCoalesce(args)
	}
	if f, ok := scalarFuncs[name]; ok {
		return f(name, args)
	}
	return nil, funcErr(name, args)
}

func typeList(args []Expr) string {
	parts := make([]string, len(args))
	for i, a := range args {
		if IsUnknownLiteral(a) {
			parts[i] = "unknown"
		} else {
			parts[i] = types.Name(a.Type())
		}
	}
	return strings.Join(parts, ", ")
}

func funcErr(name string, args []Expr) error {
	e := sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, typeList(args))
	e.Hint = "No function matches the given name and argument types. You might need to add explicit type casts."
	return e
}

func opErr(op string, args []Expr) error {
	if len(args) == 1 {
		return sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s", op, typeList(args))
	}
	return sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", typeName(args[0]), op, typeName(args[1]))
}

func typeName(e Expr) string {
	if IsUnknownLiteral(e) {
		return "unknown"
	}
	return types.Name(e.Type())
}

// bindArith resolves + - * / % over numbers, dates, timestamps, intervals.
func bindArith(op string, args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, opErr(op, args)
	}
	a, b := args[0], args[1]
	at, bt := a.Type(), b.Type()
	ua, ub := IsUnknownLiteral(a), IsUnknownLiteral(b)
	// Temporal arithmetic.
	if types.IsTemporal(at) || types.IsTemporal(bt) {
		return bindTemporalArith(op, a, b)
	}
	if ua && ub {
		var err error
		if a, err = NewCast(a, types.Float64); err != nil {
			return nil, err
		}
		if b, err = NewCast(b, types.Float64); err != nil {
			return nil, err
		}
	}
	if (ua || types.IsNumeric(at) || at.ID() == arrow.NULL) && (ub || types.IsNumeric(bt) || bt.ID() == arrow.NULL) {
		if at.ID() == arrow.NULL && bt.ID() == arrow.NULL {
			a, b = NewNullLiteral(types.Int32), NewNullLiteral(types.Int32)
		}
		u, t, err := unify([]Expr{a, b})
		if err != nil {
			return nil, opErr(op, args)
		}
		if types.IsDecimal(t) && (op == "*" || op == "/" || op == "%") {
			// Keep each operand's own scale: numeric(4,1) * numeric(5,2)
			// has scale 3, as in PostgreSQL.
			for i, x := range []Expr{a, b} {
				switch {
				case types.IsDecimal(x.Type()) && !IsUnknownLiteral(x):
					u[i] = x
				case IsUnknownLiteral(x) || types.IsInteger(x.Type()):
					c, err := NewCast(x, types.Decimal(types.MaxDecimalPrecision, 0))
					if err != nil {
						return nil, err
					}
					u[i] = c
				}
			}
			ta, tb := u[0].Type().(*arrow.Decimal128Type), u[1].Type().(*arrow.Decimal128Type)
			ret := decimalResult(op, ta, tb)
			return &Call{Name: op, Args: u, Ret: ret, fn: decimalKernel(op, ta.Scale, tb.Scale, ret.(*arrow.Decimal128Type))}, nil
		}
		ret := arithType(op, t, t)
		return &Call{Name: op, Args: u, Ret: ret, fn: arithKernel(op, t, ret)}, nil
	}
	return nil, opErr(op, args)
}

// bindConcatOp resolves ||: text concatenation (NULL if either is NULL),
// casting a non-text side to text.
func bindConcatOp(args []Expr) (Expr, error) {
	a, b := args[0], args[1]
	at, bt := a.Type(), b.Type()
	if at.ID() == arrow.LIST || bt.ID() == arrow.LIST {
		return nil, opErr("||", args)
	}
	if !(types.IsString(at) || IsUnknownLiteral(a) || types.IsString(bt) || IsUnknownLiteral(b)) {
		return nil, opErr("||", args)
	}
	var err error
	if a, err = coerce(a, types.String); err != nil {
		return nil, err
	}
	if b, err = coerce(b, types.String); err != nil {
		return nil, err
	}
	return &Call{Name: "||", Args: []Expr{a, b}, Ret: types.String, fn: concatOpKernel}, nil
}

type binder func(name string, args []Expr) (Expr, error)

var scalarFuncs = map[string]binder{}

func register(b binder, names ...string) {
	for _, n := range names {
		scalarFuncs[n] = b
	}
}

// fixed binds a function with fixed argument types and result type.
func fixed(ret arrow.DataType, fn kernel, argTypes ...arrow.DataType) binder {
	return func(name string, args []Expr) (Expr, error) {
		if len(args) != len(argTypes) {
			return nil, funcErr(name, args)
		}
		cast := make([]Expr, len(args))
		for i, a := range args {
			if !implicitOK(a, argTypes[i]) {
				return nil, funcErr(name, args)
			}
			c, err := coerce(a, argTypes[i])
			if err != nil {
				return nil, err
			}
			cast[i] = c
		}
		return &Call{Name: name, Args: cast, Ret: ret, fn: fn}, nil
	}
}

// implicitOK reports whether an argument may be implicitly cast to t.
func implicitOK(e Expr, t arrow.DataType) bool {
	from := e.Type()
	if IsUnknownLiteral(e) || from.ID() == arrow.NULL || types.Equal(from, t) {
		return true
	}
	switch {
	case types.IsNumeric(from) && types.IsNumeric(t):
		return numericRank(from) <= numericRank(t) || types.IsDecimal(t) && types.IsDecimal(from)
	case temporalRank(from) > 0 && temporalRank(t) > 0:
		return temporalRank(from) <= temporalRank(t)
	case types.IsString(t):
		return types.IsString(from)
	}
	return false
}
