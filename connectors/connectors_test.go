package connectors

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/klauspost/compress/zstd"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// readAll reads every split of a table and returns the row count and batches.
func readAll(t *testing.T, tb Table, cols []int) (int64, []arrow.RecordBatch, error) {
	t.Helper()
	ctx := context.Background()
	splits, err := tb.Splits(ctx, nil)
	if err != nil {
		return 0, nil, err
	}
	var n int64
	var out []arrow.RecordBatch
	for _, s := range splits {
		r, err := tb.Open(ctx, s, cols)
		if err != nil {
			return 0, nil, err
		}
		for {
			b, err := r.Next(ctx)
			if err != nil {
				r.Close()
				return 0, nil, err
			}
			if b == nil {
				break
			}
			n += b.NumRows()
			out = append(out, b)
		}
		r.Close()
	}
	return n, out, nil
}

func sharedTPCH(t *testing.T) string {
	d := os.Getenv("LAKESQL_SHARED")
	if d == "" {
		d = filepath.Join("..", "..", "shared")
	}
	p := filepath.Join(d, "data", "tpch-sf0.01")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared TPC-H data not found at %s: skipping", p)
	}
	return p
}

func TestTPCHFiles(t *testing.T) {
	root := sharedTPCH(t)
	counts := map[string]int64{"lineitem": 60175, "orders": 15000, "customer": 1500, "part": 2000, "partsupp": 8000, "supplier": 100, "nation": 25, "region": 5}
	for _, format := range []string{"parquet", "csv", "json"} {
		fsys := os.DirFS(filepath.Join(root, format))
		for table, want := range counts {
			name := table + "." + format
			tb, err := OpenFile(context.Background(), fsys, name, Options{Cache: NewSchemaCache()})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			n, _, err := readAll(t, tb, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if n != want {
				t.Errorf("%s: %d rows, want %d", name, n, want)
			}
		}
		tb, err := OpenFile(context.Background(), fsys, "lineitem."+format, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := tb.Schema(context.Background())
		typeOf := func(name string) arrow.DataType {
			for _, f := range s.Fields() {
				if f.Name == name {
					return f.Type
				}
			}
			return nil
		}
		if !types.Equal(typeOf("l_shipdate"), types.Date) || !types.Equal(typeOf("l_orderkey"), types.Int64) {
			t.Errorf("%s: l_shipdate %v, l_orderkey %v", format, typeOf("l_shipdate"), typeOf("l_orderkey"))
		}
		// Text files' plain decimals are exact decimals, as in Parquet.
		wantQty := types.Decimal(18, 2)
		switch format {
		case "parquet":
			wantQty = types.Decimal(15, 2)
		case "json":
			wantQty = types.Decimal(18, 1) // written as 17.0
		}
		if !types.Equal(typeOf("l_quantity"), wantQty) {
			t.Errorf("%s: l_quantity is %v, want %v", format, typeOf("l_quantity"), wantQty)
		}
		// Projection returns just the requested columns.
		_, bs, err := readAll(t, tb, []int{4, 0})
		if err != nil {
			t.Fatal(err)
		}
		if bs[0].NumCols() != 2 || bs[0].Schema().Field(0).Name != "l_quantity" {
			t.Errorf("%s: projection gave %v", format, bs[0].Schema())
		}
	}
}

func TestCSVSniffing(t *testing.T) {
	fsys := fstest.MapFS{
		"pipes.csv":    {Data: []byte("a|b|c\n1|x y|2024-01-02\n2| lead|2024-01-03\n")},
		"noheader.csv": {Data: []byte("1,2.5,true\n3,4,false\n")},
		"quoted.csv":   {Data: []byte("id,text\n1,\"he said \"\"hi\"\", then\nleft\"\n2,\"\"\n3,\n")},
	}
	ctx := context.Background()
	tb, err := OpenFile(ctx, fsys, "pipes.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := tb.Schema(ctx)
	if s.NumFields() != 3 || s.Field(0).Name != "a" || !types.Equal(s.Field(0).Type, types.Int64) || !types.Equal(s.Field(2).Type, types.Date) {
		t.Errorf("pipes: %v", s)
	}
	_, bs, err := readAll(t, tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := bs[0].Column(1).ValueStr(1); got != " lead" {
		t.Errorf("leading blank lost: %q", got)
	}
	tb, err = OpenFile(ctx, fsys, "noheader.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ = tb.Schema(ctx)
	if s.Field(0).Name != "column0" || !types.Equal(s.Field(1).Type, types.Decimal(18, 1)) || !types.Equal(s.Field(2).Type, types.Bool) {
		t.Errorf("noheader: %v", s)
	}
	tb, err = OpenFile(ctx, fsys, "quoted.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, bs, err := readAll(t, tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	text := bs[0].Column(1)
	if n != 3 || text.ValueStr(0) != "he said \"hi\", then\nleft" || text.IsNull(1) || text.ValueStr(1) != "" || !text.IsNull(2) {
		t.Errorf("quoted: n=%d %q null1=%v null2=%v", n, text.ValueStr(0), text.IsNull(1), text.IsNull(2))
	}
}

func TestJSONInference(t *testing.T) {
	fsys := fstest.MapFS{"e.json": {Data: []byte(`{"id":1,"u":{"n":"a"},"tags":["x"],"v":1}
{"id":2,"u":{"n":"b","age":3},"v":2.5,"extra":"e"}
{"id":3,"tags":[],"v":"text"}
`)}}
	ctx := context.Background()
	tb, err := OpenFile(ctx, fsys, "e.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := tb.Schema(ctx)
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name+" "+types.Name(f.Type))
	}
	want := "id bigint,u record(n text, age bigint),tags text[],v text,extra text"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("schema:\n got %s\nwant %s", got, want)
	}
	n, _, err := readAll(t, tb, nil)
	if err != nil || n != 3 {
		t.Errorf("read: %d rows, %v", n, err)
	}
}

func TestCompressed(t *testing.T) {
	data := []byte("a,b\n1,x\n2,y\n")
	var gz, zs bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(data)
	w.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(data)
	zw.Close()
	fsys := fstest.MapFS{"t.csv.gz": {Data: gz.Bytes()}, "t.csv.zst": {Data: zs.Bytes()}}
	for _, name := range []string{"t.csv.gz", "t.csv.zst"} {
		tb, err := OpenFile(context.Background(), fsys, name, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n, _, err := readAll(t, tb, nil)
		if err != nil || n != 2 {
			t.Errorf("%s: %d rows, %v", name, n, err)
		}
	}
}

// Bad input gives an error that names the file (and line), never a panic.
func TestBadInput(t *testing.T) {
	root := t.TempDir()
	good, err := os.ReadFile(filepath.Join("..", "demo", "data", "sales.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "trunc.parquet"), good[:len(good)/2], 0o644)
	os.WriteFile(filepath.Join(root, "garbage.parquet"), []byte("not parquet at all"), 0o644)
	os.WriteFile(filepath.Join(root, "bad.csv"), []byte("a,b\n1,2\n3,4,5\n"), 0o644)
	os.WriteFile(filepath.Join(root, "quote.csv"), []byte("a,b\n1,\"open\n"), 0o644)
	var big strings.Builder
	big.WriteString("a\n")
	for i := 0; i < 2000; i++ {
		big.WriteString("1\n")
	}
	big.WriteString("oops\n")
	os.WriteFile(filepath.Join(root, "late.csv"), []byte(big.String()), 0o644)
	os.WriteFile(filepath.Join(root, "bad.json"), []byte("{\"a\":1}\n{\"a\":\n"), 0o644)
	fsys := os.DirFS(root)
	cases := map[string]string{
		"trunc.parquet":   "trunc.parquet",
		"garbage.parquet": "garbage.parquet",
		"bad.csv":         "line 3",
		"quote.csv":       "line 2",
		"late.csv":        "line 2002",
		"bad.json":        "line 2",
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			tb, err := OpenFile(context.Background(), fsys, name, Options{SampleRows: 1000})
			if err == nil {
				_, _, err = readAll(t, tb, nil)
			}
			if err == nil {
				t.Fatalf("%s: no error", name)
			}
			if _, ok := err.(*sqlerr.Error); !ok {
				t.Errorf("%s: error is %T, want *sqlerr.Error", name, err)
			}
			if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q should name the file and %q", name, err, want)
			}
		})
	}
}
