package expr

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/decimal"
	"github.com/lakesql/lakesql/types/text"
)

// Cast converts its argument to To with PostgreSQL's cast semantics.
type Cast struct {
	Arg Expr
	To  arrow.DataType
}

func (c *Cast) Type() arrow.DataType       { return c.To }
func (c *Cast) String() string             { return c.Arg.String() + "::" + types.Name(c.To) }
func (c *Cast) Children() []Expr           { return []Expr{c.Arg} }
func (c *Cast) WithChildren(k []Expr) Expr { return &Cast{Arg: k[0], To: c.To} }
func (c *Cast) Eval(ec *Context, b arrow.RecordBatch) (arrow.Array, error) {
	a, err := c.Arg.Eval(ec, b)
	if err != nil {
		return nil, err
	}
	return castArray(ec, a, c.To)
}

// NewCast returns an explicit cast of e to t (42846 when no cast exists).
// An unknown literal is converted at once, as PostgreSQL types a quoted
// constant by its context.
func NewCast(e Expr, t arrow.DataType) (Expr, error) {
	if t.ID() == arrow.LIST {
		// An array type names no dimensions in PostgreSQL (int[] and
		// int[][] are one type): the value's own decide.
		if from := e.Type(); from.ID() == arrow.LIST {
			t = nestList(baseElem(t), listDepth(from))
		} else if l, ok := e.(*Literal); ok && l.Unknown && l.Value != nil && l.Value.IsValid() {
			if sc, ok := l.Value.(*scalar.String); ok {
				t = nestList(baseElem(t), arrayLiteralDepth(string(sc.Value.Bytes())))
			}
		}
	}
	if l, ok := e.(*Literal); ok && l.Unknown && l.OnType != nil {
		l.OnType(t)
	}
	from := e.Type()
	if types.Equal(from, t) && !IsUnknownLiteral(e) {
		return e, nil
	}
	if !canCast(from, t) {
		return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", types.Name(from), types.Name(t))
	}
	// Unconstrained NUMERIC takes the scale of a constant operand.
	if d, ok := t.(*arrow.Decimal128Type); ok && d.Precision == types.MaxDecimalPrecision && d.Scale == 0 {
		t = numericTargetFor(e)
	}
	c := &Cast{Arg: e, To: t}
	if l, ok := e.(*Literal); ok {
		return foldLiteral(c, l)
	}
	return c, nil
}

// numericTargetFor picks the scale an unconstrained NUMERIC cast keeps.
func numericTargetFor(e Expr) arrow.DataType {
	from := e.Type()
	switch {
	case types.IsDecimal(from):
		d := from.(*arrow.Decimal128Type)
		return types.Decimal(types.MaxDecimalPrecision, d.Scale)
	case types.IsInteger(from), from.ID() == arrow.NULL:
		// A NULL has no scale of its own: it takes the target's.
		return types.Decimal(types.MaxDecimalPrecision, 0)
	}
	if l, ok := e.(*Literal); ok && l.Value.IsValid() {
		s := l.Value.String()
		if types.IsFloat(from) {
			s = string(text.AppendFloat(nil, floatOfScalar(l), 64))
		}
		if i := strings.IndexByte(s, '.'); i >= 0 && !strings.ContainsAny(s, "eE") {
			return types.Decimal(types.MaxDecimalPrecision, int32(len(strings.TrimSpace(s))-i-1))
		}
		return types.Decimal(types.MaxDecimalPrecision, 0)
	}
	return types.Decimal(types.MaxDecimalPrecision, 16)
}

func floatOfScalar(l *Literal) float64 {
	switch v := l.Value.(type) {
	case *scalarFloat64:
		return v.Value
	}
	return 0
}

func foldLiteral(c *Cast, l *Literal) (Expr, error) {
	ec := &Context{Mem: defaultMem(), Location: time.UTC}
	arr, err := c.Eval(ec, oneRow)
	if err != nil {
		return nil, err
	}
	sc, err := scalarAt(arr, 0)
	if err != nil {
		return c, nil
	}
	return &Literal{Value: sc}, nil
}

// canCast reports whether a cast from a to b exists.
func canCast(a, b arrow.DataType) bool {
	if a.ID() == arrow.NULL || types.Equal(a, b) {
		return true
	}
	if types.IsString(a) || types.IsString(b) {
		return true
	}
	num := func(t arrow.DataType) bool { return types.IsNumeric(t) }
	switch {
	case num(a) && num(b):
		return true
	case a.ID() == arrow.BOOL && types.IsInteger(b), types.IsInteger(a) && b.ID() == arrow.BOOL:
		return a.ID() == arrow.INT32 || b.ID() == arrow.INT32 || true
	case a.ID() == arrow.DATE32 && b.ID() == arrow.TIMESTAMP, a.ID() == arrow.TIMESTAMP && b.ID() == arrow.DATE32:
		return true
	case a.ID() == arrow.TIMESTAMP && b.ID() == arrow.TIMESTAMP:
		return true
	case a.ID() == arrow.TIMESTAMP && b.ID() == arrow.TIME64:
		return true
	case a.ID() == arrow.TIME64 && b.ID() == arrow.INTERVAL_MONTH_DAY_NANO, a.ID() == arrow.INTERVAL_MONTH_DAY_NANO && b.ID() == arrow.TIME64:
		return true
	case a.ID() == arrow.BINARY && b.ID() == arrow.BINARY:
		return true
	case a.ID() == arrow.LIST && b.ID() == arrow.LIST:
		return canCast(a.(*arrow.ListType).Elem(), b.(*arrow.ListType).Elem())
	}
	return false
}

func rangeErr(t arrow.DataType) error {
	switch t.ID() {
	case arrow.INT16:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "smallint out of range")
	case arrow.INT32:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "integer out of range")
	case arrow.INT64:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "bigint out of range")
	}
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range for type %s", types.Name(t))
}

func intRange(t arrow.DataType) (int64, int64) {
	switch t.ID() {
	case arrow.INT16:
		return math.MinInt16, math.MaxInt16
	case arrow.INT32:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// castArray converts every value of a to t.
func castArray(ec *Context, a arrow.Array, t arrow.DataType) (arrow.Array, error) {
	from := a.DataType()
	n := a.Len()
	if types.Equal(from, t) {
		return a, nil
	}
	if from.ID() == arrow.NULL {
		return array.MakeArrayOfNull(ec.Mem, t, n), nil
	}
	v := valid(n, a)
	switch {
	case from.ID() == arrow.LIST && t.ID() == arrow.LIST:
		// Element by element, keeping the arrays' bounds and NULLs.
		l := a.(*array.List)
		elems, err := castArray(ec, l.ListValues(), t.(*arrow.ListType).Elem())
		if err != nil {
			return nil, err
		}
		d := l.Data()
		data := array.NewData(t, d.Len(), d.Buffers(), []arrow.ArrayData{elems.Data()}, d.NullN(), d.Offset())
		return array.NewListData(data), nil
	case types.IsString(t) && from.ID() == arrow.BOOL:
		// boolean::text is 'true'/'false' (the output function's 't'/'f'
		// is what concat() and format() print; see outputText).
		out := make([]string, n)
		b := a.(*array.Boolean)
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				out[i] = strconv.FormatBool(b.Value(i))
			}
		}
		return newStringArray(ec.Mem, out, v), nil
	case types.IsString(t):
		out := make([]string, n)
		var buf []byte
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				buf = text.Append(buf[:0], a, i, ec.loc())
				out[i] = string(buf)
			}
		}
		return newStringArray(ec.Mem, out, v), nil
	case types.IsString(from):
		return castFromText(ec, a.(*array.String), t, v)
	case types.IsInteger(t):
		lo, hi := intRange(t)
		out := make([]int64, n)
		switch {
		case types.IsInteger(from) || from.ID() == arrow.BOOL:
			iv := int64s(a)
			for i, x := range iv {
				if isValid(v, i) && (x < lo || x > hi) {
					return nil, rangeErr(t)
				}
				out[i] = x
			}
		case types.IsFloat(from):
			fv := float64s(a)
			for i, x := range fv {
				if !isValid(v, i) {
					continue
				}
				r := math.RoundToEven(x)
				if math.IsNaN(r) || r < float64(lo) || r > float64(hi) || (t.ID() == arrow.INT64 && r >= 9.223372036854775807e18) {
					return nil, rangeErr(t)
				}
				out[i] = int64(r)
			}
		case types.IsDecimal(from):
			d := a.(*array.Decimal128)
			scale := from.(*arrow.Decimal128Type).Scale
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					continue
				}
				r, err := text.RatToDecimal(decimalRat(d.Value(i), scale), types.MaxDecimalPrecision, 0)
				if err != nil {
					return nil, rangeErr(t)
				}
				bi := r.BigInt()
				if !bi.IsInt64() || bi.Int64() < lo || bi.Int64() > hi {
					return nil, rangeErr(t)
				}
				out[i] = bi.Int64()
			}
		default:
			return nil, cannotCast(from, t)
		}
		return newIntArray(ec.Mem, t, out, v), nil
	case types.IsFloat(t):
		if !types.IsNumeric(from) {
			return nil, cannotCast(from, t)
		}
		fv := float64s(a)
		if t.ID() == arrow.FLOAT32 {
			for i, x := range fv {
				if isValid(v, i) && !math.IsInf(x, 0) && math.Abs(x) > math.MaxFloat32 {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
				}
			}
		}
		return newFloatArray(ec.Mem, t, fv, v), nil
	case types.IsDecimal(t):
		dt := t.(*arrow.Decimal128Type)
		out := make([]decimal128.Num, n)
		// Integers and decimals convert in 128 bits (rescaled, rounded
		// half away from zero, checked against the precision); the rest
		// through exact rationals.
		if types.IsInteger(from) || types.IsDecimal(from) {
			fromScale := int32(0)
			var ints []int64
			var decs []decimal128.Num
			if types.IsDecimal(from) {
				fromScale = from.(*arrow.Decimal128Type).Scale
				decs = a.(*array.Decimal128).Values()
			} else {
				ints = int64s(a)
			}
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					continue
				}
				var x decimal128.Num
				if decs != nil {
					x = decs[i]
				} else {
					x = decimal128.FromI64(ints[i])
				}
				d, ok := decimal.Rescale(x, fromScale, dt.Scale)
				if !ok || !decimal.Fits(d, dt.Precision) {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")
				}
				out[i] = d
			}
			b := array.NewDecimal128Builder(ec.Mem, dt)
			b.AppendValues(out, v)
			return b.NewArray(), nil
		}
		var floats []float64
		if types.IsFloat(from) {
			floats = float64s(a)
		}
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				continue
			}
			var r *big.Rat
			switch {
			case types.IsInteger(from):
				r = new(big.Rat).SetInt64(Int64At(a, i))
			case types.IsFloat(from):
				f := floats[i]
				if math.IsNaN(f) || math.IsInf(f, 0) {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "cannot convert %v to numeric", f)
				}
				// PostgreSQL converts through the float's shortest text.
				r, _ = new(big.Rat).SetString(string(text.AppendFloat(nil, f, 64)))
				if r == nil {
					r = new(big.Rat).SetFloat64(f)
				}
			case types.IsDecimal(from):
				r = decimalRat(a.(*array.Decimal128).Value(i), from.(*arrow.Decimal128Type).Scale)
			case from.ID() == arrow.BOOL:
				return nil, cannotCast(from, t)
			default:
				return nil, cannotCast(from, t)
			}
			d, err := text.RatToDecimal(r, dt.Precision, dt.Scale)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		b := array.NewDecimal128Builder(ec.Mem, dt)
		b.AppendValues(out, v)
		return b.NewArray(), nil
	case t.ID() == arrow.BOOL:
		if !types.IsInteger(from) {
			return nil, cannotCast(from, t)
		}
		iv := int64s(a)
		out := make([]bool, n)
		for i, x := range iv {
			out[i] = x != 0
		}
		return newBoolArray(ec.Mem, out, v), nil
	case t.ID() == arrow.TIMESTAMP && from.ID() == arrow.DATE32:
		iv := int64s(a)
		out := make([]int64, n)
		tz := types.IsTimestampTZ(t)
		for i, d := range iv {
			switch d {
			case int64(text.DateInfinity):
				out[i] = text.TimestampInfinity
				continue
			case int64(text.DateNegInfinity):
				out[i] = text.TimestampNegInfinity
				continue
			}
			out[i] = d * 86400e6
			if tz && isValid(v, i) {
				out[i] = localToUTC(out[i], ec.loc())
			}
		}
		return newIntArray(ec.Mem, t, out, v), nil
	case t.ID() == arrow.DATE32 && from.ID() == arrow.TIMESTAMP:
		iv := int64s(a)
		out := make([]int64, n)
		tz := types.IsTimestampTZ(from)
		for i, us := range iv {
			switch us {
			case text.TimestampInfinity:
				out[i] = int64(text.DateInfinity)
				continue
			case text.TimestampNegInfinity:
				out[i] = int64(text.DateNegInfinity)
				continue
			}
			if tz {
				us = utcToLocal(us, ec.loc())
			}
			out[i] = floorDiv(us, 86400e6)
		}
		return newIntArray(ec.Mem, t, out, v), nil
	case t.ID() == arrow.TIMESTAMP && from.ID() == arrow.TIMESTAMP:
		iv := int64s(a)
		out := make([]int64, n)
		toTZ := types.IsTimestampTZ(t)
		for i, us := range iv {
			if !isValid(v, i) {
				continue
			}
			if toTZ {
				out[i] = localToUTC(us, ec.loc())
			} else {
				out[i] = utcToLocal(us, ec.loc())
			}
		}
		return newIntArray(ec.Mem, t, out, v), nil
	case t.ID() == arrow.TIME64 && from.ID() == arrow.TIMESTAMP:
		iv := int64s(a)
		out := make([]int64, n)
		for i, us := range iv {
			if types.IsTimestampTZ(from) {
				us = utcToLocal(us, ec.loc())
			}
			out[i] = us - floorDiv(us, 86400e6)*86400e6
		}
		return newIntArray(ec.Mem, t, out, v), nil
	}
	return nil, cannotCast(from, t)
}

func cannotCast(a, b arrow.DataType) error {
	return sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", types.Name(a), types.Name(b))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (ec *Context) loc() *time.Location {
	if ec == nil || ec.Location == nil {
		return time.UTC
	}
	return ec.Location
}

// localToUTC reads microseconds of wall time in loc as an instant.
func localToUTC(us int64, loc *time.Location) int64 {
	if loc == time.UTC {
		return us
	}
	t := time.UnixMicro(us).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc).UnixMicro()
}

// utcToLocal gives an instant's wall time in loc as microseconds.
func utcToLocal(us int64, loc *time.Location) int64 {
	if loc == time.UTC {
		return us
	}
	_, off := time.UnixMicro(us).In(loc).Zone()
	return us + int64(off)*1e6
}

func decimalRat(v decimal128.Num, scale int32) *big.Rat {
	r := new(big.Rat).SetInt(v.BigInt())
	if scale > 0 {
		r.Quo(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	} else if scale < 0 {
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-scale)), nil)))
	}
	return r
}

// castFromText parses each string as a value of t.
func castFromText(ec *Context, a *array.String, t arrow.DataType, v []bool) (arrow.Array, error) {
	n := a.Len()
	switch {
	case types.IsString(t):
		return a, nil
	case types.IsInteger(t):
		bits := map[arrow.Type]int{arrow.INT16: 16, arrow.INT32: 32, arrow.INT64: 64}[t.ID()]
		out := make([]int64, n)
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				x, err := text.ParseInt(a.Value(i), bits)
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
		}
		return newIntArray(ec.Mem, t, out, v), nil
	case types.IsFloat(t):
		bits := 64
		if t.ID() == arrow.FLOAT32 {
			bits = 32
		}
		out := make([]float64, n)
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				x, err := text.ParseFloat(a.Value(i), bits)
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
		}
		return newFloatArray(ec.Mem, t, out, v), nil
	case types.IsDecimal(t):
		dt := t.(*arrow.Decimal128Type)
		out := make([]decimal128.Num, n)
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				x, err := text.ParseDecimal(a.Value(i), dt.Precision, dt.Scale)
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
		}
		b := array.NewDecimal128Builder(ec.Mem, dt)
		b.AppendValues(out, v)
		return b.NewArray(), nil
	case t.ID() == arrow.BOOL:
		out := make([]bool, n)
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				x, err := text.ParseBool(a.Value(i))
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
		}
		return newBoolArray(ec.Mem, out, v), nil
	case t.ID() == arrow.DATE32:
		out := make([]int64, n)
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				x, err := text.ParseDate(a.Value(i))
				if err != nil {
					return nil, err
				}
				out[i] = int64(x)
			}
		}
		return newIntArray(ec.Mem, t, out, v), nil
	case t.ID() == arrow.TIMESTAMP:
		var loc *time.Location
		if types.IsTimestampTZ(t) {
			loc = ec.loc()
		}
		out := make([]int64, n)
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				x, err := text.ParseTimestamp(a.Value(i), loc)
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
		}
		return newIntArray(ec.Mem, t, out, v), nil
	case t.ID() == arrow.TIME64:
		out := make([]int64, n)
		for i := 0; i < n; i++ {
			if isValid(v, i) {
				x, err := text.ParseTime(a.Value(i))
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
		}
		return newIntArray(ec.Mem, t, out, v), nil
	case t.ID() == arrow.INTERVAL_MONTH_DAY_NANO:
		b := array.NewMonthDayNanoIntervalBuilder(ec.Mem)
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				b.AppendNull()
				continue
			}
			m, d, us, err := text.ParseInterval(a.Value(i))
			if err != nil {
				return nil, err
			}
			b.Append(arrow.MonthDayNanoInterval{Months: m, Days: d, Nanoseconds: us * 1000})
		}
		return b.NewArray(), nil
	case t.ID() == arrow.LIST:
		return castTextToList(ec, a, t.(*arrow.ListType), v)
	case t.ID() == arrow.BINARY:
		b := array.NewBinaryBuilder(ec.Mem, arrow.BinaryTypes.Binary)
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				b.AppendNull()
				continue
			}
			b.Append([]byte(a.Value(i)))
		}
		return b.NewArray(), nil
	}
	return nil, cannotCast(types.String, t)
}

// castTextToList parses PostgreSQL array literals ('{1,2,NULL}',
// '{"a b",c}', '{{1,2},{3,4}}') into a list of t's depth.
func castTextToList(ec *Context, a *array.String, t *arrow.ListType, v []bool) (arrow.Array, error) {
	depth, elem := listDepth(t), baseElem(t)
	var leaves []string
	var leafNull []bool
	shapes := make([][]int, a.Len())
	for i := 0; i < a.Len(); i++ {
		if !isValid(v, i) {
			continue
		}
		lit, err := parseArrayText(a.Value(i))
		if err != nil {
			return nil, err
		}
		dims := lit.dims
		if len(dims) == 0 {
			dims = make([]int, depth) // '{}' is empty in any dimensions
		}
		if len(dims) != depth {
			if depth == 1 {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "a multi-dimensional array value is not supported here: \"%s\"", a.Value(i))
			}
			return nil, malformedArray(a.Value(i), "Multidimensional arrays must have sub-arrays with matching dimensions.")
		}
		shapes[i] = dims
		leaves = append(leaves, lit.leaves...)
		leafNull = append(leafNull, lit.nulls...)
	}
	sv := make([]bool, len(leaves))
	for i := range sv {
		sv[i] = !leafNull[i]
	}
	strs := newStringArray(ec.Mem, leaves, sv).(*array.String)
	vals, err := castFromText(ec, strs, elem, sv)
	if err != nil {
		return nil, err
	}
	return nestArrays(ec, vals, shapes, v, t)
}

// nestArrays builds a list of type t from its leaf values in order: row i
// has the dimensions shapes[i] (NULL where v says so).
func nestArrays(ec *Context, leaves arrow.Array, shapes [][]int, v []bool, t arrow.DataType) (arrow.Array, error) {
	n := len(shapes)
	depth := listDepth(t)
	// offsets[l] are the offsets of level l (level 0: the rows).
	offsets := make([][]int32, depth)
	counts := make([]int, depth+1)
	for l := range offsets {
		offsets[l] = []int32{0}
	}
	for i := 0; i < n; i++ {
		dims := shapes[i]
		if !isValid(v, i) || len(dims) == 0 {
			dims = make([]int, depth)
		}
		// Each level repeats the next level's items prod(dims[:l]) times.
		mult := 1
		for l := 0; l < depth; l++ {
			for k := 0; k < mult; k++ {
				counts[l+1] += dims[l]
				offsets[l] = append(offsets[l], int32(counts[l+1]))
			}
			mult *= dims[l]
		}
	}
	data := leaves.Data()
	for l := depth - 1; l >= 0; l-- {
		lt := t
		for k := 0; k < l; k++ {
			lt = lt.(*arrow.ListType).Elem()
		}
		length := len(offsets[l]) - 1
		var bm *memory.Buffer
		nulls := 0
		if l == 0 && v != nil {
			bm = memory.NewResizableBuffer(ec.Mem)
			bm.Resize(int(bitutil.BytesForBits(int64(n))))
			for i := 0; i < n; i++ {
				if v[i] {
					bitutil.SetBit(bm.Bytes(), i)
				} else {
					nulls++
				}
			}
		}
		data = array.NewData(lt, length, []*memory.Buffer{bm, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets[l]))},
			[]arrow.ArrayData{data}, nulls, 0)
	}
	return array.MakeFromData(data), nil
}

func malformedArray(s, detail string) error {
	e := sqlerr.New(sqlerr.InvalidTextRepresentation, "malformed array literal: \"%s\"", s)
	e.Detail = detail
	return e
}

// arrayText is a parsed array literal: its leaf elements in order and its
// dimensions (none for '{}').
type arrayText struct {
	leaves []string
	nulls  []bool
	dims   []int
}

// parseArrayText reads a PostgreSQL array literal, as array_in does:
// nested braces for more dimensions (sub-arrays of matching dimensions),
// elements quoted or not, NULL, backslash escapes, an optional
// [lo:hi]... = dimension decoration.
func parseArrayText(s string) (*arrayText, error) {
	p := &arrayParser{s: s}
	p.space()
	if p.i < len(s) && s[p.i] == '[' {
		// Dimension decoration: [1:2][1:3]={...}; the bounds are checked
		// against the value only by PostgreSQL; lakesql's arrays start at 1.
		for p.i < len(s) && s[p.i] == '[' {
			j := strings.IndexByte(s[p.i:], ']')
			if j < 0 {
				return nil, malformedArray(s, "Missing \"]\" after array dimensions.")
			}
			p.i += j + 1
		}
		p.space()
		if p.i >= len(s) || s[p.i] != '=' {
			return nil, malformedArray(s, "Missing \"=\" after array dimensions.")
		}
		p.i++
		p.space()
	}
	if p.i >= len(s) || s[p.i] != '{' {
		return nil, malformedArray(s, "Array value must start with \"{\" or dimension information.")
	}
	out := &arrayText{}
	dims, err := p.array(out, 0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(s) {
		return nil, malformedArray(s, "Junk after closing right brace.")
	}
	out.dims = dims
	return out, nil
}

type arrayParser struct {
	s string
	i int
}

func (p *arrayParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// array reads {...} at p.i and returns its dimensions.
func (p *arrayParser) array(out *arrayText, level int) ([]int, error) {
	if level >= 6 {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "number of array dimensions exceeds the maximum allowed (6)")
	}
	p.i++ // {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		if level > 0 {
			return nil, malformedArray(p.s, "Unexpected \"}\" character.")
		}
		return nil, nil
	}
	var sub []int // the dimensions of the sub-arrays, when any
	n := 0
	nested := p.i < len(p.s) && p.s[p.i] == '{'
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, malformedArray(p.s, "Unexpected end of input.")
		}
		if nested {
			if p.s[p.i] != '{' {
				return nil, malformedArray(p.s, "Unexpected array element.")
			}
			d, err := p.array(out, level+1)
			if err != nil {
				return nil, err
			}
			if n > 0 && !equalDims(d, sub) {
				return nil, malformedArray(p.s, "Multidimensional arrays must have sub-arrays with matching dimensions.")
			}
			sub = d
		} else {
			if p.s[p.i] == '{' {
				return nil, malformedArray(p.s, "Unexpected \"{\" character.")
			}
			if err := p.element(out); err != nil {
				return nil, err
			}
		}
		n++
		p.space()
		if p.i >= len(p.s) {
			return nil, malformedArray(p.s, "Unexpected end of input.")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			continue
		case '}':
			p.i++
			return append([]int{n}, sub...), nil
		}
		return nil, malformedArray(p.s, fmt.Sprintf("Unexpected \"%c\" character.", p.s[p.i]))
	}
}

// element reads one scalar element.
func (p *arrayParser) element(out *arrayText) error {
	var sb strings.Builder
	if p.s[p.i] == '"' {
		p.i++
		for {
			if p.i >= len(p.s) {
				return malformedArray(p.s, "Unexpected end of input.")
			}
			c := p.s[p.i]
			if c == '\\' && p.i+1 < len(p.s) {
				sb.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			p.i++
			if c == '"' {
				break
			}
			sb.WriteByte(c)
		}
		out.leaves = append(out.leaves, sb.String())
		out.nulls = append(out.nulls, false)
		return nil
	}
	escaped := false
	trail := 0 // length of sb up to its last non-space or escaped byte
	for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != '}' {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s):
			sb.WriteByte(p.s[p.i+1])
			p.i += 2
			escaped = true
			trail = sb.Len()
			continue
		case c == '{' || c == '"':
			return malformedArray(p.s, fmt.Sprintf("Unexpected \"%c\" character.", c))
		}
		sb.WriteByte(c)
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			trail = sb.Len()
		}
		p.i++
	}
	v := sb.String()[:trail]
	if v == "" && !escaped {
		return malformedArray(p.s, "Unexpected \",\" character.")
	}
	out.leaves = append(out.leaves, v)
	out.nulls = append(out.nulls, !escaped && strings.EqualFold(v, "null"))
	return nil
}

func equalDims(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// arrayLiteralDepth is the number of dimensions of an array literal (1
// for '{}' and for text that is not one).
func arrayLiteralDepth(s string) int {
	lit, err := parseArrayText(s)
	if err != nil || len(lit.dims) == 0 {
		return 1
	}
	return len(lit.dims)
}
