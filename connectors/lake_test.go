package connectors

import (
	"context"
	"io"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		glob, path string
		want       bool
	}{
		{"*.json", "a.json", true},
		{"*.json", "x/a.json", false},
		{"**/*.json", "a.json", true},
		{"**/*.json", "x/y/a.json", true},
		{"x/**", "x/y/a.json", true},
		{"2024-*/*.json", "2024-01/a.json", true},
		{"2024-*/*.json", "2023-01/a.json", false},
		{"**/2024/**/*.csv", "a/2024/b/c/d.csv", true},
		{"**/2024/**/*.csv", "a/2023/b/c/d.csv", false},
		{"?a*", "ba.csv", true},
		{"[ab].csv", "c.csv", false},
	}
	for _, c := range cases {
		if got := matchSegs(strings.Split(c.glob, "/"), strings.Split(c.path, "/")); got != c.want {
			t.Errorf("%s ~ %s: %v, want %v", c.glob, c.path, got, c.want)
		}
	}
	m := &globMatcher{segs: strings.Split("2024-*/*.json", "/")}
	if !m.mayHold("2024-01") || m.mayHold("2023-01") {
		t.Error("mayHold: folders the glob may reach")
	}
}

func TestIgnoredNames(t *testing.T) {
	for _, n := range []string{".a.json", "_SUCCESS", "_temporary", "x.json.tmp", "X.TMP", "+tmp"} {
		if !IgnoredName(n) {
			t.Errorf("%s is not ignored", n)
		}
	}
	for _, n := range []string{"a.json", "tmp", "a_b.csv", "year=2024"} {
		if IgnoredName(n) {
			t.Errorf("%s is ignored", n)
		}
	}
}

func TestCommonType(t *testing.T) {
	obj := arrow.StructOf(arrow.Field{Name: "a", Type: types.Int64, Nullable: true})
	obj2 := arrow.StructOf(arrow.Field{Name: "b", Type: types.String, Nullable: true})
	cases := []struct {
		a, b arrow.DataType
		want arrow.DataType // nil: no common type
	}{
		{types.Int32, types.Int64, types.Int64},
		{types.Int64, types.Float64, types.Float64},
		{types.Int64, types.Decimal(10, 2), types.Float64},
		{types.Date, types.Timestamp, types.Timestamp},
		{types.Timestamp, types.TimestampTZ, types.TimestampTZ},
		{types.Int64, types.String, types.String},
		{types.Bool, types.Int64, types.String},
		{types.Null, obj, obj},
		{obj, obj2, arrow.StructOf(obj.Field(0), obj2.Field(0))},
		{types.NestedList(types.Int32), types.NestedList(types.Float64), types.NestedList(types.Float64)},
		{obj, types.Int64, nil},
		{types.NestedList(types.Int64), types.String, nil},
		{obj, types.NestedList(types.Int64), nil},
	}
	for _, c := range cases {
		got, ok := commonType(c.a, c.b)
		if c.want == nil {
			if ok {
				t.Errorf("%s, %s: %s, want no common type", c.a, c.b, got)
			}
			continue
		}
		if !ok || !arrow.TypeEqual(got, c.want) {
			t.Errorf("%s, %s: %v, want %s", c.a, c.b, got, c.want)
		}
	}
}

func TestFolderTypeConflict(t *testing.T) {
	fsys := fstest.MapFS{
		"d/a.json": {Data: []byte(`{"id":1,"x":{"k":1}}` + "\n")},
		"d/b.json": {Data: []byte(`{"id":2,"x":5}` + "\n")},
	}
	_, err := OpenTable(context.Background(), fsys, "d", Options{})
	if sqlerr.Code(err) != sqlerr.DatatypeMismatch || !strings.Contains(err.Error(), `"x"`) ||
		!strings.Contains(err.Error(), "d/a.json") || !strings.Contains(err.Error(), "d/b.json") {
		t.Fatalf("err = %v, want 42804 naming x and both files", err)
	}
}

// TestSnapshotReads checks that a file table reads each file up to the
// size it had when listed, and holds back an unterminated last line that
// is not a complete record.
func TestSnapshotReads(t *testing.T) {
	mtime := time.Unix(1e9, 0)
	fsys := fstest.MapFS{
		"d/a.json": {Data: []byte("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"), ModTime: mtime},
		"d/b.json": {Data: []byte("{\"n\":4}\n{\"n\":5}"), ModTime: mtime},           // complete, no newline
		"d/c.json": {Data: []byte("{\"n\":6}\n{\"n\":"), ModTime: mtime},             // torn
		"d/e.csv":  {Data: []byte("n,s\n7,\"a\"\n8,\"unterminated"), ModTime: mtime}, // torn in a quote
	}
	tb, err := OpenTable(context.Background(), fsys, "d", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A writer appends to a.json after the listing: not seen.
	fsys["d/a.json"].Data = append(fsys["d/a.json"].Data, []byte("{\"n\":100}\n")...)
	n, batches, err := readAll(t, tb, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range batches {
		for i := 0; i < int(b.NumRows()); i++ {
			got = append(got, b.Column(0).ValueStr(i))
		}
	}
	if n != 7 || strings.Join(got, ",") != "1,2,3,4,5,6,7" {
		t.Errorf("read %d rows %v, want 1..7", n, got)
	}
	// snapFile on its own: a grown file's unterminated line is torn even
	// when it parses.
	entry := fileEntry{path: "g.json", size: 15, mtime: mtime}
	grown := fstest.MapFS{"g.json": {Data: []byte("{\"n\":1}\n{\"n\":2}{\"n\":3}\n"), ModTime: mtime}}
	f, err := newSnapFS(grown, []fileEntry{entry}).Open("g.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	if string(b) != "{\"n\":1}\n" {
		t.Errorf("grown file read %q", b)
	}
}
