package connectors

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

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
	schema    *arrow.Schema
	batchSize int
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
	kind   colKind // kNull, kBool, kInt, kFloat, kDate, kTimestamp, kText
	obj    bool
	fields []string
	sub    map[string]*jtype
	list   bool
	elem   *jtype
	raw    bool // conflicting structure: keep the JSON text
}

func inferValue(v any) *jtype {
	switch x := v.(type) {
	case nil:
		return &jtype{kind: kNull}
	case bool:
		return &jtype{kind: kBool}
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return &jtype{kind: kInt}
		}
		return &jtype{kind: kFloat}
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
		return &jtype{kind: k}
	case *object:
		t := &jtype{obj: true, sub: map[string]*jtype{}}
		for i, k := range x.keys {
			if _, ok := t.sub[k]; !ok {
				t.fields = append(t.fields, k)
				t.sub[k] = inferValue(x.vals[i])
			} else {
				t.sub[k] = mergeJ(t.sub[k], inferValue(x.vals[i]))
			}
		}
		return t
	case []any:
		t := &jtype{list: true, elem: &jtype{kind: kNull}}
		for _, e := range x {
			t.elem = mergeJ(t.elem, inferValue(e))
		}
		return t
	}
	return &jtype{kind: kText}
}

func isNullType(t *jtype) bool { return !t.obj && !t.list && !t.raw && t.kind == kNull }

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
		}
		if len(fs) == 0 {
			return types.String
		}
		return arrow.StructOf(fs...)
	case t.list:
		return types.List(t.elem.arrowType())
	case t.kind == kNull:
		return types.String
	}
	return kindType(t.kind)
}

func openJSON(ctx context.Context, fsys fs.FS, p string, comp Compression, opts Options) (Table, error) {
	s, err := cached(opts.Cache, fsys, p, opts.sampleRows(), func() (*arrow.Schema, error) { return InferJSON(fsys, p, comp, opts.sampleRows()) })
	if err != nil {
		return nil, err
	}
	return &JSONTable{fsys: fsys, path: p, comp: comp, schema: s, batchSize: opts.batchSize()}, nil
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
	rc, err := openStream(fsys, p, comp)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	rs, err := newRowSource(rc, p)
	if err != nil {
		return nil, err
	}
	t := &jtype{kind: kNull}
	for i := 0; i < sampleRows; i++ {
		o, err := rs.next()
		if err != nil {
			return nil, err
		}
		if o == nil {
			break
		}
		t = mergeJ(t, inferValue(o))
	}
	if !t.obj {
		return arrow.NewSchema(nil, nil), nil
	}
	st, ok := t.arrowType().(*arrow.StructType)
	if !ok {
		return arrow.NewSchema(nil, nil), nil // only empty objects: no columns
	}
	return arrow.NewSchema(st.Fields(), nil), nil
}

func (t *JSONTable) Schema(ctx context.Context) (*arrow.Schema, error) { return t.schema, nil }

func (t *JSONTable) Splits(ctx context.Context, filter Filter) ([]Split, error) {
	return wholeFile(t.fsys, t.path)
}

func (t *JSONTable) Open(ctx context.Context, split Split, columns []int) (batch.Reader, error) {
	rc, err := openStream(t.fsys, t.path, t.comp)
	if err != nil {
		return nil, err
	}
	rs, err := newRowSource(checkedText(rc, t.path), t.path)
	if err != nil {
		rc.Close()
		return nil, err
	}
	if columns == nil {
		columns = make([]int, t.schema.NumFields())
		for i := range columns {
			columns[i] = i
		}
	}
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = t.schema.Field(c)
	}
	return &jsonReader{rc: rc, rs: rs, schema: arrow.NewSchema(fields, nil), batch: t.batchSize, path: t.path}, nil
}

type jsonReader struct {
	rc     io.ReadCloser
	rs     *rowSource
	schema *arrow.Schema
	batch  int
	path   string
	done   bool
}

func (r *jsonReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.done {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, sqlerr.Canceled(err)
	}
	builders := make([]array.Builder, r.schema.NumFields())
	for i, f := range r.schema.Fields() {
		builders[i] = array.NewBuilder(memory.DefaultAllocator, f.Type)
	}
	n := 0
	for n < r.batch {
		o, err := r.rs.next()
		if err != nil {
			return nil, err
		}
		if o == nil {
			r.done = true
			break
		}
		for i, f := range r.schema.Fields() {
			var v any
			found := false
			for k, key := range o.keys {
				if key == f.Name {
					v, found = o.vals[k], true
					break
				}
			}
			if !found {
				builders[i].AppendNull()
				continue
			}
			if err := appendJSON(builders[i], v); err != nil {
				code := sqlerr.InvalidTextRepresentation
				if e, ok := err.(*sqlerr.Error); ok {
					code = e.Code
				}
				return nil, sqlerr.New(code, "file \"%s\" line %d key \"%s\": %v", r.path, r.rs.line, f.Name, err)
			}
		}
		n++
	}
	if n == 0 {
		return nil, nil
	}
	cols := make([]arrow.Array, len(builders))
	for i, b := range builders {
		cols[i] = b.NewArray()
		b.Release()
	}
	return array.NewRecordBatch(r.schema, cols, int64(n)), nil
}

// appendJSON appends a decoded JSON value to a builder of the inferred type.
func appendJSON(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch bb := b.(type) {
	case *array.StringBuilder:
		switch x := v.(type) {
		case string:
			if strings.IndexByte(x, 0) >= 0 {
				e := sqlerr.New(sqlerr.UntranslatableCharacter, "unsupported Unicode escape sequence")
				e.Detail = "\\u0000 cannot be converted to text."
				return e
			}
			bb.Append(x)
		case json.Number:
			bb.Append(string(x))
		case bool:
			bb.Append(strconv.FormatBool(x))
		default:
			bb.Append(jsonText(v))
		}
	case *array.Int64Builder:
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("expected a number")
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return err
		}
		bb.Append(i)
	case *array.Float64Builder:
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("expected a number")
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return err
		}
		bb.Append(f)
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return fmt.Errorf("expected a boolean")
		}
		bb.Append(x)
	case *array.Date32Builder:
		s, _ := v.(string)
		d, err := text.ParseDate(s)
		if err != nil {
			return err
		}
		bb.Append(arrow.Date32(d))
	case *array.TimestampBuilder:
		s, _ := v.(string)
		d, err := text.ParseTimestamp(s, nil)
		if err != nil {
			return err
		}
		bb.Append(arrow.Timestamp(d))
	case *array.StructBuilder:
		o, ok := v.(*object)
		if !ok {
			return fmt.Errorf("expected an object")
		}
		bb.Append(true)
		st := bb.Type().(*arrow.StructType)
		for i, f := range st.Fields() {
			var fv any
			for k, key := range o.keys {
				if key == f.Name {
					fv = o.vals[k]
				}
			}
			if err := appendJSON(bb.FieldBuilder(i), fv); err != nil {
				return err
			}
		}
	case *array.ListBuilder:
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("expected an array")
		}
		bb.Append(true)
		for _, e := range l {
			if err := appendJSON(bb.ValueBuilder(), e); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unsupported type %s", b.Type())
	}
	return nil
}

// jsonText renders a decoded value back as JSON text.
func jsonText(v any) string {
	switch x := v.(type) {
	case *object:
		var sb strings.Builder
		sb.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			sb.Write(kb)
			sb.WriteByte(':')
			sb.WriteString(jsonText(x.vals[i]))
		}
		sb.WriteByte('}')
		return sb.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsonText(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case json.Number:
		return string(x)
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (r *jsonReader) Close() error {
	if r.rc != nil {
		err := r.rc.Close()
		r.rc = nil
		return err
	}
	return nil
}

// Stats estimates the rows from the file's size.
func (t *JSONTable) Stats(ctx context.Context) (Stats, error) {
	return textStats(t.fsys, t.path, t.comp, t.schema, true)
}
