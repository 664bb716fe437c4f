package expr

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Registry holds the functions a query can call by name. NewRegistry
// fills it with the built-in functions; other packages add theirs
// (pg_catalog's helpers) before it is used. Once planning starts it is
// only read, so one registry serves every session concurrently.
type Registry struct {
	funcs map[string]binder
}

// NewRegistry returns a registry of the built-in functions.
func NewRegistry() *Registry {
	r := &Registry{funcs: map[string]binder{}}
	for _, add := range []func(*Registry){
		registerMath, registerPi, registerFactorial, registerStrings, registerStringArrays, registerSimilar,
		registerDatetime, registerToTimestamp, registerArrays, registerJSONBuild, registerJSONOps, registerFormat,
		registerNested,
	} {
		add(r)
	}
	return r
}

// Has reports whether name is a registered function.
func (r *Registry) Has(name string) bool {
	_, ok := r.funcs[name]
	return ok
}

// Bind resolves an operator or function by name for its arguments,
// inserting PostgreSQL's implicit casts, and returns the typed call.
func (r *Registry) Bind(name string, args []Expr) (Expr, error) {
	if e, ok, err := bindOperator(name, args); ok {
		return e, err
	}
	if f, ok := r.funcs[name]; ok {
		return f(name, args)
	}
	return nil, funcErr(name, args)
}

// BindOperator resolves one of the operators and special forms built into
// the language (arithmetic, comparison, AND/OR/NOT, IS NULL, ||, LIKE,
// COALESCE, subscripts, ...), which need no registry.
func BindOperator(name string, args []Expr) (Expr, error) {
	if e, ok, err := bindOperator(name, args); ok {
		return e, err
	}
	return nil, funcErr(name, args)
}

// bindOperator binds name when it is a built-in operator (ok true).
func bindOperator(name string, args []Expr) (e Expr, ok bool, err error) {
	e, err = bindBuiltin(name, args)
	if err == errNotBuiltin {
		return nil, false, nil
	}
	return e, true, err
}

var errNotBuiltin = sqlerr.New(sqlerr.UndefinedFunction, "not a built-in operator")

func bindBuiltin(name string, args []Expr) (Expr, error) {
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
		return &Call{Name: name, Args: u, Ret: types.Bool, fn: compareKernel(name), takesConst: true}, nil
	case "and", "or":
		for i := range args {
			c, err := coerce(args[i], types.Bool)
			if err != nil || c.Type().ID() != arrow.BOOL {
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", strings.ToUpper(name), types.Name(args[i].Type()))
			}
			args[i] = c
		}
		return &Call{Name: name, Args: args, Ret: types.Bool, fn: logicKernel(name == "and"), takesConst: true}, nil
	case "not":
		c, err := coerce(args[0], types.Bool)
		if err != nil || c.Type().ID() != arrow.BOOL {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of NOT must be type boolean, not type %s", types.Name(args[0].Type()))
		}
		return &Call{Name: "not", Args: []Expr{c}, Ret: types.Bool, fn: notKernel, takesConst: true}, nil
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
	case "&", "|", "<<", ">>", "#":
		return bindBitwise(name, args)
	case "like", "not like", "ilike", "not ilike":
		return bindLike(name, args)
	case "~", "regexp":
		if len(args) == 1 && name == "~" {
			return bindBitNot(args[0])
		}
		return bindRegexMatch(args)
	case "^", "power", "pow":
		return bindMath("power", args)
	case "coalesce":
		return NewCoalesce(args)
	case "pg_typeof":
		if len(args) != 1 {
			return nil, funcErr(name, args)
		}
		name := typeName(args[0])
		if types.IsDecimal(args[0].Type()) {
			name = "numeric" // the type, without its modifiers
		}
		return NewLiteral(scalar.NewStringScalar(name)), nil
	case "array_subscript":
		return bindSubscript(args)
	case "array_slice":
		return bindSlice(args)
	case "field_select":
		return bindFieldSelect(args)
	case "array_upper", "array_lower", "array_length", "cardinality", "array_ndims", "array_dims":
		return bindArrayDim(name, args)
	}
	return nil, errNotBuiltin
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
	if e == nil {
		return "unknown"
	}
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
			return &Call{Name: op, Args: u, Ret: ret, fn: decimalKernel(op, ta.Scale, tb.Scale, ret.(*arrow.Decimal128Type)), takesConst: true}, nil
		}
		ret := arithType(op, t, t)
		return &Call{Name: op, Args: u, Ret: ret, fn: arithKernel(op, t, ret), takesConst: true}, nil
	}
	return nil, opErr(op, args)
}

// bindConcatOp resolves ||: text concatenation (NULL if either is NULL),
// casting a non-text side to text.
func bindConcatOp(args []Expr) (Expr, error) {
	a, b := args[0], args[1]
	at, bt := a.Type(), b.Type()
	if at.ID() == arrow.LIST || bt.ID() == arrow.LIST {
		return bindArrayConcat(args)
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

// add registers b under each of names.
func (r *Registry) add(b binder, names ...string) {
	for _, n := range names {
		r.funcs[n] = b
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

// RowFunc computes one row of a low-volume function from its arguments
// (Go values: int64, float64, string, bool; nil for NULL).
type RowFunc func(args []any) (any, error)

// RegisterRowFunc adds a function evaluated row by row, for catalog
// helpers that are not worth a vectorized kernel (format_type,
// pg_table_is_visible, ...). Arguments are cast to argTypes.
func (r *Registry) RegisterRowFunc(name string, ret arrow.DataType, argTypes []arrow.DataType, f RowFunc) {
	r.add(func(n string, args []Expr) (Expr, error) {
		return NewRowCall(n, ret, argTypes, args, f)
	}, name)
}

// NewRowCall binds a call of a function evaluated row by row (see
// RegisterRowFunc), for functions that close over state, such as a
// session's search path.
func NewRowCall(name string, ret arrow.DataType, argTypes []arrow.DataType, args []Expr, f RowFunc) (Expr, error) {
	// Trailing arguments may be left out (they read as NULL).
	if len(args) > len(argTypes) {
		return nil, funcErr(name, args)
	}
	cast := make([]Expr, len(args))
	for i, a := range args {
		c, err := coerce(a, argTypes[i])
		if err != nil {
			return nil, funcErr(name, args)
		}
		cast[i] = c
	}
	return &Call{Name: name, Args: cast, Ret: ret, fn: goRowKernel(ret, len(argTypes), f)}, nil
}

// goRowKernel runs f on each row's arguments as Go values. width is the
// number of values f receives: arguments left out read as nil (NULL).
func goRowKernel(ret arrow.DataType, width int, f RowFunc) kernel {
	return func(ec *Context, arrs []arrow.Array, rows int) (arrow.Array, error) {
		b := array.NewBuilder(ec.Mem, ret)
		vals := make([]any, width)
		for i := 0; i < rows; i++ {
			for k, a := range arrs {
				vals[k] = goValue(a, i)
			}
			v, err := f(vals)
			if err != nil {
				return nil, err
			}
			if str, ok := v.(string); ok {
				if err := checkLen(int64(len(str))); err != nil {
					return nil, err
				}
				if sb, ok := b.(*array.StringBuilder); ok {
					if err := appendChecked(sb, str); err != nil {
						return nil, err
					}
					continue
				}
			}
			appendGo(b, v)
		}
		return b.NewArray(), nil
	}
}

func goValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.Int64, *array.Int32, *array.Int16:
		return Int64At(a, i)
	case *array.List:
		vals, s, e := ArrayElements(x, i) // all dimensions' elements
		var out []string
		for k := s; k < e; k++ {
			if v, ok := goValue(vals, int(k)).(string); ok {
				out = append(out, v)
			}
		}
		return out
	}
	return a.ValueStr(i)
}

func appendGo(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.StringBuilder:
		bb.Append(v.(string))
	case *array.BooleanBuilder:
		bb.Append(v.(bool))
	case *array.Int64Builder:
		bb.Append(v.(int64))
	case *array.Int32Builder:
		bb.Append(int32(v.(int64)))
	case *array.Float64Builder:
		bb.Append(v.(float64))
	case *array.ListBuilder:
		bb.Append(true)
		for _, s := range v.([]string) {
			bb.ValueBuilder().(*array.StringBuilder).Append(s)
		}
	default:
		b.AppendNull()
	}
}

// bindSubscript resolves arr[i] and arr[i][j]... (1-based): the element
// at those subscripts, NULL when one is out of range or NULL, and NULL when
// their number is not the array's number of dimensions, as in PostgreSQL.
func bindSubscript(args []Expr) (Expr, error) {
	if len(args) < 2 || args[0].Type().ID() != arrow.LIST {
		t := "unknown"
		if len(args) > 0 {
			t = typeName(args[0])
		}
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", t)
	}
	if len(args) > 7 {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (6)", len(args)-1)
	}
	cast := []Expr{args[0]}
	for _, x := range args[1:] {
		idx, err := coerce(x, types.Int64)
		if err != nil || !types.IsInteger(idx.Type()) {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "array subscript must have type integer")
		}
		cast = append(cast, idx)
	}
	t := args[0].Type()
	elem, depth := baseElem(t), listDepth(t)
	return &Call{Name: "array_subscript", Args: cast, Ret: elem, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		src := make([]int32, n)
		pos := make([]int32, n)
		var leaves arrow.Array
		for i := 0; i < n; i++ {
			src[i] = -1
			l := a[0].(*array.List)
			if l.IsNull(i) || len(a)-1 != depth {
				continue
			}
			p := int64(i)
			ok := true
			for d, ix := range a[1:] {
				if ix.IsNull(i) {
					ok = false
					break
				}
				s, e := l.ValueOffsets(int(p))
				k := s + Int64At(ix, i) - 1
				if k < s || k >= e {
					ok = false
					break
				}
				p = k
				if d < depth-1 {
					l = l.ListValues().(*array.List)
					if l.IsNull(int(p)) {
						ok = false
						break
					}
				}
			}
			if ok {
				src[i], pos[i] = 0, int32(p)
				leaves = l.ListValues()
			}
		}
		if leaves == nil {
			return array.MakeArrayOfNull(ec.Mem, elem, n), nil
		}
		return gather(ec, elem, []arrow.Array{leaves}, src, pos)
	}}, nil
}

// bindSlice resolves arr[lo:hi] (either bound NULL: the array's own): the
// elements (or sub-arrays) from lo to hi of the first dimension.
func bindSlice(args []Expr) (Expr, error) {
	if len(args) != 3 || args[0].Type().ID() != arrow.LIST {
		return bindSubscript(args[:min(len(args), 1)])
	}
	cast := []Expr{args[0]}
	for _, x := range args[1:] {
		idx, err := coerce(x, types.Int64)
		if err != nil || !types.IsInteger(idx.Type()) {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "array subscript must have type integer")
		}
		cast = append(cast, idx)
	}
	t := args[0].Type()
	elem := t.(*arrow.ListType).Elem()
	return &Call{Name: "array_slice", Args: cast, Ret: t, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		l := a[0].(*array.List)
		var src, pos []int32
		offsets := make([]int32, n+1)
		for i := 0; i < n; i++ {
			offsets[i] = int32(len(pos))
			if l.IsNull(i) {
				continue
			}
			s, e := l.ValueOffsets(i)
			lo, hi := s, e-1
			if !a[1].IsNull(i) {
				lo = max(s, s+Int64At(a[1], i)-1)
			}
			if !a[2].IsNull(i) {
				hi = min(e-1, s+Int64At(a[2], i)-1)
			}
			for k := lo; k <= hi; k++ {
				src, pos = append(src, 0), append(pos, int32(k))
			}
		}
		offsets[n] = int32(len(pos))
		vals, err := gather(ec, elem, []arrow.Array{l.ListValues()}, src, pos)
		if err != nil {
			return nil, err
		}
		var bm *memory.Buffer
		if l.NullN() > 0 {
			bm = l.Data().Buffers()[0]
		}
		data := array.NewData(t, n, []*memory.Buffer{bm, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))},
			[]arrow.ArrayData{vals.Data()}, l.NullN(), l.Data().Offset())
		return array.NewListData(data), nil
	}}, nil
}

// bindArrayDim: array_length/array_upper/array_lower(arr, dim),
// cardinality(arr) (every element), array_ndims(arr), array_dims(arr).
func bindArrayDim(name string, args []Expr) (Expr, error) {
	want := 2
	if name == "cardinality" || name == "array_ndims" || name == "array_dims" {
		want = 1
	}
	if len(args) != want || args[0].Type().ID() != arrow.LIST {
		return nil, funcErr(name, args)
	}
	if len(args) == 2 {
		d, err := coerce(args[1], types.Int32)
		if err != nil {
			return nil, err
		}
		args[1] = d
	}
	ret := arrow.DataType(types.Int32)
	if name == "array_dims" {
		ret = types.String
	}
	return &Call{Name: name, Args: args, Ret: ret, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		l := a[0].(*array.List)
		out := make([]int64, n)
		strs := make([]string, n)
		v := make([]bool, n)
		for i := 0; i < n; i++ {
			if l.IsNull(i) || (len(a) == 2 && a[1].IsNull(i)) {
				continue
			}
			dims := arrayShape(l, i)
			if dims[len(dims)-1] == 0 {
				continue // an empty array has no dimensions
			}
			switch name {
			case "cardinality":
				c := int64(1)
				for _, d := range dims {
					c *= int64(d)
				}
				out[i], v[i] = c, true
			case "array_ndims":
				out[i], v[i] = int64(len(dims)), true
			case "array_dims":
				var sb strings.Builder
				for _, d := range dims {
					sb.WriteString("[1:" + strconv.Itoa(d) + "]")
				}
				strs[i], v[i] = sb.String(), true
			default:
				d := Int64At(a[1], i)
				if d < 1 || d > int64(len(dims)) {
					continue
				}
				out[i], v[i] = int64(dims[d-1]), true
				if name == "array_lower" {
					out[i] = 1
				}
			}
		}
		if name == "array_dims" {
			return newStringArray(ec.Mem, strs, v), nil
		}
		if name == "cardinality" {
			for i := range v {
				if !l.IsNull(i) {
					v[i] = true // cardinality('{}') is 0
				}
			}
		}
		return newIntArray(ec.Mem, types.Int32, out, v), nil
	}}, nil
}

// RegisterVariadicRowFunc adds a function of any number of arguments, all
// passed as text, evaluated row by row.
func (r *Registry) RegisterVariadicRowFunc(name string, ret arrow.DataType, f RowFunc) {
	r.add(func(n string, args []Expr) (Expr, error) {
		cast := make([]Expr, len(args))
		for i, a := range args {
			c, err := NewCast(a, types.String)
			if err != nil {
				return nil, err
			}
			cast[i] = c
		}
		return &Call{Name: n, Args: cast, Ret: ret, fn: goRowKernel(ret, len(cast), f)}, nil
	}, name)
}
