package connectors

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/apache/arrow-go/v18/parquet"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
)

// lateParquet writes n rows of every type the late reader decodes, with
// NULLs, in row groups of rg rows and small plain-encoded pages (text
// values then point into page buffers that the next page reuses). Row i:
// i32 = i % 1000 (NULL when i % 11 == 0), i64 = i, d = day i % 400,
// n7 = i/100 as numeric(7,2) (INT32), n15 = -i/100 as numeric(15,2)
// (INT64), f = i/2, s = "s" + i%97 (NULL when i % 13 == 0), b = i even.
func lateParquet(t *testing.T, n, rg int, dict bool, bad string) []byte {
	t.Helper()
	n7 := &arrow.Decimal128Type{Precision: 7, Scale: 2}
	n15 := &arrow.Decimal128Type{Precision: 15, Scale: 2}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32},
		{Name: "n7", Type: n7},
		{Name: "n15", Type: n15},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := 0; i < n; i++ {
		if i%11 == 0 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.Int32Builder).Append(int32(i % 1000))
		}
		b.Field(1).(*array.Int64Builder).Append(int64(i))
		b.Field(2).(*array.Date32Builder).Append(arrow.Date32(i % 400))
		b.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i)))
		b.Field(4).(*array.Decimal128Builder).Append(decimal128.FromI64(-int64(i)))
		b.Field(5).(*array.Float64Builder).Append(float64(i) / 2)
		switch {
		case i%13 == 0:
			b.Field(6).AppendNull()
		case i == n-1 && bad != "":
			b.Field(6).(*array.StringBuilder).Append(bad)
		default:
			b.Field(6).(*array.StringBuilder).Append(fmt.Sprintf("s%d", i%97))
		}
		b.Field(7).(*array.BooleanBuilder).Append(i%2 == 0)
	}
	return parquetFile(t, b.NewRecordBatch(), parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(rg)),
		parquet.WithDictionaryDefault(dict), parquet.WithDataPageSize(512), parquet.WithStoreDecimalAsInteger(true)))
}

// readLate reads every split of tb under f, one line per row, checking
// that the late reader serves them exactly when wantLate.
func readLate(t *testing.T, tb Table, f Filter, cols []int, wantLate bool) ([]string, error) {
	t.Helper()
	ctx := context.Background()
	splits, err := tb.Splits(ctx, f)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range splits {
		r, err := tb.Open(ctx, s, cols)
		if err != nil {
			return nil, err
		}
		if _, late := r.(*lateReader); late != wantLate {
			t.Fatalf("filter %v: late reader %v, want %v", f, late, wantLate)
		}
		for {
			b, err := r.Next(ctx)
			if err != nil {
				r.Close()
				return nil, err
			}
			if b == nil {
				break
			}
			for i := 0; i < int(b.NumRows()); i++ {
				var parts []string
				for _, c := range b.Columns() {
					parts = append(parts, c.ValueStr(i))
				}
				out = append(out, strings.Join(parts, "|"))
			}
		}
		r.Close()
	}
	return out, nil
}

// The late reader returns exactly the rows of pqarrow's reader that
// satisfy its conditions, column for column, NULLs included, whether the
// text is plain or dictionary encoded, across pages and row groups, and
// for batches where no row passes.
func TestLateMaterialization(t *testing.T) {
	const n = 5000
	i32 := func(v int32) scalar.Scalar { return scalar.NewInt32Scalar(v) }
	i64 := func(v int64) scalar.Scalar { return scalar.NewInt64Scalar(v) }
	str := func(s string) scalar.Scalar { return scalar.NewStringScalar(s) }
	dec := func(v int64, p, s int32) scalar.Scalar {
		return scalar.NewDecimal128Scalar(decimal128.FromI64(v), &arrow.Decimal128Type{Precision: p, Scale: s})
	}
	keys := func(vs ...int64) *batch.KeySet {
		b := array.NewInt64Builder(memory.DefaultAllocator)
		b.AppendValues(vs, nil)
		k, ok := batch.KeysOf(b.NewArray())
		if !ok {
			t.Fatal("keys")
		}
		ks := &batch.KeySet{}
		ks.Publish(k)
		return ks
	}
	cases := []struct {
		name string
		f    Filter
		keep func(i int) bool
	}{
		{"join keys", Filter{{Column: 1, Op: OpInKeys, Keys: keys(7, 4096, 4999, 9999)}}, func(i int) bool { return i == 7 || i == 4096 || i == 4999 }},
		{"no join keys", Filter{{Column: 1, Op: OpInKeys, Keys: keys()}}, func(i int) bool { return false }},
		{"all pass", Filter{{Column: 1, Op: OpGe, Values: []scalar.Scalar{i64(0)}}}, func(i int) bool { return true }},
		{"int32 range", Filter{{Column: 0, Op: OpGe, Values: []scalar.Scalar{i32(990)}}}, func(i int) bool { return i%11 != 0 && i%1000 >= 990 }},
		{"int64 in", Filter{{Column: 1, Op: OpIn, Values: []scalar.Scalar{i64(7), i64(4096), i64(4999), i64(9999)}}}, func(i int) bool { return i == 7 || i == 4096 || i == 4999 }},
		{"date lt", Filter{{Column: 2, Op: OpLt, Values: []scalar.Scalar{scalar.NewDate32Scalar(3)}}}, func(i int) bool { return i%400 < 3 }},
		{"numeric int32", Filter{{Column: 3, Op: OpLe, Values: []scalar.Scalar{dec(150, 7, 2)}}}, func(i int) bool { return i <= 150 }},
		{"numeric int64", Filter{{Column: 4, Op: OpGt, Values: []scalar.Scalar{dec(-20, 15, 2)}}}, func(i int) bool { return -i > -20 }},
		{"text eq", Filter{{Column: 6, Op: OpEq, Values: []scalar.Scalar{str("s5")}}}, func(i int) bool { return i%13 != 0 && i%97 == 5 }},
		{"is null", Filter{{Column: 6, Op: OpIsNull}}, func(i int) bool { return i%13 == 0 }},
		{"nothing", Filter{{Column: 1, Op: OpLt, Values: []scalar.Scalar{i64(-1)}}}, func(i int) bool { return false }},
		{"any", Filter{{Column: 1, Op: OpAny, Any: []ColumnPredicate{
			{Column: 1, Op: OpLt, Values: []scalar.Scalar{i64(3)}},
			{Column: 1, Op: OpGe, Values: []scalar.Scalar{i64(4998)}}}}}, func(i int) bool { return i < 3 || i >= 4998 }},
		{"two columns", Filter{
			{Column: 0, Op: OpIsNotNull},
			{Column: 6, Op: OpAny, Any: []ColumnPredicate{
				{Column: 6, Op: OpEq, Values: []scalar.Scalar{str("s1")}},
				{Column: 6, Op: OpGe, Values: []scalar.Scalar{str("s95")}}}}},
			func(i int) bool { return i%11 != 0 && i%13 != 0 && (i%97 == 1 || i%97 >= 95) }},
	}
	for _, dict := range []bool{false, true} {
		data := lateParquet(t, n, 1500, dict, "")
		tb, err := OpenFile(context.Background(), fstest.MapFS{"all.parquet": {Data: data}}, "all.parquet", Options{BatchSize: 256})
		if err != nil {
			t.Fatal(err)
		}
		pt := tb.(*ParquetTable)
		pt.noLate = true
		all, err := readLate(t, tb, nil, nil, false)
		if err != nil || len(all) != n {
			t.Fatalf("%d rows, %v", len(all), err)
		}
		for _, c := range cases {
			var want []string
			for i, row := range all {
				if c.keep(i) {
					want = append(want, row)
				}
			}
			pt.noLate = false
			got, err := readLate(t, tb, c.f, []int{7, 6, 5, 4, 3, 2, 1, 0, 1}, true)
			if err != nil {
				t.Fatalf("dict=%v %s: %v", dict, c.name, err)
			}
			// The columns were requested in reverse, with i64 twice.
			for k, row := range got {
				p := strings.Split(row, "|")
				for a, z := 0, 7; a < z; a, z = a+1, z-1 {
					p[a], p[z] = p[z], p[a]
				}
				if p[8] != p[1] {
					t.Fatalf("dict=%v %s: i64 requested twice differs: %s", dict, c.name, row)
				}
				got[k] = strings.Join(p[:8], "|")
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("dict=%v %s: %d rows, want %d\n got %.300v\nwant %.300v", dict, c.name, len(got), len(want), got, want)
			}
		}
	}
}

// Text that is not valid UTF-8 fails with 22021 on the late path too,
// naming the row.
func TestLateMaterializationBadText(t *testing.T) {
	data := lateParquet(t, 100, 100, false, "bad\xff")
	tb, err := OpenFile(context.Background(), fstest.MapFS{"bad.parquet": {Data: data}}, "bad.parquet", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readLate(t, tb, Filter{{Column: 1, Op: OpGe, Values: []scalar.Scalar{scalar.NewInt64Scalar(90)}}}, []int{1, 6}, true)
	if sqlerr.Code(err) != sqlerr.CharacterNotInRepertoire || !strings.Contains(err.Error(), "row 100") {
		t.Fatalf("want 22021 naming row 100, got %v", err)
	}
}

// OpenDictionary returns text read from dictionary pages as dictionary
// arrays whose rows are the plain reader's, NULLs included, with or
// without conditions; text from plain pages, and text with more values
// than the reader numbers, comes plain.
func TestOpenDictionary(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		dict     bool
		values   int // distinct texts
		f        Filter
		wantDict bool
	}{
		{"dictionary pages", true, 97, nil, true},
		{"with a condition", true, 97, Filter{{Column: 1, Op: OpGe, Values: []scalar.Scalar{scalar.NewInt64Scalar(1000)}}}, true},
		{"plain pages", false, 97, nil, false},
		// 400 values, 128 rows a batch: the first two batches of a row
		// group come as dictionaries, the rest as text.
		{"too many values", true, 400, nil, true},
	} {
		// lateParquet's s has 97 values; textParquet's t has more.
		data := lateParquet(t, 5000, 1500, c.dict, "")
		col := 6
		if c.values > dictCodeMax {
			data = textParquet(t, 5000, 1500, c.values)
			col = 0
		}
		tb, err := OpenFile(ctx, fstest.MapFS{"t.parquet": {Data: data}}, "t.parquet", Options{BatchSize: 128})
		if err != nil {
			t.Fatal(err)
		}
		plain, err := readLate(t, tb, nil, []int{col, 1}, false)
		if err != nil {
			t.Fatal(err)
		}
		splits, err := tb.Splits(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		sawDict, sawPlain := false, false
		for _, s := range splits {
			r, err := tb.(DictionaryOpener).OpenDictionary(ctx, s, []int{col, 1}, []bool{true, false})
			if err != nil {
				t.Fatal(err)
			}
			for {
				b, err := r.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if b == nil {
					break
				}
				if b.Column(0).DataType().ID() == arrow.DICTIONARY {
					sawDict = true
				} else {
					sawPlain = true
				}
				if b.Column(1).DataType().ID() == arrow.DICTIONARY {
					t.Fatalf("%s: a column not asked for came as a dictionary", c.name)
				}
				s := batch.Decode(b.Column(0))
				for i := 0; i < int(b.NumRows()); i++ {
					got = append(got, s.ValueStr(i)+"|"+b.Column(1).ValueStr(i))
				}
			}
			r.Close()
		}
		var want []string
		for _, row := range plain {
			var i int64
			fmt.Sscan(row[strings.LastIndex(row, "|")+1:], &i)
			if c.f == nil || i >= 1000 {
				want = append(want, row)
			}
		}
		if sawDict != c.wantDict || sawPlain != (!c.wantDict || c.values > dictCodeMax) {
			t.Errorf("%s: dictionary arrays %v, plain %v", c.name, sawDict, sawPlain)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: %d rows, want %d\n got %.200v\nwant %.200v", c.name, len(got), len(want), got, want)
		}
	}
}

// textParquet writes n rows (t = "t" + i%values, dictionary encoded;
// i64 = i) in row groups of rg rows.
func textParquet(t *testing.T, n, rg, values int) []byte {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "t", Type: arrow.BinaryTypes.String},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := 0; i < n; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("t%d", i%values))
		b.Field(1).(*array.Int64Builder).Append(int64(i))
	}
	return parquetFile(t, b.NewRecordBatch(), parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(rg))))
}
