package connectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// jsonReader reads the objects of one split of a JSON file (lines of
// newline-delimited JSON, or the elements of a top-level array) straight
// into typed columns: keys are matched to columns without building any
// value, and the values of columns not read are skipped.
type jsonReader struct {
	textSource
	t      *JSONTable
	schema *arrow.Schema
	batch  int
	// maxLine bounds a line (maxJSONLine; tests make it small).
	maxLine int

	cols       []jsonColumn
	schemaCols []int            // the table's column of each output column
	index      map[string][]int // key -> output columns
	seen       []uint32         // per output column: the row it last got a value in
	row        uint32
	// The keys met at each position of the last object, and their
	// columns: objects of one file mostly list their keys in one order.
	posKey   [][]byte
	posCols  [][]int
	posPlain []bool // the key had no escapes: its bytes can be compared as they are
	keyBuf   []byte

	array   int  // 0: lines; 1: before '['; 2: in the array; 3: after it
	element bool // an element was read and no comma yet
	opened  bool // the array's opening line was read (ranges of lines)
	lines   []int64
	started bool
	done    bool
	// lineBase is the line number of the split's first byte, found on
	// demand (only messages need it).
	lineBase int64
}

// jsonColumn receives one top-level key's values: a flat column, or a
// nested one built with an Arrow builder.
type jsonColumn struct {
	name string
	flat *colBuf
	nest array.Builder
	raw  bool // values of mixed types, kept as JSON text
}

func (t *JSONTable) newReader(split *textSplit, columns []int) *jsonReader {
	fields := make([]arrow.Field, len(columns))
	r := &jsonReader{t: t, batch: t.batchSize, maxLine: maxJSONLine, index: map[string][]int{}, seen: make([]uint32, len(columns)), schemaCols: columns}
	r.textSource = textSource{path: t.path, split: split, end: math.MaxInt64, line: 1}
	r.counted = t.rowCounter(split)
	r.cols = make([]jsonColumn, len(columns))
	for i, c := range columns {
		f := t.d.schema.Field(c)
		fields[i] = f
		r.cols[i].name = f.Name
		r.cols[i].raw = types.IsRawJSONField(f)
		switch f.Type.ID() {
		case arrow.STRUCT, arrow.LIST:
			r.cols[i].nest = array.NewBuilder(memory.DefaultAllocator, f.Type)
		default:
			r.cols[i].flat = newColBuf(f.Type, r.batch)
		}
		r.index[f.Name] = append(r.index[f.Name], i)
	}
	r.schema = arrow.NewSchema(fields, nil)
	return r
}

func (r *jsonReader) begin() error {
	r.started = true
	t := r.t
	if r.split.index < 0 {
		rc, err := openStreamAhead(t.fsys, t.path, t.comp, true)
		if err != nil {
			return err
		}
		r.rc, r.src = rc, rc
		if t.d.array {
			r.array = 1
		}
		return nil
	}
	f, err := t.fsys.Open(t.path)
	if err != nil {
		return fileErr(t.path, err)
	}
	r.rc = f
	ra, ok := f.(io.ReaderAt)
	if !ok {
		return sqlerr.New(sqlerr.IOError, "file \"%s\" has no random access", t.path)
	}
	r.src = io.NewSectionReader(ra, r.split.start, t.size-r.split.start)
	r.pos, r.end = r.split.start, r.split.end
	if r.split.index == 0 {
		return nil
	}
	r.line, r.lineBase = 0, -1 // counted from the range's start until a message needs more
	prev, err := byteBefore(ra, r.split.start, t.path)
	if err != nil || prev == '\n' {
		return err
	}
	// Skip the rest of the line the range starts in: the range before
	// reads it.
	for {
		if i := bytes.IndexByte(r.buf[r.lo:r.hi], '\n'); i >= 0 {
			r.consume(i+1, 1)
			return nil
		}
		r.consume(r.hi-r.lo, 0)
		if r.eof {
			r.done = true
			return nil
		}
		if err := r.fill(); err != nil {
			return err
		}
	}
}

// lineNumber is the file's line number of line l of this reader.
func (r *jsonReader) lineNumber(l int64) int64 {
	if r.lineBase == 0 {
		return l
	}
	if r.lineBase < 0 {
		st, err := r.t.ranges().start(r.t.fsys, r.split.index)
		if err != nil {
			return l
		}
		r.lineBase = st.line
	}
	return r.lineBase + l
}

// fail is the error for err met at line l: bad JSON, a value that does
// not fit its column, a limit.
func (r *jsonReader) fail(l int64, err error) error {
	r.done = true
	var m *jsonMisfit
	if errors.As(err, &m) {
		if m.col >= 0 && m.value != nil {
			return r.t.widen(r.schemaCols[m.col], m.value, r.lineNumber(l))
		}
		return sqlerr.New(sqlerr.InvalidTextRepresentation, "file \"%s\" line %d %s", r.path, r.lineNumber(l), m.Error())
	}
	var se *sqlerr.Error
	if errors.As(err, &se) && se.Code != sqlerr.StatementTooComplex {
		return err
	}
	return jsonErr(r.path, int(r.lineNumber(l)), err)
}

func (r *jsonReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.done {
		return nil, nil
	}
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	if !r.started {
		if err := r.begin(); err != nil {
			r.done = true
			return nil, err
		}
	}
	r.lines = r.lines[:0]
	rows := 0
	for rows < r.batch && !r.done {
		var ok bool
		var err error
		if r.array > 0 {
			ok, err = r.nextElement()
		} else {
			ok, err = r.nextLine()
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			r.done = true
			break
		}
		rows++
	}
	r.rows += int64(rows)
	if r.done {
		r.ended()
	}
	if rows == 0 {
		return nil, nil
	}
	out := make([]arrow.Array, len(r.cols))
	for i := range r.cols {
		c := &r.cols[i]
		if c.flat != nil {
			out[i] = c.flat.array(r.batch)
		} else {
			out[i] = c.nest.NewArray()
		}
		if err := checkColumn(out[i], r.path, func(row int) string {
			return fmt.Sprintf("line %d", r.lineNumber(r.lines[row]))
		}); err != nil {
			r.done = true
			return nil, err
		}
	}
	return array.NewRecordBatch(r.schema, out, int64(rows)), nil
}

// nextLine reads the next non-blank line's object; false at the end of
// the split.
func (r *jsonReader) nextLine() (bool, error) {
	for {
		if r.pos >= r.end {
			return false, nil
		}
		data := r.buf[r.lo:r.hi]
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 && !r.eof {
			if len(data) > r.maxLine {
				return false, r.fail(r.line, sqlerr.New(sqlerr.ProgramLimitExceeded, "line %d of file \"%s\" is longer than %d bytes", r.lineNumber(r.line), r.path, r.maxLine))
			}
			if err := r.fill(); err != nil {
				return false, err
			}
			continue
		}
		if nl < 0 && len(data) == 0 {
			return false, nil
		}
		n := nl + 1
		if nl < 0 {
			nl, n = len(data), len(data)
		}
		if nl > r.maxLine {
			return false, r.fail(r.line, sqlerr.New(sqlerr.ProgramLimitExceeded, "line %d of file \"%s\" is longer than %d bytes", r.lineNumber(r.line), r.path, r.maxLine))
		}
		line := data[:nl]
		if r.t.d.array {
			// An array file with an element per line: each line is an
			// object, with its comma or the array's brackets.
			first := r.split.index == 0 && !r.opened
			if len(bytes.TrimSpace(line)) > 0 {
				r.opened = true
			}
			line, _ = arrayLine(line, first)
			if len(line) > 0 && line[0] != '{' {
				return false, r.t.notPerLine(r.lineNumber(r.line))
			}
		}
		i := skipSpace(line, 0)
		if i == len(line) {
			r.consume(n, 1)
			continue
		}
		end, err := r.object(line, i)
		if err == nil && skipSpace(line, end) != len(line) {
			err = errors.New("more than one value on the line")
		}
		if err != nil {
			if r.t.d.array {
				return false, r.t.notPerLine(r.lineNumber(r.line))
			}
			return false, r.fail(r.line, err)
		}
		r.lines = append(r.lines, r.line)
		r.consume(n, 1)
		return true, nil
	}
}

// nextElement reads the next object of a top-level array.
func (r *jsonReader) nextElement() (bool, error) {
	for {
		data := r.buf[r.lo:r.hi]
		i := 0
		for i < len(data) && isSpace(data[i]) {
			i++
		}
		lines := int64(bytes.Count(data[:i], []byte{'\n'}))
		if i == len(data) {
			r.consume(i, lines)
			if r.eof {
				if r.array != 3 {
					return false, r.fail(r.line, syntaxErr(nil, 0, ""))
				}
				return false, nil
			}
			if err := r.fill(); err != nil {
				return false, err
			}
			continue
		}
		r.consume(i, lines)
		data = r.buf[r.lo:r.hi]
		switch r.array {
		case 1:
			if data[0] != '[' {
				return false, r.fail(r.line, syntaxErr(data, 0, "looking for beginning of value"))
			}
			r.consume(1, 0)
			r.array = 2
			continue
		case 3:
			return false, nil // whatever follows the array is not read
		}
		if data[0] == ']' {
			r.consume(1, 0)
			r.array = 3
			continue
		}
		if r.element {
			if data[0] != ',' {
				return false, r.fail(r.line, syntaxErr(data, 0, "after array element"))
			}
			r.consume(1, 0)
			r.element = false
			continue
		}
		end, err := skipValue(data, 0, 1)
		if err != nil {
			var se *jsonSyntax
			if errors.As(err, &se) && se.off >= len(data) && !r.eof {
				if err := r.fill(); err != nil {
					return false, err
				}
				continue
			}
			return false, r.fail(r.line, err)
		}
		if data[0] != '{' {
			return false, r.fail(r.line, errors.New("array element is not an object"))
		}
		if _, err := r.object(data[:end], 0); err != nil {
			return false, r.fail(r.line, err)
		}
		r.lines = append(r.lines, r.line)
		r.consume(end, int64(bytes.Count(data[:end], []byte{'\n'})))
		r.element = true
		return true, nil
	}
}

// object reads the object at b[i] (b ends with it, but for space) into
// the columns, NULL for keys it lacks, and returns the offset after it.
func (r *jsonReader) object(b []byte, i int) (int, error) {
	if b[i] != '{' {
		if _, err := skipValue(b, i, 0); err != nil {
			return 0, err
		}
		return 0, errors.New("not an object")
	}
	r.row++
	found := 0 // columns given a value
	j := skipSpace(b, i+1)
	if j < len(b) && b[j] == '}' {
		j++
	} else {
		for pos := 0; ; pos++ {
			if j >= len(b) || b[j] != '"' {
				return 0, syntaxErr(b, j, "looking for beginning of object key string")
			}
			var cols []int
			var k int
			if pos < len(r.posKey) && r.posPlain[pos] {
				// The key at this position last time, most likely.
				pk := r.posKey[pos]
				if e := j + 1 + len(pk); e < len(b) && b[e] == '"' && bytes.Equal(b[j+1:e], pk) {
					k, cols = e+1, r.posCols[pos]
				}
			}
			if k == 0 {
				e, esc, err := scanString(b, j)
				if err != nil {
					return 0, err
				}
				k = e
				key := b[j+1 : k-1]
				if esc {
					if r.keyBuf, err = unescape(r.keyBuf[:0], key); err != nil {
						return 0, err
					}
					key = r.keyBuf
				}
				cols = r.columnsOf(pos, key, !esc)
			}
			j = skipSpace(b, k)
			if j >= len(b) || b[j] != ':' {
				return 0, syntaxErr(b, j, "after object key")
			}
			j = skipSpace(b, j+1)
			end := -1
			for _, c := range cols {
				if r.seen[c] == r.row {
					continue // a repeated key: the first value counts
				}
				r.seen[c] = r.row
				e, err := r.value(c, b, j)
				if err != nil {
					return 0, err
				}
				end = e
				found++
			}
			if found == len(r.cols) && len(r.cols) > 0 {
				// Every column read has its value: the rest of the object
				// (b holds it whole) is not looked at, as the fields after
				// the last column read of a CSV record are only counted.
				return len(b), nil
			}
			if end < 0 {
				e, err := skipValue(b, j, 1)
				if err != nil {
					return 0, err
				}
				end = e
			}
			j = skipSpace(b, end)
			if j < len(b) && b[j] == ',' {
				j = skipSpace(b, j+1)
				continue
			}
			if j < len(b) && b[j] == '}' {
				j++
				break
			}
			return 0, syntaxErr(b, j, "after object key:value pair")
		}
	}
	for c := range r.cols {
		if r.seen[c] != r.row {
			if r.cols[c].flat != nil {
				r.cols[c].flat.appendNull()
			} else {
				r.cols[c].nest.AppendNull()
			}
		}
	}
	return j, nil
}

// columnsOf returns the output columns of the key at position pos of an
// object.
func (r *jsonReader) columnsOf(pos int, key []byte, plain bool) []int {
	cols := r.index[string(key)]
	if pos < len(r.posKey) {
		r.posKey[pos] = append(r.posKey[pos][:0], key...)
		r.posCols[pos], r.posPlain[pos] = cols, plain
	} else if pos == len(r.posKey) {
		r.posKey = append(r.posKey, append([]byte(nil), key...))
		r.posCols = append(r.posCols, cols)
		r.posPlain = append(r.posPlain, plain)
	}
	return cols
}

// jsonMisfit is a value that does not fit its column's inferred type.
type jsonMisfit struct {
	key, what string
	col       int    // output column (-1 until known)
	value     []byte // the value's JSON text
}

func (e *jsonMisfit) Error() string { return fmt.Sprintf("key \"%s\": %s", e.key, e.what) }

// value reads the value at b[i] into output column c.
func (r *jsonReader) value(c int, b []byte, i int) (int, error) {
	col := &r.cols[c]
	var end int
	var err error
	switch {
	case col.nest != nil:
		end, err = appendNested(col.nest, b, i, 1)
	case col.raw:
		end, err = appendRaw(col.flat, b, i)
	default:
		end, err = appendFlat(col.flat, col.name, b, i)
	}
	if err != nil {
		r.noteMisfit(err, c, b, i)
	}
	return end, err
}

// noteMisfit completes a misfit error with the column and the value.
// (Kept out of value, where the error's address taken for errors.As
// would cost an allocation per value.)
func (r *jsonReader) noteMisfit(err error, c int, b []byte, i int) {
	var m *jsonMisfit
	if !errors.As(err, &m) {
		return
	}
	if r.cols[c].nest != nil {
		m.key = r.cols[c].name + m.key
	}
	m.col = c
	if e, serr := skipValue(b, i, 1); serr == nil {
		m.value = append([]byte(nil), b[i:e]...)
	}
}

// appendRaw appends the value at b[i] as its JSON text (null as NULL) to
// a text column.
func appendRaw(c *colBuf, b []byte, i int) (int, error) {
	end, err := skipValue(b, i, 1)
	if err != nil {
		return 0, err
	}
	if b[i] == 'n' {
		c.appendNull()
		return end, nil
	}
	c.data = appendCompact(c.data, b[i:end])
	c.offs = append(c.offs, int32(len(c.data)))
	c.valueAdded()
	return end, nil
}

// appendRawNested appends the value at b[i] as its JSON text to a string
// builder (the fields and elements of mixed types of nested columns).
func appendRawNested(bld array.Builder, b []byte, i, depth int) (int, error) {
	end, err := skipValue(b, i, depth)
	if err != nil {
		return 0, err
	}
	if b[i] == 'n' {
		bld.AppendNull()
		return end, nil
	}
	bld.(*array.StringBuilder).BinaryBuilder.Append(appendCompact(nil, b[i:end]))
	return end, nil
}

// appendFlat reads the value at b[i] into a flat column.
func appendFlat(c *colBuf, name string, b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, syntaxErr(b, i, "")
	}
	misfit := func(what string) error {
		return &jsonMisfit{col: -1, key: name, what: fmt.Sprintf("%s does not fit type %s", what, types.Name(c.typ))}
	}
	switch ch := b[i]; {
	case ch == '"':
		end, esc, err := scanString(b, i)
		if err != nil {
			return 0, err
		}
		raw := b[i+1 : end-1]
		switch c.kind {
		case kText:
			if esc {
				return end, c.appendString(raw)
			}
			c.appendValue(raw)
			return end, nil
		case kDate, kTimestamp:
			v := raw
			if esc {
				if v, err = unescape(nil, raw); err != nil {
					return 0, err
				}
			}
			if !c.appendValue(v) {
				return 0, misfit(fmt.Sprintf("%q", v))
			}
			return end, nil
		}
		return 0, misfit("a string")
	case ch == '-' || (ch >= '0' && ch <= '9'):
		end, _, err := scanNumber(b, i)
		if err != nil {
			return 0, err
		}
		switch c.kind {
		case kText, kInt, kFloat, kDecimal:
			if !c.appendValue(b[i:end]) {
				return 0, misfit(string(b[i:end]))
			}
			return end, nil
		}
		return 0, misfit("a number")
	case ch == 't' || ch == 'f':
		lit := "true"
		if ch == 'f' {
			lit = "false"
		}
		end, err := literal(b, i, lit)
		if err != nil {
			return 0, err
		}
		if c.kind != kBool && c.kind != kText {
			return 0, misfit("a boolean")
		}
		c.appendValue(b[i:end])
		return end, nil
	case ch == 'n':
		end, err := literal(b, i, "null")
		if err != nil {
			return 0, err
		}
		c.appendNull()
		return end, nil
	case ch == '{' || ch == '[':
		end, err := skipValue(b, i, 1)
		if err != nil {
			return 0, err
		}
		if c.kind != kText {
			return 0, misfit("an object or array")
		}
		c.data = appendCompact(c.data, b[i:end])
		c.offs = append(c.offs, int32(len(c.data)))
		c.valueAdded()
		return end, nil
	}
	return 0, syntaxErr(b, i, "looking for beginning of value")
}

// appendNested reads the value at b[i] into a builder of a struct, list
// or scalar type (the fields and elements of nested columns).
func appendNested(bld array.Builder, b []byte, i, depth int) (int, error) {
	if depth >= MaxJSONDepth {
		return 0, errDepth
	}
	if i < len(b) && b[i] == 'n' {
		end, err := literal(b, i, "null")
		if err == nil {
			bld.AppendNull()
		}
		return end, err
	}
	switch bb := bld.(type) {
	case *array.StructBuilder:
		if i >= len(b) || b[i] != '{' {
			if _, err := skipValue(b, i, depth); err != nil {
				return 0, err
			}
			return 0, &jsonMisfit{col: -1, what: "expected an object"}
		}
		st := bb.Type().(*arrow.StructType)
		at := make([]int, st.NumFields())
		for k := range at {
			at[k] = -1
		}
		j := skipSpace(b, i+1)
		if j < len(b) && b[j] == '}' {
			j++
		} else {
			for {
				if j >= len(b) || b[j] != '"' {
					return 0, syntaxErr(b, j, "looking for beginning of object key string")
				}
				k, esc, err := scanString(b, j)
				if err != nil {
					return 0, err
				}
				key := b[j+1 : k-1]
				if esc {
					if key, err = unescape(nil, key); err != nil {
						return 0, err
					}
				}
				j = skipSpace(b, k)
				if j >= len(b) || b[j] != ':' {
					return 0, syntaxErr(b, j, "after object key")
				}
				j = skipSpace(b, j+1)
				if f, ok := st.FieldIdx(string(key)); ok {
					at[f] = j // a repeated key: the last value counts
				}
				if j, err = skipValue(b, j, depth+1); err != nil {
					return 0, err
				}
				j = skipSpace(b, j)
				if j < len(b) && b[j] == ',' {
					j = skipSpace(b, j+1)
					continue
				}
				if j < len(b) && b[j] == '}' {
					j++
					break
				}
				return 0, syntaxErr(b, j, "after object key:value pair")
			}
		}
		bb.Append(true)
		for f, at := range at {
			if at < 0 {
				bb.FieldBuilder(f).AppendNull()
				continue
			}
			add := appendNested
			if types.IsRawJSONField(st.Field(f)) {
				add = appendRawNested
			}
			if _, err := add(bb.FieldBuilder(f), b, at, depth+1); err != nil {
				var m *jsonMisfit
				if errors.As(err, &m) {
					m.key = "." + st.Field(f).Name + m.key
				}
				return 0, err
			}
		}
		return j, nil
	case *array.ListBuilder:
		if i >= len(b) || b[i] != '[' {
			if _, err := skipValue(b, i, depth); err != nil {
				return 0, err
			}
			return 0, &jsonMisfit{col: -1, what: "expected an array"}
		}
		bb.Append(true)
		add := appendNested
		if bb.Type().(*arrow.ListType).ElemField().Name == types.RawJSONElem {
			add = appendRawNested
		}
		j := skipSpace(b, i+1)
		if j < len(b) && b[j] == ']' {
			return j + 1, nil
		}
		for {
			e, err := add(bb.ValueBuilder(), b, j, depth+1)
			if err != nil {
				return 0, err
			}
			j = skipSpace(b, e)
			if j < len(b) && b[j] == ',' {
				j = skipSpace(b, j+1)
				continue
			}
			if j < len(b) && b[j] == ']' {
				return j + 1, nil
			}
			return 0, syntaxErr(b, j, "after array element")
		}
	}
	return appendScalar(bld, b, i, depth)
}

// appendScalar appends a scalar JSON value to a builder of a scalar type.
func appendScalar(bld array.Builder, b []byte, i, depth int) (int, error) {
	end, err := skipValue(b, i, depth)
	if err != nil {
		return 0, err
	}
	v := b[i:end]
	misfit := func() error {
		return &jsonMisfit{col: -1, what: fmt.Sprintf("%s does not fit type %s", v, types.Name(bld.Type()))}
	}
	str := func() ([]byte, bool) {
		if v[0] != '"' {
			return nil, false
		}
		s, err := unescape(nil, v[1:len(v)-1])
		return s, err == nil
	}
	isNum := v[0] == '-' || (v[0] >= '0' && v[0] <= '9')
	switch bb := bld.(type) {
	case *array.StringBuilder:
		switch {
		case v[0] == '"':
			s, ok := str()
			if !ok {
				return 0, misfit()
			}
			if bytes.IndexByte(s, 0) >= 0 {
				return 0, nulEscape()
			}
			bb.BinaryBuilder.Append(s)
		case v[0] == '{' || v[0] == '[':
			bb.BinaryBuilder.Append(appendCompact(nil, v))
		default:
			bb.BinaryBuilder.Append(v)
		}
	case *array.Int64Builder:
		x, ok := parseInt64(v)
		if !isNum || !ok {
			return 0, misfit()
		}
		bb.Append(x)
	case *array.Float64Builder:
		x, ok := parseFloat64(v)
		if !isNum || !ok {
			return 0, misfit()
		}
		bb.Append(x)
	case *array.Decimal128Builder:
		x, ok := parseDecimal(v, int(bb.Type().(*arrow.Decimal128Type).Scale))
		if !isNum || !ok {
			return 0, misfit()
		}
		bb.Append(decimalNum(x))
	case *array.BooleanBuilder:
		switch string(v) {
		case "true":
			bb.Append(true)
		case "false":
			bb.Append(false)
		default:
			return 0, misfit()
		}
	case *array.Date32Builder:
		s, ok := str()
		if !ok {
			return 0, misfit()
		}
		d, ok := parseDate(s)
		if !ok {
			return 0, misfit()
		}
		bb.Append(arrow.Date32(d))
	case *array.TimestampBuilder:
		s, ok := str()
		if !ok {
			return 0, misfit()
		}
		ts, err := text.ParseTimestamp(string(s), nil)
		if err != nil {
			return 0, misfit()
		}
		bb.Append(arrow.Timestamp(ts))
	default:
		return 0, fmt.Errorf("unsupported type %s", bld.Type())
	}
	return end, nil
}

func decimalNum(v int64) decimal128.Num { return decimal128.FromI64(v) }

// nulEscape is the error for \u0000 in a string read as text, which
// PostgreSQL's text cannot hold.
func nulEscape() error {
	e := sqlerr.New(sqlerr.UntranslatableCharacter, "unsupported Unicode escape sequence")
	e.Detail = "\\u0000 cannot be converted to text."
	return e
}

func (r *jsonReader) Close() error {
	r.done = true
	for i := range r.cols {
		if r.cols[i].nest != nil {
			r.cols[i].nest.Release()
			r.cols[i].nest = nil
		}
	}
	return r.close()
}
