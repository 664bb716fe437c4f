package connectors

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// JSONTable reads newline-delimited JSON objects (or one top-level array
// of objects). Its schema is the union of the keys of a sample, in the
// order first seen; nested objects are structs, arrays are lists, and
// conflicting types widen int -> double -> text.
type JSONTable struct {
	fsys      fs.FS
	path      string
	comp      Compression
	d         *jsonDialect
	batchSize int
	size      int64 // the file's size when opened
	splitSize int64 // Options.SplitSize
	cache     *ColumnCache
	scache    *SchemaCache // where the inference is kept, to widen it
	sample    int
}

// withSchema is the dialect reading the columns as s.
func (d *jsonDialect) withSchema(s *arrow.Schema) *jsonDialect {
	return &jsonDialect{schema: s, array: d.array, lines: d.lines, sample: d.sample}
}

// jsonDialect is what inference found out about a JSON file.
type jsonDialect struct {
	schema *arrow.Schema
	array  bool // one top-level array, else newline-delimited
	// lines says that the array holds one element per line (as far as
	// the sample shows): it is read in ranges of lines too.
	lines  bool
	sample textSample

	mu     sync.Mutex
	ranges map[int64]*textRanges // by split size
	whole  fileRows              // rows, once read as one split
}

// object is a JSON object with its keys in document order.
type object struct {
	keys []string
	vals []any
}

// MaxJSONDepth bounds how deeply JSON values may nest: deeper input is an
// error (54001), never a stack overflow, in parsing, inference and reading.
const MaxJSONDepth = 1000

// maxJSONLine bounds one line of newline-delimited JSON, as PostgreSQL
// bounds one jsonb value (2^28 - 1 bytes): a longer line is an error
// (54000) before it is buffered, and parsing a line costs a few times its
// size at most.
const maxJSONLine = 1<<28 - 1

// parseValue reads one JSON value from the decoder, keeping key order.
func parseValue(dec *json.Decoder) (any, error) { return parseNested(dec, 0) }

func parseNested(dec *json.Decoder, depth int) (any, error) {
	if depth >= MaxJSONDepth {
		return nil, sqlerr.New(sqlerr.StatementTooComplex, "JSON nested more than %d levels deep", MaxJSONDepth)
	}
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			o := &object{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				ks, _ := k.(string)
				val, err := parseNested(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, ks)
				o.vals = append(o.vals, val)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			var out []any
			for dec.More() {
				val, err := parseNested(dec, depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, val)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if out == nil {
				out = []any{}
			}
			return out, nil
		}
		return nil, fmt.Errorf("unexpected %v", v)
	}
	return t, nil
}

// jtype is an inferred JSON type.
type jtype struct {
	kind   valueType // of a scalar
	obj    bool
	fields []string
	sub    map[string]*jtype
	list   bool
	elem   *jtype
	raw    bool // conflicting structure: keep the JSON text
}

// MaxNestedDepth is how deep objects and arrays of a JSON file get types
// of their own; values nested deeper are kept as JSON text (and reached
// through the same paths and operators).
const MaxNestedDepth = 64

func inferValue(v any) *jtype { return inferValueAt(v, 0) }

func inferValueAt(v any, depth int) *jtype {
	if depth > MaxNestedDepth {
		switch v.(type) {
		case *object, []any:
			return &jtype{raw: true}
		}
	}
	switch x := v.(type) {
	case nil:
		return &jtype{}
	case bool:
		return &jtype{kind: valueType{kind: kBool}}
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return &jtype{kind: valueType{kind: kInt, digits: intDigits(string(x))}}
		}
		if t, ok := decimalOf(string(x)); ok {
			return &jtype{kind: t}
		}
		return &jtype{kind: valueType{kind: kFloat}}
	case string:
		k := kText
		if len(x) == 10 && x[4] == '-' && x[7] == '-' {
			if _, err := text.ParseDate(x); err == nil {
				k = kDate
			}
		} else if len(x) >= 19 && x[4] == '-' && (x[10] == ' ' || x[10] == 'T') {
			if _, err := text.ParseTimestamp(x, nil); err == nil {
				k = kTimestamp
			}
		}
		return &jtype{kind: valueType{kind: k}}
	case *object:
		t := &jtype{obj: true, sub: map[string]*jtype{}}
		for i, k := range x.keys {
			if _, ok := t.sub[k]; !ok {
				t.fields = append(t.fields, k)
				t.sub[k] = inferValueAt(x.vals[i], depth+1)
			} else {
				t.sub[k] = mergeJ(t.sub[k], inferValueAt(x.vals[i], depth+1))
			}
		}
		return t
	case []any:
		t := &jtype{list: true, elem: &jtype{}}
		for _, e := range x {
			t.elem = mergeJ(t.elem, inferValueAt(e, depth+1))
		}
		return t
	}
	return &jtype{kind: valueType{kind: kText}}
}

func isNullType(t *jtype) bool { return !t.obj && !t.list && !t.raw && t.kind.kind == kNull }

func mergeJ(a, b *jtype) *jtype {
	switch {
	case isNullType(a):
		return b
	case isNullType(b):
		return a
	case a.raw || b.raw:
		return &jtype{raw: true}
	case a.obj && b.obj:
		out := &jtype{obj: true, sub: map[string]*jtype{}}
		for _, f := range a.fields {
			out.fields = append(out.fields, f)
			out.sub[f] = a.sub[f]
		}
		for _, f := range b.fields {
			if s, ok := out.sub[f]; ok {
				out.sub[f] = mergeJ(s, b.sub[f])
			} else {
				out.fields = append(out.fields, f)
				out.sub[f] = b.sub[f]
			}
		}
		return out
	case a.list && b.list:
		return &jtype{list: true, elem: mergeJ(a.elem, b.elem)}
	case a.obj || b.obj || a.list || b.list:
		return &jtype{raw: true}
	}
	return &jtype{kind: merge(a.kind, b.kind)}
}

func (t *jtype) arrowType() arrow.DataType {
	switch {
	case t.raw:
		return types.String
	case t.obj:
		fs := make([]arrow.Field, len(t.fields))
		for i, f := range t.fields {
			fs[i] = arrow.Field{Name: f, Type: t.sub[f].arrowType(), Nullable: true}
			if t.sub[f].raw {
				fs[i] = types.RawJSONField(f) // its values are JSON text
			}
		}
		if len(fs) == 0 {
			return types.String
		}
		return arrow.StructOf(fs...)
	case t.list:
		if t.elem.raw {
			return arrow.ListOfField(arrow.Field{Name: types.RawJSONElem, Type: types.String, Nullable: true})
		}
		return types.List(t.elem.arrowType())
	case t.kind.kind == kNull:
		return types.String
	}
	return kindType(t.kind)
}

func openJSON(ctx context.Context, fsys fs.FS, p string, comp Compression, opts Options) (Table, error) {
	d, err := cached(opts.Cache, fsys, p, opts.sampleRows(), func() (*jsonDialect, error) {
		infer := func() (*jsonDialect, error) { return inferJSON(fsys, p, comp, opts.sampleRows()) }
		if opts.Columns == nil {
			return infer()
		}
		return opts.Columns.jsonInference(fsys, p, comp, opts, infer)
	})
	if err != nil {
		return nil, err
	}
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, fileErr(p, err)
	}
	return &JSONTable{fsys: fsys, path: p, comp: comp, d: d, batchSize: opts.batchSize(), size: st.Size(), splitSize: opts.SplitSize, cache: opts.Columns,
		scache: opts.Cache, sample: opts.sampleRows()}, nil
}

// rowSource yields the top-level objects of a JSON file with their line.
type rowSource struct {
	path   string
	br     *bufio.Reader
	line   int
	array  *json.Decoder // set for a top-level array
	closed bool
	// maxLine bounds one line (maxJSONLine; tests make it small).
	maxLine int
}

func newRowSource(r io.Reader, path string) (*rowSource, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	rs := &rowSource{path: path, br: br, maxLine: maxJSONLine}
	// Peek the first non-space byte: '[' means one array of objects.
	for {
		b, err := br.Peek(1)
		if err != nil {
			return rs, nil
		}
		if b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t' {
			br.ReadByte()
			if b[0] == '\n' {
				rs.line++
			}
			continue
		}
		if b[0] == '[' {
			dec := json.NewDecoder(br)
			dec.UseNumber()
			if _, err := dec.Token(); err != nil {
				return nil, jsonErr(path, 1, err)
			}
			rs.array = dec
		}
		return rs, nil
	}
}

func jsonErr(path string, line int, err error) error {
	code := "22P04"
	if e, ok := err.(*sqlerr.Error); ok {
		if e.Code == sqlerr.CharacterNotInRepertoire {
			return e // names the file and line already
		}
		code = e.Code // a limit (54000, 54001), not bad JSON
	}
	return sqlerr.New(code, "invalid JSON in file \"%s\" at line %d: %v", path, line, err)
}

// readLine reads one line, refusing one longer than max.
func readLine(br *bufio.Reader, path string, line, max int) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(out)+len(chunk) > max {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "line %d of file \"%s\" is longer than %d bytes", line, path, max)
		}
		out = append(out, chunk...)
		if err != bufio.ErrBufferFull {
			return out, err
		}
	}
}

// next returns the next object (nil at the end).
func (rs *rowSource) next() (*object, error) {
	if rs.array != nil {
		if !rs.array.More() {
			return nil, nil
		}
		v, err := parseValue(rs.array)
		if err != nil {
			return nil, jsonErr(rs.path, 1, err)
		}
		o, ok := v.(*object)
		if !ok {
			return nil, jsonErr(rs.path, 1, fmt.Errorf("array element is not an object"))
		}
		return o, nil
	}
	for {
		line, err := readLine(rs.br, rs.path, rs.line+1, rs.maxLine)
		if _, limit := err.(*sqlerr.Error); limit {
			return nil, err
		}
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				return nil, nil
			}
			return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not read file \"%s\"", rs.path)
		}
		rs.line++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			if err == io.EOF {
				return nil, nil
			}
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		v, perr := parseValue(dec)
		if perr != nil {
			return nil, jsonErr(rs.path, rs.line, perr)
		}
		if dec.More() {
			return nil, jsonErr(rs.path, rs.line, fmt.Errorf("more than one value on the line"))
		}
		o, ok := v.(*object)
		if !ok {
			return nil, jsonErr(rs.path, rs.line, fmt.Errorf("not an object"))
		}
		return o, nil
	}
}

// InferJSON infers the schema of a JSON file from its first rows.
func InferJSON(fsys fs.FS, p string, comp Compression, sampleRows int) (*arrow.Schema, error) {
	d, err := inferJSON(fsys, p, comp, sampleRows)
	if err != nil {
		return nil, err
	}
	return d.schema, nil
}

func inferJSON(fsys fs.FS, p string, comp Compression, sampleRows int) (*jsonDialect, error) {
	rc, err := openStream(fsys, p, comp)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	counted := &countingReader{r: rc}
	rs, err := newRowSource(counted, p)
	if err != nil {
		return nil, err
	}
	d := &jsonDialect{array: rs.array != nil, schema: arrow.NewSchema(nil, nil)}
	if d.array && comp == NoCompression {
		d.lines = elementPerLine(fsys, p)
	}
	t := &jtype{}
	var objs []*object
	n := 0
	for ; n < sampleRows; n++ {
		o, err := rs.next()
		if err != nil {
			return nil, err
		}
		if o == nil {
			break
		}
		t = mergeJ(t, inferValue(o))
		objs = append(objs, o)
	}
	if n > 0 {
		d.sample.rowBytes = float64(counted.n-int64(rs.br.Buffered())) / float64(n)
	}
	if n == sampleRows && !d.array {
		// Lines from the end of a big file: late values and the range of
		// keys in sorted files.
		for _, o := range tailObjects(fsys, p, comp, sampleRows) {
			t = mergeJ(t, inferValue(o))
			objs = append(objs, o)
		}
	}
	if !t.obj {
		return d, nil
	}
	st, ok := t.arrowType().(*arrow.StructType)
	if !ok {
		return d, nil // only empty objects: no columns
	}
	d.schema = arrow.NewSchema(st.Fields(), nil)
	d.sample.ints = jsonIntSpans(d.schema, objs)
	return d, nil
}

// elementPerLine reports whether the first megabyte of an array file
// holds one element per line (after the opening bracket, each line an
// object with its comma, the last one with the closing bracket), so that
// the file can be read in ranges of lines.
func elementPerLine(fsys fs.FS, p string) bool {
	f, err := fsys.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return false
	}
	if len(head) == 1<<20 {
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i] // the last line may be cut
		}
	}
	n, first := 0, true
	for _, line := range bytes.Split(head, []byte{'\n'}) {
		t, ok := arrayLine(line, first)
		if !ok {
			return false
		}
		if len(t) > 0 || len(bytes.TrimSpace(line)) > 0 {
			first = false
		}
		if len(t) == 0 {
			continue
		}
		if t[0] != '{' || !json.Valid(t) {
			return false
		}
		n++
	}
	return n > 0
}

// arrayLine is the element on a line of an array file with one element
// per line: the line without its space, the array's opening bracket (on
// the first line), its closing bracket and the element's comma.
func arrayLine(line []byte, first bool) ([]byte, bool) {
	t := bytes.TrimSpace(line)
	if first && len(t) > 0 && t[0] == '[' {
		t = bytes.TrimSpace(t[1:])
	}
	if len(t) > 0 && t[len(t)-1] == ']' {
		t = bytes.TrimSpace(t[:len(t)-1])
	}
	if len(t) > 0 && t[len(t)-1] == ',' {
		t = bytes.TrimSpace(t[:len(t)-1])
	}
	return t, true
}

// tailObjects parses the whole lines of the last bytes of a big
// uncompressed file that can be read at any offset (nil if none do).
func tailObjects(fsys fs.FS, p string, comp Compression, max int) []*object {
	if comp != NoCompression {
		return nil
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	st, err := f.Stat()
	if !ok || err != nil || st.Size() < 4<<20 {
		return nil
	}
	buf := make([]byte, 256<<10)
	if n, _ := ra.ReadAt(buf, st.Size()-int64(len(buf))); n < len(buf) {
		return nil
	}
	i := bytes.IndexByte(buf, '\n')
	if i < 0 {
		return nil
	}
	rs, err := newRowSource(bytes.NewReader(buf[i+1:]), p)
	if err != nil {
		return nil
	}
	var out []*object
	for len(out) < max {
		o, err := rs.next()
		if err != nil || o == nil {
			break
		}
		out = append(out, o)
	}
	return out
}

// jsonIntSpans is the smallest and largest value of each top-level
// integer column in the sampled objects.
func jsonIntSpans(schema *arrow.Schema, objs []*object) []ColumnStats {
	out := make([]ColumnStats, schema.NumFields())
	for c, f := range schema.Fields() {
		if f.Type.ID() != arrow.INT64 {
			continue
		}
		lo, hi, seen := int64(math.MaxInt64), int64(math.MinInt64), false
		for _, o := range objs {
			for k, key := range o.keys {
				if key != f.Name {
					continue
				}
				if num, ok := o.vals[k].(json.Number); ok {
					if v, err := strconv.ParseInt(string(num), 10, 64); err == nil {
						lo, hi, seen = min(lo, v), max(hi, v), true
					}
				}
				break
			}
		}
		if seen {
			out[c] = ColumnStats{Min: scalar.NewInt64Scalar(lo), Max: scalar.NewInt64Scalar(hi)}
		}
	}
	return out
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (t *JSONTable) Schema(ctx context.Context) (*arrow.Schema, error) { return t.d.schema, nil }

// Splits divides an uncompressed newline-delimited file into byte ranges
// of whole lines; a compressed file, or one top-level array, is one split.
func (t *JSONTable) Splits(ctx context.Context, filter Filter) ([]Split, error) {
	ranges := t.ranges
	if t.d.array && !t.d.lines {
		ranges = nil // read as one stream
	}
	splits, err := textSplits(t.fsys, t.path, t.comp, ranges)
	if err != nil {
		return nil, err
	}
	return t.cache.prune(ctx, t.cacheKey(), splits, filter, t.d.schema), nil
}

// cacheKey names the file's entries in the column cache ("" for none).
func (t *JSONTable) cacheKey() string {
	if t.cache == nil {
		return ""
	}
	k, _ := t.cache.textKey("json", t.fsys, t.path, t.comp, fmt.Sprintf("array=%v lines=%v", t.d.array, t.d.lines), t.d.schema)
	return k
}

// ranges returns the byte ranges of the file, shared by every table of
// this file version.
func (t *JSONTable) ranges() *textRanges {
	t.d.mu.Lock()
	defer t.d.mu.Unlock()
	r := t.d.ranges[t.splitSize]
	if r == nil {
		if t.d.ranges == nil {
			t.d.ranges = map[int64]*textRanges{}
		}
		r = newTextRanges(t.path, t.size, t.splitSize, 0, false)
		t.d.ranges[t.splitSize] = r
	}
	return r
}

func (t *JSONTable) Open(ctx context.Context, split Split, columns []int) (batch.Reader, error) {
	s, ok := split.(*textSplit)
	if !ok || s.path != t.path {
		return nil, sqlerr.New(sqlerr.InternalError, "split %v is not of file \"%s\"", split, t.path)
	}
	if columns == nil {
		columns = allColumns(t.d.schema.NumFields())
	}
	for _, c := range columns {
		if c < 0 || c >= t.d.schema.NumFields() {
			return nil, sqlerr.New(sqlerr.InternalError, "column %d out of range for \"%s\"", c, t.path)
		}
	}
	if key := t.cacheKey(); key != "" {
		return t.cache.open(ctx, key, s, t.d.schema, columns, func(cols []int) batch.Reader { return t.newReader(s, cols) }), nil
	}
	return t.newReader(s, columns), nil
}

// Stats estimates the rows from the file's size and the bytes an object
// of the sample takes, until scans have read the whole file: then they
// are the rows read.
func (t *JSONTable) Stats(ctx context.Context) (Stats, error) {
	st, err := textStats(t.fsys, t.path, t.comp, t.d.schema, t.d.sample, true)
	ranges := t.ranges
	if t.d.array && !t.d.lines {
		ranges = nil
	}
	if n, ok := countedRows(t.comp, &t.d.whole, ranges); ok && err == nil {
		st.Rows = n // counted by a scan that read the file whole
	}
	return st, err
}

func (t *JSONTable) rowCounter(s *textSplit) func(int64) { return rowCounter(s, &t.d.whole, t.ranges) }
