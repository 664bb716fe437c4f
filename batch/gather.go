package batch

import (
	"context"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Gather returns the rows idx of a, in that order; an index of -1 gives
// NULL (the missing side of an outer join). It is the copy at the heart
// of filters, joins and sorts, so the common types have loops of their
// own (fixed-width values moved by width, strings by one copy per value);
// nested types go through arrow's take.
func Gather(ctx context.Context, a arrow.Array, idx []int32) (arrow.Array, error) {
	n := len(idx)
	nulls := gatherNulls(a, idx)
	switch dt := a.DataType().(type) {
	case *arrow.DictionaryType:
		// The indices move; the dictionary is shared (see dictionary.go).
		if dt.IndexType.ID() == arrow.INT32 {
			ix := gatherFixed(valueBytes(a, 4), idx, int32(0))
			return NewDictionary(a.(*array.Dictionary).Dictionary(), ix, nulls), nil
		}
	case *arrow.BooleanType:
		src := a.Data().Buffers()[1].Bytes()
		off := a.Data().Offset()
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		for j, i := range idx {
			if i >= 0 && bitutil.BitIsSet(src, off+int(i)) {
				bitutil.SetBit(bits, j)
			}
		}
		return FromBuffers(dt, n, nulls, memory.NewBufferBytes(bits)), nil
	case *arrow.StringType, *arrow.BinaryType:
		return gatherBinary(a, idx, nulls), nil
	case arrow.FixedWidthDataType:
		if dt.BitWidth()%8 != 0 || dt.ID() == arrow.DICTIONARY || dt.ID() == arrow.EXTENSION {
			break
		}
		w := dt.BitWidth() / 8
		src := valueBytes(a, w)
		var vals []byte
		switch w {
		case 1:
			vals = SliceBytes(gatherFixed(src, idx, uint8(0)))
		case 2:
			vals = SliceBytes(gatherFixed(src, idx, uint16(0)))
		case 4:
			vals = SliceBytes(gatherFixed(src, idx, uint32(0)))
		case 8:
			vals = SliceBytes(gatherFixed(src, idx, uint64(0)))
		case 16:
			vals = SliceBytes(gatherFixed(src, idx, [2]uint64{}))
		default:
			goto generic
		}
		return FromBuffers(dt, n, nulls, memory.NewBufferBytes(vals)), nil
	}
generic:
	b := array.NewInt32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(n)
	for _, i := range idx {
		if i < 0 {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(i)
		}
	}
	ix := b.NewArray()
	defer ix.Release()
	return compute.TakeArray(ctx, a, ix)
}

// valueBytes is the value buffer of a fixed-width array whose values are
// w bytes wide (or of a dictionary array's indices), from its first row;
// nil when it has none.
func valueBytes(a arrow.Array, w int) []byte {
	if b := a.Data().Buffers()[1]; b != nil {
		return b.Bytes()[a.Data().Offset()*w:]
	}
	return nil
}

// gatherFixed moves the values of width size(T) at idx out of src (the
// array's value bytes, from its first row).
func gatherFixed[T any](src []byte, idx []int32, _ T) []T {
	out := make([]T, len(idx))
	if len(src) == 0 {
		return out
	}
	var z T
	vals := unsafe.Slice((*T)(unsafe.Pointer(&src[0])), len(src)/int(unsafe.Sizeof(z)))
	for j, i := range idx {
		if i >= 0 {
			out[j] = vals[i]
		}
	}
	return out
}

// gatherNulls is the validity of the gathered rows, nil when all valid.
func gatherNulls(a arrow.Array, idx []int32) *memory.Buffer {
	hasNeg := false
	for _, i := range idx {
		if i < 0 {
			hasNeg = true
			break
		}
	}
	if a.NullN() == 0 && !hasNeg {
		return nil
	}
	bits := make([]byte, bitutil.BytesForBits(int64(len(idx))))
	if a.DataType().ID() == arrow.NULL {
		return memory.NewBufferBytes(bits)
	}
	if a.NullN() == 0 {
		for j, i := range idx {
			if i >= 0 {
				bitutil.SetBit(bits, j)
			}
		}
		return memory.NewBufferBytes(bits)
	}
	src := a.NullBitmapBytes()
	off := a.Data().Offset()
	for j, i := range idx {
		if i >= 0 && bitutil.BitIsSet(src, off+int(i)) {
			bitutil.SetBit(bits, j)
		}
	}
	return memory.NewBufferBytes(bits)
}

func gatherBinary(a arrow.Array, idx []int32, nulls *memory.Buffer) arrow.Array {
	d := a.Data()
	if d.Len() == 0 {
		// Only NULL rows can come out of an empty array.
		return array.MakeArrayOfNull(memory.DefaultAllocator, a.DataType(), len(idx))
	}
	offs := unsafe.Slice((*int32)(unsafe.Pointer(&d.Buffers()[1].Bytes()[0])), d.Offset()+d.Len()+1)[d.Offset():]
	var data []byte
	if b := d.Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	total := 0
	for _, i := range idx {
		if i >= 0 {
			total += int(offs[i+1] - offs[i])
		}
	}
	outOffs := make([]int32, len(idx)+1)
	outData := make([]byte, total)
	pos := int32(0)
	for j, i := range idx {
		if i >= 0 {
			lo, hi := offs[i], offs[i+1]
			if hi-lo <= 8 {
				// Short values (flags, codes) byte by byte: a call to
				// memmove costs more than the copy.
				for k := lo; k < hi; k++ {
					outData[pos] = data[k]
					pos++
				}
			} else {
				pos += int32(copy(outData[pos:], data[lo:hi]))
			}
		}
		outOffs[j+1] = pos
	}
	return FromBuffers(a.DataType(), len(idx), nulls, memory.NewBufferBytes(SliceBytes(outOffs)), memory.NewBufferBytes(outData))
}

// FromBuffers makes an array of n rows of type t over its buffers (nulls:
// the validity bitmap, nil when every row is valid).
func FromBuffers(t arrow.DataType, n int, nulls *memory.Buffer, bufs ...*memory.Buffer) arrow.Array {
	nullN := 0
	if nulls != nil {
		nullN = n - bitutil.CountSetBits(nulls.Bytes(), 0, n)
	}
	d := array.NewData(t, n, append([]*memory.Buffer{nulls}, bufs...), nil, nullN, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// SliceBytes views a slice's memory as bytes (no copy).
func SliceBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(z)))
}

// Interleave builds an array of type t whose row i is row pos[i] of
// arrs[src[i]], or NULL where src[i] < 0: the scatter of a CASE's
// branches, each computed over its own rows, back into row order. It
// handles fixed-width and string types, whose arrays must all be of type
// t; for others it reports false and the caller concatenates and gathers.
func Interleave(t arrow.DataType, arrs []arrow.Array, src, pos []int32) (arrow.Array, bool) {
	for _, a := range arrs {
		if !arrow.TypeEqual(a.DataType(), t) {
			return nil, false
		}
	}
	n := len(src)
	nulls := interleaveNulls(arrs, src, pos)
	switch dt := t.(type) {
	case *arrow.StringType, *arrow.BinaryType:
		return interleaveBinary(dt, arrs, src, pos, nulls), true
	case arrow.FixedWidthDataType:
		if dt.BitWidth()%8 != 0 || dt.ID() == arrow.DICTIONARY || dt.ID() == arrow.EXTENSION {
			return nil, false
		}
		w := dt.BitWidth() / 8
		srcs := make([][]byte, len(arrs))
		for k, a := range arrs {
			srcs[k] = valueBytes(a, w)
		}
		var vals []byte
		switch w {
		case 1:
			vals = SliceBytes(interleaveFixed(srcs, src, pos, uint8(0)))
		case 2:
			vals = SliceBytes(interleaveFixed(srcs, src, pos, uint16(0)))
		case 4:
			vals = SliceBytes(interleaveFixed(srcs, src, pos, uint32(0)))
		case 8:
			vals = SliceBytes(interleaveFixed(srcs, src, pos, uint64(0)))
		case 16:
			vals = SliceBytes(interleaveFixed(srcs, src, pos, [2]uint64{}))
		default:
			return nil, false
		}
		return FromBuffers(dt, n, nulls, memory.NewBufferBytes(vals)), true
	}
	return nil, false
}

func interleaveFixed[T any](srcs [][]byte, src, pos []int32, _ T) []T {
	out := make([]T, len(src))
	var z T
	vals := make([][]T, len(srcs))
	for k, s := range srcs {
		if len(s) > 0 {
			vals[k] = unsafe.Slice((*T)(unsafe.Pointer(&s[0])), len(s)/int(unsafe.Sizeof(z)))
		}
	}
	for i, k := range src {
		if k >= 0 && vals[k] != nil {
			out[i] = vals[k][pos[i]]
		}
	}
	return out
}

// interleaveNulls is the validity of the interleaved rows, nil when all
// are valid.
func interleaveNulls(arrs []arrow.Array, src, pos []int32) *memory.Buffer {
	anyNull := false
	for _, a := range arrs {
		anyNull = anyNull || a.NullN() > 0
	}
	for _, k := range src {
		anyNull = anyNull || k < 0
	}
	if !anyNull {
		return nil
	}
	bits := make([]byte, bitutil.BytesForBits(int64(len(src))))
	for i, k := range src {
		if k >= 0 && arrs[k].IsValid(int(pos[i])) {
			bitutil.SetBit(bits, i)
		}
	}
	return memory.NewBufferBytes(bits)
}

func interleaveBinary(t arrow.DataType, arrs []arrow.Array, src, pos []int32, nulls *memory.Buffer) arrow.Array {
	offs := make([][]int32, len(arrs))
	datas := make([][]byte, len(arrs))
	for k, a := range arrs {
		d := a.Data()
		if d.Len() == 0 {
			continue
		}
		offs[k] = unsafe.Slice((*int32)(unsafe.Pointer(&d.Buffers()[1].Bytes()[0])), d.Offset()+d.Len()+1)[d.Offset():]
		if b := d.Buffers()[2]; b != nil {
			datas[k] = b.Bytes()
		}
	}
	total := 0
	for i, k := range src {
		if k >= 0 && offs[k] != nil {
			total += int(offs[k][pos[i]+1] - offs[k][pos[i]])
		}
	}
	outOffs := make([]int32, len(src)+1)
	outData := make([]byte, total)
	at := int32(0)
	for i, k := range src {
		if k >= 0 && offs[k] != nil {
			o := offs[k]
			at += int32(copy(outData[at:], datas[k][o[pos[i]]:o[pos[i]+1]]))
		}
		outOffs[i+1] = at
	}
	return FromBuffers(t, len(src), nulls, memory.NewBufferBytes(SliceBytes(outOffs)), memory.NewBufferBytes(outData))
}
