package connectors

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"sync"
)

// Large text files are read in byte ranges, one split each, so that a
// scan parses them on all cores. A range owns the records that start
// inside it: its reader skips to its first record start and reads on past
// its end to finish its last record.
//
// Where a record starts is not a local question for CSV: a newline inside
// a quoted field is data, and whether a range begins inside quotes depends
// on every byte before it. Each range therefore gets a summary, computed
// once by a fast pass that jumps from quote to quote: the quote state at
// its end for each state it may begin in, and its newline count. The
// state at a range's start is the composition of the summaries before it,
// which is exact (no guessing from field counts), so a range that starts
// inside a quoted field still yields exactly its own rows. The newline
// counts give error messages their exact line numbers.

// quoteState is where the CSV grammar stands between two bytes.
type quoteState uint8

const (
	outside   quoteState = iota // not in a quoted field
	inQuotes                    // inside a quoted field
	quoteSeen                   // just after a quote inside a quoted field: a closing quote or half of ""
	numQuoteStates
)

// Range sizes: ranges of at most maxRangeSize bytes, and enough of them
// (down to minRangeSize) to keep every core busy.
const (
	maxRangeSize = 16 << 20
	minRangeSize = 2 << 20
)

// rangeLayout divides size bytes into ranges: splitSize when set (tests),
// else by the range sizes above.
func rangeLayout(size, splitSize int64) []int64 {
	step := splitSize
	if step <= 0 {
		n := (size + maxRangeSize - 1) / maxRangeSize
		if want := int64(2 * runtime.GOMAXPROCS(0)); n < want {
			n = min(want, size/minRangeSize)
		}
		n = max(n, 1)
		step = (size + n - 1) / n
	}
	var starts []int64
	for s := int64(0); s < size || s == 0; s += step {
		starts = append(starts, s)
		if step <= 0 {
			break
		}
	}
	return starts
}

// rangeSummary is what one pass over a range tells: its quote state at
// the end for each state at the start, and its newlines.
type rangeSummary struct {
	end      [numQuoteStates]quoteState
	newlines int64
}

// textRanges holds the ranges of one file version and their summaries,
// each computed once (by whichever reader needs it first) and shared by
// every later scan of the file.
type textRanges struct {
	path   string
	size   int64
	starts []int64 // range i is [starts[i], starts[i+1]) (the last ends at size)
	delim  byte
	quote  byte // CSV's quote ('"' unless set)
	csv    bool // quotes matter (CSV); JSON lines have no newlines in values

	locks []sync.Mutex // held while a range's summary is computed
	sums  []rangeSummary
	done  []bool
	state []rangeStart // resolved start of each range, filled in order
	rows  []int64      // rows read from each range by a scan that read it all (-1: none yet)
	mu    sync.Mutex
}

// counted records the rows a scan read from range i, all of it.
func (r *textRanges) counted(i int, rows int64) {
	r.mu.Lock()
	r.rows[i] = rows
	r.mu.Unlock()
}

// total is the rows of the file, once every range has been read.
func (r *textRanges) total() (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for _, c := range r.rows {
		if c < 0 {
			return 0, false
		}
		n += c
	}
	return n, true
}

// rangeStart is the quote state and line number at a range's first byte.
type rangeStart struct {
	known bool
	state quoteState
	line  int64 // 1-based line number of the range's first byte
}

func newTextRanges(p string, size, splitSize int64, delim byte, csv bool) *textRanges {
	starts := rangeLayout(size, splitSize)
	r := &textRanges{path: p, size: size, starts: starts, delim: delim, quote: '"', csv: csv,
		locks: make([]sync.Mutex, len(starts)), sums: make([]rangeSummary, len(starts)),
		done: make([]bool, len(starts)), state: make([]rangeStart, len(starts)), rows: make([]int64, len(starts))}
	r.state[0] = rangeStart{known: true, state: outside, line: 1}
	for i := range r.rows {
		r.rows[i] = -1
	}
	return r
}

func (r *textRanges) bounds(i int) (int64, int64) {
	end := r.size
	if i+1 < len(r.starts) {
		end = r.starts[i+1]
	}
	return r.starts[i], end
}

// start returns the quote state and line number where range i begins,
// computing the summaries of the ranges before it as needed.
func (r *textRanges) start(fsys fs.FS, i int) (rangeStart, error) {
	r.mu.Lock()
	j := i
	for !r.state[j].known {
		j--
	}
	st := r.state[j]
	r.mu.Unlock()
	for ; j < i; j++ {
		sum, err := r.summary(fsys, j)
		if err != nil {
			return rangeStart{}, err
		}
		st = rangeStart{known: true, state: sum.end[st.state], line: st.line + sum.newlines}
		r.mu.Lock()
		r.state[j+1] = st
		r.mu.Unlock()
	}
	return st, nil
}

// summary computes range i's summary once (a failure is not kept: the
// next caller tries again).
func (r *textRanges) summary(fsys fs.FS, i int) (rangeSummary, error) {
	r.locks[i].Lock()
	defer r.locks[i].Unlock()
	if r.done[i] {
		return r.sums[i], nil
	}
	sum, err := r.summarize(fsys, i)
	if err != nil {
		return rangeSummary{}, err
	}
	r.sums[i], r.done[i] = sum, true
	return sum, nil
}

var summaryBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

func (r *textRanges) summarize(fsys fs.FS, i int) (rangeSummary, error) {
	s, e := r.bounds(i)
	f, err := fsys.Open(r.path)
	if err != nil {
		return rangeSummary{}, fileErr(r.path, err)
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	if !ok {
		return rangeSummary{}, fmt.Errorf("file \"%s\" has no random access", r.path)
	}
	bp := summaryBuffers.Get().(*[]byte)
	defer summaryBuffers.Put(bp)
	buf := *bp
	var sum rangeSummary
	// The byte before the range decides whether a quote on its first
	// byte opens a quoted field.
	prev, err := byteBefore(ra, s, r.path)
	if err != nil {
		return rangeSummary{}, err
	}
	w := newQuoteWalk(r.delim, r.quote, prev)
	for off := s; off < e; {
		n := int64(len(buf))
		if e-off < n {
			n = e - off
		}
		got, err := ra.ReadAt(buf[:n], off)
		if int64(got) < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return rangeSummary{}, fileErr(r.path, err)
		}
		chunk := buf[:got]
		sum.newlines += int64(bytes.Count(chunk, []byte{'\n'}))
		if r.csv {
			w.walk(chunk)
		}
		off += int64(got)
	}
	sum.end = w.finish()
	return sum, nil
}

// byteBefore is the byte before offset s of the file ('\n' at its start:
// the first record starts there).
func byteBefore(ra io.ReaderAt, s int64, p string) (byte, error) {
	if s == 0 {
		return '\n', nil
	}
	var b [1]byte
	if _, err := ra.ReadAt(b[:], s-1); err != nil {
		return 0, fileErr(p, err)
	}
	return b[0], nil
}

// quoteWalk runs the CSV quote grammar over a stream of bytes from each
// possible start state at once. Between quotes no state changes, so it
// jumps from quote to quote; once the runs agree they stay together.
type quoteWalk struct {
	delim     byte
	quote     byte
	st        [numQuoteStates]quoteState
	prev      byte // the byte before the next one
	lastQuote bool // the previous byte was a quote
}

// newQuoteWalk starts a walk after the byte prev.
func newQuoteWalk(delim, quote, prev byte) *quoteWalk {
	w := &quoteWalk{delim: delim, quote: quote, prev: prev, lastQuote: prev == quote}
	for s := quoteState(0); s < numQuoteStates; s++ {
		w.st[s] = s
	}
	return w
}

func (w *quoteWalk) walk(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, w.quote)
		if i < 0 {
			w.settle()
			w.prev, w.lastQuote = b[len(b)-1], false
			return
		}
		if i > 0 {
			w.settle()
			w.prev, w.lastQuote = b[i-1], false
		}
		fieldStart := w.prev == w.delim || w.prev == '\n'
		for h := range w.st {
			w.st[h] = quoteStep(w.st[h], w.lastQuote, fieldStart)
		}
		w.prev, w.lastQuote = w.quote, true
		b = b[i+1:]
	}
}

// settle resolves a quote followed by a byte that is not a quote: the
// quoted field has closed.
func (w *quoteWalk) settle() {
	if !w.lastQuote {
		return
	}
	for h, s := range w.st {
		if s == quoteSeen {
			w.st[h] = outside
		}
	}
	w.lastQuote = false
}

// quoteStep is the state after a quote, given the state before it,
// whether the byte before it was also a quote, and whether it stands at
// the start of a field.
func quoteStep(s quoteState, afterQuote, fieldStart bool) quoteState {
	switch s {
	case quoteSeen:
		if afterQuote {
			return inQuotes // "" inside quotes
		}
		s = outside
	case inQuotes:
		return quoteSeen
	}
	if fieldStart {
		return inQuotes
	}
	return outside // a quote inside an unquoted field is data
}

// finish returns the end state for each start state.
func (w *quoteWalk) finish() [numQuoteStates]quoteState { return w.st }

// textSplits returns the splits of a text file: byte ranges when it is
// uncompressed and can be read at any offset, else the whole file.
func textSplits(fsys fs.FS, p string, comp Compression, ranges func() *textRanges) ([]Split, error) {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, fileErr(p, err)
	}
	whole := []Split{&textSplit{path: p, index: -1, end: st.Size()}}
	if comp != NoCompression || ranges == nil {
		return whole, nil
	}
	r := ranges()
	if len(r.starts) == 1 {
		return whole, nil // a small file: read from the start, no need to open it here
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, fileErr(p, err)
	}
	_, random := f.(io.ReaderAt)
	f.Close()
	if !random {
		return whole, nil
	}
	out := make([]Split, len(r.starts))
	for i := range r.starts {
		s, e := r.bounds(i)
		out[i] = &textSplit{path: p, index: i, start: s, end: e}
	}
	return out, nil
}

// fileRows is the rows of a file read whole as one split, once a scan
// read it to its end.
type fileRows struct {
	mu    sync.Mutex
	rows  int64
	known bool
}

func (f *fileRows) set(n int64) {
	f.mu.Lock()
	f.rows, f.known = n, true
	f.mu.Unlock()
}

func (f *fileRows) get() (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rows, f.known
}

// rowCounter is what a reader of split tells its rows to.
func rowCounter(split *textSplit, whole *fileRows, ranges func() *textRanges) func(int64) {
	if split.index < 0 {
		return whole.set
	}
	r := ranges()
	i := split.index
	return func(n int64) { r.counted(i, n) }
}

// countedRows is the rows scans counted in the whole file, if they did.
func countedRows(comp Compression, whole *fileRows, ranges func() *textRanges) (int64, bool) {
	if n, ok := whole.get(); ok {
		return n, true
	}
	if comp != NoCompression || ranges == nil {
		return 0, false
	}
	return ranges().total()
}
