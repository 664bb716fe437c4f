package hashtable

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// batchOf makes a batch of three key columns (int64, text, numeric) with
// NULLs and many repeats, and the reference key string of each row.
func batchOf(r *rand.Rand, n, distinct int) ([]arrow.Array, []string) {
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	db := array.NewDecimal128Builder(memory.DefaultAllocator, &arrow.Decimal128Type{Precision: 20, Scale: 2})
	ref := make([]string, n)
	for i := 0; i < n; i++ {
		k := r.IntN(distinct)
		var parts [3]string
		if k%17 == 0 {
			ib.AppendNull()
			parts[0] = "N"
		} else {
			ib.Append(int64(k % 1000))
			parts[0] = fmt.Sprint(k % 1000)
		}
		if k%13 == 0 {
			sb.AppendNull()
			parts[1] = "N"
		} else {
			s := fmt.Sprintf("s%d", k/1000)
			sb.Append(s)
			parts[1] = s
		}
		db.Append(decimal128.FromI64(int64(k % 7)))
		parts[2] = fmt.Sprint(k % 7)
		ref[i] = fmt.Sprint(parts)
	}
	return []arrow.Array{ib.NewArray(), sb.NewArray(), db.NewArray()}, ref
}

// Insert numbers groups densely as they are added, equal keys
// (NULLs included) share a group, and Find agrees with Insert.
func TestInsertFind(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	types := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, &arrow.Decimal128Type{Precision: 20, Scale: 2}}
	for _, distinct := range []int{1, 10, 5000, 200000} {
		tb := New(types)
		want := map[string]uint32{}
		owner := map[uint32]string{}
		for b := 0; b < 20; b++ {
			keys, ref := batchOf(r, 4096, distinct)
			groups := make([]uint32, 4096)
			isNew := make([]bool, 4096)
			tb.Insert(keys, 4096, groups, isNew)
			before := len(want)
			for i, k := range ref {
				g, seen := want[k]
				if !seen {
					g = groups[i]
					if other, taken := owner[g]; taken {
						t.Fatalf("distinct=%d batch %d row %d: keys %s and %s share group %d", distinct, b, i, k, other, g)
					}
					if int(g) < before || int(g) >= before+4096 {
						t.Fatalf("row %d (%s) added group %d, not after the %d groups before", i, k, g, before)
					}
					want[k], owner[g] = g, k
					if !isNew[i] {
						t.Fatalf("row %d (%s) added group %d but isNew is false", i, k, g)
					}
				} else if isNew[i] {
					t.Fatalf("row %d (%s) is not new", i, k)
				}
				if groups[i] != g {
					t.Fatalf("distinct=%d batch %d row %d key %s: group %d, want %d", distinct, b, i, k, groups[i], g)
				}
			}
			if tb.Len() != len(want) {
				t.Fatalf("batch %d: %d groups, want %d (dense numbering)", b, tb.Len(), len(want))
			}
			found := make([]int32, 4096)
			tb.Finder().Find(keys, 4096, found)
			for i := range found {
				if found[i] != int32(groups[i]) {
					t.Fatalf("find row %d: %d, want %d", i, found[i], groups[i])
				}
			}
		}
		if tb.Len() != len(want) {
			t.Fatalf("len %d, want %d", tb.Len(), len(want))
		}
		// The stored keys come back in group order.
		ks := tb.Keys()
		for k, g := range want {
			got := [3]string{"N", "N", ""}
			if ks[0].IsValid(int(g)) {
				got[0] = fmt.Sprint(ks[0].(*array.Int64).Value(int(g)))
			}
			if ks[1].IsValid(int(g)) {
				got[1] = ks[1].(*array.String).Value(int(g))
			}
			got[2] = ks[2].(*array.Decimal128).Value(int(g)).BigInt().String()
			if fmt.Sprint(got) != k {
				t.Fatalf("group %d keys %v, want %s", g, got, k)
			}
		}
	}
}

// Keys absent from the table are -1; floats group -0 with 0 and NaN with
// NaN, as PostgreSQL does.
func TestFindMissingAndFloats(t *testing.T) {
	fb := array.NewFloat64Builder(memory.DefaultAllocator)
	fb.AppendValues([]float64{0, math.Copysign(0, -1), math.NaN(), math.NaN(), 1.5}, nil)
	keys := []arrow.Array{fb.NewArray()}
	tb := New([]arrow.DataType{arrow.PrimitiveTypes.Float64})
	groups := make([]uint32, 5)
	tb.Insert(keys, 5, groups, nil)
	if fmt.Sprint(groups) != "[0 0 1 1 2]" {
		t.Fatalf("groups %v", groups)
	}
	pb := array.NewFloat64Builder(memory.DefaultAllocator)
	pb.AppendValues([]float64{1.5, 2.5}, nil)
	found := make([]int32, 2)
	tb.Finder().Find([]arrow.Array{pb.NewArray()}, 2, found)
	if fmt.Sprint(found) != "[2 -1]" {
		t.Fatalf("found %v", found)
	}
}

// Intervals go through the encoded path: 1 month equals 30 days.
func TestEncodedKeys(t *testing.T) {
	b := array.NewMonthDayNanoIntervalBuilder(memory.DefaultAllocator)
	b.AppendValues([]arrow.MonthDayNanoInterval{{Months: 1}, {Days: 30}, {Days: 1}}, nil)
	tb := New([]arrow.DataType{arrow.FixedWidthTypes.MonthDayNanoInterval})
	groups := make([]uint32, 3)
	tb.Insert([]arrow.Array{b.NewArray()}, 3, groups, nil)
	if fmt.Sprint(groups) != "[0 0 1]" {
		t.Fatalf("groups %v", groups)
	}
	k := tb.Keys()[0].(*array.MonthDayNanoInterval)
	if k.Len() != 2 || k.Value(0).Months != 1 || k.Value(1).Days != 1 {
		t.Fatalf("keys %v", k)
	}
}

func BenchmarkInsertInt64(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	for i := 0; i < 4096; i++ {
		ib.Append(r.Int64N(1 << 20))
	}
	keys := []arrow.Array{ib.NewArray()}
	groups := make([]uint32, 4096)
	tb := New([]arrow.DataType{arrow.PrimitiveTypes.Int64})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tb.Insert(keys, 4096, groups, nil)
	}
}

// Runs of equal keys (sorted data) take the previous row's group; NULL
// and a value, and different strings of one run's hash, are told apart.
func TestRunsOfEqualKeys(t *testing.T) {
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	vals := []int64{1, 1, 1, 2, 2, 0, 0, 1, 3}
	nulls := []bool{false, false, false, false, false, true, false, false, false}
	strs := []string{"a", "a", "b", "b", "b", "c", "c", "a", "d"}
	for i, v := range vals {
		if nulls[i] {
			ib.AppendNull()
		} else {
			ib.Append(v)
		}
		sb.Append(strs[i])
	}
	tb := New([]arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String})
	groups := make([]uint32, len(vals))
	isNew := make([]bool, len(vals))
	tb.Insert([]arrow.Array{ib.NewArray(), sb.NewArray()}, len(vals), groups, isNew)
	// (1,a) (1,a) (1,b) (2,b) (2,b) (NULL,c) (0,c) (1,a) (3,d)
	if fmt.Sprint(groups) != "[0 0 1 2 2 3 4 0 5]" {
		t.Fatalf("groups %v", groups)
	}
	if fmt.Sprint(isNew) != "[true false true true false true true false true]" {
		t.Fatalf("isNew %v", isNew)
	}
}

// BenchmarkFindLarge probes a table of 2M int64 keys (32 MB of slots,
// beyond the caches) with random keys, half of them absent.
func BenchmarkFindLarge(b *testing.B) {
	const n = 2 << 20
	tb := New([]arrow.DataType{arrow.PrimitiveTypes.Int64})
	groups := make([]uint32, 4096)
	for i := 0; i < n; i += 4096 {
		ib := array.NewInt64Builder(memory.DefaultAllocator)
		for j := 0; j < 4096; j++ {
			ib.Append(int64(i + j))
		}
		tb.Insert([]arrow.Array{ib.NewArray()}, 4096, groups, nil)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var probes []arrow.Array
	for k := 0; k < 64; k++ {
		ib := array.NewInt64Builder(memory.DefaultAllocator)
		for j := 0; j < 4096; j++ {
			ib.Append(r.Int64N(2 * n))
		}
		probes = append(probes, ib.NewArray())
	}
	f := tb.Finder()
	found := make([]int32, 4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Find(probes[i%64:i%64+1], 4096, found)
	}
}

// sameGroups checks that each row's key (ref) has the one group it was
// first given, remembered in want across batches, and that tb has a
// group per key.
func sameGroups(t *testing.T, where string, tb *Table, want map[string]uint32, ref []string, groups []uint32) {
	t.Helper()
	for i, k := range ref {
		g, seen := want[k]
		if !seen {
			g = groups[i]
			want[k] = g
		}
		if groups[i] != g {
			t.Fatalf("%s row %d key %s: group %d, want %d", where, i, k, groups[i], g)
		}
	}
	if tb.Len() != len(want) {
		t.Fatalf("%s: %d groups for %d keys", where, tb.Len(), len(want))
	}
}

// Short strings, hashed as a word with their length, stay distinct from
// each other, from NULL and from longer strings: trailing zero bytes and
// the empty string included.
func TestShortStrings(t *testing.T) {
	vals := []string{"", "\x00", "\x00\x00", "a", "a\x00", "\x00a", "abcdefg", "abcdefg\x00", "abcdefgh", "A"}
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	for range 2 {
		sb.AppendValues(vals, nil)
		sb.AppendNull()
	}
	keys := []arrow.Array{sb.NewArray()}
	n := keys[0].Len()
	tb := New([]arrow.DataType{arrow.BinaryTypes.String})
	groups := make([]uint32, n)
	tb.Insert(keys, n, groups, nil)
	if tb.Len() != len(vals)+1 {
		t.Fatalf("%d groups for %d distinct keys", tb.Len(), len(vals)+1)
	}
	half := len(vals) + 1
	for i := 0; i < half; i++ {
		if groups[i] != uint32(i) || groups[half+i] != uint32(i) {
			t.Errorf("row %d: groups %d and %d, want %d", i, groups[i], groups[half+i], i)
		}
	}
}

// A table split into parts by PartOf, each part filled on a goroutine of
// its own with InsertHashed, finds every key: in the part its hash picks,
// numbered after the earlier parts' groups; absent keys are -1.
func TestParts(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	types := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, &arrow.Decimal128Type{Precision: 20, Scale: 2}}
	const nparts, n = 4, 4096
	var batches [][]arrow.Array
	var refs [][]string
	for range 5 {
		keys, ref := batchOf(r, n, 20000)
		batches, refs = append(batches, keys), append(refs, ref)
	}
	parts := make([]*Table, nparts)
	local := make([][][]uint32, nparts) // per part, per batch: groups by row
	var wg sync.WaitGroup
	for p := range parts {
		parts[p] = New(types)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, keys := range batches {
				h := make([]uint64, n)
				parts[p].Hash(keys, h)
				var rows []int32
				for i := range h {
					if PartOf(h[i], nparts) == p {
						rows = append(rows, int32(i))
					}
				}
				groups := make([]uint32, n)
				parts[p].InsertHashed(keys, h, rows, groups)
				local[p] = append(local[p], groups)
			}
		}()
	}
	wg.Wait()
	f := NewFinder(parts)
	want := map[string]int32{}
	total := 0
	for _, p := range parts {
		total += p.Len()
	}
	for b, keys := range batches {
		found := make([]int32, n)
		f.Find(keys, n, found)
		h := make([]uint64, n)
		parts[0].Hash(keys, h)
		for i, k := range refs[b] {
			// The group its part gave it, numbered after the earlier parts'.
			p := PartOf(h[i], nparts)
			at := int32(local[p][b][i])
			for q := range p {
				at += int32(parts[q].Len())
			}
			if found[i] != at {
				t.Fatalf("batch %d row %d: found group %d, inserted as %d", b, i, found[i], at)
			}
			g, seen := want[k]
			if !seen {
				g = found[i]
				want[k] = g
			}
			if found[i] != g || g < 0 || int(g) >= total {
				t.Fatalf("batch %d row %d key %s: group %d, want %d of %d", b, i, k, found[i], g, total)
			}
		}
	}
	if len(want) != total {
		t.Fatalf("%d distinct keys in %d groups", len(want), total)
	}
	// Keys never inserted are not found.
	missing, _ := batchOf(rand.New(rand.NewPCG(7, 8)), n, 20000)
	missing[2] = decimalsOf(n, 99)
	found := make([]int32, n)
	f.Find(missing, n, found)
	for i, g := range found {
		if g != -1 {
			t.Fatalf("absent row %d found as group %d", i, g)
		}
	}
}

func decimalsOf(n int, v int64) arrow.Array {
	b := array.NewDecimal128Builder(memory.DefaultAllocator, &arrow.Decimal128Type{Precision: 20, Scale: 2})
	for range n {
		b.Append(decimal128.FromI64(v))
	}
	return b.NewArray()
}

// BenchmarkInsertFlags is TPC-H q01's grouping: two one-letter text keys,
// four groups, rows in no order.
func BenchmarkInsertFlags(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	flags, status := array.NewStringBuilder(memory.DefaultAllocator), array.NewStringBuilder(memory.DefaultAllocator)
	for range 4096 {
		k := r.IntN(4)
		flags.Append([]string{"A", "N", "R", "N"}[k])
		status.Append([]string{"F", "O", "F", "F"}[k])
	}
	keys := []arrow.Array{flags.NewArray(), status.NewArray()}
	tb := New([]arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.String})
	groups := make([]uint32, 4096)
	for b.Loop() {
		tb.Insert(keys, 4096, groups, nil)
	}
}

// A table of few groups looks rows up by their packed keys (small.go):
// the groups agree with a reference across batches, as the table goes
// past smallMax groups, and when a batch does not pack (a long string)
// and the table goes on hashing; Find agrees with Insert throughout.
func TestSmallKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	texts := []string{"A", "N", "R", "", "\x00", "AB"}
	batch := func(n, distinct int, long bool) ([]arrow.Array, []string) {
		sb, ib := array.NewStringBuilder(memory.DefaultAllocator), array.NewInt64Builder(memory.DefaultAllocator)
		ref := make([]string, n)
		for i := range n {
			k := r.IntN(distinct)
			s, isNull := texts[k%len(texts)], k%7 == 3
			switch {
			case long && i == n/2:
				s = "a string of more than eight bytes"
				sb.Append(s)
			case isNull:
				s = "NULL"
				sb.AppendNull()
			default:
				sb.Append(s)
			}
			v := int64(k / len(texts))
			ib.Append(v)
			ref[i] = fmt.Sprintf("%q/%d", s, v)
		}
		return []arrow.Array{sb.NewArray(), ib.NewArray()}, ref
	}
	tb := New([]arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64})
	want := map[string]uint32{}
	for b, c := range []struct {
		distinct int
		long     bool
		small    bool // the small path still on after the batch
	}{{4, false, true}, {8, false, true}, {12, false, true}, {40, false, false}, {40, false, false}} {
		keys, ref := batch(3000, c.distinct, c.long)
		groups := make([]uint32, 3000)
		tb.Insert(keys, 3000, groups, nil)
		sameGroups(t, fmt.Sprintf("batch %d", b), tb, want, ref, groups)
		found := make([]int32, 3000)
		tb.Finder().Find(keys, 3000, found)
		for i := range found {
			if found[i] != int32(groups[i]) {
				t.Fatalf("batch %d row %d: found %d, inserted %d", b, i, found[i], groups[i])
			}
		}
		if (tb.small != nil) != c.small {
			t.Fatalf("batch %d: small path %v with %d groups", b, tb.small != nil, tb.Len())
		}
	}
	// A batch that does not pack turns the small path off for good.
	tb = New([]arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64})
	want = map[string]uint32{}
	for b, long := range []bool{false, true, false} {
		keys, ref := batch(3000, 6, long)
		groups := make([]uint32, 3000)
		tb.Insert(keys, 3000, groups, nil)
		sameGroups(t, fmt.Sprintf("long %v batch %d", long, b), tb, want, ref, groups)
	}
	if tb.small != nil || tb.Len() != len(want) {
		t.Fatalf("after a long key: small %v, %d groups for %d keys", tb.small != nil, tb.Len(), len(want))
	}
	// Sliced keys, whose buffers run past the rows inserted.
	tb = New([]arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64})
	keys, ref := batch(3000, 6, false)
	sliced := []arrow.Array{array.NewSlice(keys[0], 1000, 2000), array.NewSlice(keys[1], 1000, 2000)}
	groups := make([]uint32, 1000)
	tb.Insert(sliced, 1000, groups, nil)
	sameGroups(t, "sliced", tb, map[string]uint32{}, ref[1000:2000], groups)
	if tb.small == nil {
		t.Fatal("sliced: the small path is off")
	}
}

// One integer key of a compact range takes the direct path (direct.go):
// groups agree with a reference as keys arrive rising, falling and in
// big batches, Find agrees after each batch (the slots filled then), and
// a batch out of range or with a NULL key leaves the path for the hashed
// one without losing a group.
func TestDirectKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	ints := func(vs []int64, nullAt int) arrow.Array {
		b := array.NewInt64Builder(memory.DefaultAllocator)
		for i, v := range vs {
			if i == nullAt {
				b.AppendNull()
			} else {
				b.Append(v)
			}
		}
		return b.NewArray()
	}
	for _, c := range []struct {
		name   string
		direct bool // the path still on at the end
		batch  func(b int) ([]int64, int)
	}{
		{"rising", true, func(b int) ([]int64, int) {
			vs := make([]int64, 4000)
			for i := range vs {
				vs[i] = int64(b*3000 + r.IntN(3000) + 1000)
			}
			return vs, -1
		}},
		{"falling", true, func(b int) ([]int64, int) {
			vs := make([]int64, 4000)
			for i := range vs {
				vs[i] = int64(100000 - b*5000 - r.IntN(5000))
			}
			return vs, -1
		}},
		{"out of range", false, func(b int) ([]int64, int) {
			vs := make([]int64, 4000)
			for i := range vs {
				vs[i] = int64(r.IntN(20000))
				if b == 3 && i == 7 {
					vs[i] = 1 << 40
				}
			}
			return vs, -1
		}},
		{"null", false, func(b int) ([]int64, int) {
			vs := make([]int64, 4000)
			for i := range vs {
				vs[i] = int64(r.IntN(20000))
			}
			if b == 2 {
				return vs, 9
			}
			return vs, -1
		}},
	} {
		tb := New([]arrow.DataType{arrow.PrimitiveTypes.Int64})
		want := map[string]uint32{}
		for b := range 6 {
			vs, nullAt := c.batch(b)
			keys := []arrow.Array{ints(vs, nullAt)}
			groups := make([]uint32, len(vs))
			tb.Insert(keys, len(vs), groups, nil)
			for i := range vs {
				k := fmt.Sprint(vs[i])
				if i == nullAt {
					k = "NULL"
				}
				g, seen := want[k]
				if !seen {
					g = groups[i]
					if int(g) != len(want) {
						t.Fatalf("%s batch %d: key %s added group %d after %d groups", c.name, b, k, g, len(want))
					}
					want[k] = g
				}
				if groups[i] != g {
					t.Fatalf("%s batch %d row %d key %s: group %d, want %d", c.name, b, i, k, groups[i], g)
				}
			}
			if tb.Len() != len(want) {
				t.Fatalf("%s batch %d: %d groups for %d keys", c.name, b, tb.Len(), len(want))
			}
		}
		if (tb.direct != nil) != c.direct {
			t.Fatalf("%s: direct path %v", c.name, tb.direct != nil)
		}
		// A Finder fills the slots: every key is found, others are not.
		f := tb.Finder()
		probe := make([]int64, 0, len(want)+2)
		var wantG []int32
		for k, g := range want {
			var v int64
			if _, err := fmt.Sscan(k, &v); err != nil {
				continue // NULL
			}
			probe, wantG = append(probe, v), append(wantG, int32(g))
		}
		probe, wantG = append(probe, -5, 1<<41), append(wantG, -1, -1)
		found := make([]int32, len(probe))
		f.Find([]arrow.Array{ints(probe, -1)}, len(probe), found)
		if fmt.Sprint(found) != fmt.Sprint(wantG) {
			t.Fatalf("%s: Find disagrees with Insert", c.name)
		}
		if tb.direct != nil {
			t.Fatalf("%s: a Finder leaves the direct path on", c.name)
		}
	}
}

// Random batches through every path of Insert (few groups, key arrays,
// hashing) and the switches between them: each key tuple keeps one group,
// groups are dense, and Find agrees, for one integer key and for a text
// and an integer key.
func TestInsertPathsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for trial := range 40 {
		twoKeys := trial%2 == 1
		types := []arrow.DataType{arrow.PrimitiveTypes.Int64}
		if twoKeys {
			types = []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64}
		}
		tb := New(types)
		want := map[string]uint32{}
		for b := range 8 {
			n := 1 + r.IntN(3000)
			distinct := []int{3, 12, 40, 5000, 5000, 200000}[r.IntN(6)]
			offset := []int64{0, 7000, 21000, 1 << 20}[r.IntN(4)] // ranges that move up and down
			nulls := r.IntN(10) == 0
			long := r.IntN(6) == 0
			ib, sb := array.NewInt64Builder(memory.DefaultAllocator), array.NewStringBuilder(memory.DefaultAllocator)
			ref := make([]string, n)
			for i := range n {
				k := int64(r.IntN(distinct)) + offset
				iv := fmt.Sprint(k)
				if nulls && r.IntN(50) == 0 {
					ib.AppendNull()
					iv = "N"
				} else {
					ib.Append(k)
				}
				ref[i] = iv
				if twoKeys {
					s := fmt.Sprint(k % 7)
					if long && i%97 == 0 {
						s = "a value longer than a word"
					}
					sb.Append(s)
					ref[i] = s + "/" + iv
				}
			}
			keys := []arrow.Array{ib.NewArray()}
			if twoKeys {
				keys = []arrow.Array{sb.NewArray(), keys[0]}
			}
			groups := make([]uint32, n)
			tb.Insert(keys, n, groups, nil)
			sameGroups(t, fmt.Sprintf("trial %d batch %d", trial, b), tb, want, ref, groups)
			if b == 7 || r.IntN(20) == 0 {
				found := make([]int32, n)
				tb.Finder().Find(keys, n, found)
				for i := range found {
					if found[i] != int32(groups[i]) {
						t.Fatalf("trial %d batch %d row %d: found %d, inserted %d", trial, b, i, found[i], groups[i])
					}
				}
			}
		}
	}
}

// The direct path's array is made a page at a time, where keys fall: two
// clusters of keys far apart make two pages, and negative keys have
// pages of their own.
func TestDirectPages(t *testing.T) {
	tb := New([]arrow.DataType{arrow.PrimitiveTypes.Int64})
	var all []int64
	for _, batch := range [][2]int64{{0, 1000}, {60000, 61000}, {-5, 5}} {
		b := array.NewInt64Builder(memory.DefaultAllocator)
		for v := batch[0]; v < batch[1]; v++ {
			b.Append(v)
			all = append(all, v)
		}
		a := b.NewArray()
		groups := make([]uint32, a.Len())
		tb.Insert([]arrow.Array{a}, a.Len(), groups, nil)
	}
	if tb.direct == nil {
		t.Fatal("left the direct path")
	}
	// Pages 0 and 3 (60000 >> 14), and -1 for the negative keys; 0 to 4
	// (1000 < 5) already held.
	if tb.direct.made != 3 {
		t.Errorf("%d pages made, want 3", tb.direct.made)
	}
	// Every key has its group (the first of -5..5 seen are new, 0..4 not).
	f := tb.Finder()
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues(all, nil)
	b.Append(30000) // in no page
	found := make([]int32, len(all)+1)
	f.Find([]arrow.Array{b.NewArray()}, len(all)+1, found)
	seen := map[int64]int32{}
	for i, v := range all {
		if g, ok := seen[v]; ok && g != found[i] {
			t.Fatalf("key %d: groups %d and %d", v, g, found[i])
		}
		seen[v] = found[i]
		if found[i] < 0 {
			t.Fatalf("key %d not found", v)
		}
	}
	if found[len(all)] != -1 || tb.Len() != len(seen) {
		t.Fatalf("30000 found as %d; %d groups for %d keys", found[len(all)], tb.Len(), len(seen))
	}
}
