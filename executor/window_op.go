package executor

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
)

// Window computes window functions that share one window specification
// (PARTITION BY and ORDER BY; their frames may differ), a partition at a
// time, as PostgreSQL's WindowAgg does.
//
// Its input arrives ordered by the partition keys, then the order keys:
// NewWindow puts a spilling Sort in front unless told the input already
// is (or the specification is empty: OVER () is one partition in any
// order). Window holds the rows read since the last computed partition,
// with their memory reserved from the query's budget; when a batch's
// worth of complete partitions is held, or the input ends, it computes
// its functions over them and emits them, in input order, each row
// followed by one column per function, in batches of at most batch.Size
// rows. The partition still being read stays held, so memory is bounded
// by the largest partition (plus a batch): a partition that cannot be
// reserved fails the query with 53200, never the server.
type Window struct {
	input  Operator
	sort   *Sort // the Sort in front of input, when NewWindow made one
	funcs  []WindowExpr
	parts  []SortKey // partition keys
	schema *arrow.Schema

	fns       []*windowFunc // funcs with their frame offsets, on the first Next
	res       *budget.Reservation
	pend      []arrow.RecordBatch // rows read and not yet computed
	pendRows  int
	pendBytes int64
	starts    []int  // first rows of the partitions in pend
	lastKey   []byte // partition key of the last row read
	seen      bool   // a row was read (lastKey is set)
	eof       bool
	out       *windowOutput // computed rows not yet returned
	outBytes  int64
	peak      int64
}

// NewWindow computes funcs, which share one window specification, over
// the union of inputs (instances of one parallel pipeline, or one
// operator). Unless sorted says the input is already in window order
// (WindowSortKeys), it is sorted first by a spilling Sort; sorted input
// is a single operator.
func NewWindow(inputs []Operator, funcs []WindowExpr, sorted bool) Operator {
	w := &Window{funcs: funcs}
	keys := WindowSortKeys(funcs[0])
	switch {
	case !sorted && len(keys) > 0:
		w.sort = NewParallelSort(inputs, keys, -1, 0).(*Sort)
		w.input = w.sort
	case len(inputs) > 1:
		w.input = NewGather(inputs)
	default:
		w.input = inputs[0]
	}
	for _, p := range funcs[0].PartitionBy {
		w.parts = append(w.parts, SortKey{Expr: p})
	}
	fields := append([]arrow.Field(nil), w.input.Schema().Fields()...)
	for i, f := range funcs {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("w%d", i), Type: windowType(f), Nullable: true})
	}
	w.schema = arrow.NewSchema(fields, nil)
	return w
}

// PeakMemory is the most memory the window's partitions reserved, plus
// what its sort's runs reserved (EXPLAIN ANALYZE); the sort's in-memory
// runs stay while the partitions stream out of them.
func (w *Window) PeakMemory() int64 {
	p := w.peak
	if w.res != nil {
		p = max(p, w.res.Peak())
	}
	if w.sort != nil {
		p += w.sort.PeakMemory()
	}
	return p
}

func (w *Window) Schema() *arrow.Schema { return w.schema }

func (w *Window) Open(ctx context.Context) error {
	w.release()
	w.fns, w.res = nil, nil
	w.pend, w.pendRows, w.pendBytes, w.starts = nil, 0, 0, nil
	w.lastKey, w.seen, w.eof = w.lastKey[:0], false, false
	w.out, w.outBytes = nil, 0
	return w.input.Open(ctx)
}

func (w *Window) Close() error {
	w.release()
	w.pend, w.out = nil, nil
	return w.input.Close()
}

func (w *Window) release() {
	if w.res != nil {
		w.peak = max(w.peak, w.res.Peak())
		w.res.Release()
	}
}

func (w *Window) Next(ctx context.Context) (arrow.RecordBatch, error) {
	ec := evalContext(ctx)
	if w.fns == nil {
		// Frame offsets are checked before any row is read, as an empty
		// input must fail on a negative offset too.
		for _, f := range w.funcs {
			fn, err := prepareWindowFunc(ec, f)
			if err != nil {
				return nil, err
			}
			w.fns = append(w.fns, fn)
		}
		w.res = budget.From(ctx).Reserve("window partition")
	}
	for {
		if w.out != nil {
			b, err := w.out.next(w.schema)
			if err != nil {
				return nil, err
			}
			// What is returned is the consumer's to hold.
			w.outBytes = w.out.bytes * int64(w.out.rows-w.out.pos) / int64(w.out.rows)
			if w.out.pos == w.out.rows {
				w.out, w.outBytes = nil, 0
			}
			w.res.TryResize(w.pendBytes+w.outBytes, false) // shrinking
			return b, nil
		}
		if w.eof {
			w.release()
			return nil, nil
		}
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		b, err := w.input.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			w.eof = true
			if w.pendRows > 0 {
				if err := w.compute(ctx, ec, w.pendRows); err != nil {
					return nil, err
				}
			}
			continue
		}
		if b.NumRows() == 0 {
			continue
		}
		if err := w.add(ec, b); err != nil {
			return nil, err
		}
		// Rows before the last partition's start are whole partitions.
		if cut := w.starts[len(w.starts)-1]; cut >= batch.Size {
			if err := w.compute(ctx, ec, cut); err != nil {
				return nil, err
			}
		}
	}
}

// add holds a batch of input and notes where partitions start in it,
// comparing the rows' partition keys as bytes.
func (w *Window) add(ec *expr.Context, b arrow.RecordBatch) error {
	n := int(b.NumRows())
	base := w.pendRows
	if len(w.parts) == 0 {
		if !w.seen {
			w.starts = append(w.starts, 0)
			w.seen = true
		}
	} else {
		cols, err := evalKeys(ec, b, w.parts)
		if err != nil {
			return err
		}
		keys := encodeSortKeys(cols, w.parts, n)
		for r := 0; r < n; r++ {
			k := keys.key(r)
			if !w.seen || string(k) != string(w.lastKey) {
				w.starts = append(w.starts, base+r)
				w.lastKey = append(w.lastKey[:0], k...)
				w.seen = true
			}
		}
	}
	w.pend = append(w.pend, b)
	w.pendRows += n
	w.pendBytes += batchBytes(b)
	return w.reserve(w.pendBytes + w.outBytes)
}

// compute computes the functions over the first rows held (whole
// partitions) and keeps the rest. The computed rows are returned a batch
// at a time: their input columns as they came (only the columns the
// functions read are copied into one array each), with the results.
func (w *Window) compute(ctx context.Context, ec *expr.Context, rows int) error {
	head, tail := splitRows(w.pend, rows)
	k := len(w.starts)
	for k > 0 && w.starts[k-1] >= rows {
		k--
	}
	starts := w.starts[:k]
	var tailBytes int64
	for _, b := range tail {
		tailBytes += batchBytes(b)
	}
	headBytes := w.pendBytes - tailBytes
	// The rows held, the functions' state and results, and the columns
	// they read (reserved as the chunk evaluates them).
	held := w.pendBytes + int64(rows)*int64(8+24*len(w.fns))
	if err := w.reserve(held); err != nil {
		return err
	}
	grow := func(n int64) error {
		held += n
		return w.reserve(held)
	}
	c, err := newWindowChunk(ec, head, rows, starts, w.funcs[0].OrderBy, grow)
	if err != nil {
		return err
	}
	out := &windowOutput{pieces: head, rows: rows, bytes: headBytes}
	for _, fn := range w.fns {
		res, err := fn.compute(ctx, ec, c)
		if err != nil {
			return err
		}
		out.results = append(out.results, res)
		out.bytes += arrayBytes(res.Data())
	}
	w.out, w.outBytes = out, out.bytes
	// The open partition starts the held rows again.
	w.pend, w.pendRows, w.pendBytes = tail, w.pendRows-rows, tailBytes
	w.starts = w.starts[:0]
	if w.pendRows > 0 {
		w.starts = append(w.starts, 0)
	}
	return w.reserve(w.pendBytes + w.outBytes)
}

// windowOutput is computed rows, returned a batch at a time.
type windowOutput struct {
	pieces    []arrow.RecordBatch // the input rows not yet returned
	results   []arrow.Array       // one per function, for all the rows
	rows, pos int
	bytes     int64
}

// next returns the next batch.Size rows (or fewer, at the end).
func (o *windowOutput) next(schema *arrow.Schema) (arrow.RecordBatch, error) {
	end := min(o.pos+batch.Size, o.rows)
	var parts []arrow.RecordBatch
	for need := end - o.pos; need > 0; {
		p := o.pieces[0]
		n := int(p.NumRows())
		if n <= need {
			parts = append(parts, p)
			o.pieces[0] = nil
			o.pieces = o.pieces[1:]
			need -= n
			continue
		}
		parts = append(parts, p.NewSlice(0, int64(need)))
		o.pieces[0] = p.NewSlice(int64(need), int64(n))
		need = 0
	}
	cols := make([]arrow.Array, 0, schema.NumFields())
	for c := 0; c < int(parts[0].NumCols()); c++ {
		if len(parts) == 1 {
			a, err := compact(parts[0].Column(c))
			if err != nil {
				return nil, err
			}
			cols = append(cols, a)
			continue
		}
		arrs := make([]arrow.Array, len(parts))
		for i, p := range parts {
			arrs[i] = p.Column(c)
		}
		a, err := array.Concatenate(arrs, memory.DefaultAllocator)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.InternalError, "window output")
		}
		cols = append(cols, a)
	}
	for _, r := range o.results {
		a, err := compact(array.NewSlice(r, int64(o.pos), int64(end)))
		if err != nil {
			return nil, err
		}
		cols = append(cols, a)
	}
	b := array.NewRecordBatch(schema, cols, int64(end-o.pos))
	o.pos = end
	return b, nil
}

// compact returns a, or a copy of it when a is a slice keeping buffers
// much larger than its rows (of a whole partition's results, or of a
// sorted run): the operators downstream count the memory of the batches
// they hold by their buffers.
func compact(a arrow.Array) (arrow.Array, error) {
	if bufferBytes(a.Data()) <= 2*arrayBytes(a.Data())+4096 {
		return a, nil
	}
	c, err := array.Concatenate([]arrow.Array{a}, memory.DefaultAllocator)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.InternalError, "window output")
	}
	return c, nil
}

// reserve sets the window's reservation to n bytes; a partition that
// does not fit is 53200, saying so.
func (w *Window) reserve(n int64) error {
	err := w.res.Resize(n)
	if sqlerr.Code(err) == sqlerr.OutOfMemory {
		e := sqlerr.As(err)
		e.Message = "out of memory: a window partition does not fit in memory"
		e.Hint = "Raise --memory-limit, or give the window a PARTITION BY that makes its partitions smaller."
		return e
	}
	return err
}

// splitRows cuts batches at row at: the rows before it and the rest.
func splitRows(bs []arrow.RecordBatch, at int) (head, tail []arrow.RecordBatch) {
	for i, b := range bs {
		n := int(b.NumRows())
		if at >= n {
			head = append(head, b)
			at -= n
			continue
		}
		if at > 0 {
			head = append(head, b.NewSlice(0, int64(at)))
			b = b.NewSlice(int64(at), int64(n))
		}
		return head, append(append(tail, b), bs[i+1:]...)
	}
	return head, nil
}
