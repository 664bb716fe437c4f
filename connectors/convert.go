package connectors

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/lakesql/lakesql/sqlerr"
)

// ToEngine converts an array a reader produced into the engine type t
// (see types.Normalize): dictionaries decoded, unsigned widened,
// timestamps to microseconds, large strings to strings, and so on.
func ToEngine(ctx context.Context, a arrow.Array, t arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(a.DataType(), t) {
		return a, nil
	}
	if d, ok := a.(*array.Dictionary); ok {
		dec, err := compute.TakeArray(ctx, d.Dictionary(), d.Indices())
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.InternalError, "decode dictionary")
		}
		return ToEngine(ctx, dec, t)
	}
	switch a.DataType().ID() {
	case arrow.STRUCT:
		s := a.(*array.Struct)
		st := t.(*arrow.StructType)
		kids := make([]arrow.Array, s.NumField())
		for i := range kids {
			k, err := ToEngine(ctx, s.Field(i), st.Field(i).Type)
			if err != nil {
				return nil, err
			}
			kids[i] = k
		}
		names := make([]string, len(kids))
		for i := range names {
			names[i] = st.Field(i).Name
		}
		out, err := array.NewStructArrayWithNulls(kids, names, s.Data().Buffers()[0], s.NullN(), s.Data().Offset())
		if err != nil {
			return nil, err
		}
		return out, nil
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST:
		return convertList(ctx, a, t)
	}
	opts := compute.UnsafeCastOptions(t)
	out, err := compute.CastArray(ctx, a, opts)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.FeatureNotSupported, "cannot read %s as %s", a.DataType(), t)
	}
	return out, nil
}

// buffered returns the null bitmap buffer of a struct array.
func convertList(ctx context.Context, a arrow.Array, t arrow.DataType) (arrow.Array, error) {
	elem := t.(*arrow.ListType).Elem()
	b := array.NewListBuilder(memory.DefaultAllocator, elem)
	defer b.Release()
	var vals arrow.Array
	var off func(i int) (int64, int64)
	switch x := a.(type) {
	case *array.List:
		vals, off = x.ListValues(), x.ValueOffsets
	case *array.LargeList:
		vals, off = x.ListValues(), x.ValueOffsets
	case *array.FixedSizeList:
		n := int64(x.DataType().(*arrow.FixedSizeListType).Len())
		vals = x.ListValues()
		off = func(i int) (int64, int64) { return int64(i) * n, int64(i+1) * n }
	}
	cv, err := ToEngine(ctx, vals, elem)
	if err != nil {
		return nil, err
	}
	offsets := make([]int32, 0, a.Len()+1)
	valid := make([]bool, a.Len())
	offsets = append(offsets, 0)
	var cur int32
	var idx []int64
	for i := 0; i < a.Len(); i++ {
		valid[i] = a.IsValid(i)
		if valid[i] {
			s, e := off(i)
			for k := s; k < e; k++ {
				idx = append(idx, k)
			}
			cur += int32(e - s)
		}
		offsets = append(offsets, cur)
	}
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	ib.AppendValues(idx, nil)
	taken, err := compute.TakeArray(ctx, cv, ib.NewArray())
	if err != nil {
		return nil, err
	}
	ob := array.NewInt32Builder(memory.DefaultAllocator)
	ob.AppendValues(offsets, nil)
	offArr := ob.NewArray()
	vb := array.NewBooleanBuilder(memory.DefaultAllocator)
	vb.AppendValues(valid, nil)
	mask := vb.NewArray()
	_ = mask
	list := array.NewListData(array.NewData(arrow.ListOf(elem), a.Len(),
		[]*memory.Buffer{validityBuffer(valid), offArr.Data().Buffers()[1]},
		[]arrow.ArrayData{taken.Data()}, countFalse(valid), 0))
	return list, nil
}

func validityBuffer(valid []bool) *memory.Buffer {
	nulls := countFalse(valid)
	if nulls == 0 {
		return nil
	}
	buf := memory.NewResizableBuffer(memory.DefaultAllocator)
	buf.Resize((len(valid) + 7) / 8)
	bytes := buf.Bytes()
	for i := range bytes {
		bytes[i] = 0
	}
	for i, v := range valid {
		if v {
			bytes[i/8] |= 1 << (i % 8)
		}
	}
	return buf
}

func countFalse(v []bool) int {
	n := 0
	for _, b := range v {
		if !b {
			n++
		}
	}
	return n
}
