package batch

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// KeySet carries the integer keys a hash join's build side holds to the
// scan on its probe side, which drops the rows whose key is not among
// them before it decodes their other columns (a dynamic filter, as Trino
// and DuckDB have). The join publishes the keys once its build is
// complete; a scan that reads before that, or a build that could not say
// (it spilled, its keys are not integers), simply filters nothing.
type KeySet struct {
	keys atomic.Pointer[Keys]
}

// KeyFilter says where a join publishes the values of one of its keys:
// key number Key (in the join's order), into Set.
type KeyFilter struct {
	Set *KeySet
	Key int
}

// Keys are the distinct non-NULL keys of a build: their range and, when
// the range is at most maxKeyBits wide, a bitmap of which are present.
type Keys struct {
	Min, Max int64
	bits     []uint64 // bit v-Min for each key v; nil: the range only
}

// maxKeyBits bounds the bitmap (16 MB); wider key ranges give a range only.
const maxKeyBits = 1 << 27

// Publish makes keys visible to scans.
func (s *KeySet) Publish(k *Keys) { s.keys.Store(k) }

// Get returns the published keys, or nil when there are none yet.
func (s *KeySet) Get() *Keys {
	if s == nil {
		return nil
	}
	return s.keys.Load()
}

// KeysOf collects the distinct values of an int32, int64 or date32 array
// with no NULLs (none at all: no key matches); ok is false for other
// arrays.
func KeysOf(a arrow.Array) (k *Keys, ok bool) {
	if a.NullN() > 0 {
		return nil, false
	}
	var vals func(yield func(int64))
	switch a := a.(type) {
	case *array.Int32:
		vals = func(yield func(int64)) {
			for _, v := range a.Int32Values() {
				yield(int64(v))
			}
		}
	case *array.Int64:
		vals = func(yield func(int64)) {
			for _, v := range a.Int64Values() {
				yield(v)
			}
		}
	case *array.Date32:
		vals = func(yield func(int64)) {
			for _, v := range a.Date32Values() {
				yield(int64(v))
			}
		}
	default:
		return nil, false
	}
	k = &Keys{Min: 1<<63 - 1, Max: -1 << 63}
	vals(func(v int64) {
		k.Min, k.Max = min(k.Min, v), max(k.Max, v)
	})
	if k.Min > k.Max {
		return k, true // empty: Has is always false
	}
	if span := uint64(k.Max - k.Min); span < maxKeyBits {
		k.bits = make([]uint64, span/64+1)
		vals(func(v int64) {
			d := uint64(v - k.Min)
			k.bits[d>>6] |= 1 << (d & 63)
		})
	}
	return k, true
}

// Has reports whether v may be a key: it is, when the keys have a bitmap.
func (k *Keys) Has(v int64) bool {
	if v < k.Min || v > k.Max {
		return false
	}
	if k.bits == nil {
		return true
	}
	d := uint64(v - k.Min)
	return k.bits[d>>6]&(1<<(d&63)) != 0
}

// Exact reports whether Has is exact (a bitmap, not just the range).
func (k *Keys) Exact() bool { return k.bits != nil }
