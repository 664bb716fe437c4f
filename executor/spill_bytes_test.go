package executor

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A batch sliced out of larger arrays counts its own rows' bytes, so the
// slices of one array add up to the array (not each to all of it).
func TestBatchBytesOfSlices(t *testing.T) {
	const n = 10000
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	for i := 0; i < n; i++ {
		ib.Append(int64(i))
		sb.Append("abcdefghij"[:i%10])
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int64}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	whole := array.NewRecordBatch(schema, []arrow.Array{ib.NewArray(), sb.NewArray()}, n)
	all := batchBytes(whole)
	// 8 bytes per integer, 4 per string offset, 4.5 bytes of text per row.
	if all < n*16 || all > n*18+4096 {
		t.Fatalf("whole batch: %d bytes", all)
	}
	var sum int64
	for lo := int64(0); lo < n; lo += 1000 {
		sum += batchBytes(whole.NewSlice(lo, lo+1000))
	}
	if sum < all-2048 || sum > all+2048 {
		t.Errorf("ten slices count %d bytes, the batch %d", sum, all)
	}
}
