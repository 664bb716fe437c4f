package hashtable

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// direct is Insert's path for one integer key column whose values lie in
// a range not much wider than the number of groups (a table's surrogate
// key: TPC-H q13 groups by c_custkey, q18 by l_orderkey): an array over
// the range gives each key's group, one load a row where hashing,
// probing the slots and checking the key cost several, and cache misses
// in a large table. The slots are not kept meanwhile; syncSlots fills
// them when the table leaves the path (a batch out of range or with a
// NULL key, a Finder, a row-wise flag).
//
// The array is kept in pages of directPage keys, made as keys fall in
// them: parallel workers of one aggregate each see every other row group
// of a file, so each one's keys span the whole range but fill half of it
// (TPC-H q18: 6 million order keys, 24 MB per worker as one array).
type direct struct {
	lo, hi int64     // the least and greatest key the pages must cover
	pages  [][]int32 // group of key d.first()+p*directPage+i at pages[p][i]; -1: none yet; a nil page: none of its keys
	made   int       // pages made
	known  int       // groups the array holds (0..known-1)
	vals   []int64   // scratch: a batch's keys
	rows   []int32   // scratch: a batch's rows that add a group
}

const (
	directPageBits = 14
	directPage     = 1 << directPageBits
)

// first is the first key of pages[0]: lo rounded down to a multiple of
// directPage (also for negative keys).
func (d *direct) first() int64 { return d.lo >> directPageBits << directPageBits }

// page returns the page of the key at offset off from d.first(), making
// it.
func (d *direct) page(off int64) []int32 {
	p := d.pages[off>>directPageBits]
	if p == nil {
		p = make([]int32, directPage)
		for i := range p {
			p[i] = -1
		}
		d.pages[off>>directPageBits] = p
		d.made++
	}
	return p
}

// bytes is the memory the pages hold.
func (d *direct) bytes() int64 { return int64(d.made)*directPage*4 + int64(cap(d.pages))*24 }

// The array may span up to directSlack times the groups (or
// directFloor keys, for small tables), and at most directMaxSpan keys
// (64 MB): at TPC-H SF10, q18's 60 million order keys in an array per
// worker added 700 MB to the peak and ran slower than hashing.
const (
	directSlack   = 16
	directFloor   = 1 << 16
	directMaxSpan = 1 << 24
)

// intKeys is a key column whose values read as int64s.
type intKeys interface {
	// ints sets out[i] to row i's value; false when some row is NULL.
	ints(a arrow.Array, out []int64) bool
}

func (c *fixedColumn[T]) ints(a arrow.Array, out []int64) bool {
	if a.NullN() > 0 {
		return false
	}
	xs := values[T](a)
	for i := range out {
		out[i] = int64(xs[i])
	}
	return true
}

// newDirect returns the path for keys of these columns, or nil unless
// they are one integer column.
func newDirect(cols []keyColumn) *direct {
	if len(cols) != 1 {
		return nil
	}
	if _, ok := cols[0].(intKeys); !ok {
		return nil
	}
	return &direct{}
}

// insert is Insert by the array; false means the batch does not fit it
// (t then leaves the path for good).
func (d *direct) insert(t *Table, a arrow.Array, n int, groups []uint32) bool {
	ic := t.cols[0].(intKeys)
	if d.known < t.n && !d.load(t) {
		return false
	}
	if cap(d.vals) < n {
		d.vals = make([]int64, n)
	}
	vals := d.vals[:n]
	if !ic.ints(a, vals) {
		return false
	}
	if n == 0 {
		return true
	}
	if lo, hi := bounds(vals); !d.cover(lo, hi, t.n+n) {
		return false
	}
	rows := d.rows[:0]
	base := d.first()
	var page []int32 // the page of the last row's key, likely the next's
	pageAt := int64(-1)
	for i, v := range vals {
		off := v - base
		if off>>directPageBits != pageAt {
			pageAt = off >> directPageBits
			page = d.page(off)
		}
		g := page[off&(directPage-1)]
		if g < 0 {
			g = int32(t.n)
			t.n++
			page[off&(directPage-1)] = g
			rows = append(rows, int32(i))
		}
		groups[i] = uint32(g)
	}
	t.cols[0].append(a, rows)
	d.rows, d.known = rows, t.n
	return true
}

// load enters the groups added by the other paths into the array.
func (d *direct) load(t *Table) bool {
	keys := t.cols[0].build(t.n)
	vals := make([]int64, t.n)
	if !t.cols[0].(intKeys).ints(keys, vals) {
		return false
	}
	if rest := vals[d.known:]; len(rest) > 0 {
		if lo, hi := bounds(rest); !d.cover(lo, hi, t.n) {
			return false
		}
	}
	base := d.first()
	for g := d.known; g < t.n; g++ {
		off := vals[g] - base
		d.page(off)[off&(directPage-1)] = int32(g)
	}
	d.known = t.n
	return true
}

// bounds is the least and the greatest of vs (not empty).
func bounds(vs []int64) (lo, hi int64) {
	lo, hi = vs[0], vs[0]
	for _, v := range vs {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// cover makes the array span lo..hi too, for a table of up to groups
// groups; false when that would be too wide.
func (d *direct) cover(lo, hi int64, groups int) bool {
	if len(d.pages) > 0 {
		if lo >= d.lo && hi <= d.hi {
			return true
		}
		lo, hi = min(lo, d.lo), max(hi, d.hi)
	}
	if hi-lo < 0 || hi-lo >= directMaxSpan { // (hi-lo < 0: overflow)
		return false
	}
	span := hi - lo + 1
	if span > max(directSlack*int64(groups), directFloor) {
		return false
	}
	// Whole pages from d.first(); the list of pages doubles as keys rise.
	was := d.first()
	d.lo, d.hi = lo, hi
	n := int((hi-d.first())>>directPageBits) + 1
	if len(d.pages) == 0 {
		d.pages = make([][]int32, n)
		return true
	}
	shift := int((was - d.first()) >> directPageBits)
	if shift == 0 && n <= cap(d.pages) {
		d.pages = d.pages[:n]
		return true
	}
	grown := make([][]int32, n, max(n, 2*len(d.pages)))
	copy(grown[shift:], d.pages)
	d.pages = grown
	return true
}

// syncSlots enters into the slots the groups added while they were not
// kept (by the direct path), for the hashed paths and Finders.
func (t *Table) syncSlots() {
	if t.slotted >= t.n {
		return
	}
	keys := t.Keys()
	h := make([]uint64, t.n)
	t.hashInto(keys, h)
	n := t.n
	t.n = t.slotted // reserve counts the groups already in the slots
	t.reserve(n - t.slotted)
	t.n = n
	for g := t.slotted; g < n; g++ {
		p := t.home(h[g])
		for t.slots[p] != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = h[g]>>32<<32 | uint64(g+1)
	}
	t.slotted = n
}

// Seal readies the table for Finders on other goroutines: it leaves the
// direct path and fills the slots. (Finder and NewFinder do it too, but
// a table probed concurrently must be sealed before it is shared.)
func (t *Table) Seal() {
	t.direct = nil
	t.syncSlots()
}
