package connectors

import (
	"context"
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/lakesql/lakesql/types"
)

// ColumnStats summarises one column of one row group, from the Parquet
// footer. Min and Max (in the column's engine type) bound its non-null
// values; they are nil when the file has no usable bounds. Parquet
// writers may truncate long string bounds, so for text they are bounds,
// not necessarily values that occur.
type ColumnStats struct {
	HasNullCount bool
	NullCount    int64
	Min, Max     scalar.Scalar
}

// rowGroupSplit builds the split of row group rg with its statistics.
func rowGroupSplit(p string, m *parquetMeta, rg int) *ParquetSplit {
	md := m.file.RowGroup(rg)
	s := &ParquetSplit{Path: p, RowGroup: rg, NumRows: md.NumRows(), Columns: make([]ColumnStats, len(m.flatLeaf)),
		ColumnBytes: make([]int64, len(m.leaves))}
	for i, leaves := range m.leaves {
		for _, leaf := range leaves {
			if cc, err := md.ColumnChunk(leaf); err == nil {
				s.ColumnBytes[i] += cc.TotalCompressedSize()
			}
		}
	}
	for i, leaf := range m.flatLeaf {
		if leaf < 0 {
			continue
		}
		s.Columns[i] = columnStats(md, leaf, m.raw.Field(i).Type)
	}
	return s
}

func columnStats(md *metadata.RowGroupMetaData, leaf int, raw arrow.DataType) (cs ColumnStats) {
	defer func() {
		if recover() != nil {
			cs = ColumnStats{} // unreadable statistics are no statistics
		}
	}()
	cc, err := md.ColumnChunk(leaf)
	if err != nil {
		return cs
	}
	if ok, err := cc.StatsSet(); !ok || err != nil {
		return cs
	}
	st, err := cc.Statistics()
	if err != nil || st == nil {
		return cs
	}
	if st.HasNullCount() {
		cs.HasNullCount, cs.NullCount = true, st.NullCount()
	}
	if !st.HasMinMax() {
		return cs
	}
	bounds := boundsArray(raw, st)
	if bounds == nil {
		return cs
	}
	norm, ok := types.Normalize(raw)
	if !ok {
		return cs
	}
	conv, err := ToEngine(context.Background(), bounds, norm)
	if err != nil || conv.NullN() > 0 {
		return cs
	}
	lo, err1 := scalar.GetScalar(conv, 0)
	hi, err2 := scalar.GetScalar(conv, 1)
	if err1 == nil && err2 == nil {
		cs.Min, cs.Max = lo, hi
	}
	return cs
}

// boundsArray returns [min, max] as an array of the column's Arrow type
// (as pqarrow reads it), or nil for types without usable bounds.
func boundsArray(raw arrow.DataType, st metadata.TypedStatistics) arrow.Array {
	if d, ok := raw.(*arrow.DictionaryType); ok {
		raw = d.ValueType
	}
	b := array.NewBuilder(memory.DefaultAllocator, raw)
	defer b.Release()
	ok := false
	switch s := st.(type) {
	case *metadata.Int32Statistics:
		ok = appendIntBound(b, int64(s.Min()), uint32(s.Min())) && appendIntBound(b, int64(s.Max()), uint32(s.Max()))
	case *metadata.Int64Statistics:
		ok = appendIntBound(b, s.Min(), uint32(s.Min())) && appendIntBound(b, s.Max(), uint32(s.Max()))
	case *metadata.Float32Statistics:
		if fb, isF := b.(*array.Float32Builder); isF {
			fb.AppendValues([]float32{s.Min(), s.Max()}, nil)
			ok = true
		}
	case *metadata.Float64Statistics:
		if fb, isF := b.(*array.Float64Builder); isF {
			fb.AppendValues([]float64{s.Min(), s.Max()}, nil)
			ok = true
		}
	case *metadata.BooleanStatistics:
		if bb, isB := b.(*array.BooleanBuilder); isB {
			bb.AppendValues([]bool{s.Min(), s.Max()}, nil)
			ok = true
		}
	case *metadata.ByteArrayStatistics:
		ok = appendBytesBound(b, s.Min()) && appendBytesBound(b, s.Max())
	case *metadata.FixedLenByteArrayStatistics:
		ok = appendBytesBound(b, s.Min()) && appendBytesBound(b, s.Max())
	}
	if !ok {
		return nil
	}
	return b.NewArray()
}

// appendIntBound appends a bound stored as a Parquet INT32 or INT64.
// Unsigned 32-bit columns hold their value's bit pattern (u32).
func appendIntBound(b array.Builder, v int64, u32 uint32) bool {
	switch x := b.(type) {
	case *array.Int8Builder:
		x.Append(int8(v))
	case *array.Int16Builder:
		x.Append(int16(v))
	case *array.Int32Builder:
		x.Append(int32(v))
	case *array.Int64Builder:
		x.Append(v)
	case *array.Uint8Builder:
		x.Append(uint8(u32))
	case *array.Uint16Builder:
		x.Append(uint16(u32))
	case *array.Uint32Builder:
		x.Append(u32)
	case *array.Uint64Builder:
		x.Append(uint64(v))
	case *array.Date32Builder:
		x.Append(arrow.Date32(v))
	case *array.Time32Builder:
		x.Append(arrow.Time32(v))
	case *array.Time64Builder:
		x.Append(arrow.Time64(v))
	case *array.TimestampBuilder:
		x.Append(arrow.Timestamp(v))
	case *array.Decimal128Builder:
		x.Append(decimal128.FromI64(v))
	default:
		return false
	}
	return true
}

// appendBytesBound appends a bound stored as a Parquet BYTE_ARRAY or
// FIXED_LEN_BYTE_ARRAY: text, binary, or a big-endian decimal.
func appendBytesBound(b array.Builder, v []byte) bool {
	switch x := b.(type) {
	case *array.StringBuilder:
		x.BinaryBuilder.Append(v)
	case *array.LargeStringBuilder:
		x.BinaryBuilder.Append(v)
	case *array.BinaryBuilder:
		x.Append(v)
	case *array.FixedSizeBinaryBuilder:
		x.Append(v)
	case *array.Decimal128Builder:
		n, ok := bigEndianDecimal(v)
		if !ok {
			return false
		}
		x.Append(n)
	default:
		return false
	}
	return true
}

// bigEndianDecimal reads a big-endian two's complement integer of up to
// 16 bytes, Parquet's decimal encoding.
func bigEndianDecimal(v []byte) (decimal128.Num, bool) {
	if len(v) == 0 || len(v) > 16 {
		return decimal128.Num{}, false
	}
	var buf [16]byte
	if v[0]&0x80 != 0 {
		for i := range buf {
			buf[i] = 0xff
		}
	}
	copy(buf[16-len(v):], v)
	hi := int64(binary.BigEndian.Uint64(buf[:8]))
	lo := binary.BigEndian.Uint64(buf[8:])
	return decimal128.New(hi, lo), true
}
