package connectors

import (
	"bytes"
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/types/text"
)

// colBuf collects one column of a batch as plain Go slices, parsed
// straight from the bytes of a text file: no value is boxed, and a field
// costs no allocation. array turns the slices into an Arrow array without
// copying them, after which the buffer starts afresh.
type colBuf struct {
	kind  colKind
	typ   arrow.DataType
	rows  int // capacity the slices were made for
	n     int
	nulls int
	valid []byte // validity bitmap, allocated at the first NULL

	i64   []int64 // kInt, kTimestamp
	dec   []int64 // kDecimal: low and high words of each value
	scale int     // kDecimal
	f64   []float64
	i32   []int32 // kDate
	bits  []byte  // kBool values
	offs  []int32 // kText offsets
	data  []byte  // kText bytes
}

// newColBuf makes a buffer for values of type t (one of the kinds text
// inference produces), sized for rows values.
func newColBuf(t arrow.DataType, rows int) *colBuf {
	c := &colBuf{typ: t, kind: typeKind(t)}
	if d, ok := t.(*arrow.Decimal128Type); ok {
		c.scale = int(d.Scale)
	}
	c.reset(rows)
	return c
}

func typeKind(t arrow.DataType) colKind {
	switch t.ID() {
	case arrow.BOOL:
		return kBool
	case arrow.INT64:
		return kInt
	case arrow.FLOAT64:
		return kFloat
	case arrow.DECIMAL128:
		return kDecimal
	case arrow.DATE32:
		return kDate
	case arrow.TIMESTAMP:
		return kTimestamp
	}
	return kText
}

func (c *colBuf) reset(rows int) {
	c.n, c.nulls, c.valid, c.rows = 0, 0, nil, rows
	switch c.kind {
	case kInt, kTimestamp:
		c.i64 = make([]int64, 0, rows)
	case kFloat:
		c.f64 = make([]float64, 0, rows)
	case kDecimal:
		c.dec = make([]int64, 0, 2*rows)
	case kDate:
		c.i32 = make([]int32, 0, rows)
	case kBool:
		c.bits = make([]byte, 0, (rows+7)/8)
	default:
		c.offs = make([]int32, 1, rows+1)
		c.data = make([]byte, 0, rows*16)
	}
}

// appendNull adds a NULL.
func (c *colBuf) appendNull() {
	if c.valid == nil {
		c.valid = make([]byte, bitutil.BytesForBits(int64(max(c.rows, c.n+1))))
		bitutil.SetBitsTo(c.valid, 0, int64(c.n), true)
	}
	c.grow()
	c.nulls++
	switch c.kind {
	case kInt, kTimestamp:
		c.i64 = append(c.i64, 0)
	case kFloat:
		c.f64 = append(c.f64, 0)
	case kDecimal:
		c.dec = append(c.dec, 0, 0)
	case kDate:
		c.i32 = append(c.i32, 0)
	case kBool:
		c.setBool(false)
	default:
		c.offs = append(c.offs, int32(len(c.data)))
	}
	c.n++
}

// grow makes room in the validity bitmap for one more value.
func (c *colBuf) grow() {
	if c.valid != nil && c.n/8 >= len(c.valid) {
		c.valid = append(c.valid, make([]byte, len(c.valid)+1)...)
	}
}

// valueAdded marks the value just appended valid.
func (c *colBuf) valueAdded() {
	if c.valid != nil {
		c.grow()
		bitutil.SetBit(c.valid, c.n)
	}
	c.n++
}

func (c *colBuf) setBool(v bool) {
	if c.n/8 >= len(c.bits) {
		c.bits = append(c.bits, 0)
	}
	if v {
		bitutil.SetBit(c.bits, c.n)
	}
}

// appendText adds a text field's value: parsed into the column's type, or
// an error saying why it does not fit (the caller widens the column).
// An unquoted empty field is NULL.
func (c *colBuf) appendText(b []byte, quoted bool) bool {
	if len(b) == 0 && !quoted {
		c.appendNull()
		return true
	}
	return c.appendValue(b)
}

// appendValue adds the value b in text form (never NULL), or reports that
// it does not fit the column's type.
func (c *colBuf) appendValue(b []byte) bool {
	switch c.kind {
	case kText:
		c.data = append(c.data, b...)
		c.offs = append(c.offs, int32(len(c.data)))
	case kInt:
		v, ok := parseInt64(b)
		if !ok {
			return false
		}
		c.i64 = append(c.i64, v)
	case kFloat:
		v, ok := parseFloat64(b)
		if !ok {
			return false
		}
		c.f64 = append(c.f64, v)
	case kDecimal:
		v, ok := parseDecimal(b, c.scale)
		if !ok {
			return false
		}
		c.dec = append(c.dec, v, v>>63)
	case kDate:
		v, ok := parseDate(b)
		if !ok {
			return false
		}
		c.i32 = append(c.i32, v)
	case kTimestamp:
		v, err := text.ParseTimestamp(string(b), nil)
		if err != nil {
			return false
		}
		c.i64 = append(c.i64, v)
	case kBool:
		v, ok := parseBool(b)
		if !ok {
			return false
		}
		c.setBool(v)
	}
	c.valueAdded()
	return true
}

// appendString adds a text value from the contents of a JSON string with
// escapes (a text column's).
func (c *colBuf) appendString(raw []byte) error {
	start := len(c.data)
	d, err := unescape(c.data, raw)
	if err != nil {
		return err
	}
	if bytes.IndexByte(d[start:], 0) >= 0 {
		return nulEscape()
	}
	c.data = d
	c.offs = append(c.offs, int32(len(c.data)))
	c.valueAdded()
	return nil
}

// array returns the column as an Arrow array and starts a new one.
func (c *colBuf) array(rows int) arrow.Array {
	var valid *memory.Buffer
	if c.nulls > 0 {
		valid = memory.NewBufferBytes(c.valid[:bitutil.BytesForBits(int64(c.n))])
	}
	var bufs []*memory.Buffer
	switch c.kind {
	case kInt, kTimestamp:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.i64))}
	case kFloat:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(c.f64))}
	case kDecimal:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.dec))}
	case kDate:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.i32))}
	case kBool:
		if len(c.bits) < int(bitutil.BytesForBits(int64(c.n))) {
			c.bits = append(c.bits, make([]byte, int(bitutil.BytesForBits(int64(c.n)))-len(c.bits))...)
		}
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(c.bits)}
	default:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.offs)), memory.NewBufferBytes(c.data)}
	}
	data := array.NewData(c.typ, c.n, bufs, nil, c.nulls, 0)
	a := array.MakeFromData(data)
	data.Release()
	c.reset(rows)
	return a
}

// textOf views b as a string without copying, for parsers that take
// strings and keep nothing of them on success.
func textOf(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseInt64 parses a decimal integer as strconv.ParseInt(s, 10, 64)
// does.
func parseInt64(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		v, err := strconv.ParseInt(textOf(b), 10, 64)
		return v, err == nil
	}
	neg := false
	i := 0
	switch b[0] {
	case '-':
		neg, i = true, 1
	case '+':
		i = 1
	}
	if i == len(b) {
		return 0, false
	}
	var v int64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int64(d)
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseDecimal parses a plain decimal ([+-]digits[.digits], or an
// integer) as the unscaled value of a decimal of the given scale and
// precision decimalPrecision; ok is false for anything else, more
// fractional digits than scale, or too many digits.
func parseDecimal(b []byte, scale int) (int64, bool) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, i = b[0] == '-', 1
	}
	var v int64
	nd, sig, frac := 0, 0, -1
	for ; i < len(b); i++ {
		c := b[i]
		if c == '.' && frac < 0 {
			frac = 0
			continue
		}
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		nd++
		if v != 0 || d != 0 || frac >= 0 {
			sig++ // leading zeros of the integer part take no precision
		}
		if sig > decimalPrecision {
			return 0, false
		}
		v = v*10 + int64(d)
		if frac >= 0 {
			frac++
		}
	}
	if nd == 0 {
		return 0, false
	}
	frac = max(frac, 0)
	if frac > scale {
		return 0, false
	}
	for ; frac < scale; frac++ {
		v *= 10
		sig++
	}
	if sig > decimalPrecision {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat64 parses a number as strconv.ParseFloat(s, 64) does. Plain
// decimals of up to 15 digits take a fast path that is exact: the digits
// and the power of ten are both exact doubles, and one division rounds
// correctly.
func parseFloat64(b []byte) (float64, bool) {
	neg := false
	i := 0
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, i = b[0] == '-', 1
	}
	var m uint64
	digits, frac := 0, -1
	for ; i < len(b); i++ {
		c := b[i]
		if c == '.' && frac < 0 {
			frac = 0
			continue
		}
		d := c - '0'
		if d > 9 {
			return slowFloat(b)
		}
		m = m*10 + uint64(d)
		digits++
		if frac >= 0 {
			frac++
		}
	}
	if digits == 0 || digits > 15 {
		return slowFloat(b)
	}
	f := float64(m)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}

func slowFloat(b []byte) (float64, bool) {
	v, err := strconv.ParseFloat(textOf(b), 64)
	return v, err == nil
}

// parseDate parses a date as text.ParseDate does, YYYY-MM-DD directly.
func parseDate(b []byte) (int32, bool) {
	if len(b) == 10 && b[4] == '-' && b[7] == '-' {
		y, ok1 := digits(b[0:4])
		m, ok2 := digits(b[5:7])
		d, ok3 := digits(b[8:10])
		if ok1 && ok2 && ok3 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) {
			return text.DaysFromCivil(y, m, d), true
		}
	}
	v, err := text.ParseDate(string(b))
	return v, err == nil
}

func digits(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int(d)
	}
	return v, true
}

var monthDays = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func daysInMonth(y, m int) int {
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return monthDays[m-1]
}

// parseBool parses a boolean as text.ParseBool does.
func parseBool(b []byte) (bool, bool) {
	switch {
	case len(b) == 1 && (b[0] == 't' || b[0] == 'T'):
		return true, true
	case len(b) == 1 && (b[0] == 'f' || b[0] == 'F'):
		return false, true
	case bytes.EqualFold(b, []byte("true")):
		return true, true
	case bytes.EqualFold(b, []byte("false")):
		return false, true
	}
	v, err := text.ParseBool(string(b))
	return v, err == nil
}
