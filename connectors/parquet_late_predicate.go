package connectors

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/types/decimal"
)

// The conditions the late reader decides (parquet_late.go).

// latePredicate is a pushed-down condition the reader decides on decoded
// values: over integers (and dates and numerics, by their unscaled
// values) or text.
type latePredicate struct {
	col    *lateColumn
	pred   ColumnPredicate
	ints   [][]int64    // per comparison (an OpAny has one per alternative): its values as int64
	texts  [][]string   // or as text
	caches []*textCache // and for text read from a dictionary, the outcomes per value
	keys   *batch.Keys  // a join's keys (OpInKeys)
}

// newLatePredicate prepares p over column c, or returns nil when the
// reader cannot decide it exactly (floats, booleans, values out of range).
func newLatePredicate(c *lateColumn, p ColumnPredicate) *latePredicate {
	lp := &latePredicate{col: c, pred: p}
	if !lp.prepare(p) {
		return nil
	}
	return lp
}

func (lp *latePredicate) prepare(p ColumnPredicate) bool {
	switch p.Op {
	case OpAny:
		for _, a := range p.Any {
			if !lp.prepare(a) {
				return false
			}
		}
		return len(p.Any) > 0
	case OpIsNull, OpIsNotNull:
		return true
	case OpInKeys:
		switch lp.col.kind {
		case decInt32, decDate32, decInt64:
			lp.keys = p.Keys.Get()
			return lp.keys != nil
		}
		return false
	}
	if len(p.Values) == 0 {
		return false
	}
	switch lp.col.kind {
	case decString:
		if !textPredicate(p) {
			return false
		}
		lp.texts = append(lp.texts, textValues(p))
		lp.caches = append(lp.caches, &textCache{})
		return true
	case decInt32, decDate32, decInt64, decDecimal32, decDecimal64:
		vals := make([]int64, len(p.Values))
		for i, v := range p.Values {
			x, ok := scalarInt64(v, lp.col.typ)
			if !ok {
				return false
			}
			vals[i] = x
		}
		lp.ints = append(lp.ints, vals)
		return true
	}
	return false
}

// scalarInt64 is v as the int64 the column stores for it.
func scalarInt64(v scalar.Scalar, t arrow.DataType) (int64, bool) {
	if v == nil || !v.IsValid() {
		return 0, false
	}
	switch s := v.(type) {
	case *scalar.Int32:
		return int64(s.Value), t.ID() == arrow.INT32
	case *scalar.Int64:
		return s.Value, t.ID() == arrow.INT64
	case *scalar.Date32:
		return int64(s.Value), t.ID() == arrow.DATE32
	case *scalar.Decimal128:
		if !arrow.TypeEqual(s.Type, t) || !decimal.FitsInt64(s.Value) {
			return 0, false
		}
		return int64(s.Value.LowBits()), true
	}
	return 0, false
}

// apply clears keep[i] for the rows of the batch that fail the condition.
func (lp *latePredicate) apply(keep []bool) {
	k := 0
	lp.applyTo(lp.pred, keep, &k)
}

// applyTo evaluates p (k numbers the prepared value lists, in the order
// prepare met them).
func (lp *latePredicate) applyTo(p ColumnPredicate, keep []bool, k *int) {
	c := lp.col
	switch p.Op {
	case OpAny:
		any := make([]bool, len(keep))
		for _, a := range p.Any {
			alt := make([]bool, len(keep))
			copy(alt, keep)
			lp.applyTo(a, alt, k)
			for i, ok := range alt {
				any[i] = any[i] || ok
			}
		}
		for i := range keep {
			keep[i] = keep[i] && any[i]
		}
		return
	case OpIsNull, OpIsNotNull:
		want := p.Op == OpIsNull
		for i := range keep {
			keep[i] = keep[i] && (c.value(i) < 0) == want
		}
		return
	case OpInKeys:
		if c.vidx == nil {
			// No NULLs: one loop per width, Has inlined.
			if c.kind == decInt64 {
				inKeys(keep, c.i64[:len(keep)], lp.keys)
			} else {
				inKeys(keep, c.i32[:len(keep)], lp.keys)
			}
			return
		}
		for i := range keep {
			if !keep[i] {
				continue
			}
			v := c.value(i)
			switch {
			case v < 0:
				keep[i] = false
			case c.kind == decInt64:
				keep[i] = lp.keys.Has(c.i64[v])
			default:
				keep[i] = lp.keys.Has(int64(c.i32[v]))
			}
		}
		return
	}
	if c.kind == decString {
		vals, cache := lp.texts[*k], lp.caches[*k]
		*k++
		for i := range keep {
			if !keep[i] {
				continue
			}
			v := c.value(i)
			if v < 0 {
				keep[i] = false
				continue
			}
			b := c.text(v)
			if !c.dict {
				keep[i] = ordHolds(p.Op, unsafe.String(unsafe.SliceData(b), len(b)), vals)
				continue
			}
			e := cache.entry(b)
			if !e.set {
				*e = textOutcome{addr: unsafe.SliceData(b), n: len(b), set: true,
					holds: ordHolds(p.Op, unsafe.String(unsafe.SliceData(b), len(b)), vals)}
			}
			keep[i] = e.holds
		}
		return
	}
	vals := lp.ints[*k]
	*k++
	wide := c.kind == decInt64 || c.kind == decDecimal64
	if c.vidx == nil && p.Op != OpIn && p.Op != OpEq {
		// No NULLs, one bound: a branch-free loop per type and operator.
		if wide {
			cmpRange(keep, c.i64[:len(keep)], p.Op, vals[0])
		} else {
			cmpRange(keep, c.i32[:len(keep)], p.Op, vals[0])
		}
		return
	}
	for i := range keep {
		if !keep[i] {
			continue
		}
		v := c.value(i)
		if v < 0 {
			keep[i] = false
			continue
		}
		var x int64
		if wide {
			x = c.i64[v]
		} else {
			x = int64(c.i32[v])
		}
		keep[i] = ordHolds(p.Op, x, vals)
	}
}

// inKeys clears keep[i] where xs[i] is not among keys.
func inKeys[T int32 | int64](keep []bool, xs []T, keys *batch.Keys) {
	for i, x := range xs {
		if keep[i] {
			keep[i] = keys.Has(int64(x))
		}
	}
}

// cmpRange clears keep[i] where xs[i] op v fails. The loops have no
// branch on the data: keep is ANDed as bytes with the comparison's 0 or
// 1, where keep[i] && x < v branched on keep[i], and a filter passing
// rows at random (TPC-H's dates in a file in order of orderkey) missed
// that branch half the time.
func cmpRange[T int32 | int64](keep []bool, xs []T, op CompareOp, v int64) {
	if len(keep) == 0 {
		return
	}
	k := unsafe.Slice((*uint8)(unsafe.Pointer(&keep[0])), len(keep))[:len(xs)]
	switch op {
	case OpLt:
		for i, x := range xs {
			k[i] &= b2u(int64(x) < v)
		}
	case OpLe:
		for i, x := range xs {
			k[i] &= b2u(int64(x) <= v)
		}
	case OpGt:
		for i, x := range xs {
			k[i] &= b2u(int64(x) > v)
		}
	case OpGe:
		for i, x := range xs {
			k[i] &= b2u(int64(x) >= v)
		}
	}
}

// b2u is 1 for true, 0 for false (a bool's byte), without a branch.
func b2u(b bool) uint8 {
	var u uint8
	if b {
		u = 1
	}
	return u
}

// textCache remembers a text comparison's outcome for the values of a
// dictionary by their address: each distinct value is compared once
// rather than once per row (TPC-H q19 compares l_shipmode and
// l_shipinstruct of every line item; their dictionaries hold 7 and 4
// values). A slot holds one value; a value whose slot another holds is
// compared again and takes the slot.
type textCache [64]textOutcome

type textOutcome struct {
	addr  *byte
	n     int
	set   bool
	holds bool
}

func (c *textCache) entry(b []byte) *textOutcome {
	a := unsafe.SliceData(b)
	e := &c[(uintptr(unsafe.Pointer(a))>>3^uintptr(len(b)))&63]
	if e.set && (e.addr != a || e.n != len(b)) {
		e.set = false
	}
	return e
}

// ordHolds decides x op vals (text compares bytes, as the engine's text
// comparisons do).
func ordHolds[T int64 | string](op CompareOp, x T, vals []T) bool {
	switch op {
	case OpEq, OpIn:
		for _, v := range vals {
			if x == v {
				return true
			}
		}
		return false
	case OpLt:
		return x < vals[0]
	case OpLe:
		return x <= vals[0]
	case OpGt:
		return x > vals[0]
	case OpGe:
		return x >= vals[0]
	}
	return true
}
