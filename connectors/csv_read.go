package connectors

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
)

// maxTextRecord bounds one record (a CSV row, a JSON line) of a text
// file, as PostgreSQL bounds a value: a longer one is an error (54000)
// before more of it is buffered.
const maxTextRecord = 1 << 30

// textSplit is a byte range of an uncompressed text file, or a whole file.
type textSplit struct {
	path       string
	index      int   // range number; -1 for a whole file read as a stream
	start, end int64 // the range; a whole file is [0, its size)
}

func (s *textSplit) String() string {
	if s.index < 0 {
		return s.path
	}
	return fmt.Sprintf("%s bytes %d-%d", s.path, s.start, s.end)
}

// Bytes is the range's size: text is read whole, whatever the columns.
func (s *textSplit) Bytes([]int) int64 { return s.end - s.start }

// fieldRef locates one field of the record being parsed: in the read
// buffer, or in the scratch buffer when quotes had to be undone.
type fieldRef struct {
	start, end int
	quoted     bool
	scratch    bool
}

type tokStatus int

const (
	tokDone         tokStatus = iota
	tokMore                   // the record goes on past the buffered bytes
	tokUnterminated           // the file ends inside a quoted field
)

// textSource holds the bytes of a split not parsed yet, read ahead in a
// buffer that grows to hold the longest record.
type textSource struct {
	path   string
	split  *textSplit
	rc     io.Closer
	src    io.Reader
	buf    []byte
	lo, hi int
	eof    bool
	pos    int64 // file offset of buf[lo] (of the decompressed text)
	end    int64 // records starting at or after end belong to the next range
	line   int64 // line number of buf[lo]
	rows   int64 // rows returned
	// counted, when set, is told the rows of the split once it was read
	// to its end (the file's statistics).
	counted func(rows int64)
}

// ended records the rows of a split read to its end.
func (r *textSource) ended() {
	if r.counted != nil {
		r.counted(r.rows)
		r.counted = nil
	}
}

// fill reads more of the file behind the unparsed bytes.
func (r *textSource) fill() error {
	if r.lo > 0 {
		n := copy(r.buf, r.buf[r.lo:r.hi])
		r.lo, r.hi = 0, n
	}
	if r.hi == len(r.buf) {
		if len(r.buf) >= maxTextRecord {
			return sqlerr.New(sqlerr.ProgramLimitExceeded, "line %d of file \"%s\" is longer than %d bytes", r.line, r.path, maxTextRecord)
		}
		size := 2 * len(r.buf)
		if r.buf == nil {
			// Enough for the split and the end of its last record, up to
			// a size that reads efficiently.
			size = int(min(r.split.end-r.split.start+4096, 1<<20))
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.hi])
		r.buf = nb
	}
	n, err := r.src.Read(r.buf[r.hi:])
	r.hi += n
	if err == io.EOF {
		r.eof = true
	} else if err != nil {
		return fileErr(r.path, err)
	}
	return nil
}

// consume moves past n bytes holding lines newlines.
func (r *textSource) consume(n int, lines int64) {
	r.lo += n
	r.pos += int64(n)
	r.line += lines
}

func (r *textSource) close() error {
	if r.rc != nil {
		err := r.rc.Close()
		r.rc = nil
		return err
	}
	return nil
}

// csvReader reads the records of one split into typed columns.
type csvReader struct {
	textSource
	t      *CSVTable
	schema *arrow.Schema
	batch  int

	delim   byte
	quote   byte
	ncol    int
	outCols []int // file column of each output column
	last    int   // highest file column read (-1: none)
	refs    []fieldRef
	scratch []byte
	qlines  int // newlines inside the quoted fields of the record just read

	cols    []*colBuf
	lines   []int64 // line of each row of the batch being built
	started bool
	skip    int // records to skip before the data (the header)
	done    bool
}

func (t *CSVTable) newReader(split *textSplit, columns []int) *csvReader {
	fields := make([]arrow.Field, len(columns))
	r := &csvReader{t: t, batch: t.batchSize, delim: t.d.delim, quote: t.d.quote, ncol: t.d.schema.NumFields(), outCols: columns, last: -1}
	if r.quote == 0 {
		r.quote = '"'
	}
	r.textSource = textSource{path: t.path, split: split, end: math.MaxInt64, line: 1}
	r.counted = t.rowCounter(split)
	r.cols = make([]*colBuf, len(columns))
	for i, c := range columns {
		fields[i] = t.d.schema.Field(c)
		r.cols[i] = newColBuf(fields[i].Type, r.batch)
		r.last = max(r.last, c)
	}
	r.schema = arrow.NewSchema(fields, nil)
	r.refs = make([]fieldRef, r.last+1)
	return r
}

// records is how many records come before the data: lines the format
// options skip, and the header.
func (d *csvDialect) records() int {
	if d.header {
		return d.skip + 1
	}
	return d.skip
}

// begin opens the split's bytes and moves to its first record.
func (r *csvReader) begin() error {
	r.started = true
	t := r.t
	if r.split.index < 0 {
		rc, err := openStreamAhead(t.fsys, t.path, t.comp, true)
		if err != nil {
			return err
		}
		r.rc, r.src = rc, rc
		r.skip = t.d.records()
		return nil
	}
	st, err := t.ranges().start(t.fsys, r.split.index)
	if err != nil {
		return err
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
	size := t.ranges().size
	r.src = io.NewSectionReader(ra, r.split.start, size-r.split.start)
	r.pos, r.end, r.line = r.split.start, r.split.end, st.line
	if r.split.index == 0 {
		r.skip = t.d.records()
		return nil
	}
	prev, err := byteBefore(ra, r.split.start, t.path)
	if err != nil {
		return err
	}
	if st.state == outside && prev == '\n' {
		return nil // the range starts with a record
	}
	return r.seekRecord(st.state, prev)
}

// seekRecord skips to the first record that starts after the current
// position, given the quote state there and the byte before it.
func (r *csvReader) seekRecord(state quoteState, prev byte) error {
	q := r.quote
	lastQuote := prev == q
	for {
		if r.lo == r.hi {
			if r.eof {
				r.done = true
				return nil
			}
			if err := r.fill(); err != nil {
				return err
			}
			continue
		}
		b := r.buf[r.lo:r.hi]
		for i, c := range b {
			if c == q {
				state = quoteStep(state, lastQuote, prev == r.delim || prev == '\n')
				lastQuote = true
			} else {
				if lastQuote && state == quoteSeen {
					state = outside
				}
				lastQuote = false
				if c == '\n' {
					r.line++
					if state == outside {
						r.lo += i + 1
						r.pos += int64(i + 1)
						return nil
					}
				}
			}
			prev = c
		}
		r.pos += int64(len(b))
		r.lo = r.hi
	}
}

func (r *csvReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
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
		if r.pos >= r.end {
			r.done = true
			break
		}
		if r.lo == r.hi {
			if r.eof {
				r.done = true
				break
			}
			if err := r.fill(); err != nil {
				return nil, err
			}
			continue
		}
		next, nf, st := r.tokenize(r.buf[r.lo:r.hi], r.eof)
		switch st {
		case tokMore:
			if err := r.fill(); err != nil {
				return nil, err
			}
			continue
		case tokUnterminated:
			r.done = true
			return nil, sqlerr.New("22P04", "unterminated quoted field in file \"%s\" at line %d", r.t.path, r.line)
		}
		line := r.line
		rec := r.buf[r.lo : r.lo+next]
		r.consume(next, int64(1+r.qlines))
		if r.skip > 0 {
			r.skip--
			continue
		}
		if nf == 1 && r.ncol > 1 && !r.refs0Quoted(rec) && r.blank(rec) {
			continue // a blank line
		}
		if nf != r.ncol {
			r.done = true
			return nil, sqlerr.New("22P04", "file \"%s\" line %d: expected %d fields, found %d", r.t.path, line, r.ncol, nf)
		}
		base := r.buf[r.lo-next:]
		for i, c := range r.outCols {
			f := r.refs[c]
			var v []byte
			if f.scratch {
				v = r.scratch[f.start:f.end]
			} else {
				v = base[f.start:f.end]
			}
			if !r.cols[i].appendText(v, f.quoted) {
				r.done = true
				return nil, r.t.widen(c, v, line)
			}
		}
		r.lines = append(r.lines, line)
		rows++
	}
	r.rows += int64(rows)
	if r.done {
		r.ended()
	}
	if rows == 0 {
		r.done = true
		return nil, nil
	}
	out := make([]arrow.Array, len(r.cols))
	for i, c := range r.cols {
		out[i] = c.array(r.batch)
		if s, ok := out[i].(*array.String); ok {
			if row, bad := badString(s); bad != nil {
				r.done = true
				return nil, invalidText(r.t.path, fmt.Sprintf("line %d", r.lines[row]), bad)
			}
		}
	}
	return array.NewRecordBatch(r.schema, out, int64(rows)), nil
}

// refs0Quoted reports whether the record's only field was quoted.
func (r *csvReader) refs0Quoted(rec []byte) bool { return len(rec) > 0 && rec[0] == r.quote }

// blank reports whether a record is an empty line.
func (r *csvReader) blank(rec []byte) bool {
	return len(trimEOL(rec)) == 0
}

// tokenize finds the fields of the record at the start of b (up to the
// last column read, counting the rest), returning the bytes it takes
// (its newline included), its number of fields, and whether it is
// complete in b. eof says b holds the rest of the file.
func (r *csvReader) tokenize(b []byte, eof bool) (int, int, tokStatus) {
	d, qc := r.delim, r.quote
	n := len(b)
	p, c := 0, 0
	r.scratch = r.scratch[:0]
	r.qlines = 0
	for {
		var f fieldRef
		if p < n && b[p] == qc {
			// A quoted field: up to the closing quote, "" for a quote,
			// newlines included.
			q := p + 1
			start := q
			esc := -1 // where the field begins in scratch once copied there
			for {
				k := bytes.IndexByte(b[q:], qc)
				if k < 0 {
					if eof {
						return 0, 0, tokUnterminated
					}
					return 0, 0, tokMore
				}
				q += k
				if q+1 >= n && !eof {
					return 0, 0, tokMore
				}
				if q+1 < n && b[q+1] == qc {
					if esc < 0 {
						esc = len(r.scratch)
					}
					r.scratch = append(r.scratch, b[start:q+1]...)
					q += 2
					start = q
					continue
				}
				break
			}
			content := b[start:q]
			if esc >= 0 || bytes.IndexByte(content, '\n') >= 0 {
				if esc < 0 {
					esc = len(r.scratch)
				}
				r.scratch = append(r.scratch, content...)
				r.scratch = r.scratch[:esc+r.crlf(r.scratch[esc:])]
				f = fieldRef{start: esc, end: len(r.scratch), quoted: true, scratch: true}
			} else {
				f = fieldRef{start: start, end: q, quoted: true}
			}
			p = q + 1
			// Text after the closing quote up to the delimiter is kept.
			k := p
			for k < n && b[k] != d && b[k] != '\n' {
				k++
			}
			if k == n && !eof {
				return 0, 0, tokMore
			}
			tail := b[p:k]
			if k < n && b[k] == '\n' && len(tail) > 0 && tail[len(tail)-1] == '\r' {
				tail = tail[:len(tail)-1]
			}
			if len(tail) > 0 {
				if !f.scratch {
					s0 := len(r.scratch)
					r.scratch = append(r.scratch, b[f.start:f.end]...)
					f = fieldRef{start: s0, quoted: true, scratch: true}
				}
				r.scratch = append(r.scratch, tail...)
				f.end = len(r.scratch)
			}
			p = k
		} else {
			q := p
			for q < n {
				ch := b[q]
				if ch == d || ch == '\n' {
					break
				}
				q++
			}
			if q == n && !eof {
				return 0, 0, tokMore
			}
			e := q
			if q < n && b[q] == '\n' && e > p && b[e-1] == '\r' {
				e-- // CR LF ends the record
			}
			f = fieldRef{start: p, end: e}
			p = q
		}
		if c < len(r.refs) {
			r.refs[c] = f
		}
		c++
		if p >= n {
			return n, c, tokDone
		}
		if b[p] == '\n' {
			return p + 1, c, tokDone
		}
		p++ // the delimiter
		if c > r.last {
			// The rest is not read: count its fields, unless quotes make
			// that a parse.
			nl := bytes.IndexByte(b[p:], '\n')
			rest := b[p:]
			if nl >= 0 {
				rest = b[p : p+nl]
			} else if !eof {
				return 0, 0, tokMore
			}
			if bytes.IndexByte(rest, qc) < 0 {
				c += bytes.Count(rest, []byte{d}) + 1
				if nl < 0 {
					return n, c, tokDone
				}
				return p + nl + 1, c, tokDone
			}
		}
	}
}

// crlf turns each CR LF of a quoted value into LF (as reading it line by
// line does) and counts its newlines; it returns the new length.
func (r *csvReader) crlf(v []byte) int {
	nl := bytes.Count(v, []byte{'\n'})
	r.qlines += nl
	if nl == 0 || bytes.IndexByte(v, '\r') < 0 {
		return len(v)
	}
	w := 0
	for i := 0; i < len(v); i++ {
		if v[i] == '\r' && i+1 < len(v) && v[i+1] == '\n' {
			continue
		}
		v[w] = v[i]
		w++
	}
	return w
}

func (r *csvReader) Close() error {
	r.done = true
	return r.close()
}
