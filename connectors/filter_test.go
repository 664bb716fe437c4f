package connectors

import (
	"bytes"
	"context"
	"fmt"
	"strings"
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
	return parquetFile(t, rec, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(rg))))
}

// parquetFile writes rec as a Parquet file with props.
func parquetFile(t testing.TB, rec arrow.RecordBatch, props *parquet.WriterProperties) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(rec.Schema(), &buf, props, pqarrow.DefaultWriterProps())
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
		// id < 150 OR id >= 900 OR id = 420: groups 0, 1, 4, 9.
		{Filter{{Column: 0, Op: OpAny, Any: []ColumnPredicate{
			{Column: 0, Op: OpLt, Values: []scalar.Scalar{i64(150)}},
			{Column: 0, Op: OpGe, Values: []scalar.Scalar{i64(900)}},
			{Column: 0, Op: OpEq, Values: []scalar.Scalar{i64(420)}}}}}, 4},
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

// A pushed-down predicate on a text column is decided in the reader (by
// the late-materializing reader, or on the dictionary by pqarrow's): rows
// failing it are dropped before the other columns are copied, and the
// columns stay aligned.
func TestParquetDictionaryFilter(t *testing.T) {
	ctx := context.Background()
	const n = 10000
	fsys := fstest.MapFS{"ids.parquet": {Data: sortedParquet(t, n, 4000)}}
	tb, err := OpenFile(ctx, fsys, "ids.parquet", Options{})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) scalar.Scalar { return scalar.NewStringScalar(s) }
	count := func(f Filter, cols []int) (int, error) {
		splits, err := tb.Splits(ctx, f)
		if err != nil {
			return 0, err
		}
		rows := 0
		for _, s := range splits {
			r, err := tb.Open(ctx, s, cols)
			if err != nil {
				return 0, err
			}
			decided := false
			switch pr := r.(type) {
			case *parquetReader:
				decided = len(pr.preds) > 0
			case *lateReader:
				decided = len(pr.preds) > 0
			}
			if !decided {
				return 0, fmt.Errorf("the predicate is not decided in the reader")
			}
			for {
				b, err := r.Next(ctx)
				if err != nil {
					return 0, err
				}
				if b == nil {
					break
				}
				var ids *array.Int64
				var names *array.String
				for i, c := range cols {
					switch c {
					case 0:
						ids = b.Column(i).(*array.Int64)
					case 1:
						names = b.Column(i).(*array.String)
					}
				}
				for i := 0; i < int(b.NumRows()); i++ {
					name := names.Value(i)
					if !textHolds(f[0], name) {
						return 0, fmt.Errorf("row %q does not satisfy %v", name, f[0])
					}
					if ids != nil && string(rune('a'+ids.Value(i)*26/n)) != name {
						return 0, fmt.Errorf("id %d with name %q: columns misaligned", ids.Value(i), name)
					}
				}
				rows += int(b.NumRows())
			}
			r.Close()
		}
		return rows, nil
	}
	// Names are 'a' + id*26/n; want counts the ids whose name holds.
	want := func(names string) int {
		k := 0
		for i := 0; i < n; i++ {
			if strings.ContainsRune(names, rune('a'+i*26/n)) {
				k++
			}
		}
		return k
	}
	cases := []struct {
		f    Filter
		cols []int
		want int
	}{
		{Filter{{Column: 1, Op: OpIn, Values: []scalar.Scalar{str("c"), str("x")}}}, []int{0, 1}, want("cx")},
		{Filter{{Column: 1, Op: OpEq, Values: []scalar.Scalar{str("c")}}}, []int{1, 0, 1}, want("c")},
		{Filter{{Column: 1, Op: OpGe, Values: []scalar.Scalar{str("y")}}}, []int{1}, want("yz")},
		{Filter{{Column: 1, Op: OpAny, Any: []ColumnPredicate{{Column: 1, Op: OpLt, Values: []scalar.Scalar{str("b")}}, {Column: 1, Op: OpEq, Values: []scalar.Scalar{str("q")}}}}}, []int{0, 1}, want("aq")},
		{Filter{{Column: 1, Op: OpEq, Values: []scalar.Scalar{str("nothing")}}}, []int{0, 1}, 0},
	}
	for _, late := range []bool{true, false} {
		tb.(*ParquetTable).noLate = !late
		for _, c := range cases {
			got, err := count(c.f, c.cols)
			if err != nil || got != c.want {
				t.Errorf("late=%v %v: %d rows (%v), want %d", late, c.f, got, err, c.want)
			}
		}
	}
}
