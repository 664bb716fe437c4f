package connectors

import (
	"bytes"
	"context"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// sortedParquet writes ids 0..n-1 (and their names) in row groups of rg
// rows, so each row group covers one range of ids.
func sortedParquet(t *testing.T, n, rg int) []byte {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "name", Type: arrow.BinaryTypes.String}}, nil)
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	for i := 0; i < n; i++ {
		ib.Append(int64(i))
		sb.Append(string(rune('a' + i*26/n)))
	}
	rec := array.NewRecordBatch(schema, []arrow.Array{ib.NewArray(), sb.NewArray()}, int64(n))
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(rg)))
	w, err := pqarrow.NewFileWriter(schema, &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Row groups whose min/max rule a predicate out are not split at all, and
// the row count comes from the footer.
func TestParquetRowGroupPruning(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{"ids.parquet": {Data: sortedParquet(t, 1000, 100)}}
	tb, err := OpenFile(ctx, fsys, "ids.parquet", Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := tb.Stats(ctx)
	if err != nil || st.Rows != 1000 || !st.Exact {
		t.Fatalf("stats %+v, %v", st, err)
	}
	i64 := func(v int64) scalar.Scalar { return scalar.NewInt64Scalar(v) }
	cases := []struct {
		f    Filter
		want int
	}{
		{nil, 10},
		{Filter{{Column: 0, Op: OpEq, Values: []scalar.Scalar{i64(250)}}}, 1},
		{Filter{{Column: 0, Op: OpLt, Values: []scalar.Scalar{i64(200)}}}, 2},
		{Filter{{Column: 0, Op: OpLe, Values: []scalar.Scalar{i64(200)}}}, 3},
		{Filter{{Column: 0, Op: OpGt, Values: []scalar.Scalar{i64(899)}}}, 1},
		{Filter{{Column: 0, Op: OpGe, Values: []scalar.Scalar{i64(899)}}}, 2},
		{Filter{{Column: 0, Op: OpIn, Values: []scalar.Scalar{i64(5), i64(950), i64(5000)}}}, 2},
		{Filter{{Column: 0, Op: OpGe, Values: []scalar.Scalar{i64(300)}}, {Column: 0, Op: OpLt, Values: []scalar.Scalar{i64(500)}}}, 2},
		{Filter{{Column: 0, Op: OpGt, Values: []scalar.Scalar{i64(5000)}}}, 0},
		{Filter{{Column: 0, Op: OpIsNull}}, 0},
		{Filter{{Column: 1, Op: OpEq, Values: []scalar.Scalar{scalar.NewStringScalar("a")}}}, 1},
	}
	for _, c := range cases {
		splits, err := tb.Splits(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(splits) != c.want {
			t.Errorf("filter %v: %d row groups, want %d", c.f, len(splits), c.want)
		}
	}
}
