// Package text renders engine values in PostgreSQL's text format and parses
// PostgreSQL's input syntax, so that casts to and from text, the CLI and the
// wire protocol all print exactly what PostgreSQL prints.
package text

import (
	"bytes"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// MaxValueSize is PostgreSQL's cap on one value (1 GB - 1 byte). The text
// of nested arrays and records can grow exponentially with their depth
// (each level quotes the one inside), so it is checked as it is written.
const MaxValueSize = 1<<30 - 1

// tooLong is the error for a value past MaxValueSize.
func tooLong() *sqlerr.Error {
	return sqlerr.New(sqlerr.ProgramLimitExceeded, "value too long: its text would exceed %d bytes", MaxValueSize)
}

// AppendChecked is Append for values that leave the process: a value whose
// text would exceed MaxValueSize is an error (54000), not an allocation.
func AppendChecked(dst []byte, arr arrow.Array, i int, loc *time.Location) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*sqlerr.Error)
			if !ok {
				panic(r)
			}
			out, err = dst, e
		}
	}()
	return appendWithin(dst, arr, i, loc, MaxValueSize), nil
}

// Append appends the text form of value i of arr (which must not be NULL)
// to dst. Timestamps with time zone are shown in loc. A nested value whose
// text would pass MaxValueSize panics with a 54000 *sqlerr.Error (see
// AppendChecked).
func Append(dst []byte, arr arrow.Array, i int, loc *time.Location) []byte {
	return appendWithin(dst, arr, i, loc, MaxValueSize)
}

// appendWithin is Append with the size cap as a parameter (tests use a
// small one).
func appendWithin(dst []byte, arr arrow.Array, i int, loc *time.Location, limit int) []byte {
	switch a := arr.(type) {
	case *array.Boolean:
		if a.Value(i) {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case *array.Int16:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int32:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(i), 10)
	case *array.Float32:
		return AppendFloat(dst, float64(a.Value(i)), 32)
	case *array.Float64:
		return AppendFloat(dst, a.Value(i), 64)
	case *array.Decimal128:
		return AppendDecimal(dst, a.Value(i), a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.String:
		return append(dst, a.Value(i)...)
	case *array.LargeString:
		return append(dst, a.Value(i)...)
	case *array.Binary:
		dst = append(dst, `\x`...)
		return append(dst, hex.EncodeToString(a.Value(i))...)
	case *array.Date32:
		return AppendDate(dst, int32(a.Value(i)))
	case *array.Time64:
		return AppendTime(dst, int64(a.Value(i)))
	case *array.Timestamp:
		ts := a.DataType().(*arrow.TimestampType)
		us := toMicros(int64(a.Value(i)), ts.Unit)
		if ts.TimeZone != "" {
			return AppendTimestampTZ(dst, us, loc)
		}
		return AppendTimestamp(dst, us)
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		return AppendInterval(dst, v.Months, v.Days, v.Nanoseconds/1000)
	case *array.List:
		if isNestedList(a) {
			return appendJSONWithin(dst, arr, i, loc, limit)
		}
		return appendList(dst, a, i, loc, limit)
	case *array.Struct:
		if types.IsNested(a.DataType()) {
			return appendJSONWithin(dst, arr, i, loc, limit)
		}
		return appendStruct(dst, a, i, loc, limit)
	case *array.Null:
		return dst
	}
	return append(dst, arr.ValueStr(i)...)
}

// Format returns the text form of value i of arr, or "" for NULL.
func Format(arr arrow.Array, i int, loc *time.Location) string {
	if arr.IsNull(i) {
		return ""
	}
	return string(Append(nil, arr, i, loc))
}

func toMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e6
	case arrow.Millisecond:
		return v * 1e3
	case arrow.Nanosecond:
		return v / 1e3
	}
	return v
}

// AppendFloat renders a float as PostgreSQL 12+ does with the default
// extra_float_digits = 1: the shortest text that reads back exactly, in
// exponent form when the exponent is < -4 or >= the precision (15 for
// float8, 6 for float4 as %g would choose with the shortest digits).
func AppendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	// Shortest digits and decimal exponent.
	e := strconv.AppendFloat(nil, f, 'e', -1, bits)
	s := string(e)
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(strings.TrimPrefix(mant, "-"), ".", "", 1)
	neg := f < 0
	maxExp := 15
	if bits == 32 {
		maxExp = 6
	}
	if exp < -4 || exp >= maxExp {
		// d.ddde+XX with at least two exponent digits.
		if neg {
			dst = append(dst, '-')
		}
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, bits)
}

// AppendDecimal renders an unscaled decimal with exactly scale fraction digits.
func AppendDecimal(dst []byte, v decimal128.Num, scale int32) []byte {
	neg := v.Sign() < 0
	if neg {
		v = v.Negate()
	}
	s := v.BigInt().String()
	if neg {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		dst = append(dst, s...)
		for k := int32(0); k < -scale; k++ {
			dst = append(dst, '0')
		}
		return dst
	}
	if int32(len(s)) <= scale {
		s = strings.Repeat("0", int(scale)-len(s)+1) + s
	}
	dst = append(dst, s[:len(s)-int(scale)]...)
	dst = append(dst, '.')
	return append(dst, s[len(s)-int(scale):]...)
}

// Epoch is day 0 of date32 values.
var Epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// AppendDate renders days since 1970-01-01 as YYYY-MM-DD (BC years as
// PostgreSQL does: 0044-03-15 BC).
// PostgreSQL's infinite dates and timestamps are the extreme values of
// their representation, as in PostgreSQL (DT_NOBEGIN/DT_NOEND): they sort
// before and after every other value.
const (
	DateInfinity         = int32(math.MaxInt32)
	DateNegInfinity      = int32(math.MinInt32)
	TimestampInfinity    = int64(math.MaxInt64)
	TimestampNegInfinity = int64(math.MinInt64)
)

func infinityText(us int64) string {
	switch us {
	case TimestampInfinity:
		return "infinity"
	case TimestampNegInfinity:
		return "-infinity"
	}
	return ""
}

func AppendDate(dst []byte, days int32) []byte {
	switch days {
	case DateInfinity:
		return append(dst, "infinity"...)
	case DateNegInfinity:
		return append(dst, "-infinity"...)
	}
	t := Epoch.AddDate(0, 0, int(days))
	return appendYMD(dst, t, true)
}

func appendYMD(dst []byte, t time.Time, bc bool) []byte {
	y := t.Year()
	isBC := y <= 0
	if isBC {
		y = 1 - y
	}
	dst = appendPad(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPad(dst, int(t.Month()), 2)
	dst = append(dst, '-')
	dst = appendPad(dst, t.Day(), 2)
	if isBC && bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

func appendPad(dst []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for k := len(s); k < width; k++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// AppendTime renders microseconds since midnight as HH:MM:SS[.ffffff].
func AppendTime(dst []byte, us int64) []byte {
	h := us / 3600e6
	us -= h * 3600e6
	m := us / 60e6
	us -= m * 60e6
	s := us / 1e6
	us -= s * 1e6
	dst = appendPad(dst, int(h), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, int(m), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, int(s), 2)
	return appendFraction(dst, us)
}

func appendFraction(dst []byte, us int64) []byte {
	if us == 0 {
		return dst
	}
	f := strconv.FormatInt(us+1e6, 10)[1:]
	return append(append(dst, '.'), strings.TrimRight(f, "0")...)
}

// AppendTimestamp renders microseconds since the epoch as
// YYYY-MM-DD HH:MM:SS[.ffffff].
func AppendTimestamp(dst []byte, us int64) []byte {
	if s := infinityText(us); s != "" {
		return append(dst, s...)
	}
	t := time.UnixMicro(us).UTC()
	dst = appendYMD(dst, t, false)
	dst = append(dst, ' ')
	dst = AppendTime(dst, int64(t.Hour())*3600e6+int64(t.Minute())*60e6+int64(t.Second())*1e6+int64(t.Nanosecond()/1000))
	if t.Year() <= 0 {
		dst = append(dst, " BC"...)
	}
	return dst
}

// AppendTimestampTZ renders an instant in loc with its UTC offset (+HH[:MM]).
func AppendTimestampTZ(dst []byte, us int64, loc *time.Location) []byte {
	if s := infinityText(us); s != "" {
		return append(dst, s...)
	}
	if loc == nil {
		loc = time.UTC
	}
	t := time.UnixMicro(us).In(loc)
	dst = appendYMD(dst, t, false)
	dst = append(dst, ' ')
	dst = AppendTime(dst, int64(t.Hour())*3600e6+int64(t.Minute())*60e6+int64(t.Second())*1e6+int64(t.Nanosecond()/1000))
	_, off := t.Zone()
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	dst = appendPad(dst, off/3600, 2)
	if m := off % 3600 / 60; m != 0 {
		dst = append(dst, ':')
		dst = appendPad(dst, m, 2)
	}
	return dst
}

// AppendInterval renders an interval in PostgreSQL's default style:
// "1 year 2 mons 3 days 04:05:06.5", "-00:00:01", "00:00:00".
func AppendInterval(dst []byte, months, days int32, us int64) []byte {
	start := len(dst)
	part := func(n int64, unit string) {
		if n == 0 {
			return
		}
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = strconv.AppendInt(dst, n, 10)
		dst = append(dst, ' ')
		dst = append(dst, unit...)
		if n != 1 {
			dst = append(dst, 's')
		}
	}
	part(int64(months/12), "year")
	part(int64(months%12), "mon")
	part(int64(days), "day")
	if us != 0 || len(dst) == start {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		if us < 0 {
			dst = append(dst, '-')
			us = -us
		} else if len(dst) > start && (months < 0 || days < 0) {
			dst = append(dst, '+')
		}
		h := us / 3600e6
		us -= h * 3600e6
		m := us / 60e6
		us -= m * 60e6
		s := us / 1e6
		us -= s * 1e6
		dst = appendPad(dst, int(h), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, int(m), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, int(s), 2)
		dst = appendFraction(dst, us)
	}
	return dst
}

func appendList(dst []byte, a *array.List, i int, loc *time.Location, limit int) []byte {
	start, end := a.ValueOffsets(i)
	vals := a.ListValues()
	dst = append(dst, '{')
	for k := start; k < end; k++ {
		if k > start {
			dst = append(dst, ',')
		}
		if vals.IsNull(int(k)) {
			dst = append(dst, "NULL"...)
			continue
		}
		if inner, ok := vals.(*array.List); ok {
			// A multidimensional array: its sub-arrays are written in
			// place, unquoted, as PostgreSQL does ({{1,2},{3,4}}).
			dst = appendList(dst, inner, int(k), loc, limit)
		} else {
			dst = appendQuotedElem(dst, appendWithin(nil, vals, int(k), loc, limit), '{', limit)
		}
		if len(dst) > limit {
			panic(tooLong())
		}
	}
	return append(dst, '}')
}

func appendStruct(dst []byte, a *array.Struct, i int, loc *time.Location, limit int) []byte {
	dst = append(dst, '(')
	for f := 0; f < a.NumField(); f++ {
		if f > 0 {
			dst = append(dst, ',')
		}
		col := a.Field(f)
		if col.IsNull(i) {
			continue
		}
		dst = appendQuotedElem(dst, appendWithin(nil, col, i, loc, limit), '(', limit)
		if len(dst) > limit {
			panic(tooLong())
		}
	}
	return append(dst, ')')
}

// appendQuotedElem quotes an array or record element when PostgreSQL
// would (array_out escapes '"' and '\' with a backslash, record_out doubles them). Quoting can double an element's size; past limit it panics with
// 54000 before growing dst.
func appendQuotedElem(dst []byte, s []byte, kind byte, limit int) []byte {
	need := len(s) == 0 || bytes.ContainsAny(s, "{},\"\\() \t\n") || (kind == '{' && bytes.EqualFold(s, []byte("null")))
	if !need {
		return append(dst, s...)
	}
	if len(dst)+len(s)+2+bytes.Count(s, []byte(`"`))+bytes.Count(s, []byte(`\`)) > limit {
		panic(tooLong())
	}
	// Arrays escape with a backslash, records double the character.
	esc := byte('\\')
	dst = append(dst, '"')
	for k := 0; k < len(s); k++ {
		if s[k] == '"' || s[k] == '\\' {
			if kind == '(' {
				esc = s[k]
			}
			dst = append(dst, esc)
		}
		dst = append(dst, s[k])
	}
	return append(dst, '"')
}
