package text

import (
	"encoding/hex"
	"math"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/types"
)

// Nested values (objects and arrays read from files, see types.IsNested)
// are shown as JSON text, spaced as PostgreSQL prints jsonb:
// {"name": "ada", "tags": ["a", "b"]}. Objects keep their fields in
// document order.

// AppendJSON appends value i of arr (which may be NULL: null) as JSON.
// Numbers and booleans are JSON's; other scalars are strings in their
// PostgreSQL text form (dates, timestamps, intervals, bytea as \x...).
func AppendJSON(dst []byte, arr arrow.Array, i int, loc *time.Location) []byte {
	if arr.IsNull(i) {
		return append(dst, "null"...)
	}
	switch a := arr.(type) {
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		dst = append(dst, '{')
		for f := 0; f < a.NumField(); f++ {
			if f > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendJSONString(dst, st.Field(f).Name)
			dst = append(dst, ": "...)
			if types.IsRawJSONField(st.Field(f)) {
				dst = appendRaw(dst, a.Field(f), i)
				continue
			}
			dst = AppendJSON(dst, a.Field(f), i, loc)
		}
		return append(dst, '}')
	case *array.List:
		s, e := a.ValueOffsets(i)
		vals := a.ListValues()
		raw := a.DataType().(*arrow.ListType).ElemField().Name == types.RawJSONElem
		dst = append(dst, '[')
		for k := s; k < e; k++ {
			if k > s {
				dst = append(dst, ", "...)
			}
			if raw {
				dst = appendRaw(dst, vals, int(k))
				continue
			}
			dst = AppendJSON(dst, vals, int(k), loc)
		}
		return append(dst, ']')
	case *array.Boolean:
		if a.Value(i) {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case *array.Int16, *array.Int32, *array.Int64, *array.Decimal128:
		return Append(dst, arr, i, loc)
	case *array.Float32:
		return appendJSONFloat(dst, float64(a.Value(i)), 32)
	case *array.Float64:
		return appendJSONFloat(dst, a.Value(i), 64)
	case *array.String:
		return appendJSONString(dst, a.Value(i))
	case *array.Binary:
		return appendJSONString(dst, `\x`+hex.EncodeToString(a.Value(i)))
	case *array.Null:
		return append(dst, "null"...)
	}
	return appendJSONString(dst, string(Append(nil, arr, i, loc)))
}

func appendJSONFloat(dst []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendJSONString(dst, string(AppendFloat(nil, f, bits)))
	}
	return AppendFloat(dst, f, bits)
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, `\n`...)
			case c == '\r':
				dst = append(dst, `\r`...)
			case c == '\t':
				dst = append(dst, `\t`...)
			case c < 0x20:
				dst = append(dst, `\u00`...)
				dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// isNestedList reports whether a list array is a nested value's.
func isNestedList(a *array.List) bool {
	n := a.DataType().(*arrow.ListType).ElemField().Name
	return n == types.NestedElem || n == types.RawJSONElem
}

// appendRaw appends a value that is JSON text as it is.
func appendRaw(dst []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return append(dst, "null"...)
	}
	if s, ok := arr.(*array.String); ok {
		return append(dst, s.Value(i)...)
	}
	return AppendJSON(dst, arr, i, nil)
}

// appendJSONWithin is AppendJSON under Append's size cap. JSON's text
// grows linearly with the value (nothing is quoted twice), so the cap is
// checked once it is written.
func appendJSONWithin(dst []byte, arr arrow.Array, i int, loc *time.Location, limit int) []byte {
	start := len(dst)
	dst = AppendJSON(dst, arr, i, loc)
	if len(dst)-start > limit {
		panic(tooLong())
	}
	return dst
}

// AppendJSONString appends s as a JSON string.
func AppendJSONString(dst []byte, s string) []byte { return appendJSONString(dst, s) }
