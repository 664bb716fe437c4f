package executor

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// denseKeys maps the keys of a build keyed by one integer column straight
// to their groups, by an array over the keys' range: a probe then costs a
// subtraction and a load where hashing, probing the table and checking
// the key cost several times that. Joins on a table's surrogate key (its
// keys 1..N, as TPC-H's and most star schemas' are) take it.
type denseKeys struct {
	min    int64
	groups []int32 // group of key min+i; -1: none
}

// maxDenseSpan bounds the array (64 MB); a build whose key range is
// wider than denseSlack times its keys is left to the table.
const (
	maxDenseSpan = 1 << 24
	denseSlack   = 4
)

// newDenseKeys returns the array for a build's key column keys (group g's
// key at row g), or nil when the build has more than one key, the key is
// not an integer column, or its range is too sparse. A key whose NULLs
// match has no array: the table holds its NULL group.
func newDenseKeys(keys arrow.Array, nullEq []bool) *denseKeys {
	if len(nullEq) != 1 || nullEq[0] || keys.Len() == 0 {
		return nil
	}
	lo, hi := int64(1<<63-1), int64(-1<<63)
	for i := range keys.Len() {
		v, ok := intKey(keys, i)
		if !ok {
			return nil
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if uint64(hi-lo) >= maxDenseSpan || hi-lo >= int64(denseSlack*keys.Len()+1024) {
		return nil
	}
	d := &denseKeys{min: lo, groups: make([]int32, hi-lo+1)}
	for i := range d.groups {
		d.groups[i] = -1
	}
	for g := range keys.Len() {
		v, _ := intKey(keys, g)
		d.groups[v-lo] = int32(g)
	}
	return d
}

// intKey is row i of an integer key column; false for a NULL or a type
// the array does not serve.
func intKey(a arrow.Array, i int) (int64, bool) {
	if a.IsNull(i) {
		return 0, false
	}
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(i), true
	case *array.Int32:
		return int64(a.Value(i)), true
	case *array.Date32:
		return int64(a.Value(i)), true
	}
	return 0, false
}

// find sets groups[i] to the group of row i of keys, -1 for a key not in
// the build or NULL; false means keys is of a type it does not read.
func (d *denseKeys) find(keys arrow.Array, groups []int32) bool {
	switch a := keys.(type) {
	case *array.Int64:
		denseFind(d, a.Int64Values(), a, groups)
	case *array.Int32:
		denseFind(d, a.Int32Values(), a, groups)
	case *array.Date32:
		denseFind(d, a.Date32Values(), a, groups)
	default:
		return false
	}
	return true
}

func denseFind[T int32 | int64 | arrow.Date32](d *denseKeys, vs []T, a arrow.Array, groups []int32) {
	span := uint64(len(d.groups))
	for i, v := range vs[:len(groups)] {
		if k := uint64(int64(v) - d.min); k < span {
			groups[i] = d.groups[k]
		} else {
			groups[i] = -1
		}
	}
	if a.NullN() > 0 {
		for i := range groups {
			if a.IsNull(i) {
				groups[i] = -1
			}
		}
	}
}
