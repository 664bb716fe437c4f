package expr

import (
	"bytes"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/types"
)

// cmpFunc compares row i of a with row j of b: -1, 0, 1.
type cmpFunc func(i, j int) int

// Compare orders row i of a against row j of b (arrays of one type, both
// rows non-NULL) as SQL's comparisons do: -1, 0 or +1.
func Compare(a arrow.Array, i int, b arrow.Array, j int) int { return comparer(a, b)(i, j) }

// comparer builds a typed comparison between two arrays of the same type.
func comparer(a, b arrow.Array) cmpFunc {
	switch x := a.(type) {
	case *array.String:
		y := b.(*array.String)
		return func(i, j int) int { return bytes.Compare([]byte(x.Value(i)), []byte(y.Value(j))) }
	case *array.Binary:
		y := b.(*array.Binary)
		return func(i, j int) int { return bytes.Compare(x.Value(i), y.Value(j)) }
	case *array.Float64, *array.Float32:
		xf, yf := float64s(a), float64s(b)
		return func(i, j int) int { return cmpFloat(xf[i], yf[j]) }
	case *array.Decimal128:
		y := b.(*array.Decimal128)
		return func(i, j int) int { return x.Value(i).Cmp(y.Value(j)) }
	case *array.Boolean:
		y := b.(*array.Boolean)
		return func(i, j int) int {
			p, q := x.Value(i), y.Value(j)
			switch {
			case p == q:
				return 0
			case !p:
				return -1
			}
			return 1
		}
	case *array.MonthDayNanoInterval:
		y := b.(*array.MonthDayNanoInterval)
		return func(i, j int) int { return cmpInt(intervalKey(x.Value(i)), intervalKey(y.Value(j))) }
	case *array.List:
		y := b.(*array.List)
		return func(i, j int) int {
			xs, xe := x.ValueOffsets(i)
			ys, ye := y.ValueOffsets(j)
			xv, yv := x.ListValues(), y.ListValues()
			c := comparer(xv, yv)
			for k := int64(0); xs+k < xe && ys+k < ye; k++ {
				// A NULL element is equal to NULL and above any value, as
				// in PostgreSQL's array ordering.
				p, q := int(xs+k), int(ys+k)
				pn, qn := xv.IsNull(p), yv.IsNull(q)
				switch {
				case pn && qn:
					continue
				case pn:
					return 1
				case qn:
					return -1
				}
				if r := c(p, q); r != 0 {
					return r
				}
			}
			return cmpInt(xe-xs, ye-ys)
		}
	case *array.Null:
		return func(i, j int) int { return 0 }
	}
	xi, yi := int64s(a), int64s(b)
	return func(i, j int) int { return cmpInt(xi[i], yi[j]) }
}

// intervalKey orders intervals as PostgreSQL does (a month is 30 days).
func intervalKey(v arrow.MonthDayNanoInterval) int64 {
	return int64(v.Months)*30*86400e6 + int64(v.Days)*86400e6 + v.Nanoseconds/1000
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders floats with NaN equal to itself and above everything.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareKernel evaluates a comparison operator over unified operands.
func compareKernel(op string) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		a, b := args[0], args[1]
		out := make([]bool, n)
		var c cmpFunc
		if op == "<=>" || op == "is_distinct" {
			a, b = expand(ec, a, n), expand(ec, b, n)
			c = comparer(a, b)
			for i := 0; i < n; i++ {
				an, bn := a.IsNull(i), b.IsNull(i)
				var eq bool
				switch {
				case an && bn:
					eq = true
				case an || bn:
					eq = false
				default:
					eq = c(i, i) == 0
				}
				out[i] = eq == (op == "<=>")
			}
			return newBoolArray(ec.Mem, out, nil), nil
		}
		nulls := argNulls(n, a, b)
		if compareTyped(op, a, b, n, out) {
			return boolArray(out, nulls), nil
		}
		a, b = expand(ec, a, n), expand(ec, b, n)
		c = comparer(a, b)
		for i := 0; i < n; i++ {
			if !validBit(nulls, i) {
				continue
			}
			out[i] = cmpResult(op, c(i, i))
		}
		return boolArray(out, nulls), nil
	}
}

// cmpResult turns a three-way comparison into op's answer.
func cmpResult(op string, r int) bool {
	switch op {
	case "=":
		return r == 0
	case "<>":
		return r != 0
	case "<":
		return r < 0
	case "<=":
		return r <= 0
	case ">":
		return r > 0
	case ">=":
		return r >= 0
	}
	return false
}

// andKernel / orKernel implement three-valued logic over whole arrays.
func logicKernel(isAnd bool) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		return logic3(isAnd, args[0], args[1], n), nil
	}
}

// logic3 computes a AND b (or a OR b) in three-valued logic a 64-row word
// at a time: with each operand's value bits v and validity bits k, AND is
// true where both are true, and known where it is true or either side is
// a known false; OR likewise with the roles swapped.
func logic3(isAnd bool, a, b arrow.Array, n int) arrow.Array {
	av, ak := boolWords(a, n)
	bv, bk := boolWords(b, n)
	words := (n + 63) / 64
	val := make([]uint64, words)
	known := make([]uint64, words)
	allKnown := true
	for w := 0; w < words; w++ {
		at, bt := av[w]&ak[w], bv[w]&bk[w]   // known true
		af, bf := ^av[w]&ak[w], ^bv[w]&bk[w] // known false
		if isAnd {
			val[w] = at & bt
			known[w] = val[w] | af | bf
		} else {
			val[w] = at | bt
			known[w] = val[w] | af&bf
		}
		if w < words-1 && known[w] != ^uint64(0) {
			allKnown = false
		}
	}
	if words > 0 && n%64 != 0 {
		mask := uint64(1)<<(n%64) - 1
		if known[words-1]&mask != mask {
			allKnown = false
		}
	} else if words > 0 && known[words-1] != ^uint64(0) {
		allKnown = false
	}
	var nulls *memory.Buffer
	if !allKnown {
		nulls = memory.NewBufferBytes(batch.SliceBytes(known)[:bitutil.BytesForBits(int64(n))])
	}
	vals := memory.NewBufferBytes(batch.SliceBytes(val)[:bitutil.BytesForBits(int64(n))])
	return batch.FromBuffers(arrow.FixedWidthTypes.Boolean, n, nulls, vals)
}

// boolWords returns a boolean array's value and validity bits as 64-bit
// words, aligned to its first row (a constant is spread over n rows).
func boolWords(a arrow.Array, n int) (vals, valid []uint64) {
	words := (n + 63) / 64
	if stride(a, n) == 0 {
		vals, valid = make([]uint64, words), make([]uint64, words)
		if a.IsValid(0) {
			fillWords(valid)
			if a.(*array.Boolean).Value(0) {
				fillWords(vals)
			}
		}
		return vals, valid
	}
	if a.DataType().ID() == arrow.NULL {
		return make([]uint64, words), make([]uint64, words)
	}
	d := a.Data()
	vals = bitsToWords(d.Buffers()[1].Bytes(), d.Offset(), n)
	if a.NullN() == 0 {
		valid = make([]uint64, words)
		fillWords(valid)
	} else {
		valid = bitsToWords(d.Buffers()[0].Bytes(), d.Offset(), n)
	}
	return vals, valid
}

func fillWords(w []uint64) {
	for i := range w {
		w[i] = ^uint64(0)
	}
}

// bitsToWords copies n bits starting at bit off into 64-bit words.
func bitsToWords(src []byte, off, n int) []uint64 {
	words := make([]uint64, (n+63)/64)
	dst := batch.SliceBytes(words)
	if off%8 == 0 {
		copy(dst, src[off/8:off/8+int(bitutil.BytesForBits(int64(n)))])
	} else {
		bitutil.CopyBitmap(src, off, n, dst, 0)
	}
	return words
}

func notKernel(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
	v, k := boolWords(args[0], n)
	for w := range v {
		v[w] = ^v[w]
	}
	var nulls *memory.Buffer
	if stride(args[0], n) == 0 {
		if args[0].IsNull(0) {
			nulls = memory.NewBufferBytes(make([]byte, bitutil.BytesForBits(int64(n))))
		}
	} else if args[0].NullN() > 0 {
		nulls = memory.NewBufferBytes(batch.SliceBytes(k)[:bitutil.BytesForBits(int64(n))])
	}
	return batch.FromBuffers(arrow.FixedWidthTypes.Boolean, n, nulls, memory.NewBufferBytes(batch.SliceBytes(v)[:bitutil.BytesForBits(int64(n))])), nil
}

func isNullKernel(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
	out := make([]bool, n)
	// arrow's NullArray has no validity bitmap, so IsNull reports false.
	allNull := args[0].DataType().ID() == arrow.NULL
	for i := range out {
		out[i] = allNull || args[0].IsNull(i)
	}
	return newBoolArray(ec.Mem, out, nil), nil
}

func isNotNullKernel(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
	out := make([]bool, n)
	allNull := args[0].DataType().ID() == arrow.NULL
	for i := range out {
		out[i] = !allNull && args[0].IsValid(i)
	}
	return newBoolArray(ec.Mem, out, nil), nil
}

// truthKernel implements IS [NOT] TRUE/FALSE.
func truthKernel(want, negate bool) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[0].(*array.Boolean)
		out := make([]bool, n)
		for i := range out {
			r := a.IsValid(i) && a.Value(i) == want
			out[i] = r != negate
		}
		return newBoolArray(ec.Mem, out, nil), nil
	}
}

var _ = types.Bool
