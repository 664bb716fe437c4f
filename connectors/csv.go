package connectors

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// csvDialect is what sniffing found out about a CSV file.
type csvDialect struct {
	delim  byte
	quote  byte // '"', or '\'' when the sample quotes with that
	header bool
	skip   int // lines skipped before the header or data (format options)
	schema *arrow.Schema
	sample textSample

	mu     sync.Mutex
	ranges map[int64]*textRanges // by split size
	whole  fileRows              // rows, once read as one split
}

// withSchema is the dialect reading the columns as s.
func (d *csvDialect) withSchema(s *arrow.Schema) *csvDialect {
	return &csvDialect{delim: d.delim, quote: d.quote, header: d.header, skip: d.skip, schema: s, sample: d.sample}
}

// CSVTable reads a delimited text file. Its dialect (delimiter, header)
// and column types are inferred from a sample of the file.
type CSVTable struct {
	fsys      fs.FS
	path      string
	comp      Compression
	d         *csvDialect
	batchSize int
	size      int64 // the file's size when opened
	splitSize int64 // Options.SplitSize
	cache     *ColumnCache
	scache    *SchemaCache // where the inference is kept, to widen it
	sample    int
}

func openCSV(ctx context.Context, fsys fs.FS, p string, comp Compression, opts Options) (Table, error) {
	d, err := cached(opts.Cache, fsys, p, opts.sampleRows(), func() (*csvDialect, error) {
		infer := func() (*csvDialect, error) { return inferCSV(fsys, p, comp, opts.sampleRows(), opts.Format.csvForce()) }
		if opts.Columns == nil {
			return infer()
		}
		return opts.Columns.csvInference(fsys, p, comp, opts, infer)
	})
	if err != nil {
		return nil, err
	}
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, fileErr(p, err)
	}
	return &CSVTable{fsys: fsys, path: p, comp: comp, d: d, batchSize: opts.batchSize(), size: st.Size(), splitSize: opts.SplitSize, cache: opts.Columns,
		scache: opts.Cache, sample: opts.sampleRows()}, nil
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
	quote byte
	line  int // line number of the record just read (1-based)
	next  int // line number where the next record starts
	buf   []byte
	path  string
}

func newCSVScanner(r io.Reader, delim byte, path string) *csvScanner {
	return newCSVScannerQ(r, delim, '"', path)
}

// newCSVScannerQ scans records whose fields are quoted with quote.
func newCSVScannerQ(r io.Reader, delim, quote byte, path string) *csvScanner {
	return &csvScanner{r: bufio.NewReaderSize(r, 1<<16), delim: delim, quote: quote, next: 1, path: path}
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
		if i < len(line) && line[i] == s.quote {
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
				if c == s.quote {
					if i+1 < len(line) && line[i+1] == s.quote {
						sb.WriteByte(s.quote)
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

// colKind is an inferred column type of a text file, ordered by
// generality.
type colKind int

const (
	kNull colKind = iota
	kBool
	kInt
	kDecimal
	kFloat
	kDate
	kTimestamp
	kText
)

// valueType is what inference learnt of a column's values: their kind,
// and for numbers the digits they take, which decide between an exact
// decimal and a double.
type valueType struct {
	kind   colKind
	scale  int // digits after the point (kDecimal)
	digits int // significant digits before the point (kInt, kDecimal)
}

// Plain decimals are read as numeric(decimalPrecision, scale) when their
// scale is at most maxDecimalScale and every value sampled fits; others
// are doubles. Exact decimals keep sums exact whatever order parallel
// readers add them in, and are what a Parquet export of the same data
// holds.
const (
	decimalPrecision = 18
	maxDecimalScale  = 9
)

func kindOf(s string) valueType {
	if s == "" {
		return valueType{}
	}
	switch strings.ToLower(s) {
	case "true", "false", "t", "f":
		return valueType{kind: kBool}
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		if len(s) > 1 && s[0] == '0' {
			return valueType{kind: kText} // zero-padded codes stay text
		}
		return valueType{kind: kInt, digits: intDigits(s)}
	}
	if t, ok := decimalOf(s); ok {
		return t
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXnN_") {
		return valueType{kind: kFloat}
	}
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		if _, err := text.ParseDate(s); err == nil {
			return valueType{kind: kDate}
		}
	}
	if len(s) >= 19 && s[4] == '-' && (s[10] == ' ' || s[10] == 'T') {
		if _, err := text.ParseTimestamp(s, nil); err == nil {
			return valueType{kind: kTimestamp}
		}
	}
	return valueType{kind: kText}
}

// intDigits counts the significant digits of an integer's text.
func intDigits(s string) int {
	s = strings.TrimLeft(s, "+-")
	s = strings.TrimLeft(s, "0")
	return len(s)
}

// decimalOf recognises a plain decimal, [+-]digits.digits, that fits a
// decimal column.
func decimalOf(s string) (valueType, bool) {
	t := strings.TrimLeft(s, "+-")
	if len(s)-len(t) > 1 {
		return valueType{}, false
	}
	ip, fp, ok := strings.Cut(t, ".")
	if !ok || ip == "" && fp == "" || len(ip) > 1 && ip[0] == '0' {
		return valueType{}, false
	}
	for _, part := range []string{ip, fp} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return valueType{}, false
			}
		}
	}
	v := valueType{kind: kDecimal, scale: len(fp), digits: intDigits(ip)}
	if !v.fitsDecimal() {
		return valueType{kind: kFloat}, true
	}
	return v, true
}

func (v valueType) fitsDecimal() bool {
	return v.scale <= maxDecimalScale && v.digits+v.scale <= decimalPrecision
}

// merge widens two value types.
func merge(a, b valueType) valueType {
	switch {
	case a.kind == kNull:
		return b
	case b.kind == kNull:
		return a
	}
	num := func(k colKind) bool { return k == kInt || k == kDecimal || k == kFloat }
	switch {
	case a.kind == b.kind && a.kind != kInt && a.kind != kDecimal:
		return a
	case num(a.kind) && num(b.kind):
		out := valueType{kind: max(a.kind, b.kind), scale: max(a.scale, b.scale), digits: max(a.digits, b.digits)}
		if out.kind == kDecimal && !out.fitsDecimal() {
			out = valueType{kind: kFloat}
		}
		if out.kind == kInt && out.digits > 18 {
			out.digits = 18 // every int64 fits a bigint
		}
		return out
	case (a.kind == kDate && b.kind == kTimestamp) || (a.kind == kTimestamp && b.kind == kDate):
		return valueType{kind: kTimestamp}
	}
	return valueType{kind: kText}
}

func kindType(v valueType) arrow.DataType {
	switch v.kind {
	case kBool:
		return types.Bool
	case kInt:
		return types.Int64
	case kDecimal:
		return types.Decimal(decimalPrecision, int32(v.scale))
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
	return inferCSV(fsys, p, comp, sampleRows, nil)
}

// inferCSV sniffs what force (format options) leaves open.
func inferCSV(fsys fs.FS, p string, comp Compression, sampleRows int, force *csvForce) (*csvDialect, error) {
	rc, err := openStream(fsys, p, comp)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	skip := 0
	if force != nil && force.skip > 0 {
		if err := skipLines(rc, force.skip); err != nil {
			return nil, err
		}
		skip = force.skip
	}
	sample, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return nil, fileErr(p, err)
	}
	if len(sample) == 0 {
		return &csvDialect{delim: ',', quote: '"', header: true, skip: skip, schema: arrow.NewSchema(nil, nil)}, nil
	}
	candidates := []byte{',', '|', '\t', ';'}
	if force != nil && force.delim != 0 {
		candidates = []byte{force.delim}
	}
	truncated := len(sample) == 1<<20
	// Pick the delimiter whose most common field count is largest (and
	// covers most rows); a malformed row then shows up when reading.
	best := byte(',')
	bestCols := 0
	var bestRows [][]csvField
	var commaErr error
	for _, d := range candidates {
		rows, err := sampleRecords(sample, d, sampleRows, truncated, p)
		if err != nil {
			if d == candidates[0] {
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
		rows, err := sampleRecords(sample, candidates[0], sampleRows, truncated, p)
		if err != nil {
			return nil, err
		}
		best, bestRows = candidates[0], rows
		if len(rows) > 0 {
			bestCols = len(rows[0])
		}
	}
	if strings.HasSuffix(strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(p, ".gz"), ".zst")), ".tsv") && (force == nil || force.delim == 0) {
		best = '\t'
	}
	// The quote: '"', unless the sample has none and fields quoted with
	// '\'' (that hold the delimiter or not) read as consistently.
	quote := byte('"')
	if bytes.IndexByte(sample, '"') < 0 && bytes.IndexByte(sample, '\'') >= 0 {
		if rows, err := sampleRecordsQ(sample, best, '\'', sampleRows, truncated, p); err == nil && len(rows) > 0 {
			quoted, same := 0, 0
			for _, r := range rows {
				if len(r) == bestCols {
					same++
				}
				for _, f := range r {
					if f.quoted {
						quoted++
					}
				}
			}
			if quoted > 0 && same*2 >= len(rows) {
				quote, bestRows = '\'', rows
			}
		}
	}
	// Types of the rows after the first (with rows from the end of a big
	// file: values that only appear late, and the range of keys in sorted
	// files), and of the first.
	ncol := bestCols
	kinds := make([]valueType, ncol)
	later := bestRows[min(1, len(bestRows)):]
	if truncated {
		later = append(later, tailRecords(fsys, p, comp, best, quote, sampleRows)...)
	}
	for _, r := range later {
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
			if kinds[c].kind != kText && kinds[c].kind != kNull && k.kind == kText {
				header = true
			}
			if k.kind != kText {
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
	if force != nil && force.header != nil {
		header = *force.header
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
	d := &csvDialect{delim: best, quote: quote, header: header, skip: skip, schema: arrow.NewSchema(fields, nil)}
	d.sample = sampleStats(sample, later, kinds)
	return d, nil
}

// tailRecords parses the records of the last bytes of a big file that
// can be read at any offset, to add to the sample; nil when there is none.
func tailRecords(fsys fs.FS, p string, comp Compression, delim, quote byte, max int) [][]csvField {
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
	n, err := ra.ReadAt(buf, st.Size()-int64(len(buf)))
	if n < len(buf) {
		return nil
	}
	// From the first line start on: a record that starts inside quotes
	// shows as rows of the wrong length, which inference leaves out.
	i := bytes.IndexByte(buf, '\n')
	if i < 0 {
		return nil
	}
	rows, err := sampleRecordsQ(buf[i+1:], delim, quote, max, false, p)
	if err != nil {
		return nil
	}
	return rows
}

// textSample is what a sample says of a file's size: the bytes a record
// takes, and the smallest and largest value of each integer column.
type textSample struct {
	rowBytes float64
	ints     []ColumnStats // by column; Min and Max set for integer columns
}

func sampleStats(sample []byte, rows [][]csvField, kinds []valueType) textSample {
	out := textSample{rowBytes: float64(len(sample)) / float64(max(1, bytes.Count(sample, []byte{'\n'})))}
	out.ints = make([]ColumnStats, len(kinds))
	for c, k := range kinds {
		if k.kind != kInt {
			continue
		}
		lo, hi, seen := int64(math.MaxInt64), int64(math.MinInt64), false
		for _, r := range rows {
			if c >= len(r) {
				continue
			}
			if v, err := strconv.ParseInt(r[c].s, 10, 64); err == nil {
				lo, hi, seen = min(lo, v), max(hi, v), true
			}
		}
		if seen {
			out.ints[c] = ColumnStats{Min: scalar.NewInt64Scalar(lo), Max: scalar.NewInt64Scalar(hi)}
		}
	}
	return out
}

func sampleRecords(sample []byte, d byte, max int, truncated bool, p string) ([][]csvField, error) {
	return sampleRecordsQ(sample, d, '"', max, truncated, p)
}

func sampleRecordsQ(sample []byte, d, quote byte, max int, truncated bool, p string) ([][]csvField, error) {
	s := newCSVScannerQ(strings.NewReader(string(sample)), d, quote, p)
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

// Splits divides an uncompressed file into byte ranges (see textRanges);
// a compressed file, or one without random access, is one split.
func (t *CSVTable) Splits(ctx context.Context, filter Filter) ([]Split, error) {
	splits, err := textSplits(t.fsys, t.path, t.comp, t.ranges)
	if err != nil {
		return nil, err
	}
	return t.cache.prune(ctx, t.cacheKey(), splits, filter, t.d.schema), nil
}

// cacheKey names the file's entries in the column cache ("" for none).
func (t *CSVTable) cacheKey() string {
	if t.cache == nil {
		return ""
	}
	how := fmt.Sprintf("delim=%q quote=%q header=%v skip=%d", t.d.delim, t.d.quote, t.d.header, t.d.skip)
	k, _ := t.cache.textKey("csv", t.fsys, t.path, t.comp, how, t.d.schema)
	return k
}

// ranges returns the byte ranges of the file, shared by every table of
// this file version (they carry what was learnt about quotes).
func (t *CSVTable) ranges() *textRanges {
	t.d.mu.Lock()
	defer t.d.mu.Unlock()
	r := t.d.ranges[t.splitSize]
	if r == nil {
		if t.d.ranges == nil {
			t.d.ranges = map[int64]*textRanges{}
		}
		r = newTextRanges(t.path, t.size, t.splitSize, t.d.delim, true)
		if t.d.quote != 0 {
			r.quote = t.d.quote
		}
		t.d.ranges[t.splitSize] = r
	}
	return r
}

func (t *CSVTable) Open(ctx context.Context, split Split, columns []int) (batch.Reader, error) {
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

// Stats estimates the rows from the file's size and the bytes a record
// of the sample takes, until scans have read the whole file: then they
// are the rows read.
func (t *CSVTable) Stats(ctx context.Context) (Stats, error) {
	st, err := textStats(t.fsys, t.path, t.comp, t.d.schema, t.d.sample, false)
	if n, ok := countedRows(t.comp, &t.d.whole, t.ranges); ok && err == nil {
		st.Rows = n // counted by a scan that read the file whole
	}
	return st, err
}

func (t *CSVTable) rowCounter(s *textSplit) func(int64) { return rowCounter(s, &t.d.whole, t.ranges) }
