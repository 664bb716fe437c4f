// Command genlake writes testdata/lake, the small lake of folders the lake
// tests query (e2e/testdata/lake/*.test, cmd/lakesql and connectors
// tests): Drill-style dated folders, hive partitions, compressed files,
// files writers mark as in progress, nested JSON and Parquet, headerless
// text, schemas that evolve across files and a conflicting folder.
//
//	go run ./testdata/genlake            (from the module root)
//
// The output is deterministic; bzip2 files need the bzip2 command.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/klauspost/compress/zstd"
)

func main() {
	root := filepath.Join("testdata", "lake")
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	if err := os.RemoveAll(root); err != nil {
		fail(err)
	}
	w := func(rel string, data []byte) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fail(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			fail(err)
		}
	}
	lines := func(ls ...string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }

	// logs/: Drill's dated folders (dir0 = year, dir1 = month).
	w("logs/2023/11/events.json", lines(
		`{"id":1,"level":"info","msg":"boot"}`,
		`{"id":2,"level":"warn","msg":"disk"}`))
	w("logs/2024/01/events.json", lines(
		`{"id":3,"level":"info","msg":"login"}`,
		`{"id":4,"level":"error","msg":"crash"}`))
	w("logs/2024/02/events.json.gz", gz(lines(
		`{"id":5,"level":"info","msg":"login"}`,
		`{"id":6,"level":"info","msg":"logout"}`)))
	w("logs/2024/03/events.json.zst", zst(lines(`{"id":7,"level":"error","msg":"oom"}`)))
	// Files writers mark as in progress: never read.
	w("logs/2024/03/.events-8.json", lines(`{"id":99,"level":"hidden","msg":"dot"}`))
	w("logs/2024/03/events-9.json.tmp", lines(`{"id":98,"level":"hidden","msg":"tmp"}`))
	w("logs/_temporary/0/events.json", lines(`{"id":97,"level":"hidden","msg":"temporary"}`))
	w("logs/2024/03/+tmp/events.json", lines(`{"id":96,"level":"hidden","msg":"plus tmp"}`))

	// sales/: hive partitions, in three formats and three compressions.
	w("sales/year=2023/month=11/part-0.csv", lines("region,amount", "east,10", "west,20"))
	w("sales/year=2023/month=12/part-0.csv", lines("region,amount", "east,30"))
	w("sales/year=2024/month=01/part-0.parquet", parquetSales())
	w("sales/year=2024/month=02/part-0.csv.bz2", bz2(lines("region,amount", "west,60")))
	w("sales/year=__HIVE_DEFAULT_PARTITION__/month=01/part-0.csv", lines("region,amount", "north,5"))
	w("sales/_SUCCESS", nil)

	// people.json: nested objects and arrays.
	w("people.json", lines(
		`{"id":1,"name":"ada","account":{"name":"ada","plan":"free"},"addr":{"city":"London","geo":{"lat":51.5,"lon":-0.12}},"tags":["math","poetry"],"scores":{"q1":10,"q2":20},"orders":[{"sku":"a1","qty":2},{"sku":"b2","qty":1}]}`,
		`{"id":2,"name":"bob","account":{"name":"bob","plan":"pro"},"addr":{"city":"Paris","geo":{"lat":48.9,"lon":2.35}},"tags":[],"scores":{"q1":7},"orders":[]}`,
		`{"id":3,"name":"cy","addr":{"city":"Rome","geo":{"lat":41.9,"lon":12.5}},"tags":["art"],"scores":{},"orders":[{"sku":"c3","qty":5}]}`))
	// items.parquet: a Parquet struct, list and map.
	w("items.parquet", parquetItems())
	// deep.json: a document nested 999 levels deep (the reader allows 1,000)
	// and a mixed-type array.
	w("deep.json", deepJSON(998))

	// text/: headerless text (Drill's columns array) and other delimiters.
	w("text/plain.csv", lines("1,apple,0.5", "2,banana,0.25", "3,cherry,2"))
	w("text/pipes.txt", lines("name|qty", "pen|3", "ink|7"))
	// events.log: JSON under a name that does not say so (type => 'json').
	w("text/events.log", lines(`{"at":"2024-01-01 10:00:00","what":"start"}`, `{"at":"2024-01-01 10:05:00","what":"stop"}`))

	// evolve/: columns added, widened and merged across files.
	w("evolve/a.json", lines(`{"id":1,"v":1,"code":7,"meta":{"a":1}}`))
	w("evolve/b.json", lines(`{"id":2,"v":2.5,"note":"new","meta":{"b":"z"}}`))
	w("evolve/c.csv", lines("id,v,code", "3,4,A7"))
	// compressed/: CSV and JSON, each gzip-, zstd- and bzip2-compressed.
	w("compressed/a.csv.gz", gz(lines("n,codec", "1,gzip")))
	w("compressed/b.csv.zst", zst(lines("n,codec", "2,zstd")))
	w("compressed/c.csv.bz2", bz2(lines("n,codec", "3,bzip2")))
	w("compressed/d.json.gz", gz(lines(`{"n":4,"codec":"gzip"}`)))
	w("compressed/e.json.zst", zst(lines(`{"n":5,"codec":"zstd"}`)))
	w("compressed/f.ndjson.bz2", bz2(lines(`{"n":6,"codec":"bzip2"}`)))
	w("broken/bad.json.bz2", []byte("BZh91AY&SY this is not bzip2 data\n"))

	// conflict/: an object in one file, a number in the other.
	w("conflict/a.json", lines(`{"id":1,"x":{"k":1}}`))
	w("conflict/b.json", lines(`{"id":2,"x":5}`))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genlake:", err)
	os.Exit(1)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf) // no name or time in the header: deterministic
	z.Write(b)
	z.Close()
	return buf.Bytes()
}

func zst(b []byte) []byte {
	e, err := zstd.NewWriter(nil)
	if err != nil {
		fail(err)
	}
	defer e.Close()
	return e.EncodeAll(b, nil)
}

func bz2(b []byte) []byte {
	cmd := exec.Command("bzip2", "-c", "-9")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		fail(fmt.Errorf("bzip2: %w", err))
	}
	return out
}

func writeParquet(rec arrow.RecordBatch) []byte {
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(rec.Schema(), &buf, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		fail(err)
	}
	if err := fw.Write(rec); err != nil {
		fail(err)
	}
	if err := fw.Close(); err != nil {
		fail(err)
	}
	return buf.Bytes()
}

func parquetSales() []byte {
	mem := memory.DefaultAllocator
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"east", "west"}, nil)
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{40, 50}, nil)
	return writeParquet(b.NewRecordBatch())
}

func parquetItems() []byte {
	mem := memory.DefaultAllocator
	dims := arrow.StructOf(
		arrow.Field{Name: "w", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "h", Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "dims", Type: dims, Nullable: true},
		{Name: "sizes", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	sb := b.Field(1).(*array.StructBuilder)
	for _, d := range [][2]float64{{2, 3}, {4.5, 1}} {
		sb.Append(true)
		sb.FieldBuilder(0).(*array.Float64Builder).Append(d[0])
		sb.FieldBuilder(1).(*array.Float64Builder).Append(d[1])
	}
	lb := b.Field(2).(*array.ListBuilder)
	for _, l := range [][]int32{{36, 38, 40}, {}} {
		lb.Append(true)
		lb.ValueBuilder().(*array.Int32Builder).AppendValues(l, nil)
	}
	mb := b.Field(3).(*array.MapBuilder)
	for _, m := range [][][2]string{{{"color", "red"}, {"fit", "slim"}}, {{"color", "blue"}}} {
		mb.Append(true)
		for _, kv := range m {
			mb.KeyBuilder().(*array.StringBuilder).Append(kv[0])
			mb.ItemBuilder().(*array.StringBuilder).Append(kv[1])
		}
	}
	return writeParquet(b.NewRecordBatch())
}

func deepJSON(depth int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"id":1,"d":`)
	for i := 0; i < depth; i++ {
		sb.WriteString(`{"d":`)
	}
	sb.WriteString(`"bottom"`)
	for i := 0; i < depth; i++ {
		sb.WriteString(`}`)
	}
	sb.WriteString(`,"mixed":[1,"two",{"three":3},[4],null,true]}`)
	sb.WriteString("\n")
	return []byte(sb.String())
}
