package executor

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/executor/hashtable"
)

// The rows of one spill partition are built into a hash table of their
// own when read back; the table places keys by the high bits of their
// hash, so the partition must not fix any of those. (It once took the top
// byte, and a spilled join of TPC-H SF1 lineitem with orders took 17 s
// instead of 3.)
func TestSpillPartSpreadsOverHomeSlots(t *testing.T) {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	const n = 1 << 16
	for i := range n {
		b.Append(int64(i))
	}
	keys := []arrow.Array{b.NewArray()}
	hs := hashtable.New([]arrow.DataType{arrow.PrimitiveTypes.Int64}).HashRows(keys, n)
	const bits = 12 // a table of 4096 slots
	homes := map[uint64]bool{}
	inPart := 0
	for _, h := range hs {
		if spillPart(h, joinSpillParts) == 5 {
			inPart++
			homes[h>>(64-bits)] = true
		}
	}
	// 4096 keys over 4096 home slots, placed at random, reach about 63%
	// of them; a partition that fixed some of the high bits would reach
	// at most 1/16.
	if inPart < n/joinSpillParts/2 || len(homes) < 1<<bits/2 {
		t.Fatalf("partition 5 holds %d keys reaching %d of %d home slots", inPart, len(homes), 1<<bits)
	}
}
