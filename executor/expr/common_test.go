package expr

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/types"
)

// Common computes what expressions repeat once, and the rewritten
// expressions give the same values as the originals. Columns of the same
// name are told apart by position; CASE branches and volatile calls are
// not shared.
func TestCommon(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "p", Type: types.Int64}, {Name: "d", Type: types.Int64}, {Name: "d", Type: types.Int64}}, nil)
	var cols []arrow.Array
	for c := range 3 {
		b := array.NewInt64Builder(memory.DefaultAllocator)
		for i := range 100 {
			b.Append(int64(i*(c+1) + c))
		}
		cols = append(cols, b.NewArray())
	}
	batch := array.NewRecordBatch(schema, cols, 100)
	p, d, d2 := NewColumn(0, types.Int64, "p"), NewColumn(1, types.Int64, "d"), NewColumn(2, types.Int64, "d")
	pd := func() Expr { return mustBind(t, "*", p, mustBind(t, "-", i64(1), d)) } // p * (1 - d)
	exprs := []Expr{
		pd(),
		mustBind(t, "*", pd(), mustBind(t, "+", i64(1), d2)),
		mustBind(t, "*", p, mustBind(t, "-", i64(1), d2)), // same text as pd, another column
		// Inside CASE, p * (1 - d) runs only where d > 50: not hoisted.
		mustCase(t, mustBind(t, ">", d, i64(50)), pd()),
		mustBind(t, "+", mustBind(t, "random"), mustBind(t, "random")),
	}
	shared, out := Common(exprs, schema)
	if shared == nil || len(shared.exprs) != 1 || shared.exprs[0].String() != pd().String() {
		t.Fatalf("shared %v, want just %s", shared, pd())
	}
	if out[3] != exprs[3] || out[4] != exprs[4] || out[2] != exprs[2] {
		t.Errorf("CASE, volatile or distinct expressions rewritten: %v", out)
	}
	ec := NewContext(context.Background(), time.UTC)
	ext, err := shared.Extend(ec, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		want, err := exprs[i].Eval(ec, batch)
		if err != nil {
			t.Fatal(err)
		}
		got, err := out[i].Eval(ec, ext)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", exprs[i], got, want)
		}
	}
	// Nothing repeated: nothing to share, the expressions as they were.
	if s, same := Common(exprs[:1], schema); s != nil || same[0] != exprs[0] {
		t.Errorf("a single expression shared %v", s)
	}
}

func mustCase(t *testing.T, cond, then Expr) Expr {
	t.Helper()
	e, err := NewCase([]When{{Cond: cond, Then: then}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
