package executor

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/aggregate"
	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/executor/hashtable"
)

// AggregateExpr is one aggregate computed by a HashAggregate.
type AggregateExpr struct {
	Func     *aggregate.Func
	Args     []expr.Expr
	Distinct bool
	Filter   expr.Expr
	OrderBy  []SortKey
}

// HashAggregate groups its input by key expressions and folds each group
// into aggregate accumulators. With grouping sets it aggregates once per
// set and adds a grouping-id column.
type HashAggregate struct {
	input Operator
	// inputs, when set, are instances of a parallel pipeline: each is
	// aggregated on a goroutine of its own, and the partial groups merged.
	inputs []Operator
	groups []expr.Expr
	aggs   []AggregateExpr
	// shared computes what groups and aggs' arguments repeat; they read
	// it from the batch it extends.
	shared *expr.Shared
	sets   [][]int
	schema *arrow.Schema
	out    slicer
	done   bool
	peak   int64 // memory its states reserved at most
	// workerTimes is, per parallel input, the time its goroutine spent
	// consuming (its input's time included); waited is how long Next
	// waited for them. EXPLAIN ANALYZE counts the work on each worker.
	workerTimes []time.Duration
	waited      time.Duration
}

// ParallelTimes returns, once the inputs are consumed, the time each
// worker spent aggregating its input (that input's time included) and how
// long the calling goroutine waited for them; nil before, or when the
// aggregate is not parallel.
func (h *HashAggregate) ParallelTimes() ([]time.Duration, time.Duration) {
	return h.workerTimes, h.waited
}

// PeakMemory is the most memory the aggregate reserved (EXPLAIN ANALYZE).
func (h *HashAggregate) PeakMemory() int64 { return h.peak }

// NewHashAggregate returns the aggregation of input. The output columns
// are the group keys, then the aggregates, then (with sets) grouping_id.
func NewHashAggregate(input Operator, groups []expr.Expr, aggs []AggregateExpr, sets [][]int) Operator {
	var fields []arrow.Field
	for i, g := range groups {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("group%d", i), Type: g.Type(), Nullable: true})
	}
	for i, a := range aggs {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("agg%d", i), Type: a.Func.Ret, Nullable: true})
	}
	if sets != nil {
		fields = append(fields, arrow.Field{Name: "grouping_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true})
	}
	h := &HashAggregate{input: input, groups: groups, aggs: aggs, sets: sets, schema: arrow.NewSchema(fields, nil)}
	h.shareCommon()
	return h
}

// shareCommon rewrites the group keys and the aggregates' arguments to
// compute what they repeat once per batch (see expr.Common).
func (h *HashAggregate) shareCommon() {
	all := append([]expr.Expr(nil), h.groups...)
	for _, a := range h.aggs {
		all = append(all, a.Args...)
	}
	shared, out := expr.Common(all, h.input.Schema())
	if shared == nil {
		return
	}
	h.shared = shared
	h.groups, out = out[:len(h.groups)], out[len(h.groups):]
	aggs := make([]AggregateExpr, len(h.aggs))
	for k, a := range h.aggs {
		a.Args, out = out[:len(a.Args)], out[len(a.Args):]
		aggs[k] = a
	}
	h.aggs = aggs
}

// NewParallelHashAggregate aggregates the union of the inputs (instances
// of one parallel pipeline), each on its own goroutine, merging the
// groups at the end. The aggregates must not be DISTINCT or ordered.
func NewParallelHashAggregate(inputs []Operator, groups []expr.Expr, aggs []AggregateExpr, sets [][]int) Operator {
	h := NewHashAggregate(inputs[0], groups, aggs, sets).(*HashAggregate)
	h.inputs = inputs
	return h
}

func (h *HashAggregate) sources() []Operator {
	if h.inputs != nil {
		return h.inputs
	}
	return []Operator{h.input}
}

func (h *HashAggregate) Schema() *arrow.Schema { return h.schema }
func (h *HashAggregate) Open(ctx context.Context) error {
	h.done = false
	h.out = slicer{}
	h.workerTimes, h.waited = nil, 0
	for _, in := range h.sources() {
		if err := in.Open(ctx); err != nil {
			return err
		}
	}
	return nil
}
func (h *HashAggregate) Close() error {
	var first error
	for _, in := range h.sources() {
		if err := in.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// groupState is the hash table and accumulators of one grouping set.
type groupState struct {
	set   []int // group-by indexes of this set (all when no sets)
	table *hashtable.Table
	// ng counts the groups of a set without keys (0 or 1).
	ng   int
	accs []aggregate.Accumulator
	// per-aggregate DISTINCT dedup tables (keys: group, args) and ORDER BY
	// buffers
	seen []*hashtable.Table
	buf  []*orderedBuf
	// res is the memory the states hold (on the first set's state).
	res *budget.Reservation
	// spill, once set, holds the rows of groups not taken in.
	spill *aggSpill
}

func (st *groupState) numGroups() int {
	if st.table == nil {
		return st.ng
	}
	return st.table.Len()
}

// orderedBuf keeps rows of an ordered aggregate until the end.
type orderedBuf struct {
	groups []uint32
	args   [][]arrow.Array
	keys   [][]arrow.Array
}

func (h *HashAggregate) newState(set []int) *groupState {
	st := &groupState{set: set}
	if len(set) > 0 {
		kt := make([]arrow.DataType, len(set))
		for i, g := range set {
			kt[i] = h.groups[g].Type()
		}
		st.table = hashtable.New(kt)
	}
	for _, a := range h.aggs {
		st.accs = append(st.accs, a.Func.New())
		var seen *hashtable.Table
		if a.Distinct {
			kt := []arrow.DataType{arrow.PrimitiveTypes.Uint32}
			for _, x := range a.Args {
				kt = append(kt, x.Type())
			}
			seen = hashtable.New(kt)
		}
		st.seen = append(st.seen, seen)
		var buf *orderedBuf
		if len(a.OrderBy) > 0 {
			buf = &orderedBuf{}
		}
		st.buf = append(st.buf, buf)
	}
	return st
}

func (h *HashAggregate) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if h.done {
		return h.out.next(), nil
	}
	h.done = true
	sets := h.sets
	if sets == nil {
		all := make([]int, len(h.groups))
		for i := range all {
			all[i] = i
		}
		sets = [][]int{all}
	}
	var states []*groupState
	var spills []*aggSpill
	if h.inputs == nil {
		var err error
		if states, err = h.consume(ctx, h.input, sets); err != nil {
			return nil, err
		}
		if states[0].spill != nil {
			spills = append(spills, states[0].spill)
		}
	} else {
		var err error
		if states, spills, err = h.consumeParallel(ctx, sets); err != nil {
			return nil, err
		}
	}
	defer states[0].res.Release()
	h.peak = max(h.peak, states[0].res.Peak())
	// No grouping columns and no rows: one row of empty aggregates.
	for _, st := range states {
		if st.table == nil {
			st.ng = 1
		}
	}
	// Spilled rows fold into the groups in memory first, so those are
	// finished last; the spilled partitions' own groups follow them.
	var parts []arrow.RecordBatch
	if len(spills) > 0 {
		var err error
		if parts, err = h.finishSpills(ctx, states[0], spills); err != nil {
			return nil, err
		}
	}
	var out []arrow.RecordBatch
	for si, st := range states {
		b, err := h.finish(ctx, st, sets[si])
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	out = append(out, parts...)
	all, err := concatBatches(h.schema, out)
	if err != nil {
		return nil, err
	}
	h.out = slicer{b: all}
	return h.out.next(), nil
}

// consumeParallel aggregates each input on its own goroutine, then merges
// the partial groups into the first worker's.
func (h *HashAggregate) consumeParallel(ctx context.Context, sets [][]int) ([]*groupState, []*aggSpill, error) {
	parts := make([][]*groupState, len(h.inputs))
	times := make([]time.Duration, len(h.inputs))
	started := time.Now()
	err := onEach(ctx, len(h.inputs), func(ctx context.Context, w int) (err error) {
		defer func(t time.Time) { times[w] = time.Since(t) }(time.Now())
		parts[w], err = h.consume(ctx, h.inputs[w], sets)
		return err
	})
	h.workerTimes, h.waited = times, time.Since(started)
	if err != nil {
		for _, p := range parts {
			if p != nil {
				p[0].res.Release()
			}
		}
		return nil, nil, err
	}
	var spills []*aggSpill
	for _, p := range parts {
		if p[0].spill != nil {
			spills = append(spills, p[0].spill)
		}
	}
	// The workers' states merge pairwise, the pairs of a round in
	// parallel: with N workers, log2 N rounds instead of N-1 merges in
	// a row.
	for step := 1; step < len(parts); step *= 2 {
		var pairs []int
		for a := 0; a+step < len(parts); a += 2 * step {
			pairs = append(pairs, a)
		}
		err := onEach(ctx, len(pairs), func(_ context.Context, i int) error {
			into, from := parts[pairs[i]], parts[pairs[i]+step]
			for si, st := range from {
				if err := into[si].merge(st); err != nil {
					return err
				}
			}
			// The merged groups now live in into's states.
			into[0].res.TryResize(into[0].res.Held()+from[0].res.Held(), false)
			from[0].res.Release()
			return nil
		})
		if err != nil {
			for _, p := range parts {
				p[0].res.Release()
			}
			return nil, nil, err
		}
	}
	return parts[0], spills, nil
}

// merge folds the groups of o (a partial aggregate of the same sets and
// aggregates) into st.
func (st *groupState) merge(o *groupState) error {
	var mapping []uint32
	if st.table == nil {
		st.ng = max(st.ng, o.ng)
		mapping = make([]uint32, o.ng)
	} else {
		n := o.table.Len()
		mapping = make([]uint32, n)
		if n > 0 {
			st.table.Insert(o.table.Keys(), n, mapping, nil)
		}
	}
	ng := st.numGroups()
	for k, acc := range st.accs {
		if err := acc.Merge(o.accs[k], mapping, ng); err != nil {
			return err
		}
	}
	return nil
}

// aggInputs are an aggregate's inputs evaluated over one batch.
type aggInputs struct {
	n         int
	keys      []arrow.Array
	args      [][]arrow.Array
	filters   []*array.Boolean
	orderKeys [][]arrow.Array
}

func (h *HashAggregate) evalInputs(ec *expr.Context, b arrow.RecordBatch) (*aggInputs, error) {
	in := &aggInputs{n: int(b.NumRows()), keys: make([]arrow.Array, len(h.groups)),
		args: make([][]arrow.Array, len(h.aggs)), filters: make([]*array.Boolean, len(h.aggs)), orderKeys: make([][]arrow.Array, len(h.aggs))}
	b, err := h.shared.Extend(ec, b)
	if err != nil {
		return nil, err
	}
	for i, g := range h.groups {
		if in.keys[i], err = g.Eval(ec, b); err != nil {
			return nil, err
		}
	}
	for k, a := range h.aggs {
		for _, x := range a.Args {
			v, err := x.Eval(ec, b)
			if err != nil {
				return nil, err
			}
			in.args[k] = append(in.args[k], v)
		}
		if a.Filter != nil {
			f, err := a.Filter.Eval(ec, b)
			if err != nil {
				return nil, err
			}
			in.filters[k] = f.(*array.Boolean)
		}
		if len(a.OrderBy) > 0 {
			if in.orderKeys[k], err = evalKeys(ec, b, a.OrderBy); err != nil {
				return nil, err
			}
		}
	}
	return in, nil
}

// setKeys are the key columns of one grouping set.
func (st *groupState) setKeys(in *aggInputs) []arrow.Array {
	cols := make([]arrow.Array, len(st.set))
	for i, g := range st.set {
		cols[i] = in.keys[g]
	}
	return cols
}

// update folds rows whose groups are gids into st's aggregates.
func (h *HashAggregate) update(ctx context.Context, st *groupState, in *aggInputs, gids []uint32) error {
	ng := st.numGroups()
	for k, a := range h.aggs {
		rows := selectRows(in.n, in.filters[k], a, in.args[k], gids, st.seen[k])
		if rows == nil {
			if st.buf[k] != nil {
				st.buf[k].add(gids, in.args[k], in.orderKeys[k])
				continue
			}
			if err := st.accs[k].Update(gids, ng, in.args[k]); err != nil {
				return err
			}
			continue
		}
		sub := make([]uint32, len(rows))
		for i, r := range rows {
			sub[i] = gids[r]
		}
		sargs, err := takeArrays(ctx, in.args[k], rows)
		if err != nil {
			return err
		}
		if st.buf[k] != nil {
			skeys, err := takeArrays(ctx, in.orderKeys[k], rows)
			if err != nil {
				return err
			}
			st.buf[k].add(sub, sargs, skeys)
			continue
		}
		if err := st.accs[k].Update(sub, ng, sargs); err != nil {
			return err
		}
	}
	return nil
}

// spillable reports whether the aggregate can spill: one grouping set
// with keys, and no DISTINCT or ordered aggregates (they keep rows).
func (h *HashAggregate) spillable() bool {
	if h.sets != nil || len(h.groups) == 0 {
		return false
	}
	for _, a := range h.aggs {
		if a.Distinct || len(a.OrderBy) > 0 {
			return false
		}
	}
	return true
}

// bytes is the memory the states hold: tables, aggregate states (about
// 24 bytes per group and aggregate), DISTINCT tables.
func (h *HashAggregate) bytes(states []*groupState) int64 {
	var n int64
	for _, st := range states {
		if st.table != nil {
			n += st.table.Bytes()
		}
		n += int64(st.numGroups()) * 24 * int64(len(h.aggs))
		for _, t := range st.seen {
			if t != nil {
				n += t.Bytes()
			}
		}
	}
	return n
}

// aggSpillParts is how many partitions the rows of new groups are spread
// over once an aggregate's memory is refused.
const aggSpillParts = 16

// consume aggregates one input into fresh states, one per grouping set.
// When the query's memory refuses the states more room, the aggregate
// stops adding groups: rows of groups it has keep folding in, and rows of
// new groups go, by the hash of their keys, to spill files that finish
// reads back one partition at a time.
func (h *HashAggregate) consume(ctx context.Context, input Operator, sets [][]int) ([]*groupState, error) {
	ec := evalContext(ctx)
	states := make([]*groupState, len(sets))
	for i, s := range sets {
		states[i] = h.newState(s)
	}
	res := budget.From(ctx).Reserve("hash aggregate")
	states[0].res = res
	spillable := h.spillable()
	for {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		b, err := input.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		in, err := h.evalInputs(ec, b)
		if err != nil {
			return nil, err
		}
		for _, st := range states {
			if st.spill != nil {
				if err := h.consumeSpilling(ctx, ec, st, b, in); err != nil {
					return nil, err
				}
				continue
			}
			gids := make([]uint32, in.n)
			if st.table != nil {
				st.table.Insert(st.setKeys(in), in.n, gids, nil)
			} else if in.n > 0 {
				st.ng = 1
			}
			if err := h.update(ctx, st, in, gids); err != nil {
				return nil, err
			}
		}
		if states[0].spill != nil {
			continue
		}
		if need := h.bytes(states); !res.TryResize(need, spillable) {
			if !spillable {
				if err := res.Resize(need); err != nil {
					return nil, err
				}
				continue
			}
			states[0].spill = &aggSpill{schema: input.Schema(), finder: states[0].table.Finder()}
		}
	}
	return states, nil
}

// aggSpill holds the rows of groups an aggregate no longer takes in.
type aggSpill struct {
	schema *arrow.Schema
	finder *hashtable.Finder
	parts  [aggSpillParts]*spillFile
}

// consumeSpilling folds the rows of known groups into st and spills the
// others by partition.
func (h *HashAggregate) consumeSpilling(ctx context.Context, ec *expr.Context, st *groupState, b arrow.RecordBatch, in *aggInputs) error {
	keys := st.setKeys(in)
	found := make([]int32, in.n)
	st.spill.finder.Find(keys, in.n, found)
	var known, unknown []int32
	for i, g := range found {
		if g >= 0 {
			known = append(known, int32(i))
		} else {
			unknown = append(unknown, int32(i))
		}
	}
	if len(known) > 0 {
		kb := b
		kin := in
		if len(known) < in.n {
			var err error
			if kb, err = gatherRows(ctx, b.Schema(), b, known); err != nil {
				return err
			}
			if kin, err = h.evalInputs(ec, kb); err != nil {
				return err
			}
		}
		gids := make([]uint32, len(known))
		for i, r := range known {
			gids[i] = uint32(found[r])
		}
		if err := h.update(ctx, st, kin, gids); err != nil {
			return err
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	ub, err := gatherRows(ctx, b.Schema(), b, unknown)
	if err != nil {
		return err
	}
	uin, err := h.evalInputs(ec, ub)
	if err != nil {
		return err
	}
	return st.spill.write(ctx, ub, st.table.HashRows(st.setKeys(uin), uin.n))
}

// write spreads the rows of b over the partition files by hash.
func (s *aggSpill) write(ctx context.Context, b arrow.RecordBatch, hashes []uint64) error {
	// Spill files hold plain columns: a key read dictionary-encoded is
	// decoded (see batch.DictionaryOf).
	b = array.NewRecordBatch(s.schema, batch.DecodeAll(b.Columns()), b.NumRows())
	var rows [aggSpillParts][]int32
	for i, h := range hashes {
		p := spillPart(h, aggSpillParts)
		rows[p] = append(rows[p], int32(i))
	}
	for p, rs := range rows {
		if len(rs) == 0 {
			continue
		}
		if s.parts[p] == nil {
			f, err := newSpillFile(ctx, s.schema)
			if err != nil {
				return err
			}
			s.parts[p] = f
		}
		part, err := gatherRows(ctx, b.Schema(), b, rs)
		if err != nil {
			return err
		}
		if err := s.parts[p].write(part); err != nil {
			return err
		}
	}
	return nil
}

// finishSpills reads the spilled rows back, a partition at a time: rows of
// groups st has fold into it; the others form the partition's own groups,
// whose results are returned. spills are the workers' spills of this set.
func (h *HashAggregate) finishSpills(ctx context.Context, st *groupState, spills []*aggSpill) ([]arrow.RecordBatch, error) {
	ec := evalContext(ctx)
	finder := st.table.Finder()
	var out []arrow.RecordBatch
	for p := 0; p < aggSpillParts; p++ {
		pst := h.newState(st.set)
		res := budget.From(ctx).Reserve("hash aggregate (spilled partition)")
		for _, sp := range spills {
			f := sp.parts[p]
			if f == nil {
				continue
			}
			if err := f.finish(); err != nil {
				return nil, err
			}
			rd, err := f.open()
			if err != nil {
				return nil, err
			}
			for {
				if err := batch.CheckCancel(ctx); err != nil {
					rd.close()
					return nil, err
				}
				b, err := rd.next()
				if err != nil {
					rd.close()
					return nil, err
				}
				if b == nil {
					break
				}
				b = array.NewRecordBatch(sp.schema, b.Columns(), b.NumRows())
				if err := h.foldSpilled(ctx, ec, st, finder, pst, b); err != nil {
					rd.close()
					return nil, err
				}
				if err := res.Resize(h.bytes([]*groupState{pst})); err != nil {
					rd.close()
					return nil, err
				}
			}
			rd.close()
			f.remove()
		}
		if pst.table.Len() > 0 {
			b, err := h.finish(ctx, pst, st.set)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		res.Release()
	}
	return out, nil
}

// foldSpilled folds one batch of spilled rows: into st where st has the
// group, else into the partition's state pst.
func (h *HashAggregate) foldSpilled(ctx context.Context, ec *expr.Context, st *groupState, finder *hashtable.Finder, pst *groupState, b arrow.RecordBatch) error {
	in, err := h.evalInputs(ec, b)
	if err != nil {
		return err
	}
	found := make([]int32, in.n)
	finder.Find(st.setKeys(in), in.n, found)
	var known, unknown []int32
	for i, g := range found {
		if g >= 0 {
			known = append(known, int32(i))
		} else {
			unknown = append(unknown, int32(i))
		}
	}
	part := func(rows []int32) (*aggInputs, error) {
		if len(rows) == in.n {
			return in, nil
		}
		sb, err := gatherRows(ctx, b.Schema(), b, rows)
		if err != nil {
			return nil, err
		}
		return h.evalInputs(ec, sb)
	}
	if len(known) > 0 {
		kin, err := part(known)
		if err != nil {
			return err
		}
		gids := make([]uint32, len(known))
		for i, r := range known {
			gids[i] = uint32(found[r])
		}
		if err := h.update(ctx, st, kin, gids); err != nil {
			return err
		}
	}
	if len(unknown) > 0 {
		uin, err := part(unknown)
		if err != nil {
			return err
		}
		gids := make([]uint32, uin.n)
		pst.table.Insert(pst.setKeys(uin), uin.n, gids, nil)
		if err := h.update(ctx, pst, uin, gids); err != nil {
			return err
		}
	}
	return nil
}

// selectRows returns the rows an aggregate should see (FILTER, DISTINCT),
// or nil when it sees all of them. DISTINCT keeps the first row of each
// (group, arguments) tuple, remembered in seen.
func selectRows(n int, filter *array.Boolean, a AggregateExpr, args []arrow.Array, gids []uint32, seen *hashtable.Table) []int {
	if filter == nil && !a.Distinct {
		return nil
	}
	var first []bool
	if a.Distinct {
		keys := append([]arrow.Array{uint32Array(gids)}, args...)
		first = make([]bool, n)
		seen.Insert(keys, n, make([]uint32, n), first)
	}
	rows := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if filter != nil && !(filter.IsValid(i) && filter.Value(i)) {
			continue
		}
		if a.Distinct && !first[i] {
			continue
		}
		rows = append(rows, i)
	}
	return rows
}

// uint32Array wraps group numbers as an array (no copy).
func uint32Array(v []uint32) arrow.Array {
	b := array.NewUint32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func takeArrays(ctx context.Context, arrs []arrow.Array, rows []int) ([]arrow.Array, error) {
	if len(arrs) == 0 {
		return nil, nil
	}
	fields := make([]arrow.Field, len(arrs))
	for i, a := range arrs {
		fields[i] = arrow.Field{Name: fmt.Sprint(i), Type: a.DataType(), Nullable: true}
	}
	s := arrow.NewSchema(fields, nil)
	b := array.NewRecordBatch(s, arrs, int64(arrs[0].Len()))
	r64 := make([]int64, len(rows))
	for i, r := range rows {
		r64[i] = int64(r)
	}
	out, err := takeRows(ctx, s, b, r64)
	if err != nil {
		return nil, err
	}
	return out.Columns(), nil
}

func (o *orderedBuf) add(groups []uint32, args, keys []arrow.Array) {
	o.groups = append(o.groups, groups...)
	o.args = append(o.args, args)
	o.keys = append(o.keys, keys)
}

// finish builds the output rows of one grouping set.
func (h *HashAggregate) finish(ctx context.Context, st *groupState, set []int) (arrow.RecordBatch, error) {
	ng := st.numGroups()
	// Ordered aggregates: sort the buffered rows, then feed them.
	for k, buf := range st.buf {
		if buf == nil || len(buf.args) == 0 {
			continue
		}
		args, err := concatColumns(buf.args)
		if err != nil {
			return nil, err
		}
		keys, err := concatColumns(buf.keys)
		if err != nil {
			return nil, err
		}
		perm := make([]int, len(buf.groups))
		for i := range perm {
			perm[i] = i
		}
		cmp := MakeComparator(keys, h.aggs[k].OrderBy)
		sort.SliceStable(perm, func(a, b int) bool {
			ga, gb := buf.groups[perm[a]], buf.groups[perm[b]]
			if ga != gb {
				return ga < gb
			}
			return cmp(perm[a], perm[b]) < 0
		})
		sargs, err := takeArrays(ctx, args, perm)
		if err != nil {
			return nil, err
		}
		gids := make([]uint32, len(perm))
		for i, p := range perm {
			gids[i] = buf.groups[p]
		}
		if err := st.accs[k].Update(gids, ng, sargs); err != nil {
			return nil, err
		}
	}
	cols := make([]arrow.Array, 0, h.schema.NumFields())
	inSet := map[int]int{}
	for i, g := range set {
		inSet[g] = i
	}
	var keys []arrow.Array
	if st.table != nil {
		keys = st.table.Keys()
	}
	for gi, g := range h.groups {
		i, ok := inSet[gi]
		if !ok {
			cols = append(cols, array.MakeArrayOfNull(memory.DefaultAllocator, g.Type(), ng))
			continue
		}
		cols = append(cols, keys[i])
	}
	for k := range h.aggs {
		r, err := st.accs[k].Result(ng)
		if err != nil {
			return nil, err
		}
		cols = append(cols, r)
	}
	if h.sets != nil {
		var gid int64
		for gi := range h.groups {
			if _, ok := inSet[gi]; !ok {
				gid |= 1 << (len(h.groups) - 1 - gi)
			}
		}
		b := array.NewInt64Builder(memory.DefaultAllocator)
		for i := 0; i < ng; i++ {
			b.Append(gid)
		}
		cols = append(cols, b.NewArray())
	}
	return array.NewRecordBatch(h.schema, cols, int64(ng)), nil
}

func concatColumns(chunks [][]arrow.Array) ([]arrow.Array, error) {
	if len(chunks) == 0 {
		return nil, nil
	}
	out := make([]arrow.Array, len(chunks[0]))
	for c := range out {
		parts := make([]arrow.Array, len(chunks))
		for i, ch := range chunks {
			parts[i] = ch[c]
		}
		if len(parts) == 1 {
			out[c] = parts[0]
			continue
		}
		all, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		out[c] = all
	}
	return out, nil
}
