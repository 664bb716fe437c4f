package connectors

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/types"
)

// referenceCSV reads data record by record with the line scanner that
// inference uses, as the reader did before it was split in ranges: the
// rows as text (nil for NULL), or the error.
func referenceCSV(data []byte, delim byte, header bool, ncol int) ([][]*string, error) {
	s := newCSVScanner(bytes.NewReader(data), delim, "f.csv")
	if header {
		if _, err := s.read(nil); err != nil {
			return nil, err
		}
	}
	var rows [][]*string
	for {
		fields, err := s.read(nil)
		if err != nil {
			return rows, err
		}
		if fields == nil {
			return rows, nil
		}
		if len(fields) == 1 && fields[0].s == "" && !fields[0].quoted && ncol > 1 {
			continue
		}
		if len(fields) != ncol {
			return rows, fmt.Errorf("file \"f.csv\" line %d: expected %d fields, found %d", s.line, ncol, len(fields))
		}
		row := make([]*string, ncol)
		for i, f := range fields {
			if f.s != "" || f.quoted {
				v := f.s
				row[i] = &v
			}
		}
		rows = append(rows, row)
	}
}

// textTable is a CSV table over data with ncol text columns, read in
// ranges of splitSize bytes and batches of batchSize rows.
func textTable(data []byte, delim byte, header bool, ncol int, splitSize int64, batchSize int) *CSVTable {
	fields := make([]arrow.Field, ncol)
	for i := range fields {
		fields[i] = arrow.Field{Name: fmt.Sprintf("c%d", i), Type: types.String, Nullable: true}
	}
	d := &csvDialect{delim: delim, header: header, schema: arrow.NewSchema(fields, nil)}
	fsys := fstest.MapFS{"f.csv": {Data: data}}
	return &CSVTable{fsys: fsys, path: "f.csv", d: d, batchSize: batchSize, size: int64(len(data)), splitSize: splitSize}
}

// readRows reads every split in order, returning the rows as text, or
// the first error.
func readRows(tb Table, cols []int) ([][]*string, error) {
	ctx := context.Background()
	splits, err := tb.Splits(ctx, nil)
	if err != nil {
		return nil, err
	}
	var rows [][]*string
	for _, s := range splits {
		r, err := tb.Open(ctx, s, cols)
		if err != nil {
			return rows, err
		}
		for {
			b, err := r.Next(ctx)
			if err != nil {
				r.Close()
				return rows, err
			}
			if b == nil {
				break
			}
			for i := 0; i < int(b.NumRows()); i++ {
				row := make([]*string, b.NumCols())
				for c := range row {
					col := b.Column(c)
					if !col.IsNull(i) {
						v := col.ValueStr(i)
						row[c] = &v
					}
				}
				rows = append(rows, row)
			}
		}
		r.Close()
	}
	return rows, nil
}

func showRows(rows [][]*string) string {
	var sb strings.Builder
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				sb.WriteByte('|')
			}
			if v == nil {
				sb.WriteString("NULL")
			} else {
				fmt.Fprintf(&sb, "%q", *v)
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// checkSplits compares reading data in ranges of every size with the
// reference reader: the same rows in the same order, or the same error.
func checkSplits(t *testing.T, data []byte, delim byte, header bool, ncol int, batchSizes ...int) {
	t.Helper()
	want, wantErr := referenceCSV(data, delim, header, ncol)
	sizes := []int64{0}
	for s := int64(1); s <= int64(len(data))+1; s++ {
		sizes = append(sizes, s)
	}
	for _, size := range sizes {
		for _, bs := range batchSizes {
			got, err := readRows(textTable(data, delim, header, ncol, size, bs), nil)
			if (err == nil) != (wantErr == nil) || (err != nil && !strings.Contains(err.Error(), wantErr.Error())) {
				t.Fatalf("split size %d batch %d: error %v, want %v\ninput %q", size, bs, err, wantErr, data)
			}
			if err != nil {
				continue // the rows before an error are not compared
			}
			if g, w := showRows(got), showRows(want); g != w {
				t.Fatalf("split size %d batch %d:\n got %s\nwant %s\ninput %q", size, bs, g, w, data)
			}
		}
	}
}

// Quoted fields holding newlines, delimiters and quotes, cut at every
// byte: a range that starts inside quotes (even inside a "" pair, or
// between CR and LF) yields exactly its own rows.
func TestCSVRangesAdversarial(t *testing.T) {
	for _, data := range []string{
		"a,b\n1,\"x\ny\"\n2,\"\"\"\n\"\"\"\n3,z\n",
		"a,b\n1,\"\n2,x\n3,y\n4,z\n\"\n5,w\n",                // a quoted field that looks like rows
		"a,b\r\n1,\"x\r\ny\"\r\n2,\"p,q\"\r\n",               // CR LF, inside quotes too
		"a,b\n1,x\"y\n2,\"q\"tail\n3,\"\"\n4,\n",             // quotes inside unquoted fields, text after a closing quote
		"a,b\n\n1,2\n\n\n3,4\n",                              // blank lines
		"a,b\n1,\"\"\"\"\"\"\n2,\"a\"\"\nb\"\n",              // runs of quotes
		"a,b\n1,\"open\n2,x\n",                               // unterminated
		"a,b\n1,2\n3,4,5\n6,7\n",                             // a bad row
		"a,b\n1,2",                                           // no final newline
		"a,b\n1,\"x\n\n\ny\"\n",                              // empty lines inside quotes
		"a,b\n\"x\"\"\n\",2\n\"\n\"\"\",3\n",                 // records that start with quotes
		"a\n1\n\n2\n",                                        // one column: a blank line is NULL
		"a,b\n1,\"q\",\n",                                    // more fields than columns after quotes
		"a,b\n1,\"a\nb\"\"\nc\"\"\"\n2,\"\"\"\"\n3,\"\n\"\n", // quotes and newlines together
	} {
		ncol := strings.Count(data[:strings.IndexByte(data, '\n')], ",") + 1
		checkSplits(t, []byte(data), ',', true, ncol, 1, 3, 4096)
	}
}

// Random files of quoted and unquoted fields (and some malformed ones),
// read at every split size, agree with the reference.
func TestCSVRangesRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for iter := 0; iter < 200; iter++ {
		data, ncol := randomCSV(rng, iter%10 == 0)
		checkSplits(t, data, ',', iter%2 == 0, ncol, 2)
	}
}

func randomCSV(rng *rand.Rand, malformed bool) ([]byte, int) {
	ncol := 1 + rng.Intn(3)
	alpha := []byte("ab,\"\n\r |")
	var b bytes.Buffer
	rows := rng.Intn(8)
	for r := 0; r < rows; r++ {
		n := ncol
		if malformed && rng.Intn(4) == 0 {
			n = 1 + rng.Intn(4)
		}
		if rng.Intn(8) == 0 {
			b.WriteString("\n") // a blank line
		}
		for c := 0; c < n; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			k := rng.Intn(5)
			v := make([]byte, k)
			for i := range v {
				v[i] = alpha[rng.Intn(len(alpha))]
			}
			switch {
			case malformed && rng.Intn(3) == 0:
				b.Write(v) // anything goes
			case rng.Intn(2) == 0 || bytes.ContainsAny(v, ",\n\r"):
				b.WriteByte('"')
				b.Write(bytes.ReplaceAll(v, []byte{'"'}, []byte{'"', '"'}))
				b.WriteByte('"')
			default:
				if len(v) > 0 && v[0] == '"' {
					v[0] = 'a'
				}
				b.Write(bytes.ReplaceAll(v, []byte{'"'}, []byte{'a'}))
			}
		}
		if rng.Intn(3) == 0 {
			b.WriteByte('\r')
		}
		if r < rows-1 || rng.Intn(2) == 0 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), ncol
}

// Projections read only some columns; the rest are counted, not parsed.
func TestCSVRangesProjection(t *testing.T) {
	data := []byte("a,b,c\n1,\"x,\ny\",3\n4,,\"6\"\n7,\"\"\"\",9\n")
	tb := textTable(data, ',', true, 3, 5, 2)
	for _, cols := range [][]int{{2}, {0}, {2, 0}, {}, {1, 1}} {
		got, err := readRows(tb, cols)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := referenceCSV(data, ',', true, 3)
		want := make([][]*string, len(all))
		for i, r := range all {
			want[i] = make([]*string, len(cols))
			for j, c := range cols {
				want[i][j] = r[c]
			}
		}
		if g, w := showRows(got), showRows(want); g != w || len(got) != 3 {
			t.Errorf("columns %v:\n got %s\nwant %s", cols, g, w)
		}
	}
}

// FuzzCSVRanges compares the ranged reader with the reference on any
// input, cut at a fuzzed split size.
func FuzzCSVRanges(f *testing.F) {
	f.Add([]byte("a,b\n1,\"x\ny\"\n2,\"\"\"\n\"\"\"\n"), uint8(3), true)
	f.Add([]byte("a,b\r\n1,\"x\r\ny\"\r\n"), uint8(1), false)
	f.Fuzz(func(t *testing.T, data []byte, size uint8, header bool) {
		if len(data) > 512 {
			return
		}
		for _, c := range data {
			if c == 0 || c >= 0x80 {
				return // text checks are tested elsewhere
			}
		}
		ncol := 2
		want, wantErr := referenceCSV(data, ',', header, ncol)
		got, err := readRows(textTable(data, ',', header, ncol, int64(size), 3), nil)
		if (err == nil) != (wantErr == nil) || (err != nil && !strings.Contains(err.Error(), wantErr.Error())) {
			t.Fatalf("error %v, want %v", err, wantErr)
		}
		if err != nil {
			return
		}
		if g, w := showRows(got), showRows(want); g != w {
			t.Fatalf("got %s\nwant %s", g, w)
		}
	})
}

// A file quoted with ' (and no ") is sniffed as such, and read in
// ranges of every size with its quoted delimiters and newlines.
func TestCSVSingleQuotes(t *testing.T) {
	data := []byte("id,name,note\n1,'a, b',x\n2,'it''s',y\n3,c,'two\nlines'\n4,O'Brien,z\n")
	want := "1|a, b|x;2|it's|y;3|c|two\nlines;4|O'Brien|z"
	for size := int64(0); size <= int64(len(data)); size++ {
		tb, err := OpenFile(context.Background(), fstest.MapFS{"q.csv": {Data: data}}, "q.csv", Options{SplitSize: size, BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := pgRows(t, tb, nil)
		if err != nil || strings.Join(rows, ";") != want {
			t.Fatalf("split size %d: %q %v", size, rows, err)
		}
	}
}
