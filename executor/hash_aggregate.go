package executor

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/aggregate"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/executor/hashtable"
	"github.com/lakesql/lakesql/sqlerr"
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
	sets   [][]int
	schema *arrow.Schema
	out    slicer
	done   bool
}

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
	return &HashAggregate{input: input, groups: groups, aggs: aggs, sets: sets, schema: arrow.NewSchema(fields, nil)}
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
	if h.inputs == nil {
		var err error
		if states, err = h.consume(ctx, h.input, sets); err != nil {
			return nil, err
		}
	} else {
		var err error
		if states, err = h.consumeParallel(ctx, sets); err != nil {
			return nil, err
		}
	}
	// No grouping columns and no rows: one row of empty aggregates.
	for _, st := range states {
		if st.table == nil {
			st.ng = 1
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
	all, err := concatBatches(h.schema, out)
	if err != nil {
		return nil, err
	}
	h.out = slicer{b: all}
	return h.out.next(), nil
}

// consumeParallel aggregates each input on its own goroutine, then merges
// the partial groups into the first worker's.
func (h *HashAggregate) consumeParallel(ctx context.Context, sets [][]int) ([]*groupState, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make([][]*groupState, len(h.inputs))
	errs := make([]error, len(h.inputs))
	var wg sync.WaitGroup
	for w, in := range h.inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					errs[w] = sqlerr.New(sqlerr.InternalError, "%v", r)
					cancel()
				}
			}()
			parts[w], errs[w] = h.consume(ctx, in, sets)
			if errs[w] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !isCanceled(err) {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	states := parts[0]
	for _, p := range parts[1:] {
		for si, st := range p {
			if err := states[si].merge(st); err != nil {
				return nil, err
			}
		}
	}
	return states, nil
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

// consume aggregates one input into fresh states, one per grouping set.
func (h *HashAggregate) consume(ctx context.Context, input Operator, sets [][]int) ([]*groupState, error) {
	ec := evalContext(ctx)
	states := make([]*groupState, len(sets))
	for i, s := range sets {
		states[i] = h.newState(s)
	}
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
		n := int(b.NumRows())
		keyCols := make([]arrow.Array, len(h.groups))
		for i, g := range h.groups {
			if keyCols[i], err = g.Eval(ec, b); err != nil {
				return nil, err
			}
		}
		args := make([][]arrow.Array, len(h.aggs))
		filters := make([]*array.Boolean, len(h.aggs))
		orderKeys := make([][]arrow.Array, len(h.aggs))
		for k, a := range h.aggs {
			for _, x := range a.Args {
				v, err := x.Eval(ec, b)
				if err != nil {
					return nil, err
				}
				args[k] = append(args[k], v)
			}
			if a.Filter != nil {
				f, err := a.Filter.Eval(ec, b)
				if err != nil {
					return nil, err
				}
				filters[k] = f.(*array.Boolean)
			}
			if len(a.OrderBy) > 0 {
				if orderKeys[k], err = evalKeys(ec, b, a.OrderBy); err != nil {
					return nil, err
				}
			}
		}
		for _, st := range states {
			gids := make([]uint32, n)
			if st.table != nil {
				cols := make([]arrow.Array, len(st.set))
				for i, g := range st.set {
					cols[i] = keyCols[g]
				}
				st.table.Insert(cols, n, gids, nil)
			} else if n > 0 {
				st.ng = 1
			}
			ng := st.numGroups()
			for k, a := range h.aggs {
				rows := selectRows(n, filters[k], a, args[k], gids, st.seen[k])
				if rows == nil {
					if st.buf[k] != nil {
						st.buf[k].add(gids, args[k], orderKeys[k])
						continue
					}
					if err := st.accs[k].Update(gids, ng, args[k]); err != nil {
						return nil, err
					}
					continue
				}
				sub := make([]uint32, len(rows))
				for i, r := range rows {
					sub[i] = gids[r]
				}
				sargs, err := takeArrays(ctx, args[k], rows)
				if err != nil {
					return nil, err
				}
				if st.buf[k] != nil {
					skeys, err := takeArrays(ctx, orderKeys[k], rows)
					if err != nil {
						return nil, err
					}
					st.buf[k].add(sub, sargs, skeys)
					continue
				}
				if err := st.accs[k].Update(sub, ng, sargs); err != nil {
					return nil, err
				}
			}
		}
	}
	return states, nil
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
