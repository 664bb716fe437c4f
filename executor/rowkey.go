package executor

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// keyEncoder turns the key columns of a batch into one byte string per row,
// so rows with equal keys (NULLs equal, -0 = 0, NaN = NaN, as PostgreSQL
// groups them) get equal strings. Hash tables key on these strings.
type keyEncoder struct {
	buf []byte
}

// encode returns the key of every row, and whether any key column of the
// row is NULL.
func (k *keyEncoder) encode(cols []arrow.Array, n int) (keys []string, hasNull []bool) {
	keys = make([]string, n)
	hasNull = make([]bool, n)
	for i := 0; i < n; i++ {
		b := k.buf[:0]
		for _, c := range cols {
			if c.IsNull(i) {
				b = append(b, 0)
				hasNull[i] = true
				continue
			}
			b = append(b, 1)
			b = appendValue(b, c, i)
		}
		k.buf = b
		keys[i] = string(b)
	}
	return keys, hasNull
}

func appendValue(b []byte, c arrow.Array, i int) []byte {
	switch a := c.(type) {
	case *array.Int64:
		return binary.LittleEndian.AppendUint64(b, uint64(a.Value(i)))
	case *array.Int32:
		return binary.LittleEndian.AppendUint32(b, uint32(a.Value(i)))
	case *array.Int16:
		return binary.LittleEndian.AppendUint16(b, uint16(a.Value(i)))
	case *array.Date32:
		return binary.LittleEndian.AppendUint32(b, uint32(a.Value(i)))
	case *array.Timestamp:
		return binary.LittleEndian.AppendUint64(b, uint64(a.Value(i)))
	case *array.Time64:
		return binary.LittleEndian.AppendUint64(b, uint64(a.Value(i)))
	case *array.Float64:
		return appendFloat(b, a.Value(i))
	case *array.Float32:
		return appendFloat(b, float64(a.Value(i)))
	case *array.Boolean:
		if a.Value(i) {
			return append(b, 1)
		}
		return append(b, 0)
	case *array.Decimal128:
		v := a.Value(i)
		b = binary.LittleEndian.AppendUint64(b, v.LowBits())
		return binary.LittleEndian.AppendUint64(b, uint64(v.HighBits()))
	case *array.String:
		s := a.Value(i)
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case *array.Binary:
		s := a.Value(i)
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		// Equal intervals compare equal as PostgreSQL does (30-day months).
		key := int64(v.Months)*30*86400e9 + int64(v.Days)*86400e9 + v.Nanoseconds
		return binary.LittleEndian.AppendUint64(b, uint64(key))
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
	}
	s := c.ValueStr(i)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendFloat(b []byte, f float64) []byte {
	switch {
	case f == 0:
		f = 0 // -0 groups with 0
	case math.IsNaN(f):
		f = math.NaN()
		return binary.LittleEndian.AppendUint64(b, 0x7ff8000000000001)
	}
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}
