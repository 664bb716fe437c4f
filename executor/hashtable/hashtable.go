// Package hashtable is the one hash table of the executor: it gives each
// distinct tuple of key values a dense group number, and serves hash
// aggregation (groups), hash joins (the build side's keys), DISTINCT and
// the set operations.
//
// It works a batch at a time, as DuckDB's and Velox's tables do: keys are
// hashed a column at a time into []uint64; the slots are open addressing
// with linear probing, each holding the high 32 bits of the hash (to skip
// most wrong candidates without touching keys) and the group number; the
// candidates of a batch are then checked a key column at a time by loops
// specialised per type. Each group's key values are stored once, in
// columns (strings in one arena), so an aggregate keeps one key row per
// group and can hand the keys back as Arrow arrays.
//
// NULL keys are equal to each other here (as GROUP BY and DISTINCT need);
// joins leave out rows whose keys may not match NULLs before they get here.
package hashtable

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/batch"
)

// Table maps key tuples to group numbers 0..Len()-1, numbered as they are
// added (within a batch, nearly in order of first appearance: a row whose
// probe met another key's matching hash bits is added in a later pass).
// It is not safe for concurrent use.
type Table struct {
	cols []keyColumn
	// slots: 0 is empty; otherwise hash>>32 in the high half and the
	// group number + 1 in the low half. A key's first slot is given by
	// the high bits of its hash (hash >> shift), which the slot keeps:
	// growing the table rebuilds it from the slots alone, walking them in
	// order and writing the new slots nearly in order too, where taking
	// the low bits meant a random write per group and 8 more bytes each.
	slots []uint64
	mask  int
	shift uint // 64 - log2(len(slots)); len(slots) <= 2^32
	n     int

	s scratch // Insert's
	// small, while the table has few groups and every batch's keys
	// packed, is Insert's path by packed keys; it knows every group.
	small *small
	// direct, while one integer key column stays within a range not
	// much wider than the groups, is Insert's path by an array over the
	// range; the slots then hold only groups 0..slotted-1.
	direct  *direct
	slotted int
}

// scratch is the per-batch working memory of a lookup, reused across
// batches.
type scratch struct {
	h                []uint64
	pos              []int
	rows, next, cand []int32
	newRows          []int32
	candGroups       []uint32
	eq               []bool
	same             []bool
	prevRows         []int32
	sink             uint64 // keeps touch's loads
}

// New returns an empty table for keys of the given types.
func New(keyTypes []arrow.DataType) *Table {
	t := &Table{cols: make([]keyColumn, len(keyTypes))}
	for i, kt := range keyTypes {
		t.cols[i] = newKeyColumn(kt)
	}
	t.setSlots(make([]uint64, 64))
	t.small = newSmall(t.cols)
	t.direct = newDirect(t.cols)
	return t
}

// Len is the number of groups.
func (t *Table) Len() int { return t.n }

// Bytes is the memory the table holds: slots, hashes and stored keys.
func (t *Table) Bytes() int64 {
	b := int64(len(t.slots) * 8)
	if t.direct != nil {
		b += t.direct.bytes()
	}
	for _, c := range t.cols {
		b += c.bytes()
	}
	return b
}

// reserve grows the slots so that extra more groups keep the load under
// one half.
func (t *Table) reserve(extra int) {
	need := (t.n + extra) * 2
	if need <= len(t.slots) {
		return
	}
	size := len(t.slots)
	for size < need {
		size *= 2
	}
	old := t.slots
	t.setSlots(make([]uint64, size))
	for _, slot := range old {
		if slot == 0 {
			continue
		}
		p := t.home(slot)
		for t.slots[p] != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = slot
	}
}

// touch loads the first slot of each row before the probe loop needs it.
// The loads depend on nothing and branch on nothing, so the processor
// overlaps their cache misses; in the probe loop each miss sat behind a
// hard-to-predict branch on the slot before it and was paid alone (a
// large join's build does not fit in the caches). Go has no prefetch
// instruction; this is the portable equivalent.
func (t *Table) touch(s *scratch, rows []int32) {
	var sum uint64
	for _, r := range rows {
		sum += t.slots[s.pos[r]]
	}
	s.sink = sum
}

func (t *Table) setSlots(slots []uint64) {
	t.slots = slots
	t.mask = len(slots) - 1
	t.shift = uint(64 - bits.TrailingZeros(uint(len(slots))))
}

// home is the first slot to probe for hash h (or for a slot's value,
// whose high 32 bits are its hash's).
func (t *Table) home(h uint64) int { return int(h >> t.shift) }

// hashRows hashes the n rows of keys into s.h.
func (t *Table) hashRows(s *scratch, keys []arrow.Array, n int) []uint64 {
	return t.hashInto(keys, s.h[:n])
}

// hashInto hashes the len(h) rows of keys into h.
func (t *Table) hashInto(keys []arrow.Array, h []uint64) []uint64 {
	for i := range h {
		h[i] = seed0
	}
	for c, col := range t.cols {
		col.hash(keys[c], h)
	}
	for i, x := range h {
		h[i] = fmix64(x)
	}
	return h
}

func (s *scratch) reserve(n int) {
	if cap(s.pos) < n {
		s.h = make([]uint64, n)
		s.pos = make([]int, n)
		s.rows = make([]int32, n)
		s.next = make([]int32, n)
		s.cand = make([]int32, n)
		s.newRows = make([]int32, n)
		s.candGroups = make([]uint32, n)
		s.eq = make([]bool, n)
		s.same = make([]bool, n)
		s.prevRows = make([]int32, n)
	}
}

// Insert sets groups[i] to the group of row i of keys (n rows), adding a
// group for each key tuple not seen before. isNew, when not nil, is set
// for the rows that added their group.
func (t *Table) Insert(keys []arrow.Array, n int, groups []uint32, isNew []bool) {
	if t.small != nil {
		if isNew == nil && t.small.insert(t, keys, n, groups) {
			if t.n > smallMax {
				t.small = nil
			}
			return
		}
		t.small = nil // it would miss the groups added below
	}
	keys = batch.DecodeAll(keys) // only the small path takes dictionaries
	if t.direct != nil {
		if isNew == nil && t.direct.insert(t, keys[0], n, groups) {
			return
		}
		t.direct = nil // for good: the batch does not fit it
	}
	t.syncSlots()
	t.reserve(n)
	s := &t.s
	s.reserve(n)
	h := t.hashRows(s, keys, n)
	if isNew != nil {
		clear(isNew[:n])
	}
	// A row whose keys equal the previous row's joins its group without a
	// lookup: data is often clustered by key (sorted files, time order).
	same := t.sameAsPrevious(s, keys, h, n)
	rows := s.rows[:0]
	for i := 0; i < n; i++ {
		if !same[i] {
			rows = append(rows, int32(i))
		}
	}
	t.insertRows(s, keys, h, rows, groups, isNew)
	for i := 1; i < n; i++ {
		if same[i] {
			groups[i] = groups[i-1]
		}
	}
}

// InsertHashed adds the rows of keys listed in rows, whose hashes (as
// Hash computes them) are h, setting groups[r] for each row r listed.
// It is how the parts of a table split by PartOf are filled, each part
// by a goroutine of its own.
func (t *Table) InsertHashed(keys []arrow.Array, h []uint64, rows []int32, groups []uint32) {
	keys = batch.DecodeAll(keys)
	t.small = nil
	t.Seal()
	t.reserve(len(rows))
	t.s.reserve(len(h))
	t.insertRows(&t.s, keys, h, rows, groups, nil)
}

// Hash sets h[i] to the hash of row i of keys, for each i < len(h), as
// every table of the same key types hashes it.
func (t *Table) Hash(keys []arrow.Array, h []uint64) { t.hashInto(batch.DecodeAll(keys), h) }

// PartOf is the part, of parts (a power of two), that holds a key whose
// hash is h when a table is split to be filled in parallel. It takes bits
// that neither slot placement (the high half) nor spill partitions (the
// lowest bits) use.
func PartOf(h uint64, parts int) int { return int(h>>16) & (parts - 1) }

// insertRows adds the listed rows (hashes h), as Insert does; the
// caller has reserved room for them, and the slots hold every group.
func (t *Table) insertRows(s *scratch, keys []arrow.Array, h []uint64, rows []int32, groups []uint32, isNew []bool) {
	for _, r := range rows {
		s.pos[r] = t.home(h[r])
	}
	t.touch(s, rows)

	for len(rows) > 0 {
		cand, candGroups, newRows := s.cand[:0], s.candGroups[:0], s.newRows[:0]
		for _, r := range rows {
			p := s.pos[r]
			tag := h[r] >> 32
			for {
				slot := t.slots[p]
				if slot == 0 {
					g := t.n
					t.n++
					t.slots[p] = tag<<32 | uint64(g+1)
					groups[r] = uint32(g)
					newRows = append(newRows, r)
					if isNew != nil {
						isNew[r] = true
					}
					break
				}
				if slot>>32 == tag {
					cand = append(cand, r)
					candGroups = append(candGroups, uint32(slot)-1)
					s.pos[r] = p
					break
				}
				p = (p + 1) & t.mask
			}
		}
		// Store the new groups' keys before checking candidates, which
		// may point at groups added by this very pass.
		for c, col := range t.cols {
			col.append(keys[c], newRows)
		}
		next := t.verify(s, keys, cand, candGroups)
		for k, r := range cand {
			if s.eq[k] {
				groups[r] = candGroups[k]
			}
		}
		rows = next
	}
	t.slotted = t.n
}

// sameAsPrevious marks the rows whose key tuple equals the previous
// row's: equal hashes, then equal keys column by column.
func (t *Table) sameAsPrevious(s *scratch, keys []arrow.Array, h []uint64, n int) []bool {
	same := s.same[:n]
	if n == 0 {
		return same
	}
	same[0] = false
	cand := s.prevRows[:0]
	for i := 1; i < n; i++ {
		same[i] = h[i] == h[i-1]
		if same[i] {
			cand = append(cand, int32(i))
		}
	}
	if len(cand) == 0 {
		return same
	}
	for c, col := range t.cols {
		col.equalRows(keys[c], cand, same)
	}
	return same
}

// verify checks the candidates' keys against their groups' keys, setting
// s.eq for those that match; the others move on to the next slot and are
// returned for another pass.
func (t *Table) verify(s *scratch, keys []arrow.Array, cand []int32, candGroups []uint32) []int32 {
	if len(cand) == 0 {
		return nil
	}
	eq := s.eq[:len(cand)]
	for i := range eq {
		eq[i] = true
	}
	for c, col := range t.cols {
		col.equal(keys[c], cand, candGroups, eq)
	}
	next := s.next[:0]
	for k, r := range cand {
		if !eq[k] {
			s.pos[r] = (s.pos[r] + 1) & t.mask
			next = append(next, r)
		}
	}
	// next and rows alternate between two buffers.
	s.next, s.rows = s.rows, next[:cap(next)]
	return next
}

// Finder looks keys up in a table that no longer changes, or in the
// parts of one filled in parallel. Each goroutine probing a shared table
// (the instances of a parallel hash join) uses a Finder of its own.
type Finder struct {
	parts []*Table
	base  []int32   // group number of each part's first group
	rows  [][]int32 // per part: the rows of a batch it holds
	s     scratch
}

// Finder returns a Finder over t (sealing it: see Seal).
func (t *Table) Finder() *Finder { return NewFinder([]*Table{t}) }

// NewFinder returns a Finder over the parts of a table split by PartOf:
// part p holds the keys whose hash is in it, and the groups are numbered
// through the parts in order (part p's group g is the sum of the earlier
// parts' lengths plus g).
func NewFinder(parts []*Table) *Finder {
	for _, t := range parts {
		if t.direct != nil || t.slotted < t.n {
			t.Seal()
		}
	}
	f := &Finder{parts: parts, base: make([]int32, len(parts)), rows: make([][]int32, len(parts))}
	for p := 1; p < len(parts); p++ {
		f.base[p] = f.base[p-1] + int32(parts[p-1].Len())
	}
	return f
}

// Find sets groups[i] to the group of row i of keys, or -1 when its key
// tuple is not in the table.
func (f *Finder) Find(keys []arrow.Array, n int, groups []int32) {
	t, s := f.parts[0], &f.s
	keys = batch.DecodeAll(keys)
	s.reserve(n)
	h := t.hashRows(s, keys, n)
	same := t.sameAsPrevious(s, keys, h, n)
	for p := range f.rows {
		f.rows[p] = f.rows[p][:0]
	}
	for i := 0; i < n; i++ {
		if !same[i] {
			p := PartOf(h[i], len(f.parts)) // 0 for a table of one part
			f.rows[p] = append(f.rows[p], int32(i))
		}
	}
	for p, part := range f.parts {
		part.findRows(s, keys, h, f.rows[p], groups, f.base[p])
	}
	for i := 1; i < n; i++ {
		if same[i] {
			groups[i] = groups[i-1]
		}
	}
}

// findRows sets groups[r] for the listed rows: base plus the group of
// its key in t, or -1.
func (t *Table) findRows(s *scratch, keys []arrow.Array, h []uint64, rows []int32, groups []int32, base int32) {
	for _, r := range rows {
		s.pos[r] = t.home(h[r])
	}
	t.touch(s, rows)
	for len(rows) > 0 {
		cand, candGroups := s.cand[:0], s.candGroups[:0]
		for _, r := range rows {
			p := s.pos[r]
			tag := h[r] >> 32
			for {
				slot := t.slots[p]
				if slot == 0 {
					groups[r] = -1
					break
				}
				if slot>>32 == tag {
					cand = append(cand, r)
					candGroups = append(candGroups, uint32(slot)-1)
					s.pos[r] = p
					break
				}
				p = (p + 1) & t.mask
			}
		}
		next := t.verify(s, keys, cand, candGroups)
		for k, r := range cand {
			if s.eq[k] {
				groups[r] = base + int32(candGroups[k])
			}
		}
		rows = next
	}
}

// Keys returns the key columns of all groups, in group order.
func (t *Table) Keys() []arrow.Array {
	out := make([]arrow.Array, len(t.cols))
	for i := range t.cols {
		out[i] = t.KeyColumn(i)
	}
	return out
}

// KeyColumn returns key column i of every group, in group order.
func (t *Table) KeyColumn(i int) arrow.Array { return t.cols[i].build(t.n) }

// fmix64 is MurmurHash3's finaliser: every input bit affects every
// output bit, so both the slot (low bits) and the tag (high bits) are
// well spread.
func fmix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

const (
	seed0   = 0x2545f4914f6cdd1d
	mulK    = 0x9e3779b97f4a7c15
	nullKey = 0x8000000000000001
)

// combine folds one column's value hash into a row's running hash.
func combine(h, v uint64) uint64 { return (h ^ v) * mulK }

// HashRows returns the hash of each of the n rows of keys, as the table
// hashes them (tables of the same key types agree), for partitioning
// rows between spill files.
func (t *Table) HashRows(keys []arrow.Array, n int) []uint64 {
	h := make([]uint64, n)
	t.Hash(keys, h)
	return h
}
