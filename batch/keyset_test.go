package batch

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestKeysOf(t *testing.T) {
	ints := func(vs ...int64) *array.Int64 {
		b := array.NewInt64Builder(memory.DefaultAllocator)
		b.AppendValues(vs, nil)
		return b.NewInt64Array()
	}
	k, ok := KeysOf(ints(7, -3, 1000, 7))
	if !ok || !k.Exact() || k.Min != -3 || k.Max != 1000 {
		t.Fatalf("keys %+v %v", k, ok)
	}
	for v, want := range map[int64]bool{-3: true, 7: true, 1000: true, -4: false, 0: false, 8: false, 1001: false} {
		if k.Has(v) != want {
			t.Errorf("Has(%d) = %v", v, !want)
		}
	}
	// A range too wide for a bitmap keeps the range only.
	k, _ = KeysOf(ints(-1<<62, 1<<62))
	if k.Exact() || !k.Has(5) || k.Has(1<<62+1) {
		t.Errorf("wide keys %+v", k)
	}
	k, _ = KeysOf(ints(-1<<63, 1<<63-1))
	if k.Exact() || !k.Has(0) {
		t.Errorf("widest keys %+v", k)
	}
	// No keys: nothing matches.
	k, ok = KeysOf(ints())
	if !ok || k.Has(0) || k.Has(-1<<63) {
		t.Errorf("empty keys %+v", k)
	}
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.Append("x")
	if _, ok := KeysOf(sb.NewArray()); ok {
		t.Error("text keys")
	}
	nb := array.NewInt32Builder(memory.DefaultAllocator)
	nb.AppendNull()
	if _, ok := KeysOf(nb.NewArray()); ok {
		t.Error("NULL keys")
	}
	var none *KeySet
	if none.Get() != nil {
		t.Error("nil KeySet")
	}
}
