package connectors

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// The column cache also keeps what inference found out about each file
// version (dialect, schema, sample statistics), so that a restarted
// server reads a file's cached columns without sampling the file again.
// A widening replaces it.

// storedInference is an inference as the cache keeps it.
type storedInference struct {
	Delim    byte
	Quote    byte
	Header   bool
	Skip     int
	Array    bool
	Lines    bool
	RowBytes float64
	Ints     []*[2]int64 // per column: the sampled integers' range
	Schema   []byte      // an Arrow IPC stream of the schema
}

// inferencePath is where the inference of file p read as format (with
// the sample size and format options of opts) is kept; "" when it cannot
// be named.
func (c *ColumnCache) inferencePath(format string, fsys fs.FS, p string, comp Compression, opts Options) string {
	if c == nil {
		return ""
	}
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return ""
	}
	tag := ""
	if opts.Cache != nil {
		tag = opts.Cache.tag
	}
	h := sha256.New()
	fmt.Fprintf(h, "infer-v2\x00%s\x00%s\x00%s\x00%d\x00%d\x00%d\x00%d\x00%s", c.root, format, p, st.Size(), st.ModTime().UnixNano(), comp, opts.sampleRows(), tag)
	k := hex.EncodeToString(h.Sum(nil)[:16])
	return filepath.Join(c.dir, "infer", k[:2], k+".json")
}

func (c *ColumnCache) loadInference(path string) (*storedInference, *arrow.Schema, bool) {
	if path == "" {
		return nil, nil, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, false
	}
	var s storedInference
	if json.Unmarshal(b, &s) != nil {
		return nil, nil, false
	}
	r, err := ipc.NewReader(bytes.NewReader(s.Schema))
	if err != nil {
		return nil, nil, false
	}
	defer r.Release()
	return &s, r.Schema(), true
}

func (c *ColumnCache) saveInference(path string, s *storedInference, schema *arrow.Schema) {
	if path == "" {
		return
	}
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	if w.Close() != nil {
		return
	}
	s.Schema = buf.Bytes()
	b, err := json.Marshal(s)
	if err != nil || os.MkdirAll(filepath.Dir(path), 0o700) != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
		os.Remove(f.Name())
	}
}

func storedInts(ints []ColumnStats) []*[2]int64 {
	out := make([]*[2]int64, len(ints))
	for i, c := range ints {
		lo, ok1 := c.Min.(*scalar.Int64)
		hi, ok2 := c.Max.(*scalar.Int64)
		if ok1 && ok2 {
			out[i] = &[2]int64{lo.Value, hi.Value}
		}
	}
	return out
}

func loadedInts(ints []*[2]int64) []ColumnStats {
	if ints == nil {
		return nil
	}
	out := make([]ColumnStats, len(ints))
	for i, r := range ints {
		if r != nil {
			out[i] = ColumnStats{Min: scalar.NewInt64Scalar(r[0]), Max: scalar.NewInt64Scalar(r[1])}
		}
	}
	return out
}

// csvInference returns the kept inference of a CSV file, or infers it
// and keeps it.
func (c *ColumnCache) csvInference(fsys fs.FS, p string, comp Compression, opts Options, infer func() (*csvDialect, error)) (*csvDialect, error) {
	path := c.inferencePath("csv", fsys, p, comp, opts)
	if s, schema, ok := c.loadInference(path); ok {
		return &csvDialect{delim: s.Delim, quote: s.Quote, header: s.Header, skip: s.Skip, schema: schema,
			sample: textSample{rowBytes: s.RowBytes, ints: loadedInts(s.Ints)}}, nil
	}
	d, err := infer()
	if err == nil {
		c.keepCSV(path, d)
	}
	return d, err
}

func (c *ColumnCache) keepCSV(path string, d *csvDialect) {
	if c == nil {
		return
	}
	c.saveInference(path, &storedInference{Delim: d.delim, Quote: d.quote, Header: d.header, Skip: d.skip, RowBytes: d.sample.rowBytes, Ints: storedInts(d.sample.ints)}, d.schema)
}

// jsonInference returns the kept inference of a JSON file, or infers it
// and keeps it.
func (c *ColumnCache) jsonInference(fsys fs.FS, p string, comp Compression, opts Options, infer func() (*jsonDialect, error)) (*jsonDialect, error) {
	path := c.inferencePath("json", fsys, p, comp, opts)
	if s, schema, ok := c.loadInference(path); ok {
		return &jsonDialect{schema: schema, array: s.Array, lines: s.Lines,
			sample: textSample{rowBytes: s.RowBytes, ints: loadedInts(s.Ints)}}, nil
	}
	d, err := infer()
	if err == nil {
		c.keepJSON(path, d)
	}
	return d, err
}

func (c *ColumnCache) keepJSON(path string, d *jsonDialect) {
	if c == nil {
		return
	}
	c.saveInference(path, &storedInference{Array: d.array, Lines: d.lines, RowBytes: d.sample.rowBytes, Ints: storedInts(d.sample.ints)}, d.schema)
}
