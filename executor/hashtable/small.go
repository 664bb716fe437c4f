package hashtable

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/batch"
)

// smallMax is how many groups a table may have for Insert to look rows
// up by comparing their packed keys with every group's.
const smallMax = 16

// small is Insert's path for a table of few groups (TPC-H q01 has four)
// whose keys pack into one word a column: each row's words are compared
// with each group's, a few loads and compares a row where hashing,
// probing and checking the key columns cost ten times that. Rows of keys
// not seen yet take the hashed path, which numbers their groups.
type small struct {
	words []uint64   // group g's key words at [g*ncols : (g+1)*ncols]
	rows  [][]uint64 // per key column, the words of a batch's rows
	miss  []int32
}

// packer is a key column whose values pack into one word each, distinct
// for distinct values and for NULL.
type packer interface {
	// pack sets w[i] to row i's word; false means some row does not
	// pack (a long string, a NULL integer) and the batch takes the
	// hashed path.
	pack(a arrow.Array, w []uint64) bool
}

// nullWord is a NULL string's word: no short string's word has a top
// byte above 7.
const nullWord = 0xfe << 56

func (c *stringColumn) pack(a arrow.Array, w []uint64) bool {
	if da, ok := a.(*array.Dictionary); ok {
		return c.packDictionary(da, w)
	}
	av := validOf(a)
	offs, data := binaryData(a)
	for i := range w {
		lo, hi := offs[i], offs[i+1]
		switch {
		case !av.at(i):
			w[i] = nullWord
		case hi-lo < 8:
			w[i] = shortString(data[lo:hi])
		default:
			return false
		}
	}
	return true
}

// packDictionary packs each value of a's dictionary once and gives every
// row its value's word (see batch.DictionaryOf).
func (c *stringColumn) packDictionary(a *array.Dictionary, w []uint64) bool {
	dict := a.Dictionary()
	dw := c.dictWords[:0]
	if cap(dw) < dict.Len() {
		dw = make([]uint64, 0, dict.Len())
	}
	dw = dw[:dict.Len()]
	if !c.pack(dict, dw) {
		return false
	}
	c.dictWords = dw
	av := validOf(a)
	idx := values[int32](a) // the indices, from the array's offset
	if av.bits == nil {
		for i := range w {
			w[i] = dw[idx[i]]
		}
		return true
	}
	for i := range w {
		if av.at(i) {
			w[i] = dw[idx[i]]
		} else {
			w[i] = nullWord
		}
	}
	return true
}

func (c *fixedColumn[T]) pack(a arrow.Array, w []uint64) bool {
	if a.NullN() > 0 {
		return false
	}
	xs := values[T](a) // the buffer from the array's offset: may run past n
	for i := range w {
		w[i] = uint64(xs[i])
	}
	return true
}

// newSmall returns the small path for keys of these columns, or nil when
// some column does not pack.
func newSmall(cols []keyColumn) *small {
	for _, c := range cols {
		if _, ok := c.(packer); !ok {
			return nil
		}
	}
	return &small{rows: make([][]uint64, len(cols))}
}

// insert is Insert by packed keys; false means the batch did not pack
// and nothing was done.
func (sm *small) insert(t *Table, keys []arrow.Array, n int, groups []uint32) bool {
	nc := len(t.cols)
	for c, col := range t.cols {
		if cap(sm.rows[c]) < n {
			sm.rows[c] = make([]uint64, n)
		}
		if !col.(packer).pack(keys[c], sm.rows[c][:n]) {
			return false
		}
	}
	miss := sm.miss[:0]
	ng := len(sm.words) / nc
	switch nc {
	case 1:
		miss = sm.find1(n, ng, groups, miss)
	case 2:
		miss = sm.find2(n, ng, groups, miss)
	default:
		miss = sm.findN(n, ng, nc, groups, miss)
	}
	sm.miss = miss
	if len(miss) == 0 {
		return true
	}
	// New keys: the hashed path adds their groups; their words follow.
	keys = batch.DecodeAll(keys)
	s := &t.s
	t.reserve(len(miss))
	s.reserve(n)
	h := t.hashRows(s, keys, n)
	t.insertRows(s, keys, h, miss, groups, nil)
	sm.words = append(sm.words, make([]uint64, (t.n-ng)*nc)...)
	for _, r := range miss {
		g := int(groups[r])
		for c := range nc {
			sm.words[g*nc+c] = sm.rows[c][r]
		}
	}
	return true
}

// find1, find2 and findN set groups[i] for the rows whose key words are a
// group's (of ng) and return the others appended to miss.
func (sm *small) find1(n, ng int, groups []uint32, miss []int32) []int32 {
	w0, gw := sm.rows[0][:n], sm.words[:ng]
	for i, x := range w0 {
		g := -1
		for k, y := range gw {
			if x == y {
				g = k
				break
			}
		}
		if g < 0 {
			miss = append(miss, int32(i))
		} else {
			groups[i] = uint32(g)
		}
	}
	return miss
}

func (sm *small) find2(n, ng int, groups []uint32, miss []int32) []int32 {
	w0, w1, gw := sm.rows[0][:n], sm.rows[1][:n], sm.words[:2*ng]
	for i := range w0 {
		x0, x1 := w0[i], w1[i]
		g := -1
		for k := 0; k+1 < len(gw); k += 2 {
			if gw[k] == x0 && gw[k+1] == x1 {
				g = k / 2
				break
			}
		}
		if g < 0 {
			miss = append(miss, int32(i))
		} else {
			groups[i] = uint32(g)
		}
	}
	return miss
}

func (sm *small) findN(n, ng, nc int, groups []uint32, miss []int32) []int32 {
	for i := 0; i < n; i++ {
		g := -1
		for k := 0; k < ng && g < 0; k++ {
			g = k
			for c := range nc {
				if sm.words[k*nc+c] != sm.rows[c][i] {
					g = -1
					break
				}
			}
		}
		if g < 0 {
			miss = append(miss, int32(i))
		} else {
			groups[i] = uint32(g)
		}
	}
	return miss
}
