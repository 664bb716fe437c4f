package connectors

import (
	"bufio"
	"context"
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

// csvDialect is what sniffing found out about a CSV file.
type csvDialect struct {
	delim  byte
	header bool
	schema *arrow.Schema
}

// CSVTable reads a delimited text file. Its dialect (delimiter, header)
// and column types are inferred from a sample of the file.
type CSVTable struct {
	fsys      fs.FS
	path      string
	comp      Compression
	d         *csvDialect
	batchSize int
}

func openCSV(ctx context.Context, fsys fs.FS, p string, comp Compression, opts Options) (Table, error) {
	d, err := cached(opts.Cache, fsys, p, opts.sampleRows(), func() (*csvDialect, error) { return InferCSV(fsys, p, comp, opts.sampleRows()) })
	if err != nil {
		return nil, err
	}
	return &CSVTable{fsys: fsys, path: p, comp: comp, d: d, batchSize: opts.batchSize()}, nil
}

// csvField is one parsed field: its text and whether it was quoted.
type csvField struct {
	s      string
	quoted bool
}

// csvScanner reads RFC 4180 records: quoted fields may hold delimiters,
// doubled quotes and newlines; leading blanks are data.
type csvScanner struct {
	r     *bufio.Reader
	delim byte
	line  int // line number of the record just read (1-based)
	next  int // line number where the next record starts
	buf   []byte
	path  string
}

func newCSVScanner(r io.Reader, delim byte, path string) *csvScanner {
	return &csvScanner{r: bufio.NewReaderSize(r, 1<<16), delim: delim, next: 1, path: path}
}

// read returns the next record's fields (nil at EOF).
func (s *csvScanner) read(fields []csvField) ([]csvField, error) {
	fields = fields[:0]
	s.line = s.next
	line, err := s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.buf = append(s.buf[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.r.ReadSlice('\n')
			s.buf = append(s.buf, line...)
		}
		line = s.buf
	}
	if len(line) == 0 && err == io.EOF {
		return nil, nil
	}
	if err != nil && err != io.EOF {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not read file \"%s\"", s.path)
	}
	s.next++
	line = trimEOL(line)
	if len(line) == 0 && err == io.EOF {
		return nil, nil
	}
	i := 0
	for {
		if i < len(line) && line[i] == '"' {
			// Quoted field, possibly spanning lines.
			var sb strings.Builder
			i++
			for {
				if i >= len(line) {
					// The field continues on the next line.
					more, err := s.r.ReadSlice('\n')
					if len(more) == 0 && err != nil {
						return nil, sqlerr.New("22P04", "unterminated quoted field in file \"%s\" at line %d", s.path, s.line)
					}
					s.next++
					sb.WriteByte('\n')
					line = append([]byte(nil), trimEOL(more)...)
					i = 0
					continue
				}
				c := line[i]
				if c == '"' {
					if i+1 < len(line) && line[i+1] == '"' {
						sb.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				sb.WriteByte(c)
				i++
			}
			fields = append(fields, csvField{s: sb.String(), quoted: true})
			// Text after the closing quote up to the delimiter is kept.
			for i < len(line) && line[i] != s.delim {
				fields[len(fields)-1].s += string(line[i])
				i++
			}
		} else {
			j := i
			for j < len(line) && line[j] != s.delim {
				j++
			}
			fields = append(fields, csvField{s: string(line[i:j])})
			i = j
		}
		if i >= len(line) {
			return fields, nil
		}
		i++ // delimiter
		if i == len(line) {
			fields = append(fields, csvField{})
			return fields, nil
		}
	}
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// colKind is an inferred CSV column type, ordered by generality.
type colKind int

const (
	kNull colKind = iota
	kBool
	kInt
	kFloat
	kDate
	kTimestamp
	kText
)

func kindOf(s string) colKind {
	if s == "" {
		return kNull
	}
	switch strings.ToLower(s) {
	case "true", "false", "t", "f":
		return kBool
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		if len(s) > 1 && s[0] == '0' {
			return kText // zero-padded codes stay text
		}
		return kInt
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXnN_") {
		return kFloat
	}
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		if _, err := text.ParseDate(s); err == nil {
			return kDate
		}
	}
	if len(s) >= 19 && s[4] == '-' && (s[10] == ' ' || s[10] == 'T') {
		if _, err := text.ParseTimestamp(s, nil); err == nil {
			return kTimestamp
		}
	}
	return kText
}

// merge widens two kinds.
func merge(a, b colKind) colKind {
	switch {
	case a == kNull:
		return b
	case b == kNull:
		return a
	case a == b:
		return a
	case (a == kInt && b == kFloat) || (a == kFloat && b == kInt):
		return kFloat
	case (a == kDate && b == kTimestamp) || (a == kTimestamp && b == kDate):
		return kTimestamp
	}
	return kText
}

func kindType(k colKind) arrow.DataType {
	switch k {
	case kBool:
		return types.Bool
	case kInt:
		return types.Int64
	case kFloat:
		return types.Float64
	case kDate:
		return types.Date
	case kTimestamp:
		return types.Timestamp
	}
	return types.String
}

// InferCSV sniffs a CSV file: the delimiter among , | \t ; (the one that
// splits the sample into the most columns, consistently), whether the
// first row is a header, and each column's type. Headerless files get
// columns column0, column1, ...
func InferCSV(fsys fs.FS, p string, comp Compression, sampleRows int) (*csvDialect, error) {
	rc, err := openStream(fsys, p, comp)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sample, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return nil, fileErr(p, err)
	}
	if len(sample) == 0 {
		return &csvDialect{delim: ',', header: true, schema: arrow.NewSchema(nil, nil)}, nil
	}
	truncated := len(sample) == 1<<20
	// Pick the delimiter whose most common field count is largest (and
	// covers most rows); a malformed row then shows up when reading.
	best := byte(',')
	bestCols := 0
	var bestRows [][]csvField
	var commaErr error
	for _, d := range []byte{',', '|', '\t', ';'} {
		rows, err := sampleRecords(sample, d, sampleRows, truncated, p)
		if err != nil {
			if d == ',' {
				commaErr = err
			}
			continue
		}
		if len(rows) == 0 {
			continue
		}
		freq := map[int]int{}
		for _, r := range rows {
			freq[len(r)]++
		}
		mode, count := 0, 0
		for n, c := range freq {
			if c > count || c == count && n > mode {
				mode, count = n, c
			}
		}
		if count*2 < len(rows) {
			continue
		}
		if mode > bestCols {
			best, bestCols, bestRows = d, mode, rows
		}
	}
	if bestCols <= 1 && commaErr != nil {
		return nil, commaErr
	}
	if bestRows == nil {
		rows, err := sampleRecords(sample, ',', sampleRows, truncated, p)
		if err != nil {
			return nil, err
		}
		best, bestRows = ',', rows
		if len(rows) > 0 {
			bestCols = len(rows[0])
		}
	}
	if strings.HasSuffix(strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(p, ".gz"), ".zst")), ".tsv") {
		best = '\t'
	}
	// Types of the rows after the first, and of the first.
	ncol := bestCols
	kinds := make([]colKind, ncol)
	for _, r := range bestRows[min(1, len(bestRows)):] {
		if len(r) != ncol {
			continue
		}
		for c := 0; c < ncol && c < len(r); c++ {
			if r[c].s == "" && !r[c].quoted {
				continue
			}
			kinds[c] = merge(kinds[c], kindOf(r[c].s))
		}
	}
	first := bestRows[0]
	header := true
	if len(bestRows) > 1 {
		header = false
		allText := true
		seen := map[string]bool{}
		unique := true
		for c := 0; c < ncol && c < len(first); c++ {
			k := kindOf(first[c].s)
			if kinds[c] != kText && kinds[c] != kNull && (k == kText) {
				header = true
			}
			if k != kText {
				allText = false
			}
			if seen[first[c].s] || first[c].s == "" {
				unique = false
			}
			seen[first[c].s] = true
		}
		if !header && allText && unique {
			// Every column text: call the first row a header when its
			// values look like names (unique, non-empty).
			header = true
		}
	}
	if !header {
		for c := 0; c < ncol && c < len(first); c++ {
			kinds[c] = merge(kinds[c], kindOf(first[c].s))
		}
	}
	fields := make([]arrow.Field, ncol)
	used := map[string]int{}
	for c := 0; c < ncol; c++ {
		name := fmt.Sprintf("column%d", c)
		if header && c < len(first) {
			name = first[c].s
			if name == "" {
				name = fmt.Sprintf("column%d", c)
			}
			if n := used[name]; n > 0 {
				name = fmt.Sprintf("%s_%d", name, n)
			}
			used[first[c].s]++
		}
		fields[c] = arrow.Field{Name: name, Type: kindType(kinds[c]), Nullable: true}
	}
	return &csvDialect{delim: best, header: header, schema: arrow.NewSchema(fields, nil)}, nil
}

func sampleRecords(sample []byte, d byte, max int, truncated bool, p string) ([][]csvField, error) {
	s := newCSVScanner(strings.NewReader(string(sample)), d, p)
	var rows [][]csvField
	for len(rows) <= max {
		r, err := s.read(nil)
		if err != nil {
			if truncated {
				break
			}
			return nil, err
		}
		if r == nil {
			break
		}
		rows = append(rows, r)
	}
	if truncated && len(rows) > 1 {
		rows = rows[:len(rows)-1] // the last line may be cut
	}
	return rows, nil
}

func (t *CSVTable) Schema(ctx context.Context) (*arrow.Schema, error) { return t.d.schema, nil }

func (t *CSVTable) Splits(ctx context.Context, filter Filter) ([]Split, error) {
	return wholeFile(t.fsys, t.path)
}

func (t *CSVTable) Open(ctx context.Context, split Split, columns []int) (batch.Reader, error) {
	rc, err := openStream(t.fsys, t.path, t.comp)
	if err != nil {
		return nil, err
	}
	if columns == nil {
		columns = make([]int, t.d.schema.NumFields())
		for i := range columns {
			columns[i] = i
		}
	}
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = t.d.schema.Field(c)
	}
	r := &csvReader{rc: rc, s: newCSVScanner(checkedText(rc, t.path), t.d.delim, t.path), cols: columns, schema: arrow.NewSchema(fields, nil),
		ncol: t.d.schema.NumFields(), batch: t.batchSize, path: t.path}
	if t.d.header {
		if _, err := r.s.read(nil); err != nil {
			rc.Close()
			return nil, err
		}
	}
	return r, nil
}

type csvReader struct {
	rc     io.ReadCloser
	s      *csvScanner
	cols   []int
	schema *arrow.Schema
	ncol   int
	batch  int
	path   string
	fields []csvField
	done   bool
}

func (r *csvReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.done {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, sqlerr.Canceled(err)
	}
	builders := make([]array.Builder, len(r.cols))
	for i, f := range r.schema.Fields() {
		builders[i] = array.NewBuilder(memory.DefaultAllocator, f.Type)
	}
	n := 0
	for n < r.batch {
		fields, err := r.s.read(r.fields)
		if err != nil {
			return nil, err
		}
		if fields == nil {
			r.done = true
			break
		}
		r.fields = fields
		if len(fields) == 1 && fields[0].s == "" && !fields[0].quoted && r.ncol > 1 {
			continue // blank line
		}
		if len(fields) != r.ncol {
			return nil, sqlerr.New("22P04", "file \"%s\" line %d: expected %d fields, found %d", r.path, r.s.line, r.ncol, len(fields))
		}
		for i, c := range r.cols {
			if err := appendCSV(builders[i], fields[c]); err != nil {
				return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "file \"%s\" line %d column \"%s\": %s", r.path, r.s.line, r.schema.Field(i).Name, err.Error())
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

// appendCSV parses one field into a typed builder; an unquoted empty field
// is NULL.
func appendCSV(b array.Builder, f csvField) error {
	if f.s == "" && !f.quoted {
		b.AppendNull()
		return nil
	}
	switch bb := b.(type) {
	case *array.StringBuilder:
		bb.Append(f.s)
	case *array.Int64Builder:
		v, err := strconv.ParseInt(f.s, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid input syntax for type bigint: %q", f.s)
		}
		bb.Append(v)
	case *array.Float64Builder:
		v, err := strconv.ParseFloat(f.s, 64)
		if err != nil {
			return fmt.Errorf("invalid input syntax for type double precision: %q", f.s)
		}
		bb.Append(v)
	case *array.BooleanBuilder:
		v, err := text.ParseBool(f.s)
		if err != nil {
			return fmt.Errorf("invalid input syntax for type boolean: %q", f.s)
		}
		bb.Append(v)
	case *array.Date32Builder:
		v, err := text.ParseDate(f.s)
		if err != nil {
			return fmt.Errorf("invalid input syntax for type date: %q", f.s)
		}
		bb.Append(arrow.Date32(v))
	case *array.TimestampBuilder:
		v, err := text.ParseTimestamp(f.s, nil)
		if err != nil {
			return fmt.Errorf("invalid input syntax for type timestamp: %q", f.s)
		}
		bb.Append(arrow.Timestamp(v))
	default:
		return fmt.Errorf("unsupported column type")
	}
	return nil
}

func (r *csvReader) Close() error {
	if r.rc != nil {
		err := r.rc.Close()
		r.rc = nil
		return err
	}
	return nil
}

// Stats estimates the rows from the file's size.
func (t *CSVTable) Stats(ctx context.Context) (Stats, error) {
	return textStats(t.fsys, t.path, t.comp, t.d.schema, false)
}
