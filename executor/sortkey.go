package executor

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Sort keys as bytes: each row's ORDER BY values are encoded so that
// comparing the encodings byte by byte orders the rows as PostgreSQL does
// (NULLs first or last as asked, DESC, NaN above every number, -0 equal
// to 0, text by its bytes). Sorting, Top-N and the merge of sorted runs
// (spilled or from parallel workers) then compare rows of any types, in
// any batches, with one bytes comparison.

const (
	nullFirstByte = 0x00
	valueByte     = 0x01
	nullLastByte  = 0x02
)

// sortKeys holds the encoded keys of the rows of one batch.
type sortKeys struct {
	offs []int32 // row i's key is data[offs[i]:offs[i+1]]
	data []byte
}

func (k *sortKeys) key(i int) []byte { return k.data[k.offs[i]:k.offs[i+1]] }

// encodeSortKeys encodes the key columns of n rows.
func encodeSortKeys(cols []arrow.Array, keys []SortKey, n int) *sortKeys {
	out := &sortKeys{offs: make([]int32, n+1)}
	var buf []byte
	for i := 0; i < n; i++ {
		for k, c := range cols {
			buf = appendSortKey(buf, c, i, keys[k])
		}
		out.offs[i+1] = int32(len(buf))
	}
	out.data = buf
	return out
}

// appendSortKey appends the encoding of row i of a under key.
func appendSortKey(dst []byte, a arrow.Array, i int, key SortKey) []byte {
	if a.IsNull(i) || a.DataType().ID() == arrow.NULL {
		if key.NullsFirst {
			return append(dst, nullFirstByte)
		}
		return append(dst, nullLastByte)
	}
	dst = append(dst, valueByte)
	start := len(dst)
	dst = appendValueKey(dst, a, i)
	if key.Desc {
		for p := start; p < len(dst); p++ {
			dst[p] = ^dst[p]
		}
	}
	return dst
}

// appendValueKey appends an order-preserving encoding of a non-NULL value.
func appendValueKey(dst []byte, a arrow.Array, i int) []byte {
	switch x := a.(type) {
	case *array.Int64:
		return appendInt(dst, x.Value(i))
	case *array.Int32:
		return appendInt(dst, int64(x.Value(i)))
	case *array.Int16:
		return appendInt(dst, int64(x.Value(i)))
	case *array.Int8:
		return appendInt(dst, int64(x.Value(i)))
	case *array.Date32:
		return appendInt(dst, int64(x.Value(i)))
	case *array.Timestamp:
		return appendInt(dst, int64(x.Value(i)))
	case *array.Time64:
		return appendInt(dst, int64(x.Value(i)))
	case *array.Float64:
		return appendFloatKey(dst, x.Value(i))
	case *array.Float32:
		return appendFloatKey(dst, float64(x.Value(i)))
	case *array.Decimal128:
		return appendDecimalKey(dst, x.Value(i))
	case *array.String:
		return appendBytesKey(dst, []byte(x.Value(i)))
	case *array.Binary:
		return appendBytesKey(dst, x.Value(i))
	case *array.Boolean:
		if x.Value(i) {
			return append(dst, 1)
		}
		return append(dst, 0)
	case *array.MonthDayNanoInterval:
		v := x.Value(i)
		return appendInt(dst, int64(v.Months)*30*86400e9+int64(v.Days)*86400e9+v.Nanoseconds)
	case *array.List:
		s, e := x.ValueOffsets(i)
		vals := x.ListValues()
		for k := s; k < e; k++ {
			if vals.IsNull(int(k)) {
				dst = append(dst, nullLastByte)
				continue
			}
			dst = append(dst, valueByte)
			dst = appendValueKey(dst, vals, int(k))
		}
		return append(dst, 0)
	}
	return dst // other types do not order (all equal), as in MakeComparator
}

// appendInt encodes a signed integer big-endian with its sign bit flipped.
func appendInt(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(v)^(1<<63))
}

// appendFloatKey orders floats with -0 = 0 and NaN above everything.
func appendFloatKey(dst []byte, f float64) []byte {
	switch {
	case f == 0:
		f = 0
	case math.IsNaN(f):
		f = math.NaN()
	}
	b := math.Float64bits(f)
	if b>>63 != 0 {
		b = ^b
	} else {
		b |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(dst, b)
}

func appendDecimalKey(dst []byte, v decimal128.Num) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(v.HighBits())^(1<<63))
	return binary.BigEndian.AppendUint64(dst, v.LowBits())
}

// appendBytesKey escapes 0x00 as 0x00 0xFF and ends with 0x00 0x00, so a
// prefix sorts before the longer value.
func appendBytesKey(dst, s []byte) []byte {
	for _, c := range s {
		if c == 0 {
			dst = append(dst, 0, 0xFF)
		} else {
			dst = append(dst, c)
		}
	}
	return append(dst, 0, 0)
}
