package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
)

// This file holds the building blocks of the typed kernels: validity
// bitmaps combined a word at a time, and arrays made from Go slices
// without copying them (a kernel computes into a slice it allocated and
// hands that memory to the array).

// nullBitmap returns the combined validity of arrs (a row is valid when it
// is valid in every array) as an arrow bitmap of n bits, or nil when every
// row is valid.
func nullBitmap(n int, arrs ...arrow.Array) *memory.Buffer {
	var out []byte
	for _, a := range arrs {
		if a.NullN() == 0 {
			continue
		}
		if out == nil {
			out = make([]byte, bitutil.BytesForBits(int64(n)))
			if a.DataType().ID() == arrow.NULL {
				return memory.NewBufferBytes(out) // all NULL
			}
			bitutil.CopyBitmap(a.NullBitmapBytes(), a.Data().Offset(), n, out, 0)
			continue
		}
		if a.DataType().ID() == arrow.NULL {
			clear(out)
			continue
		}
		bitutil.BitmapAnd(out, a.NullBitmapBytes(), 0, int64(a.Data().Offset()), out, 0, int64(n))
	}
	if out == nil {
		return nil
	}
	return memory.NewBufferBytes(out)
}

// validBit reports whether row i is valid under bitmap (nil: all valid).
func validBit(bitmap *memory.Buffer, i int) bool {
	return bitmap == nil || bitutil.BitIsSet(bitmap.Bytes(), i)
}

// nullCount counts the unset bits of bitmap.
func nullCount(bitmap *memory.Buffer, n int) int {
	if bitmap == nil {
		return 0
	}
	return n - bitutil.CountSetBits(bitmap.Bytes(), 0, n)
}

// fixedArray makes an array of type t over vals (one element per row) and
// the validity bitmap (nil: no NULLs), taking ownership of both.
func fixedArray[T any](t arrow.DataType, vals []T, bitmap *memory.Buffer) arrow.Array {
	n := len(vals)
	d := array.NewData(t, n, []*memory.Buffer{bitmap, memory.NewBufferBytes(batch.SliceBytes(vals))}, nil, nullCount(bitmap, n), 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// decimalArray makes a decimal array of type t over vals.
func decimalArray(t arrow.DataType, vals []decimal128.Num, bitmap *memory.Buffer) arrow.Array {
	return fixedArray(t, vals, bitmap)
}

// boolArray makes a boolean array from one bool per row.
func boolArray(vals []bool, bitmap *memory.Buffer) arrow.Array {
	n := len(vals)
	bits := make([]byte, bitutil.BytesForBits(int64(n)))
	packBools(vals, bits)
	d := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{bitmap, memory.NewBufferBytes(bits)}, nil, nullCount(bitmap, n), 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// packBools packs one bool per row into a bitmap, eight rows per byte.
func packBools(vals []bool, bits []byte) {
	n := len(vals)
	i := 0
	for ; i+8 <= n; i += 8 {
		v := vals[i : i+8 : i+8]
		bits[i>>3] = b2u(v[0]) | b2u(v[1])<<1 | b2u(v[2])<<2 | b2u(v[3])<<3 |
			b2u(v[4])<<4 | b2u(v[5])<<5 | b2u(v[6])<<6 | b2u(v[7])<<7
	}
	for ; i < n; i++ {
		if vals[i] {
			bits[i>>3] |= 1 << (i & 7)
		}
	}
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// decimals returns the values of a decimal array (offset applied).
func decimals(a arrow.Array) []decimal128.Num { return a.(*array.Decimal128).Values() }

// stride is how a kernel steps through an argument: 1 for a column, 0 for
// a constant (a one-row array standing for every row; see Call.Eval).
func stride(a arrow.Array, n int) int {
	if a.Len() == 1 && n != 1 {
		return 0
	}
	return 1
}

// argNulls is nullBitmap for kernel arguments, some of which may be
// constants: a NULL constant makes every row NULL.
func argNulls(n int, args ...arrow.Array) *memory.Buffer {
	cols := args[:0:0]
	for _, a := range args {
		if stride(a, n) == 0 {
			if a.IsNull(0) {
				return memory.NewBufferBytes(make([]byte, bitutil.BytesForBits(int64(n))))
			}
			continue
		}
		cols = append(cols, a)
	}
	return nullBitmap(n, cols...)
}

// expand turns a constant argument (one row) into a column of n rows, for
// the generic paths of kernels that take constants.
func expand(ec *Context, a arrow.Array, n int) arrow.Array {
	if stride(a, n) != 0 {
		return a
	}
	sc, err := scalarAt(a, 0)
	if err != nil {
		return a
	}
	out, err := scalar.MakeArrayFromScalar(sc, n, ec.Mem)
	if err != nil {
		return a
	}
	return out
}

// stringData returns a string array's offsets (one per row plus one, for
// the array's own rows) and the whole value buffer they index into
// (unlike ValueBytes, which starts at the first row's value).
func stringData(a *array.String) ([]int32, []byte) {
	var data []byte
	if b := a.Data().Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	return a.ValueOffsets(), data
}
