package connectors

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// pgRows reads a table's splits in order and renders the rows as
// PostgreSQL text, "NULL" for NULL.
func pgRows(t *testing.T, tb Table, cols []int) ([]string, error) {
	t.Helper()
	ctx := context.Background()
	splits, err := tb.Splits(ctx, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range splits {
		r, err := tb.Open(ctx, s, cols)
		if err != nil {
			return nil, err
		}
		for {
			b, err := r.Next(ctx)
			if err != nil {
				r.Close()
				return out, err
			}
			if b == nil {
				break
			}
			out = append(out, renderBatch(b)...)
		}
		r.Close()
	}
	return out, nil
}

func renderBatch(b arrow.RecordBatch) []string {
	var out []string
	for i := 0; i < int(b.NumRows()); i++ {
		var parts []string
		for c := 0; c < int(b.NumCols()); c++ {
			col := b.Column(c)
			if col.IsNull(i) {
				parts = append(parts, "NULL")
				continue
			}
			parts = append(parts, string(text.Append(nil, col, i, nil)))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

// Values reach their inferred types straight from the bytes: escapes,
// nested objects and arrays, keys in any order or missing, a key given
// twice, numbers, dates, and JSON text for a key of mixed types.
func TestJSONReadValues(t *testing.T) {
	data := `{"id":1,"name":"a\"b\\c\u00e9\ud83d\ude00","price":1.50,"when":"2024-01-02","at":"2024-01-02 10:00:00","ok":true,"u":{"n":"x","tags":["p","q"]},"misc":"s"}
{"misc":12.5,"ok":false,"id":2,"price":2,"u":null,"name":null}

{"id":3,"id":99,"misc":{"k": [1, "two", null]},"u":{"tags":[]},"extra":1}` + "\r\n" +
		`{"id":4,"misc":true,"u":{"n":"<&>","tags":null}}`
	fsys := fstest.MapFS{"v.json": {Data: []byte(data)}}
	tb, err := OpenFile(context.Background(), fsys, "v.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := tb.Schema(context.Background())
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name+" "+types.Name(f.Type))
	}
	wantSchema := "id bigint,name text,price numeric(18,2),when date,at timestamp without time zone,ok boolean,u record(n text, tags text[]),misc text,extra bigint"
	if got := strings.Join(names, ","); got != wantSchema {
		t.Fatalf("schema:\n got %s\nwant %s", got, wantSchema)
	}
	got, err := pgRows(t, tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`1|a"b\cé😀|1.50|2024-01-02|2024-01-02 10:00:00|t|(x,"{p,q}")|"s"|NULL`,
		`2|NULL|2.00|NULL|NULL|f|NULL|12.5|NULL`,
		`3|NULL|NULL|NULL|NULL|NULL|(,"{}")|{"k":[1,"two",null]}|1`,
		`4|NULL|NULL|NULL|NULL|NULL|(<&>,)|true|NULL`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A projection reads only its keys, in its order.
	got, err = pgRows(t, tb, []int{7, 0})
	if err != nil || strings.Join(got, ",") != `"s"|1,12.5|2,{"k":[1,"two",null]}|3,true|4` {
		t.Errorf("projection: %v %v", got, err)
	}
}

// One top-level array, its elements across lines or several on one.
func TestJSONArrayFile(t *testing.T) {
	data := "[\n  {\"a\": 1,\n   \"b\": [1,\n 2]},\n  {\"a\": 2}, {\"a\": 3, \"b\": []}\n]\n"
	tb, err := OpenFile(context.Background(), fstest.MapFS{"a.json": {Data: []byte(data)}}, "a.json", Options{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgRows(t, tb, nil)
	if err != nil || strings.Join(got, ",") != "1|{1,2},2|NULL,3|{}" {
		t.Errorf("got %v %v", got, err)
	}
	for name, bad := range map[string]string{
		"missing comma":  `[{"a": 1} {"a": 2}]`,
		"not an object":  `[{"a": 1}, 2]`,
		"unterminated":   `[{"a": 1}, {"a": 2}`,
		"bad value":      "[{\"a\": 1},\n{\"a\": tru}]",
		"trailing comma": `[{"a": 1},]`,
	} {
		tb, err := OpenFile(context.Background(), fstest.MapFS{"b.json": {Data: []byte(bad)}}, "b.json", Options{})
		if err == nil {
			_, err = pgRows(t, tb, nil)
		}
		if sqlerr.Code(err) != "22P04" || !strings.Contains(err.Error(), `"b.json"`) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Newline-delimited JSON read in ranges of every size gives the rows
// reading it whole gives, and errors name the right line.
func TestJSONRanges(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var sb strings.Builder
	for i := 0; i < 40; i++ {
		switch rng.Intn(6) {
		case 0:
			sb.WriteString("\n")
		case 1:
			fmt.Fprintf(&sb, "  {\"b\": \"x\\ny%d\", \"a\": %d}  \r\n", i, i)
		default:
			fmt.Fprintf(&sb, "{\"a\":%d,\"b\":\"v{%d}\",\"c\":[%d,{\"d\":\"\\\"\"}]}\n", i, i, i)
		}
	}
	data := []byte(sb.String())
	whole := func(size int64) []string {
		tb, err := OpenFile(context.Background(), fstest.MapFS{"r.json": {Data: data}}, "r.json", Options{SplitSize: size, BatchSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := pgRows(t, tb, nil)
		if err != nil {
			t.Fatalf("split size %d: %v\n%q", size, err, data)
		}
		return rows
	}
	want := whole(int64(len(data)))
	if len(want) < 20 {
		t.Fatalf("only %d rows", len(want))
	}
	for size := int64(1); size < int64(len(data)); size += 1 + size/8 {
		if got := whole(size); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("split size %d:\n got %v\nwant %v", size, got, want)
		}
	}
	// A bad line far into the file: its line number, from any range.
	bad := append(append([]byte(nil), data...), []byte("{\"a\": 1}\n{\"a\": }\n")...)
	line := strings.Count(string(data), "\n") + 2
	for _, size := range []int64{0, 7, 100} {
		tb, err := OpenFile(context.Background(), fstest.MapFS{"r.json": {Data: bad}}, "r.json", Options{SplitSize: size, SampleRows: 5})
		if err != nil {
			t.Fatal(err)
		}
		_, err = pgRows(t, tb, nil)
		if sqlerr.Code(err) != "22P04" || !strings.Contains(err.Error(), fmt.Sprintf("at line %d", line)) {
			t.Errorf("split size %d: %v, want line %d", size, err, line)
		}
	}
}

// Values that do not fit, deep nesting and \u0000 are errors with their
// SQLSTATE, naming the file and line.
func TestJSONReadErrors(t *testing.T) {
	for name, c := range map[string]struct {
		data, code, text string
	}{
		"misfit":  {`{"a": 1}` + "\n" + `{"a": "x"}`, "22P02", `file "e.json" line 2 column "a": "\"x\"" does not fit type bigint; the column is read as text from now on`},
		"nested":  {`{"u": {"n": 1}}` + "\n" + `{"u": {"n": [1]}}`, "22P02", `line 2 column "u": "{\"n\": [1]}" does not fit type record(n bigint); the column is read as text`},
		"nul":     {`{"s": "a"}` + "\n" + `{"s": "a\u0000b"}`, "22P05", "unsupported Unicode escape sequence"},
		"deep":    {`{"a": 1, "b": 1}` + "\n" + `{"a": 1, "b": ` + strings.Repeat("[", 1100) + strings.Repeat("]", 1100) + `}`, "54001", "line 2"},
		"two":     {`{"a": 1} {"a": 2}`, "22P04", "more than one value on the line"},
		"scalar":  {`{"a": 1}` + "\n" + `7`, "22P04", "not an object"},
		"garbage": {`{"a": 1}` + "\n" + `{"a" 1}`, "22P04", "at line 2"},
	} {
		tb, err := OpenFile(context.Background(), fstest.MapFS{"e.json": {Data: []byte(c.data)}}, "e.json", Options{SampleRows: 1})
		if err == nil {
			_, err = pgRows(t, tb, nil)
		}
		if sqlerr.Code(err) != c.code || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: got %s %v, want %s %q", name, sqlerr.Code(err), err, c.code, c.text)
		}
	}
}

// Compressed files are decompressed ahead on a goroutine: a corrupt
// stream is still XX001 naming the file, and closing a reader early
// stops the goroutine.
func TestCompressedAhead(t *testing.T) {
	var plain strings.Builder
	plain.WriteString("a,b\n")
	for i := 0; i < 200000; i++ {
		fmt.Fprintf(&plain, "%d,row %d\n", i, i)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(plain.String()))
	w.Close()
	good := gz.Bytes()
	bad := append([]byte(nil), good[:len(good)/2]...)
	bad = append(bad, bytes.Repeat([]byte{0xff}, 64)...)
	fsys := fstest.MapFS{"g.csv.gz": {Data: good}, "bad.csv.gz": {Data: bad}}
	ctx := context.Background()
	tb, err := OpenFile(ctx, fsys, "g.csv.gz", Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, _, err := readAll(t, tb, nil)
	if err != nil || n != 200000 {
		t.Fatalf("%d rows, %v", n, err)
	}
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		splits, _ := tb.Splits(ctx, nil)
		r, _ := tb.Open(ctx, splits[0], nil)
		if b, err := r.Next(ctx); err != nil || b == nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("goroutines: %d before, %d after closing readers early", before, after)
	}
	tb, err = OpenFile(ctx, fsys, "bad.csv.gz", Options{})
	if err == nil {
		_, _, err = readAll(t, tb, nil)
	}
	if sqlerr.Code(err) != sqlerr.DataCorrupted || !strings.Contains(err.Error(), `"bad.csv.gz"`) {
		t.Errorf("corrupt gzip: %s %v", sqlerr.Code(err), err)
	}
}

// A value that does not fit its column's inferred type widens the column
// for the file: the read fails with a *SchemaWidened cause, and the file
// opened again reads with the wider type, the value included.
func TestWidening(t *testing.T) {
	var late strings.Builder
	late.WriteString("id,amount,code\n")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&late, "%d,%d.5,%d\n", i, i, i)
	}
	late.WriteString("50,7.125,n/a\n")
	fsys := fstest.MapFS{
		"late.csv":  {Data: []byte(late.String())},
		"late.json": {Data: []byte(`{"a": 1, "u": {"n": 1}, "d": 1.5}` + "\n" + `{"a": "two", "u": 3, "d": 2.25}` + "\n")},
	}
	ctx := context.Background()
	for _, c := range []struct {
		file  string
		steps []string // the widened type of each read, until one succeeds
		last  string   // the last row then
	}{
		{"late.csv", []string{"amount numeric(18,3)", "code text"}, "50|7.125|n/a"},
		{"late.json", []string{"a text", "u text", "d numeric(18,2)"}, `two|3|2.25`},
	} {
		opts := Options{Cache: NewSchemaCache(), SampleRows: 1, SplitSize: 64}
		if c.file == "late.csv" {
			opts.SampleRows = 40
		}
		var rows []string
		for step := 0; ; step++ {
			tb, err := OpenFile(ctx, fsys, c.file, opts)
			if err != nil {
				t.Fatal(err)
			}
			rows, err = pgRows(t, tb, nil)
			if err == nil {
				if step != len(c.steps) {
					t.Errorf("%s: read after %d widenings, want %d", c.file, step, len(c.steps))
				}
				break
			}
			if !IsSchemaWidened(err) || sqlerr.Code(err) != "22P02" || step >= len(c.steps) {
				t.Fatalf("%s step %d: %v", c.file, step, err)
			}
			tb, _ = OpenFile(ctx, fsys, c.file, opts)
			s, _ := tb.Schema(ctx)
			found := false
			for _, f := range s.Fields() {
				if f.Name+" "+types.Name(f.Type) == c.steps[step] {
					found = true
				}
			}
			if !found {
				t.Fatalf("%s step %d: schema %v, want %s", c.file, step, s, c.steps[step])
			}
		}
		if rows[len(rows)-1] != c.last {
			t.Errorf("%s: last row %q, want %q", c.file, rows[len(rows)-1], c.last)
		}
	}
}

// Text files' statistics come from the sample: rows from the bytes a
// record takes, and the sampled integers' range (for the planner's
// estimate of distinct keys).
func TestTextStats(t *testing.T) {
	var csv, js strings.Builder
	csv.WriteString("k,nation,name\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&csv, "%d,%d,customer %d\n", i, i%25, i)
		fmt.Fprintf(&js, "{\"k\":%d,\"nation\":%d,\"name\":\"customer %d\"}\n", i, i%25, i)
	}
	fsys := fstest.MapFS{"c.csv": {Data: []byte(csv.String())}, "c.json": {Data: []byte(js.String())}}
	for _, name := range []string{"c.csv", "c.json"} {
		tb, err := OpenFile(context.Background(), fsys, name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := tb.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Exact || st.Rows < 2700 || st.Rows > 3300 {
			t.Errorf("%s: %d rows (exact %v), want about 3000", name, st.Rows, st.Exact)
		}
		if len(st.Columns) != 3 || st.Columns[1].Min == nil || st.Columns[1].Min.String() != "0" || st.Columns[1].Max.String() != "24" || st.Columns[2].Min != nil {
			t.Errorf("%s: columns %v", name, st.Columns)
		}
		// Once a scan read the whole file (in ranges or whole), the rows
		// are the rows it read.
		for _, size := range []int64{0, 4096} {
			opts := Options{Cache: NewSchemaCache(), SplitSize: size}
			tb, _ := OpenFile(context.Background(), fsys, name, opts)
			if _, err := pgRows(t, tb, []int{1}); err != nil {
				t.Fatal(err)
			}
			tb, _ = OpenFile(context.Background(), fsys, name, opts)
			if st, _ := tb.Stats(context.Background()); st.Rows != 3000 {
				t.Errorf("%s split size %d: %d rows after a scan, want 3000", name, size, st.Rows)
			}
		}
	}
}

// An array file with one element per line is read in ranges of lines;
// one whose elements span lines past the sample is read as one stream
// after the first try says so.
func TestJSONArrayRanges(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("[\n")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&sb, "  {\"a\": %d, \"b\": \"x%d\"},\n", i, i)
	}
	sb.WriteString("  {\"a\": 500, \"b\": \"last\"}\n]\n")
	perLine := sb.String()
	// The same with an element spread over lines past the first megabyte.
	var big strings.Builder
	big.WriteString("[{\"a\": -1, \"b\": \"first\"},\n")
	for big.Len() < 1<<20+1000 {
		big.WriteString("{\"a\": 1, \"b\": \"filler\"},\n")
	}
	big.WriteString("{\"a\": 2,\n \"b\": \"spread\"}\n]")
	ctx := context.Background()
	for name, data := range map[string]string{"lines.json": perLine, "spread.json": big.String()} {
		fsys := fstest.MapFS{name: {Data: []byte(data)}}
		opts := Options{Cache: NewSchemaCache(), SplitSize: 300}
		if name == "spread.json" {
			opts.SplitSize = 64 << 10
		}
		tb, err := OpenFile(ctx, fsys, name, opts)
		if err != nil {
			t.Fatal(err)
		}
		splits, _ := tb.Splits(ctx, nil)
		if len(splits) < 3 {
			t.Fatalf("%s: %d splits", name, len(splits))
		}
		rows, err := pgRows(t, tb, nil)
		if name == "spread.json" {
			if !IsSchemaWidened(err) || !strings.Contains(err.Error(), "spans lines") {
				t.Fatalf("spread: %v", err)
			}
			tb, _ = OpenFile(ctx, fsys, name, opts)
			if splits, _ := tb.Splits(ctx, nil); len(splits) != 1 {
				t.Fatalf("spread: %d splits after the first try", len(splits))
			}
			rows, err = pgRows(t, tb, nil)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		last := rows[len(rows)-1]
		if name == "lines.json" && (len(rows) != 501 || rows[0] != "0|x0" || last != "500|last") {
			t.Errorf("lines: %d rows, %q..%q", len(rows), rows[0], last)
		}
		if name == "spread.json" && (rows[0] != "-1|first" || last != "2|spread") {
			t.Errorf("spread: %q..%q", rows[0], last)
		}
	}
}

// bgzfMember is one BGZF member holding data.
func bgzfMember(t *testing.T, data []byte) []byte {
	var def bytes.Buffer
	fw, _ := flate.NewWriter(&def, flate.BestSpeed)
	fw.Write(data)
	fw.Close()
	size := 12 + 6 + def.Len() + 8
	var m bytes.Buffer
	m.Write([]byte{0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 'B', 'C', 2, 0})
	binary.Write(&m, binary.LittleEndian, uint16(size-1))
	m.Write(def.Bytes())
	binary.Write(&m, binary.LittleEndian, crc32.ChecksumIEEE(data))
	binary.Write(&m, binary.LittleEndian, uint32(len(data)))
	return m.Bytes()
}

// A blocked gzip file (bgzip's) decompresses its members in parallel, in
// order; a corrupt member is XX001 naming the file; it still reads as
// gzip where that is all that is asked.
func TestBGZF(t *testing.T) {
	var plain strings.Builder
	plain.WriteString("a,b\n")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&plain, "%d,row %d\n", i, i)
	}
	text := []byte(plain.String())
	var file bytes.Buffer
	for off := 0; off < len(text); off += 60000 {
		file.Write(bgzfMember(t, text[off:min(off+60000, len(text))]))
	}
	file.Write(bgzfMember(t, nil)) // the end-of-file block
	good := file.Bytes()
	if !isBGZF(good) {
		t.Fatal("not recognised as BGZF")
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)/2] ^= 0xff
	fsys := fstest.MapFS{"b.csv.gz": {Data: good}, "bad.csv.gz": {Data: bad}}
	ctx := context.Background()
	tb, err := OpenFile(ctx, fsys, "b.csv.gz", Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := pgRows(t, tb, nil)
	if err != nil || len(rows) != 100000 || rows[0] != "0|row 0" || rows[99999] != "99999|row 99999" {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	before := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		splits, _ := tb.Splits(ctx, nil)
		r, _ := tb.Open(ctx, splits[0], nil)
		if b, err := r.Next(ctx); err != nil || b == nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("goroutines: %d before, %d after closing readers early", before, after)
	}
	tb, err = OpenFile(ctx, fsys, "bad.csv.gz", Options{})
	if err == nil {
		_, err = pgRows(t, tb, nil)
	}
	if sqlerr.Code(err) != sqlerr.DataCorrupted || !strings.Contains(err.Error(), `"bad.csv.gz"`) {
		t.Errorf("corrupt member: %s %v", sqlerr.Code(err), err)
	}
}
