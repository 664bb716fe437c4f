package batch

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestInterleave(t *testing.T) {
	mem := memory.DefaultAllocator
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{10, 11, 12}, []bool{true, false, true})
	ints0 := ib.NewArray()
	ib.AppendValues([]int64{20, 21}, nil)
	ints1 := ib.NewArray()
	// Row i is arrs[src[i]][pos[i]]; src -1 is NULL.
	src := []int32{1, 0, -1, 0, 1, 0}
	pos := []int32{1, 2, 0, 1, 0, 0}
	got, ok := Interleave(arrow.PrimitiveTypes.Int64, []arrow.Array{ints0, ints1}, src, pos)
	if !ok {
		t.Fatal("int64: not handled")
	}
	if s := got.String(); s != "[21 12 (null) (null) 20 10]" {
		t.Errorf("int64: got %s", s)
	}

	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"a", "", "ccc"}, []bool{true, true, true})
	strs0 := sb.NewArray()
	sb.AppendValues([]string{"x", "dd", "e"}, []bool{true, false, true})
	strs1 := array.NewSlice(sb.NewArray(), 1, 3) // read from its offset
	got, ok = Interleave(arrow.BinaryTypes.String, []arrow.Array{strs0, strs1}, []int32{0, 1, 0, 1, -1, 0}, []int32{2, 1, 1, 0, 0, 0})
	if !ok {
		t.Fatal("string: not handled")
	}
	if s := got.String(); s != `["ccc" "e" "" (null) (null) "a"]` {
		t.Errorf("string: got %s", s)
	}
	// A sliced input is read from its offset.
	got, _ = Interleave(arrow.PrimitiveTypes.Int64, []arrow.Array{array.NewSlice(ints0, 1, 3)}, []int32{0, 0}, []int32{1, 0})
	if s := got.String(); s != "[12 (null)]" {
		t.Errorf("sliced: got %s", s)
	}
	// Arrays of another type than the result are left to the caller.
	if _, ok := Interleave(arrow.PrimitiveTypes.Int32, []arrow.Array{ints0}, []int32{0}, []int32{0}); ok {
		t.Error("int64 arrays interleaved as int32")
	}
}
