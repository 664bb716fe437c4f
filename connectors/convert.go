package connectors

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// ToEngine converts an array a reader produced into the engine type t,
// which is normally types.Normalize(a.DataType()): dictionaries decoded,
// unsigned integers widened, timestamps and times to microseconds, large
// and view strings to strings, date64 to date32, decimal32/64/256 to
// decimal128, intervals and durations to month_day_nano, maps to lists of
// key/value structs; structs and lists convert their children. It is
// also how a folder's files are widened to the merged type: integers to
// wider integers, decimals or doubles, and anything to text (in
// PostgreSQL's text form). An array already of type t is returned as is.
func ToEngine(ctx context.Context, a arrow.Array, t arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(a.DataType(), t) {
		return a, nil
	}
	if d, ok := a.(*array.Dictionary); ok {
		dec, err := compute.TakeArray(ctx, d.Dictionary(), d.Indices())
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.InternalError, "decode dictionary of %s", d.DataType())
		}
		return ToEngine(ctx, dec, t)
	}
	if a.DataType().ID() == arrow.NULL {
		return array.MakeArrayOfNull(memory.DefaultAllocator, t, a.Len()), nil
	}
	if types.IsString(t) {
		if c, ok := castByKernel(ctx, a, t); ok {
			return c, nil
		}
		return formatText(ctx, a), nil
	}
	switch t.ID() {
	case arrow.STRUCT:
		if s, ok := a.(*array.Struct); ok {
			return convertStruct(ctx, s, t.(*arrow.StructType))
		}
	case arrow.LIST:
		return convertList(ctx, a, t.(*arrow.ListType))
	case arrow.INTERVAL_MONTH_DAY_NANO:
		if out, ok := toMonthDayNano(a); ok {
			return out, nil
		}
	case arrow.DECIMAL128:
		if out, ok := smallDecimalTo128(a, t.(*arrow.Decimal128Type)); ok {
			return out, nil
		}
	}
	out, err := compute.CastArray(ctx, a, compute.UnsafeCastOptions(t))
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.FeatureNotSupported, "cannot read %s as %s", a.DataType(), types.Name(t))
	}
	return out, nil
}

// castByKernel casts to text with arrow's kernel where its output is
// PostgreSQL's (integers, other string types); it reports false for the
// rest.
func castByKernel(ctx context.Context, a arrow.Array, t arrow.DataType) (arrow.Array, bool) {
	switch a.DataType().ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.LARGE_STRING, arrow.STRING_VIEW:
		out, err := compute.CastArray(ctx, a, compute.UnsafeCastOptions(t))
		return out, err == nil
	}
	return nil, false
}

// formatText renders any array as PostgreSQL text (what a query that
// casts the value to text prints).
func formatText(ctx context.Context, a arrow.Array) arrow.Array {
	if n, ok := types.Normalize(a.DataType()); ok && !arrow.TypeEqual(n, a.DataType()) && !types.IsString(n) {
		if c, err := ToEngine(ctx, a, n); err == nil {
			a = c
		}
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(a.Len())
	var buf []byte
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		buf = text.Append(buf[:0], a, i, nil)
		b.BinaryBuilder.Append(buf)
	}
	return b.NewArray()
}

// convertStruct converts each child (by position) to its field's type.
func convertStruct(ctx context.Context, s *array.Struct, t *arrow.StructType) (arrow.Array, error) {
	if s.NumField() != t.NumFields() {
		return nil, sqlerr.New(sqlerr.InternalError, "cannot convert %s to %s", s.DataType(), types.Name(t))
	}
	kids := make([]arrow.ArrayData, s.NumField())
	for i := range kids {
		k, err := ToEngine(ctx, s.Field(i), t.Field(i).Type)
		if err != nil {
			return nil, err
		}
		kids[i] = k.Data()
	}
	// Children of s are already sliced to its offset; the validity bitmap
	// is copied to start at zero to match them.
	data := array.NewData(t, s.Len(), []*memory.Buffer{validityAtZero(s)}, kids, s.NullN(), 0)
	defer data.Release()
	return array.MakeFromData(data), nil
}

// validityAtZero returns a's validity bitmap starting at bit 0, or nil
// when a has no nulls.
func validityAtZero(a arrow.Array) *memory.Buffer {
	if a.NullN() == 0 || len(a.Data().Buffers()) == 0 || a.Data().Buffers()[0] == nil {
		return nil
	}
	src := a.Data().Buffers()[0].Bytes()
	off := a.Data().Offset()
	if off == 0 {
		return memory.NewBufferBytes(src[:bitutil.BytesForBits(int64(a.Len()))])
	}
	dst := make([]byte, bitutil.BytesForBits(int64(a.Len())))
	bitutil.CopyBitmap(src, off, a.Len(), dst, 0)
	return memory.NewBufferBytes(dst)
}

// convertList converts list, large list, fixed-size list and map arrays to
// a list with int32 offsets of the converted element type.
func convertList(ctx context.Context, a arrow.Array, t *arrow.ListType) (arrow.Array, error) {
	n := a.Len()
	offsets := make([]int32, n+1)
	var values arrow.Array
	switch x := a.(type) {
	case *array.Map:
		off := x.Offsets()
		values = array.NewSlice(x.ListValues(), int64(off[0]), int64(off[n]))
		for i, o := range off {
			offsets[i] = o - off[0]
		}
	case *array.List:
		off := x.Offsets()
		values = array.NewSlice(x.ListValues(), int64(off[0]), int64(off[n]))
		for i, o := range off {
			offsets[i] = o - off[0]
		}
	case *array.LargeList:
		off := x.Offsets()
		if off[n]-off[0] > math.MaxInt32 {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "list column too large")
		}
		values = array.NewSlice(x.ListValues(), off[0], off[n])
		for i, o := range off {
			offsets[i] = int32(o - off[0])
		}
	case *array.FixedSizeList:
		w := int64(x.DataType().(*arrow.FixedSizeListType).Len())
		start := int64(x.Data().Offset()) * w
		values = array.NewSlice(x.ListValues(), start, start+int64(n)*w)
		for i := range offsets {
			offsets[i] = int32(int64(i) * w)
		}
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot read %s as %s", a.DataType(), types.Name(t))
	}
	elems, err := ToEngine(ctx, values, t.Elem())
	if err != nil {
		return nil, err
	}
	data := array.NewData(arrow.ListOf(t.Elem()), n,
		[]*memory.Buffer{validityAtZero(a), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))},
		[]arrow.ArrayData{elems.Data()}, a.NullN(), 0)
	defer data.Release()
	return array.MakeFromData(data), nil
}

// toMonthDayNano converts month and day-time intervals and durations,
// which arrow's cast kernels do not handle.
func toMonthDayNano(a arrow.Array) (arrow.Array, bool) {
	n := a.Len()
	vals := make([]arrow.MonthDayNanoInterval, n)
	switch x := a.(type) {
	case *array.MonthInterval:
		for i, m := range x.MonthIntervalValues() {
			vals[i] = arrow.MonthDayNanoInterval{Months: int32(m)}
		}
	case *array.DayTimeInterval:
		for i, d := range x.DayTimeIntervalValues() {
			vals[i] = arrow.MonthDayNanoInterval{Days: d.Days, Nanoseconds: int64(d.Milliseconds) * 1e6}
		}
	case *array.Duration:
		mul := int64(x.DataType().(*arrow.DurationType).Unit.Multiplier())
		for i, d := range x.DurationValues() {
			vals[i] = arrow.MonthDayNanoInterval{Nanoseconds: int64(d) * mul}
		}
	default:
		return nil, false
	}
	data := array.NewData(types.Interval, n,
		[]*memory.Buffer{validityAtZero(a), memory.NewBufferBytes(arrow.MonthDayNanoIntervalTraits.CastToBytes(vals))}, nil, a.NullN(), 0)
	defer data.Release()
	return array.MakeFromData(data), true
}

// smallDecimalTo128 converts decimal32 and decimal64 arrays (which arrow's
// cast kernels do not handle) to decimal128 of the same scale.
func smallDecimalTo128(a arrow.Array, t *arrow.Decimal128Type) (arrow.Array, bool) {
	var get func(i int) int64
	var scale int32
	switch x := a.(type) {
	case *array.Decimal32:
		get, scale = func(i int) int64 { return int64(x.Value(i)) }, x.DataType().(*arrow.Decimal32Type).Scale
	case *array.Decimal64:
		get, scale = func(i int) int64 { return int64(x.Value(i)) }, x.DataType().(*arrow.Decimal64Type).Scale
	default:
		return nil, false
	}
	if scale != t.Scale {
		return nil, false
	}
	vals := make([]decimal128.Num, a.Len())
	for i := range vals {
		vals[i] = decimal128.FromI64(get(i))
	}
	data := array.NewData(t, a.Len(),
		[]*memory.Buffer{validityAtZero(a), memory.NewBufferBytes(arrow.Decimal128Traits.CastToBytes(vals))}, nil, a.NullN(), 0)
	defer data.Release()
	return array.MakeFromData(data), true
}

// convertColumn converts one column of a batch read from path and names
// the file and column in a failure.
func convertColumn(ctx context.Context, a arrow.Array, f arrow.Field, path string) (arrow.Array, error) {
	out, err := ToEngine(ctx, a, f.Type)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\" column \"%s\"", path, f.Name)
	}
	return out, nil
}
