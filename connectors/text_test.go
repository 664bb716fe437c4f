package connectors

import (
	"context"
	"io"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"

	"github.com/lakesql/lakesql/sqlerr"
)

// Text with invalid UTF-8 or NUL bytes is 22021, naming the file and the
// line, in CSV and in JSON; JSON's \u0000 is 22P05, as in PostgreSQL.
func TestInvalidTextInFiles(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"latin1.csv":  {Data: []byte("id,name\n1,ok\n2,caf\xe9\n3,x\n")},
		"nul.csv":     {Data: []byte("id,name\n1,ok\n2,ok\n3,a\x00b\n")},
		"cut.csv":     {Data: []byte("id,name\n1,ok\n2,\xe2\x82\n")},
		"good.csv":    {Data: []byte("id,name\n1,café\n2,日本\n3,🎉\n")},
		"latin1.json": {Data: []byte("{\"a\": \"ok\"}\n{\"a\": \"caf\xe9\"}\n")},
		"array.json":  {Data: []byte("[{\"a\": \"ok\"},\n{\"a\": \"caf\xe9\"}]")},
		"nul.json":    {Data: []byte("{\"a\": \"ok\"}\n{\"a\": \"x\\u0000y\"}\n")},
	}
	for name, want := range map[string]struct {
		code, text string
	}{
		"latin1.csv":  {"22021", `invalid byte sequence for encoding "UTF8": 0xe9 in file "latin1.csv" at line 3`},
		"nul.csv":     {"22021", `invalid byte sequence for encoding "UTF8": 0x00 in file "nul.csv" at line 4`},
		"cut.csv":     {"22021", `invalid byte sequence for encoding "UTF8": 0xe2 0x82 in file "cut.csv" at line 3`},
		"good.csv":    {"", ""},
		"latin1.json": {"22021", `invalid byte sequence for encoding "UTF8": 0xe9 in file "latin1.json" at line 2`},
		"array.json":  {"22021", `invalid byte sequence for encoding "UTF8": 0xe9 in file "array.json" at line 2`},
		"nul.json":    {"22P05", `unsupported Unicode escape sequence`},
	} {
		tb, err := OpenFile(ctx, fsys, name, Options{})
		if err != nil {
			t.Errorf("%s: open: %v", name, err)
			continue
		}
		_, _, err = readAll(t, tb, nil)
		if want.code == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if sqlerr.Code(err) != want.code || !strings.Contains(err.Error(), want.text) {
			t.Errorf("%s: want %s %q, got %s %v", name, want.code, want.text, sqlerr.Code(err), err)
		}
	}
}

// The checking reader sees characters split across reads, and counts
// lines across them.
func TestTextReaderBoundaries(t *testing.T) {
	good := strings.Repeat("añ€𝄞\n", 1000)
	r := checkedText(iotest.OneByteReader(strings.NewReader(good)), "f")
	if b, err := io.ReadAll(r); err != nil || string(b) != good {
		t.Fatalf("good text: %v", err)
	}
	bad := good + "x\xf0\x9d\n"
	r = checkedText(iotest.HalfReader(strings.NewReader(bad)), "f")
	_, err := io.ReadAll(r)
	if sqlerr.Code(err) != "22021" || !strings.Contains(err.Error(), "at line 1001") {
		t.Errorf("bad text: %v", err)
	}
	// A file ending inside a character.
	r = checkedText(strings.NewReader("ab\xe2\x82"), "f")
	if _, err := io.ReadAll(r); sqlerr.Code(err) != "22021" {
		t.Errorf("truncated character: %v", err)
	}
}

// Parquet strings are checked per batch: the message names the row.
func TestInvalidTextInParquet(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.Append("fine")
	sb.AppendNull()
	sb.Append("bad \xff here")
	rec := array.NewRecordBatch(schema, []arrow.Array{sb.NewArray()}, 3)
	data := parquetFile(t, rec, parquet.NewWriterProperties())
	tb, err := OpenFile(context.Background(), fstest.MapFS{"s.parquet": {Data: data}}, "s.parquet", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = readAll(t, tb, nil)
	if sqlerr.Code(err) != "22021" || !strings.Contains(err.Error(), `0xff in file "s.parquet" at row 3 of row group 0`) {
		t.Errorf("got %v", err)
	}
}

// A JSON line past the cap is 54000 before more of it is buffered (the
// cap is 256 MB; the test lowers it).
func TestJSONLineCap(t *testing.T) {
	data := `{"a": 1}` + "\n" + `{"a": "` + strings.Repeat("x", 5000) + `"}` + "\n"
	rs, err := newRowSource(strings.NewReader(data), "big.json")
	if err != nil {
		t.Fatal(err)
	}
	rs.maxLine = 1000
	if o, err := rs.next(); err != nil || o == nil {
		t.Fatalf("first line: %v %v", o, err)
	}
	_, err = rs.next()
	if sqlerr.Code(err) != "54000" || !strings.Contains(err.Error(), `line 2 of file "big.json" is longer than 1000 bytes`) {
		t.Errorf("got %v", err)
	}
}
