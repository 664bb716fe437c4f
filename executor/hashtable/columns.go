package hashtable

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
)

// keyColumn stores one key column of every group and knows how to hash
// and compare values of its type.
type keyColumn interface {
	// hash folds the hash of every row of a into h.
	hash(a arrow.Array, h []uint64)
	// equal clears eq[k] where row rows[k] of a differs from the stored
	// key of group groups[k].
	equal(a arrow.Array, rows []int32, groups []uint32, eq []bool)
	// equalRows clears same[r] for each r of rows where row r of a
	// differs from row r-1 (NULLs equal).
	equalRows(a arrow.Array, rows []int32, same []bool)
	// append stores the keys of rows (the new groups, in order).
	append(a arrow.Array, rows []int32)
	// build returns the stored keys of groups 0..n-1 as an array.
	build(n int) arrow.Array
	bytes() int64
}

func newKeyColumn(t arrow.DataType) keyColumn {
	switch t.ID() {
	case arrow.INT8:
		return &fixedColumn[int8]{t: t}
	case arrow.INT16:
		return &fixedColumn[int16]{t: t}
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return &fixedColumn[int32]{t: t}
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return &fixedColumn[int64]{t: t}
	case arrow.UINT8:
		return &fixedColumn[uint8]{t: t}
	case arrow.UINT16:
		return &fixedColumn[uint16]{t: t}
	case arrow.UINT32:
		return &fixedColumn[uint32]{t: t}
	case arrow.UINT64:
		return &fixedColumn[uint64]{t: t}
	case arrow.FLOAT32:
		return &floatColumn[float32]{t: t}
	case arrow.FLOAT64:
		return &floatColumn[float64]{t: t}
	case arrow.DECIMAL128:
		return &decimalColumn{t: t}
	case arrow.BOOL:
		return &boolColumn{}
	case arrow.STRING, arrow.BINARY:
		return &stringColumn{t: t, offs: []int64{0}}
	case arrow.NULL:
		return &nullColumn{}
	}
	return &encodedColumn{t: t, enc: stringColumn{t: arrow.BinaryTypes.Binary, offs: []int64{0}}}
}

// validity tracks which groups have a NULL key, allocated on the first.
type validity struct {
	null []bool // nil while no group's key is NULL
	n    int
}

func (v *validity) add(isNull bool) {
	if isNull && v.null == nil {
		v.null = make([]bool, v.n, max(v.n*2, 64))
	}
	if v.null != nil {
		v.null = append(v.null, isNull)
	}
	v.n++
}

func (v *validity) isNull(g uint32) bool { return v.null != nil && v.null[g] }

// bitmap is the stored validity as an arrow bitmap (nil: all valid).
func (v *validity) bitmap(n int) *memory.Buffer {
	if v.null == nil {
		return nil
	}
	bits := make([]byte, bitutil.BytesForBits(int64(n)))
	for g := 0; g < n; g++ {
		if !v.null[g] {
			bitutil.SetBit(bits, g)
		}
	}
	return memory.NewBufferBytes(bits)
}

// arrayValidity is an array's validity bitmap, read once per batch: asking
// the array per row (NullN, IsValid) cost two interface calls a row.
type arrayValidity struct {
	bits []byte // nil: no NULLs
	off  int
}

func validOf(a arrow.Array) arrayValidity {
	if a.NullN() == 0 {
		return arrayValidity{}
	}
	return arrayValidity{bits: a.NullBitmapBytes(), off: a.Data().Offset()}
}

func (v arrayValidity) at(i int) bool { return v.bits == nil || bitutil.BitIsSet(v.bits, v.off+i) }

// values views the value buffer of a fixed-width array as []T, from its
// first row.
func values[T any](a arrow.Array) []T {
	d := a.Data()
	b := d.Buffers()[1]
	if b == nil || b.Len() == 0 {
		return nil
	}
	var z T
	all := unsafe.Slice((*T)(unsafe.Pointer(&b.Bytes()[0])), b.Len()/int(unsafe.Sizeof(z)))
	return all[d.Offset():]
}

type fixed interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// fixedColumn holds integer-like keys (integers, dates, times).
type fixedColumn[T fixed] struct {
	t    arrow.DataType
	vals []T
	v    validity
}

func (c *fixedColumn[T]) hash(a arrow.Array, h []uint64) {
	xs := values[T](a)
	if a.NullN() == 0 {
		for i := range h {
			h[i] = combine(h[i], uint64(xs[i]))
		}
		return
	}
	for i := range h {
		if a.IsValid(i) {
			h[i] = combine(h[i], uint64(xs[i]))
		} else {
			h[i] = combine(h[i], nullKey)
		}
	}
}

func (c *fixedColumn[T]) equal(a arrow.Array, rows []int32, groups []uint32, eq []bool) {
	av := validOf(a)
	xs := values[T](a)
	if a.NullN() == 0 && c.v.null == nil {
		for k, r := range rows {
			eq[k] = eq[k] && xs[r] == c.vals[groups[k]]
		}
		return
	}
	for k, r := range rows {
		g := groups[k]
		an, gn := !av.at(int(r)), c.v.isNull(g)
		eq[k] = eq[k] && an == gn && (an || xs[r] == c.vals[g])
	}
}

func (c *fixedColumn[T]) equalRows(a arrow.Array, rows []int32, same []bool) {
	av := validOf(a)
	xs := values[T](a)
	for _, r := range rows {
		same[r] = same[r] && xs[r] == xs[r-1] && av.at(int(r)) == av.at(int(r-1))
	}
}

func (c *fixedColumn[T]) append(a arrow.Array, rows []int32) {
	av := validOf(a)
	xs := values[T](a)
	for _, r := range rows {
		c.vals = append(c.vals, xs[r])
		c.v.add(!av.at(int(r)))
	}
}

func (c *fixedColumn[T]) build(n int) arrow.Array {
	nulls := c.v.bitmap(n)
	vals := append([]T(nil), c.vals[:n]...)
	return batch.FromBuffers(c.t, n, nulls, memory.NewBufferBytes(batch.SliceBytes(vals)))
}

func (c *fixedColumn[T]) bytes() int64 {
	var z T
	return int64(cap(c.vals))*int64(unsafe.Sizeof(z)) + int64(cap(c.v.null))
}

// floatColumn holds float keys; -0 equals 0 and NaN equals NaN, as
// PostgreSQL groups them.
type floatColumn[T float32 | float64] struct {
	t    arrow.DataType
	vals []T
	v    validity
}

func floatBits[T float32 | float64](x T) uint64 {
	f := float64(x)
	switch {
	case f == 0:
		return 0
	case f != f:
		return 0x7ff8000000000001
	}
	return math.Float64bits(f)
}

func (c *floatColumn[T]) hash(a arrow.Array, h []uint64) {
	av := validOf(a)
	xs := values[T](a)
	for i := range h {
		if av.at(i) {
			h[i] = combine(h[i], floatBits(xs[i]))
		} else {
			h[i] = combine(h[i], nullKey)
		}
	}
}

func (c *floatColumn[T]) equal(a arrow.Array, rows []int32, groups []uint32, eq []bool) {
	av := validOf(a)
	xs := values[T](a)
	for k, r := range rows {
		g := groups[k]
		an, gn := !av.at(int(r)), c.v.isNull(g)
		eq[k] = eq[k] && an == gn && (an || floatBits(xs[r]) == floatBits(c.vals[g]))
	}
}

func (c *floatColumn[T]) equalRows(a arrow.Array, rows []int32, same []bool) {
	av := validOf(a)
	xs := values[T](a)
	for _, r := range rows {
		same[r] = same[r] && floatBits(xs[r]) == floatBits(xs[r-1]) && av.at(int(r)) == av.at(int(r-1))
	}
}

func (c *floatColumn[T]) append(a arrow.Array, rows []int32) {
	av := validOf(a)
	xs := values[T](a)
	for _, r := range rows {
		c.vals = append(c.vals, xs[r])
		c.v.add(!av.at(int(r)))
	}
}

func (c *floatColumn[T]) build(n int) arrow.Array {
	nulls := c.v.bitmap(n)
	vals := append([]T(nil), c.vals[:n]...)
	return batch.FromBuffers(c.t, n, nulls, memory.NewBufferBytes(batch.SliceBytes(vals)))
}

func (c *floatColumn[T]) bytes() int64 {
	var z T
	return int64(cap(c.vals))*int64(unsafe.Sizeof(z)) + int64(cap(c.v.null))
}

// decimalColumn holds NUMERIC keys (equal scales within one column).
type decimalColumn struct {
	t    arrow.DataType
	vals []decimal128.Num
	v    validity
}

func (c *decimalColumn) hash(a arrow.Array, h []uint64) {
	av := validOf(a)
	xs := values[decimal128.Num](a)
	for i := range h {
		if av.at(i) {
			x := xs[i]
			h[i] = combine(combine(h[i], x.LowBits()), uint64(x.HighBits()))
		} else {
			h[i] = combine(h[i], nullKey)
		}
	}
}

func (c *decimalColumn) equal(a arrow.Array, rows []int32, groups []uint32, eq []bool) {
	av := validOf(a)
	xs := values[decimal128.Num](a)
	for k, r := range rows {
		g := groups[k]
		an, gn := !av.at(int(r)), c.v.isNull(g)
		eq[k] = eq[k] && an == gn && (an || xs[r] == c.vals[g])
	}
}

func (c *decimalColumn) equalRows(a arrow.Array, rows []int32, same []bool) {
	av := validOf(a)
	xs := values[decimal128.Num](a)
	for _, r := range rows {
		same[r] = same[r] && xs[r] == xs[r-1] && av.at(int(r)) == av.at(int(r-1))
	}
}

func (c *decimalColumn) append(a arrow.Array, rows []int32) {
	av := validOf(a)
	xs := values[decimal128.Num](a)
	for _, r := range rows {
		c.vals = append(c.vals, xs[r])
		c.v.add(!av.at(int(r)))
	}
}

func (c *decimalColumn) build(n int) arrow.Array {
	nulls := c.v.bitmap(n)
	vals := append([]decimal128.Num(nil), c.vals[:n]...)
	return batch.FromBuffers(c.t, n, nulls, memory.NewBufferBytes(batch.SliceBytes(vals)))
}

func (c *decimalColumn) bytes() int64 { return int64(cap(c.vals))*16 + int64(cap(c.v.null)) }

// boolColumn holds boolean keys.
type boolColumn struct {
	vals []bool
	v    validity
}

func (c *boolColumn) hash(a arrow.Array, h []uint64) {
	av := validOf(a)
	b := a.(*array.Boolean)
	for i := range h {
		switch {
		case !av.at(i):
			h[i] = combine(h[i], nullKey)
		case b.Value(i):
			h[i] = combine(h[i], 1)
		default:
			h[i] = combine(h[i], 2)
		}
	}
}

func (c *boolColumn) equal(a arrow.Array, rows []int32, groups []uint32, eq []bool) {
	av := validOf(a)
	b := a.(*array.Boolean)
	for k, r := range rows {
		g := groups[k]
		an, gn := !av.at(int(r)), c.v.isNull(g)
		eq[k] = eq[k] && an == gn && (an || b.Value(int(r)) == c.vals[g])
	}
}

func (c *boolColumn) equalRows(a arrow.Array, rows []int32, same []bool) {
	av := validOf(a)
	b := a.(*array.Boolean)
	for _, r := range rows {
		same[r] = same[r] && b.Value(int(r)) == b.Value(int(r-1)) && av.at(int(r)) == av.at(int(r-1))
	}
}

func (c *boolColumn) append(a arrow.Array, rows []int32) {
	av := validOf(a)
	b := a.(*array.Boolean)
	for _, r := range rows {
		c.vals = append(c.vals, b.Value(int(r)))
		c.v.add(!av.at(int(r)))
	}
}

func (c *boolColumn) build(n int) arrow.Array {
	nulls := c.v.bitmap(n)
	bits := make([]byte, bitutil.BytesForBits(int64(n)))
	for g := 0; g < n; g++ {
		if c.vals[g] {
			bitutil.SetBit(bits, g)
		}
	}
	return batch.FromBuffers(arrow.FixedWidthTypes.Boolean, n, nulls, memory.NewBufferBytes(bits))
}

func (c *boolColumn) bytes() int64 { return int64(cap(c.vals) + cap(c.v.null)) }

// stringColumn holds text or binary keys in one arena.
type stringColumn struct {
	t    arrow.DataType
	offs []int64 // group g's bytes are data[offs[g]:offs[g+1]]
	data []byte
	v    validity
	// dictWords is scratch for the words of a dictionary's values
	// (packDictionary).
	dictWords []uint64
}

var stringSeed = maphash.MakeSeed()

// binaryData returns a string/binary array's offsets (for its rows) and
// its whole value buffer.
func binaryData(a arrow.Array) ([]int32, []byte) {
	d := a.Data()
	var offs []int32
	if b := d.Buffers()[1]; b != nil && b.Len() > 0 {
		offs = unsafe.Slice((*int32)(unsafe.Pointer(&b.Bytes()[0])), b.Len()/4)[d.Offset():]
	}
	var data []byte
	if b := d.Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	return offs, data
}

func (c *stringColumn) hash(a arrow.Array, h []uint64) {
	av := validOf(a)
	offs, data := binaryData(a)
	for i := range h {
		if !av.at(i) {
			h[i] = combine(h[i], nullKey)
			continue
		}
		v := data[offs[i]:offs[i+1]]
		if len(v) < 8 {
			h[i] = combine(h[i], shortString(v))
		} else {
			h[i] = combine(h[i], maphash.Bytes(stringSeed, v))
		}
	}
}

// shortString packs a value of under 8 bytes, and its length, into a
// word, distinct for each such value: grouping keys are often short codes
// and flags (TPC-H q01 groups by two one-letter columns), and hashing
// them as a word, as integer keys are, costs a fraction of a call to
// maphash. Row hashes go through fmix64 at the end.
func shortString(v []byte) uint64 {
	x := uint64(len(v)) << 56
	for k, b := range v {
		x |= uint64(b) << (8 * k)
	}
	return x
}

func (c *stringColumn) equal(a arrow.Array, rows []int32, groups []uint32, eq []bool) {
	av := validOf(a)
	offs, data := binaryData(a)
	for k, r := range rows {
		if !eq[k] {
			continue
		}
		g := groups[k]
		an, gn := !av.at(int(r)), c.v.isNull(g)
		if an || gn {
			eq[k] = an == gn
			continue
		}
		eq[k] = string(data[offs[r]:offs[r+1]]) == string(c.data[c.offs[g]:c.offs[g+1]])
	}
}

func (c *stringColumn) equalRows(a arrow.Array, rows []int32, same []bool) {
	av := validOf(a)
	offs, data := binaryData(a)
	for _, r := range rows {
		same[r] = same[r] && av.at(int(r)) == av.at(int(r-1)) &&
			string(data[offs[r]:offs[r+1]]) == string(data[offs[r-1]:offs[r]])
	}
}

func (c *stringColumn) append(a arrow.Array, rows []int32) {
	av := validOf(a)
	offs, data := binaryData(a)
	for _, r := range rows {
		valid := av.at(int(r))
		if valid {
			c.data = append(c.data, data[offs[r]:offs[r+1]]...)
		}
		c.offs = append(c.offs, int64(len(c.data)))
		c.v.add(!valid)
	}
}

func (c *stringColumn) build(n int) arrow.Array {
	nulls := c.v.bitmap(n)
	offs := make([]int32, n+1)
	for g := range offs {
		offs[g] = int32(c.offs[g])
	}
	data := append([]byte(nil), c.data[:c.offs[n]]...)
	return batch.FromBuffers(c.t, n, nulls, memory.NewBufferBytes(batch.SliceBytes(offs)), memory.NewBufferBytes(data))
}

func (c *stringColumn) bytes() int64 {
	return int64(cap(c.offs))*8 + int64(cap(c.data)) + int64(cap(c.v.null))
}

// nullColumn is a key of type NULL: every value is NULL.
type nullColumn struct{}

func (nullColumn) hash(a arrow.Array, h []uint64) {
	for i := range h {
		h[i] = combine(h[i], nullKey)
	}
}
func (nullColumn) equal(arrow.Array, []int32, []uint32, []bool) {}
func (nullColumn) append(arrow.Array, []int32)                  {}
func (nullColumn) equalRows(arrow.Array, []int32, []bool)       {}
func (nullColumn) build(n int) arrow.Array                      { return array.NewNull(n) }
func (nullColumn) bytes() int64                                 { return 0 }

// encodedColumn holds keys of other types (intervals, lists, structs):
// each is compared through a byte encoding under which equal values (as
// PostgreSQL compares them) encode equally, and the original values of
// the new groups are kept, a batch at a time, for build.
type encodedColumn struct {
	t      arrow.DataType
	enc    stringColumn // the encodings, as binary keys
	chunks []arrow.Array
}

// encodings encodes every row of a as a binary array.
func (c *encodedColumn) encodings(a arrow.Array) arrow.Array {
	av := validOf(a)
	b := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
	defer b.Release()
	var buf []byte
	for i := 0; i < a.Len(); i++ {
		if !av.at(i) {
			b.AppendNull()
			continue
		}
		buf = appendValue(buf[:0], a, i)
		b.Append(buf)
	}
	return b.NewArray()
}

func (c *encodedColumn) hash(a arrow.Array, h []uint64) { c.enc.hash(c.encodings(a), h) }

func (c *encodedColumn) equal(a arrow.Array, rows []int32, groups []uint32, eq []bool) {
	c.enc.equal(c.encodings(a), rows, groups, eq)
}

func (c *encodedColumn) equalRows(a arrow.Array, rows []int32, same []bool) {
	c.enc.equalRows(c.encodings(a), rows, same)
}

func (c *encodedColumn) append(a arrow.Array, rows []int32) {
	if len(rows) == 0 {
		return
	}
	c.enc.append(c.encodings(a), rows)
	out, err := batch.Gather(context.Background(), a, rows)
	if err != nil {
		panic(err) // take accepts every array of a valid type
	}
	c.chunks = append(c.chunks, out)
}

func (c *encodedColumn) build(n int) arrow.Array {
	if len(c.chunks) == 0 {
		return array.MakeArrayOfNull(memory.DefaultAllocator, c.t, 0)
	}
	all, err := array.Concatenate(c.chunks, memory.DefaultAllocator)
	if err != nil {
		panic(err)
	}
	c.chunks = []arrow.Array{all}
	return array.NewSlice(all, 0, int64(n))
}

func (c *encodedColumn) bytes() int64 {
	b := c.enc.bytes()
	for _, ch := range c.chunks {
		for _, buf := range ch.Data().Buffers() {
			if buf != nil {
				b += int64(buf.Len())
			}
		}
	}
	return b
}

// appendValue appends an encoding of row i of c under which values equal
// in PostgreSQL's sense encode equally.
func appendValue(b []byte, c arrow.Array, i int) []byte {
	switch a := c.(type) {
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		// Equal intervals compare equal as PostgreSQL does (30-day months).
		key := int64(v.Months)*30*86400e9 + int64(v.Days)*86400e9 + v.Nanoseconds
		return binary.LittleEndian.AppendUint64(b, uint64(key))
	case *array.Float64:
		return binary.LittleEndian.AppendUint64(b, floatBits(a.Value(i)))
	case *array.Float32:
		return binary.LittleEndian.AppendUint64(b, floatBits(a.Value(i)))
	case *array.String:
		s := a.Value(i)
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case *array.Binary:
		s := a.Value(i)
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case *array.List:
		s, e := a.ValueOffsets(i)
		vals := a.ListValues()
		b = binary.AppendUvarint(b, uint64(e-s))
		for k := s; k < e; k++ {
			if vals.IsNull(int(k)) {
				b = append(b, 0)
				continue
			}
			b = append(b, 1)
			b = appendValue(b, vals, int(k))
		}
		return b
	case *array.Struct:
		for f := 0; f < a.NumField(); f++ {
			col := a.Field(f)
			if col.IsNull(i) {
				b = append(b, 0)
				continue
			}
			b = append(b, 1)
			b = appendValue(b, col, i)
		}
		return b
	case *array.Decimal128:
		v := a.Value(i)
		b = binary.LittleEndian.AppendUint64(b, v.LowBits())
		return binary.LittleEndian.AppendUint64(b, uint64(v.HighBits()))
	case *array.Boolean:
		if a.Value(i) {
			return append(b, 1)
		}
		return append(b, 0)
	}
	if fw, ok := c.DataType().(arrow.FixedWidthDataType); ok && fw.BitWidth()%8 == 0 && fw.BitWidth() > 0 {
		w := fw.BitWidth() / 8
		buf := c.Data().Buffers()[1].Bytes()
		start := (c.Data().Offset() + i) * w
		return append(b, buf[start:start+w]...)
	}
	s := c.ValueStr(i)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
