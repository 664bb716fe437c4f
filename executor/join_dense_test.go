package executor

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/executor/hashtable"
)

// denseKeys finds a build's groups by key over the keys' range, for
// int32 keys as for int64, -1 for keys outside it, missing or NULL; no
// array for a sparse range or for keys whose NULLs match.
func TestDenseKeys(t *testing.T) {
	ints := func(vs []int32, valid []bool) arrow.Array {
		b := array.NewInt32Builder(memory.DefaultAllocator)
		b.AppendValues(vs, valid)
		return b.NewArray()
	}
	// Two parts, as a parallel build has: groups 0..1, then 2..3.
	parts := []*hashtable.Table{hashtable.New([]arrow.DataType{arrow.PrimitiveTypes.Int32}), hashtable.New([]arrow.DataType{arrow.PrimitiveTypes.Int32})}
	parts[0].Insert([]arrow.Array{ints([]int32{9, 5}, nil)}, 2, make([]uint32, 2), nil)
	parts[1].Insert([]arrow.Array{ints([]int32{7, 12}, nil)}, 2, make([]uint32, 2), nil)
	keys, err := (&joinBuild{tables: parts}).keyColumn(0)
	if err != nil {
		t.Fatal(err)
	}
	d := newDenseKeys(keys, []bool{false})
	if d == nil {
		t.Fatal("no array for keys 5..12")
	}
	groups := make([]int32, 7)
	if !d.find(ints([]int32{5, 6, 9, 0, 100, -3, 12}, []bool{true, true, true, false, true, true, true}), groups) {
		t.Fatal("int32 keys not read")
	}
	if got := fmt.Sprint(groups); got != "[1 -1 0 -1 -1 -1 3]" {
		t.Errorf("groups %s", got)
	}
	if newDenseKeys(keys, []bool{true}) != nil {
		t.Error("an array for keys whose NULLs match")
	}
	sparse := hashtable.New([]arrow.DataType{arrow.PrimitiveTypes.Int32})
	sparse.Insert([]arrow.Array{ints([]int32{0, 1 << 30}, nil)}, 2, make([]uint32, 2), nil)
	if newDenseKeys(sparse.KeyColumn(0), []bool{false}) != nil {
		t.Error("an array for keys 0 and 2^30")
	}
}
