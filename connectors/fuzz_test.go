package connectors

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/lakesql/lakesql/sqlerr"
)

// readFuzzed opens a file made of data and reads all of it (all columns,
// then none, as count(*) does). Whatever the bytes, the outcome is rows or
// an error with a SQLSTATE: never a panic, and never XX000. A file may
// claim any number of rows: reading runs under a deadline, which must
// stop it (57014).
func readFuzzed(t *testing.T, name string, data []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	fsys := fstest.MapFS{name: {Data: data}}
	check := func(what string, err error) bool {
		if err == nil {
			return true
		}
		if code := sqlerr.Code(err); code == sqlerr.InternalError || code == "" {
			t.Fatalf("%s: %v (SQLSTATE %s)", what, err, code)
		}
		return false
	}
	tb, err := OpenFile(ctx, fsys, name, Options{SampleRows: 100, BatchSize: 64})
	if !check("open", err) {
		return
	}
	schema, err := tb.Schema(ctx)
	if !check("schema", err) {
		return
	}
	if _, err := tb.Stats(ctx); !check("stats", err) {
		return
	}
	read := func(cols []int, filter ...ColumnPredicate) error {
		splits, err := tb.Splits(ctx, filter)
		if err != nil {
			return err
		}
		for _, s := range splits {
			r, err := tb.Open(ctx, s, cols)
			if err != nil {
				return err
			}
			for {
				b, err := r.Next(ctx)
				if err != nil {
					r.Close()
					return err
				}
				if b == nil {
					break
				}
			}
			r.Close()
		}
		return nil
	}
	check("read", read(nil))
	check("read no columns", read([]int{}))
	// A condition Parquet's late reader decides (parquet_late.go).
	check("read under a condition", read(nil, ColumnPredicate{Column: 0, Op: OpIsNotNull}))
	if schema.NumFields() > 1 {
		check("read last column", read([]int{schema.NumFields() - 1}))
	}
	if ctx.Err() != nil {
		// Past the deadline every read must have stopped: getting here
		// is the proof.
		return
	}
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"id,name,born,score\n1,ann,1990-05-01,10.5\n2,bob,1985-12-24,7\n3,cid,,\n",
		"a;b\n\"x;y\";2\n\"multi\nline\";3\n",
		"a\tb\n1\t2\n",
		"x\n1\n2\n3.5\nnot a number\n",
		"\"unterminated\n",
		"a,b\n1,2,3\n",
		"ts,flag\n2024-01-01 10:00:00,true\n2024-01-02T11:00:00Z,false\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { readFuzzed(t, "f.csv", data) })
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"id": 1, "tags": ["a", "b"], "user": {"name": "ada", "plan": "pro"}}` + "\n" + `{"id": 2.5, "tags": [], "user": null}` + "\n",
		`[{"a": 1}, {"a": "x"}, {"b": [1, [2, 3]]}]`,
		`{"a": {"b": {"c": {"d": [1, 2, {"e": true}]}}}}`,
		`{"d": "2024-01-01", "t": "2024-01-01T10:00:00Z", "n": null}`,
		`{"a": 1} {"a": 2}`,
		"{\"s\": \"x\\u0000y\"}\n",
		`[[[[[[[[]]]]]]]]`,
		`{"a":`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { readFuzzed(t, "f.json", data) })
}

// FuzzParquet reads mutated Parquet files: the seeds are small files of
// several shapes (row groups, dictionaries, nulls, nested lists and
// structs, compression) plus the demo data's.
func FuzzParquet(f *testing.F) {
	for _, seed := range parquetSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) { readFuzzed(t, "f.parquet", data) })
}

func parquetSeeds(t testing.TB) [][]byte {
	mem := memory.DefaultAllocator
	// Flat: ints, strings with nulls and repeats (dictionary), doubles.
	ib := array.NewInt64Builder(mem)
	sb := array.NewStringBuilder(mem)
	fb := array.NewFloat64Builder(mem)
	for i := 0; i < 20; i++ {
		ib.Append(int64(i * 7))
		if i%5 == 0 {
			sb.AppendNull()
		} else {
			sb.Append([]string{"red", "green", "blue"}[i%3])
		}
		fb.Append(float64(i) / 3)
	}
	flat := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "color", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	flatRec := array.NewRecordBatch(flat, []arrow.Array{ib.NewArray(), sb.NewArray(), fb.NewArray()}, 20)
	// Nested: a list of ints and a struct.
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int32)
	vb := lb.ValueBuilder().(*array.Int32Builder)
	stType := arrow.StructOf(arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true}, arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true})
	stb := array.NewStructBuilder(mem, stType)
	for i := 0; i < 6; i++ {
		lb.Append(true)
		for k := 0; k < i; k++ {
			vb.Append(int32(k))
		}
		stb.Append(true)
		stb.FieldBuilder(0).(*array.StringBuilder).Append("s")
		stb.FieldBuilder(1).(*array.Int32Builder).Append(int32(i))
	}
	nested := arrow.NewSchema([]arrow.Field{
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "st", Type: stType, Nullable: true},
	}, nil)
	nestedRec := array.NewRecordBatch(nested, []arrow.Array{lb.NewArray(), stb.NewArray()}, 6)
	seeds := [][]byte{
		parquetFile(t, flatRec, parquet.NewWriterProperties()),
		parquetFile(t, flatRec, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(7), parquet.WithDictionaryDefault(false))),
		parquetFile(t, flatRec, parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))),
		parquetFile(t, nestedRec, parquet.NewWriterProperties()),
	}
	if b, err := os.ReadFile(filepath.Join("..", "demo", "data", "sales.parquet")); err == nil && len(b) < 1<<20 {
		seeds = append(seeds, b)
	}
	return seeds
}
