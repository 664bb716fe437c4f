package executor

import (
	"container/heap"
	"context"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
)

// Sort orders its input by sort keys encoded as bytes (see sortkey.go).
// Each input (one, or the instances of a parallel pipeline, each on its
// own goroutine) is cut into sorted runs: a run is kept in memory, or,
// when the query's memory refuses more, sorted and written to a spill
// file. The runs are then merged, a batch at a time. Equal keys keep
// their input order within a run, and earlier runs come first.
//
// With a limit it is a Top-N: each input keeps only its offset+limit best
// rows in a bounded heap.
type Sort struct {
	inputs []Operator
	keys   []SortKey
	limit  int64 // < 0: all
	off    int64
	schema *arrow.Schema

	started bool
	merge   *runMerge
	emitted int64 // rows skipped or returned so far (Top-N)
	peak    atomic.Int64
}

// PeakMemory is the most memory one input's runs reserved (EXPLAIN
// ANALYZE).
func (s *Sort) PeakMemory() int64 { return s.peak.Load() }

// NewSort returns input ordered by keys.
func NewSort(input Operator, keys []SortKey) Operator {
	return NewParallelSort([]Operator{input}, keys, -1, 0)
}

// NewTopN returns the first limit rows after offset of input ordered by keys.
func NewTopN(input Operator, keys []SortKey, limit, offset int64) Operator {
	return NewParallelSort([]Operator{input}, keys, limit, offset)
}

// NewParallelSort sorts the union of inputs (instances of one parallel
// pipeline); limit >= 0 makes it a Top-N.
func NewParallelSort(inputs []Operator, keys []SortKey, limit, offset int64) Operator {
	return &Sort{inputs: inputs, keys: keys, limit: limit, off: offset, schema: inputs[0].Schema()}
}

func (s *Sort) Schema() *arrow.Schema { return s.schema }
func (s *Sort) Open(ctx context.Context) error {
	s.started, s.merge, s.emitted = false, nil, 0
	for _, in := range s.inputs {
		if err := in.Open(ctx); err != nil {
			return err
		}
	}
	return nil
}
func (s *Sort) Close() error {
	if s.merge != nil {
		s.merge.close()
	}
	var first error
	for _, in := range s.inputs {
		if err := in.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (s *Sort) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if !s.started {
		s.started = true
		runs, err := s.collect(ctx)
		if err != nil {
			return nil, err
		}
		if s.merge, err = newRunMerge(ctx, s.schema, runs); err != nil {
			return nil, err
		}
	}
	for {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		want := int64(batch.Size)
		if s.limit >= 0 {
			left := s.off + s.limit - s.emitted
			if left <= 0 {
				return nil, nil
			}
			want = min(want, left)
		}
		b, err := s.merge.next(ctx, int(want))
		if err != nil || b == nil {
			return nil, err
		}
		n := b.NumRows()
		start := s.emitted
		s.emitted += n
		if start < s.off {
			skip := min(s.off-start, n)
			if skip == n {
				continue
			}
			b = b.NewSlice(skip, n)
		}
		return b, nil
	}
}

// collect turns each input into sorted runs, the inputs concurrently.
func (s *Sort) collect(ctx context.Context) ([]*sortRun, error) {
	if len(s.inputs) == 1 {
		return s.runsOf(ctx, s.inputs[0])
	}
	out := make([][]*sortRun, len(s.inputs))
	err := onEach(ctx, len(s.inputs), func(ctx context.Context, w int) error {
		var err error
		out[w], err = s.runsOf(ctx, s.inputs[w])
		return err
	})
	if err != nil {
		return nil, err
	}
	var runs []*sortRun
	for _, r := range out {
		runs = append(runs, r...)
	}
	return runs, nil
}

// onEach runs f(ctx, 0) .. f(ctx, n-1), each on a goroutine of its own
// (the workers of a parallel phase). The first to fail, or to panic (an
// internal error), cancels the context the others were given; onEach
// returns the error that started it (see firstError).
func onEach(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					errs[i] = sqlerr.New(sqlerr.InternalError, "%v", r)
				}
				if errs[i] != nil {
					cancel()
				}
			}()
			errs[i] = f(ctx, i)
		}()
	}
	wg.Wait()
	return firstError(errs)
}

// firstError returns the first error that is not a cancellation caused
// by another one, else the first error.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil && !isCanceled(err) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// keyed is a batch with the encoded sort keys of its rows.
type keyed struct {
	b    arrow.RecordBatch
	keys *sortKeys
}

// runsOf reads one input into sorted runs.
func (s *Sort) runsOf(ctx context.Context, in Operator) ([]*sortRun, error) {
	ec := evalContext(ctx)
	if s.limit >= 0 {
		return s.topN(ctx, ec, in)
	}
	res := budget.From(ctx).Reserve("sort")
	defer func() {
		for p := res.Peak(); ; {
			cur := s.peak.Load()
			if p <= cur || s.peak.CompareAndSwap(cur, p) {
				break
			}
		}
		res.Release()
	}()
	var runs []*sortRun
	var buf []keyed
	var held int64
	for {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		b, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		kb, err := s.keyed(ec, b)
		if err != nil {
			return nil, err
		}
		buf = append(buf, kb)
		held += batchBytes(b) + int64(len(kb.keys.data)+4*len(kb.keys.offs))
		if res.TryResize(held, true) {
			continue
		}
		if held < minSortRun && !res.OverWorkMem(held) {
			// When the query's pool (not work_mem) refuses, a run is still
			// at least minSortRun, past the budget by that much at most:
			// under memory pressure a run per batch made merges of
			// hundreds of tiny runs.
			res.TryResize(held, false)
			continue
		}
		// Memory refused: this run goes to disk.
		run, err := sortBuffered(ctx, s.schema, buf)
		if err != nil {
			return nil, err
		}
		if err := run.spill(ctx); err != nil {
			return nil, err
		}
		runs = append(runs, run)
		buf, held = nil, 0
		res.TryResize(0, true)
	}
	if len(buf) > 0 {
		run, err := sortBuffered(ctx, s.schema, buf)
		if err != nil {
			return nil, err
		}
		runs = append(runs, run)
	}
	return runs, nil
}

// minSortRun is the smallest run a sort spills.
const minSortRun = 4 << 20

func (s *Sort) keyed(ec *expr.Context, b arrow.RecordBatch) (keyed, error) {
	cols, err := evalKeys(ec, b, s.keys)
	if err != nil {
		return keyed{}, err
	}
	return keyed{b: b, keys: encodeSortKeys(cols, s.keys, int(b.NumRows()))}, nil
}

// sortBuffered sorts buffered batches into one in-memory run.
func sortBuffered(ctx context.Context, schema *arrow.Schema, buf []keyed) (*sortRun, error) {
	type ref struct{ b, r int32 }
	var refs []ref
	for bi, kb := range buf {
		for r := 0; r < int(kb.b.NumRows()); r++ {
			refs = append(refs, ref{int32(bi), int32(r)})
		}
	}
	key := func(x ref) []byte { return buf[x.b].keys.key(int(x.r)) }
	sort.SliceStable(refs, func(i, j int) bool { return string(key(refs[i])) < string(key(refs[j])) })
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	// Gather the sorted rows into one batch and one key block.
	srcs := make([]arrow.RecordBatch, len(buf))
	for i, kb := range buf {
		srcs[i] = kb.b
	}
	all, err := concatBatches(schema, srcs)
	if err != nil {
		return nil, err
	}
	base := make([]int32, len(buf))
	for i := 1; i < len(buf); i++ {
		base[i] = base[i-1] + int32(buf[i-1].b.NumRows())
	}
	idx := make([]int32, len(refs))
	keys := &sortKeys{offs: make([]int32, len(refs)+1)}
	for i, x := range refs {
		idx[i] = base[x.b] + x.r
		keys.data = append(keys.data, key(x)...)
		keys.offs[i+1] = int32(len(keys.data))
	}
	sorted, err := gatherRows(ctx, schema, all, idx)
	if err != nil {
		return nil, err
	}
	return &sortRun{mem: &keyed{b: sorted, keys: keys}}, nil
}

// topN keeps the best offset+limit rows of one input in a bounded heap;
// the kept rows are gathered into one batch whenever the batches they
// point into grow many.
func (s *Sort) topN(ctx context.Context, ec *expr.Context, in Operator) ([]*sortRun, error) {
	k := int(s.off + s.limit)
	if k == 0 {
		return nil, nil
	}
	h := &rowHeap{}
	var srcs []keyed
	for {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		b, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		kb, err := s.keyed(ec, b)
		if err != nil {
			return nil, err
		}
		src := int32(len(srcs))
		used := false
		for r := 0; r < int(b.NumRows()); r++ {
			key := kb.keys.key(r)
			if h.Len() < k {
				heap.Push(h, heapRow{key: key, src: src, row: int32(r), seq: h.seq})
				h.seq++
				used = true
			} else if string(key) < string(h.rows[0].key) {
				h.rows[0] = heapRow{key: key, src: src, row: int32(r), seq: h.seq}
				h.seq++
				heap.Fix(h, 0)
				used = true
			}
		}
		if used {
			srcs = append(srcs, kb)
		}
		if len(srcs) > 64 {
			if srcs, err = compactHeap(ctx, s.schema, h, srcs); err != nil {
				return nil, err
			}
		}
	}
	if h.Len() == 0 {
		return nil, nil
	}
	srcs, err := compactHeap(ctx, s.schema, h, srcs)
	if err != nil {
		return nil, err
	}
	// The heap holds the k best rows; order them for the merge.
	rows := append([]heapRow(nil), h.rows...)
	sort.Slice(rows, func(i, j int) bool {
		if c := compareBytes(rows[i].key, rows[j].key); c != 0 {
			return c < 0
		}
		return rows[i].seq < rows[j].seq
	})
	buf := srcs[0]
	idx := make([]int32, len(rows))
	keys := &sortKeys{offs: make([]int32, len(rows)+1)}
	for i, r := range rows {
		idx[i] = r.row
		keys.data = append(keys.data, r.key...)
		keys.offs[i+1] = int32(len(keys.data))
	}
	sorted, err := gatherRows(ctx, s.schema, buf.b, idx)
	if err != nil {
		return nil, err
	}
	return []*sortRun{{mem: &keyed{b: sorted, keys: keys}}}, nil
}

// compactHeap gathers the heap's rows into one batch, so that the batches
// they pointed into can be freed.
func compactHeap(ctx context.Context, schema *arrow.Schema, h *rowHeap, srcs []keyed) ([]keyed, error) {
	all := make([]arrow.RecordBatch, len(srcs))
	base := make([]int32, len(srcs))
	var n int32
	for i, kb := range srcs {
		all[i] = kb.b
		base[i] = n
		n += int32(kb.b.NumRows())
	}
	cat, err := concatBatches(schema, all)
	if err != nil {
		return nil, err
	}
	idx := make([]int32, len(h.rows))
	keys := &sortKeys{offs: make([]int32, len(h.rows)+1)}
	for i := range h.rows {
		r := &h.rows[i]
		idx[i] = base[r.src] + r.row
		keys.data = append(keys.data, r.key...)
		keys.offs[i+1] = int32(len(keys.data))
		r.src, r.row = 0, int32(i)
	}
	b, err := gatherRows(ctx, schema, cat, idx)
	if err != nil {
		return nil, err
	}
	for i := range h.rows {
		h.rows[i].key = keys.key(i)
	}
	return []keyed{{b: b, keys: keys}}, nil
}

// heapRow is a row kept by a Top-N: its key, where it is, and its input
// order (ties keep it).
type heapRow struct {
	key      []byte
	src, row int32
	seq      int64
}

// rowHeap is a max-heap: the worst kept row is on top, to be replaced.
type rowHeap struct {
	rows []heapRow
	seq  int64
}

func (h *rowHeap) Len() int { return len(h.rows) }
func (h *rowHeap) Less(i, j int) bool {
	if c := compareBytes(h.rows[i].key, h.rows[j].key); c != 0 {
		return c > 0
	}
	return h.rows[i].seq > h.rows[j].seq
}
func (h *rowHeap) Swap(i, j int) { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *rowHeap) Push(x any)    { h.rows = append(h.rows, x.(heapRow)) }
func (h *rowHeap) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}

func compareBytes(a, b []byte) int {
	switch {
	case string(a) < string(b):
		return -1
	case string(a) > string(b):
		return 1
	}
	return 0
}

// sortRun is a sorted sequence of rows: in memory, or spilled to a file
// whose batches carry their keys in a last binary column.
type sortRun struct {
	mem  *keyed
	file *spillFile
}

// spill writes an in-memory run to a file and drops it from memory.
func (r *sortRun) spill(ctx context.Context) error {
	b := r.mem.b
	fields := append(append([]arrow.Field(nil), b.Schema().Fields()...), arrow.Field{Name: "__sortkey", Type: arrow.BinaryTypes.Binary})
	schema := arrow.NewSchema(fields, nil)
	f, err := newSpillFile(ctx, schema)
	if err != nil {
		return err
	}
	n := int(b.NumRows())
	for start := 0; start < n; start += batch.Size {
		end := min(start+batch.Size, n)
		kb := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
		for i := start; i < end; i++ {
			kb.Append(r.mem.keys.key(i))
		}
		part := b.NewSlice(int64(start), int64(end))
		cols := append(append([]arrow.Array(nil), part.Columns()...), kb.NewArray())
		if err := f.write(array.NewRecordBatch(schema, cols, int64(end-start))); err != nil {
			return err
		}
	}
	if err := f.finish(); err != nil {
		return err
	}
	r.mem, r.file = nil, f
	return nil
}

// runCursor reads one run a batch at a time.
type runCursor struct {
	run  int
	cur  *keyed
	pos  int
	rd   *spillReader
	done bool
}

// advance loads the run's next batch when the current one is used up.
func (c *runCursor) advance(schema *arrow.Schema) error {
	for c.cur == nil || c.pos >= int(c.cur.b.NumRows()) {
		if c.rd == nil {
			c.done = true
			return nil
		}
		b, err := c.rd.next()
		if err != nil {
			return err
		}
		if b == nil {
			c.rd.close()
			c.rd = nil
			c.done = true
			return nil
		}
		kc := b.Column(int(b.NumCols()) - 1).(*array.Binary)
		keys := &sortKeys{offs: make([]int32, kc.Len()+1)}
		for i := 0; i < kc.Len(); i++ {
			keys.data = append(keys.data, kc.Value(i)...)
			keys.offs[i+1] = int32(len(keys.data))
		}
		c.cur = &keyed{b: array.NewRecordBatch(schema, b.Columns()[:b.NumCols()-1], b.NumRows()), keys: keys}
		c.pos = 0
	}
	return nil
}

func (c *runCursor) key() []byte { return c.cur.keys.key(c.pos) }

// runMerge merges sorted runs.
type runMerge struct {
	schema  *arrow.Schema
	cursors []*runCursor
	h       cursorHeap
}

func newRunMerge(ctx context.Context, schema *arrow.Schema, runs []*sortRun) (*runMerge, error) {
	m := &runMerge{schema: schema}
	for i, r := range runs {
		c := &runCursor{run: i, cur: r.mem}
		if r.file != nil {
			rd, err := r.file.open()
			if err != nil {
				return nil, err
			}
			c.rd = rd
		}
		if err := c.advance(schema); err != nil {
			return nil, err
		}
		if !c.done {
			m.cursors = append(m.cursors, c)
		}
	}
	m.h = cursorHeap(append([]*runCursor(nil), m.cursors...))
	heap.Init(&m.h)
	return m, nil
}

// next returns up to n more rows in order, or nil at the end.
func (m *runMerge) next(ctx context.Context, n int) (arrow.RecordBatch, error) {
	if len(m.h) == 0 {
		return nil, nil
	}
	// A single run is already in order: slice it.
	if len(m.h) == 1 {
		c := m.h[0]
		end := min(c.pos+n, int(c.cur.b.NumRows()))
		out := c.cur.b.NewSlice(int64(c.pos), int64(end))
		c.pos = end
		if err := c.advance(m.schema); err != nil {
			return nil, err
		}
		if c.done {
			heap.Pop(&m.h)
		}
		return out, nil
	}
	// Pick rows from the cursors in key order; gather them from the
	// batches they are in.
	type pick struct {
		b   arrow.RecordBatch
		row int32
	}
	picks := make([]pick, 0, n)
	for len(picks) < n && len(m.h) > 0 {
		c := m.h[0]
		picks = append(picks, pick{c.cur.b, int32(c.pos)})
		c.pos++
		if err := c.advance(m.schema); err != nil {
			return nil, err
		}
		if c.done {
			heap.Pop(&m.h)
		} else {
			heap.Fix(&m.h, 0)
		}
	}
	// Gather each source batch's picked rows (never the whole batch: a
	// run held in memory is one large batch, and copying it for every
	// output batch made merging quadratic), then put the pieces in key
	// order.
	var srcs []arrow.RecordBatch
	rows := map[arrow.RecordBatch][]int32{}
	for _, p := range picks {
		if _, ok := rows[p.b]; !ok {
			srcs = append(srcs, p.b)
		}
		rows[p.b] = append(rows[p.b], p.row)
	}
	if len(srcs) == 1 {
		return gatherRows(ctx, m.schema, srcs[0], rows[srcs[0]])
	}
	parts := make([]arrow.RecordBatch, len(srcs))
	base := map[arrow.RecordBatch]int32{}
	var total int32
	for i, b := range srcs {
		part, err := gatherRows(ctx, m.schema, b, rows[b])
		if err != nil {
			return nil, err
		}
		parts[i] = part
		base[b] = total
		total += int32(len(rows[b]))
	}
	all, err := concatBatches(m.schema, parts)
	if err != nil {
		return nil, err
	}
	next := map[arrow.RecordBatch]int32{}
	idx := make([]int32, len(picks))
	for i, p := range picks {
		idx[i] = base[p.b] + next[p.b]
		next[p.b]++
	}
	return gatherRows(ctx, m.schema, all, idx)
}

func (m *runMerge) close() {
	for _, c := range m.cursors {
		if c.rd != nil {
			c.rd.close()
			c.rd = nil
		}
	}
}

// cursorHeap orders cursors by their current key, then by run (earlier
// runs first, so equal keys keep their input order).
type cursorHeap []*runCursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if c := compareBytes(h[i].key(), h[j].key()); c != 0 {
		return c < 0
	}
	return h[i].run < h[j].run
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*runCursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
