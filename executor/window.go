package executor

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/aggregate"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/executor/hashtable"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// FrameMode is ROWS, RANGE or GROUPS.
type FrameMode int

const (
	Rows FrameMode = iota
	Range
	Groups
)

// FrameExclude is a frame's EXCLUDE option.
type FrameExclude int

const (
	NoOthers FrameExclude = iota
	ExcludeCurrentRow
	ExcludeGroup
	ExcludeTies
)

// BoundKind says where a frame bound is.
type BoundKind int

const (
	UnboundedPreceding BoundKind = iota
	Preceding
	CurrentRow
	Following
	UnboundedFollowing
)

// FrameBound is one end of a frame; Offset is a constant expression.
type FrameBound struct {
	Kind   BoundKind
	Offset expr.Expr
}

// Frame is a window frame clause.
type Frame struct {
	Mode       FrameMode
	Start, End FrameBound
	Exclude    FrameExclude
}

// WindowExpr is one window function call.
type WindowExpr struct {
	Func        string // ranking/value function, "" for an aggregate
	Agg         *aggregate.Func
	Args        []expr.Expr
	Distinct    bool
	Filter      expr.Expr
	PartitionBy []expr.Expr
	OrderBy     []SortKey
	Frame       *Frame
}

// ResolveWindow returns the result type of a non-aggregate window function.
func ResolveWindow(name string, argTypes []arrow.DataType) (arrow.DataType, error) {
	bad := func() (arrow.DataType, error) {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(argTypes))
	}
	switch name {
	case "row_number", "rank", "dense_rank":
		if len(argTypes) != 0 {
			return bad()
		}
		return types.Int64, nil
	case "percent_rank", "cume_dist":
		if len(argTypes) != 0 {
			return bad()
		}
		return types.Float64, nil
	case "ntile":
		if len(argTypes) != 1 {
			return bad()
		}
		return types.Int32, nil
	case "lag", "lead":
		if len(argTypes) < 1 || len(argTypes) > 3 {
			return bad()
		}
		return argTypes[0], nil
	case "first_value", "last_value":
		if len(argTypes) != 1 {
			return bad()
		}
		return argTypes[0], nil
	case "nth_value":
		if len(argTypes) != 2 {
			return bad()
		}
		return argTypes[0], nil
	}
	return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", name)
}

// Window computes window functions; its output is the input rows (in
// partition/order order) followed by one column per function.
type Window struct {
	input  Operator
	funcs  []WindowExpr
	schema *arrow.Schema
	out    slicer
	done   bool
}

// NewWindow returns input with window function columns appended.
func NewWindow(input Operator, funcs []WindowExpr) Operator {
	fields := append([]arrow.Field(nil), input.Schema().Fields()...)
	for i, f := range funcs {
		var t arrow.DataType
		if f.Agg != nil {
			t = f.Agg.Ret
		} else {
			ts := make([]arrow.DataType, len(f.Args))
			for k, a := range f.Args {
				ts[k] = a.Type()
			}
			t, _ = ResolveWindow(f.Func, ts)
		}
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("w%d", i), Type: t, Nullable: true})
	}
	return &Window{input: input, funcs: funcs, schema: arrow.NewSchema(fields, nil)}
}

func (w *Window) Schema() *arrow.Schema { return w.schema }
func (w *Window) Open(ctx context.Context) error {
	w.done, w.out = false, slicer{}
	return w.input.Open(ctx)
}
func (w *Window) Close() error { return w.input.Close() }

func (w *Window) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if w.done {
		return w.out.next(), nil
	}
	w.done = true
	all, err := Materialize(ctx, w.input)
	if err != nil {
		return nil, err
	}
	ec := evalContext(ctx)
	n := int(all.NumRows())
	// All functions share the output order of the first one's sort; each
	// function computes in its own order and scatters back.
	var order []int64
	results := make([]arrow.Array, len(w.funcs))
	for fi, f := range w.funcs {
		perm, res, err := w.compute(ctx, ec, all, f)
		if err != nil {
			return nil, err
		}
		if fi == 0 {
			order = perm
			results[0] = res
			continue
		}
		// Map res (in perm order) to order's order.
		pos := make([]int64, n)
		for k, r := range perm {
			pos[r] = int64(k)
		}
		idx := make([]int64, n)
		for k, r := range order {
			idx[k] = pos[r]
		}
		s := arrow.NewSchema([]arrow.Field{{Name: "r", Type: res.DataType(), Nullable: true}}, nil)
		b, err := takeRows(ctx, s, array.NewRecordBatch(s, []arrow.Array{res}, int64(n)), idx)
		if err != nil {
			return nil, err
		}
		results[fi] = b.Column(0)
	}
	sorted, err := takeRows(ctx, w.input.Schema(), all, order)
	if err != nil {
		return nil, err
	}
	cols := append(append([]arrow.Array(nil), sorted.Columns()...), results...)
	w.out = slicer{b: array.NewRecordBatch(w.schema, cols, int64(n))}
	return w.out.next(), nil
}

// compute evaluates one window function: the row permutation it used and
// its values in that order.
func (w *Window) compute(ctx context.Context, ec *expr.Context, all arrow.RecordBatch, f WindowExpr) ([]int64, arrow.Array, error) {
	n := int(all.NumRows())
	parts := make([]arrow.Array, len(f.PartitionBy))
	for i, p := range f.PartitionBy {
		a, err := p.Eval(ec, all)
		if err != nil {
			return nil, nil, err
		}
		parts[i] = a
	}
	orders, err := evalKeys(ec, all, f.OrderBy)
	if err != nil {
		return nil, nil, err
	}
	keys := make([]SortKey, 0, len(parts)+len(orders))
	arrs := make([]arrow.Array, 0, len(parts)+len(orders))
	for _, p := range parts {
		keys = append(keys, SortKey{})
		arrs = append(arrs, p)
	}
	keys = append(keys, f.OrderBy...)
	arrs = append(arrs, orders...)
	perm := make([]int64, n)
	for i := range perm {
		perm[i] = int64(i)
	}
	cmp := MakeComparator(arrs, keys)
	sort.SliceStable(perm, func(a, b int) bool { return cmp(int(perm[a]), int(perm[b])) < 0 })
	sortedBatch, err := takeRows(ctx, all.Schema(), all, perm)
	if err != nil {
		return nil, nil, err
	}
	args := make([]arrow.Array, len(f.Args))
	for i, a := range f.Args {
		if args[i], err = a.Eval(ec, sortedBatch); err != nil {
			return nil, nil, err
		}
	}
	var filter *array.Boolean
	if f.Filter != nil {
		m, err := f.Filter.Eval(ec, sortedBatch)
		if err != nil {
			return nil, nil, err
		}
		filter = m.(*array.Boolean)
	}
	sParts := make([]arrow.Array, len(parts))
	for i, p := range f.PartitionBy {
		if sParts[i], err = p.Eval(ec, sortedBatch); err != nil {
			return nil, nil, err
		}
	}
	sOrders, err := evalKeys(ec, sortedBatch, f.OrderBy)
	if err != nil {
		return nil, nil, err
	}
	partCmp := MakeComparator(sParts, make([]SortKey, len(sParts)))
	peerCmp := MakeComparator(sOrders, f.OrderBy)
	st := &windowState{ec: ec, f: f, args: args, filter: filter, orders: sOrders, peer: peerCmp, n: n}
	if err := st.prepare(ctx, sortedBatch); err != nil {
		return nil, nil, err
	}
	start := 0
	for start < n {
		end := start + 1
		for end < n && partCmp(start, end) == 0 {
			end++
		}
		if err := st.partition(ctx, start, end); err != nil {
			return nil, nil, err
		}
		start = end
	}
	res, err := st.result()
	return perm, res, err
}

// windowState computes one function over the sorted rows.
type windowState struct {
	ec     *expr.Context
	f      WindowExpr
	args   []arrow.Array
	filter *array.Boolean
	orders []arrow.Array
	peer   func(i, j int) int
	n      int

	ints   []int64
	floats []float64
	valid  []bool
	src    []int32 // value functions: row of args[0] (or -1 NULL, -2 default)
	aggVal []arrow.Array

	startOff, endOff int64
	// RANGE offsets: numbers (fractional too), or intervals over a date
	// or timestamp key.
	startF, endF   float64
	startIv, endIv *arrow.MonthDayNanoInterval
	nth            int64
	ntile          int64
}

func (s *windowState) prepare(ctx context.Context, b arrow.RecordBatch) error {
	s.valid = make([]bool, s.n)
	for i := range s.valid {
		s.valid[i] = true
	}
	constInt := func(e expr.Expr) (int64, bool, error) {
		a, err := e.Eval(s.ec, array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1))
		if err != nil {
			return 0, false, err
		}
		if a.IsNull(0) {
			return 0, true, nil
		}
		switch x := a.(type) {
		case *array.Int64:
			return x.Value(0), false, nil
		case *array.Int32:
			return int64(x.Value(0)), false, nil
		case *array.Int16:
			return int64(x.Value(0)), false, nil
		case *array.Float64:
			return int64(x.Value(0)), false, nil
		case *array.Decimal128:
			return int64(types.DecimalToFloat64(x.Value(0), x.DataType().(*arrow.Decimal128Type).Scale)), false, nil
		}
		return 0, false, sqlerr.New(sqlerr.FeatureNotSupported, "frame offsets of type %s are not supported", a.DataType())
	}
	if fr := s.f.Frame; fr != nil && fr.Mode == Range {
		for _, bd := range []*FrameBound{&fr.Start, &fr.End} {
			if bd.Offset == nil {
				continue
			}
			a, err := bd.Offset.Eval(s.ec, array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1))
			if err != nil {
				return err
			}
			var f float64
			var iv *arrow.MonthDayNanoInterval
			switch x := a.(type) {
			case *array.MonthDayNanoInterval:
				if !x.IsNull(0) {
					v := x.Value(0)
					iv = &v
					if v.Months < 0 || v.Days < 0 || v.Nanoseconds < 0 {
						f = -1
					}
				}
			default:
				f = numAt(a, 0)
			}
			if a.IsNull(0) || f < 0 || math.IsNaN(f) {
				return sqlerr.New("22013", "invalid preceding or following size in window function")
			}
			if bd == &fr.Start {
				s.startF, s.startIv = f, iv
			} else {
				s.endF, s.endIv = f, iv
			}
		}
	} else if fr != nil {
		for _, bd := range []*FrameBound{&fr.Start, &fr.End} {
			if bd.Offset == nil {
				continue
			}
			v, isNull, err := constInt(bd.Offset)
			if err != nil {
				return err
			}
			if isNull || v < 0 {
				return sqlerr.New("22013", "frame starting or ending offset must not be negative or null")
			}
			if bd == &fr.Start {
				s.startOff = v
			} else {
				s.endOff = v
			}
		}
	}
	switch s.f.Func {
	case "row_number", "rank", "dense_rank", "ntile":
		s.ints = make([]int64, s.n)
	case "percent_rank", "cume_dist":
		s.floats = make([]float64, s.n)
	case "lag", "lead", "first_value", "last_value", "nth_value":
		s.src = make([]int32, s.n)
	}
	return nil
}

// peersEnd returns the end (exclusive) of row i's peer group within [i, end).
func (s *windowState) peerRange(start, end, i int) (int, int) {
	a := i
	for a > start && s.peer(a-1, i) == 0 {
		a--
	}
	b := i + 1
	for b < end && s.peer(b, i) == 0 {
		b++
	}
	return a, b
}

// frame returns the frame of row i in partition [start, end).
func (s *windowState) frame(start, end, i int) (int, int) {
	fr := s.f.Frame
	if fr == nil {
		if len(s.f.OrderBy) == 0 {
			return start, end
		}
		_, pe := s.peerRange(start, end, i)
		return start, pe
	}
	bound := func(bd FrameBound, isStart bool) int {
		switch bd.Kind {
		case UnboundedPreceding:
			return start
		case UnboundedFollowing:
			return end
		}
		off := s.endOff
		if isStart {
			off = s.startOff
		}
		switch fr.Mode {
		case Rows:
			var p int
			switch bd.Kind {
			case CurrentRow:
				p = i
			case Preceding:
				p = i - int(off)
			case Following:
				p = i + int(off)
			}
			if !isStart {
				p++
			}
			return min(max(p, start), end)
		case Groups:
			// Peer groups counted from the current row's group.
			ps, pe := s.peerRange(start, end, i)
			switch bd.Kind {
			case CurrentRow:
				if isStart {
					return ps
				}
				return pe
			case Preceding:
				g := ps
				for k := int64(0); k < off && g > start; k++ {
					g, _ = s.peerRange(start, end, g-1)
				}
				if isStart {
					return g
				}
				_, e := s.peerRange(start, end, g)
				if off > 0 && g == start && s.groupsBefore(start, ps) < off {
					return start
				}
				return e
			case Following:
				if off == 0 {
					// 0 FOLLOWING is the current group, as 0 PRECEDING.
					if isStart {
						return ps
					}
					return pe
				}
				g := pe
				e := pe
				for k := int64(0); k < off; k++ {
					if g >= end {
						break
					}
					_, e = s.peerRange(start, end, g)
					if k < off-1 {
						g = e
					}
				}
				if isStart {
					if g >= end {
						return end
					}
					return g
				}
				if off == 0 {
					return pe
				}
				return min(e, end)
			}
		case Range:
			ps, pe := s.peerRange(start, end, i)
			if bd.Kind == CurrentRow {
				if isStart {
					return ps
				}
				return pe
			}
			return s.rangeBound(start, end, i, bd.Kind, isStart)
		}
		return start
	}
	return bound(fr.Start, true), bound(fr.End, false)
}

func (s *windowState) groupsBefore(start, ps int) int64 {
	var n int64
	g := ps
	for g > start {
		g, _ = s.peerRange(start, end0(g), g-1)
		n++
	}
	return n
}

func end0(g int) int { return g }

// rangeBound finds a RANGE offset bound by the first order key's value.
func (s *windowState) rangeBound(start, end, i int, kind BoundKind, isStart bool) int {
	if len(s.orders) != 1 {
		return start
	}
	key := s.orders[0]
	desc := s.f.OrderBy[0].Desc
	val := func(r int) float64 { return numAt(key, r) }
	if key.IsNull(i) {
		ps, pe := s.peerRange(start, end, i)
		if isStart {
			return ps
		}
		return pe
	}
	delta, iv := s.endF, s.endIv
	if isStart {
		delta, iv = s.startF, s.startIv
	}
	sign := int32(1)
	if (kind == Preceding) != desc {
		sign = -1
	}
	var target float64
	if iv != nil {
		// key ± interval, in microseconds (a date as its midnight).
		val = func(r int) float64 { return float64(timeMicros(key, r)) }
		target = float64(expr.AddInterval(timeMicros(key, i), *iv, sign))
	} else {
		target = val(i) + float64(sign)*delta
	}
	// rows in [start,end) sorted by key (asc or desc), NULLs at one end.
	if isStart {
		for r := start; r < end; r++ {
			if key.IsNull(r) {
				continue
			}
			v := val(r)
			if (!desc && v >= target) || (desc && v <= target) {
				return r
			}
		}
		return end
	}
	last := start
	for r := start; r < end; r++ {
		if key.IsNull(r) {
			continue
		}
		v := val(r)
		if (!desc && v <= target) || (desc && v >= target) {
			last = r + 1
		}
	}
	return last
}

// timeMicros reads a date or timestamp as microseconds since the epoch.
func timeMicros(a arrow.Array, i int) int64 {
	switch x := a.(type) {
	case *array.Date32:
		return int64(x.Value(i)) * 86400e6
	case *array.Timestamp:
		return int64(x.Value(i))
	}
	return 0
}

func numAt(a arrow.Array, i int) float64 {
	switch x := a.(type) {
	case *array.Timestamp:
		return float64(x.Value(i))
	case *array.Int64:
		return float64(x.Value(i))
	case *array.Int32:
		return float64(x.Value(i))
	case *array.Int16:
		return float64(x.Value(i))
	case *array.Float64:
		return x.Value(i)
	case *array.Float32:
		return float64(x.Value(i))
	case *array.Decimal128:
		return types.DecimalToFloat64(x.Value(i), x.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Date32:
		return float64(x.Value(i))
	}
	return math.NaN()
}

// partition computes the function for rows [start, end).
func (s *windowState) partition(ctx context.Context, start, end int) error {
	f := s.f
	if err := batch.CheckCancel(ctx); err != nil {
		return err
	}
	switch f.Func {
	case "row_number":
		for i := start; i < end; i++ {
			s.ints[i] = int64(i - start + 1)
		}
		return nil
	case "rank", "dense_rank", "percent_rank", "cume_dist":
		rank, dense := int64(1), int64(1)
		for i := start; i < end; i++ {
			if i > start && s.peer(i-1, i) != 0 {
				rank = int64(i - start + 1)
				dense++
			}
			switch f.Func {
			case "rank":
				s.ints[i] = rank
			case "dense_rank":
				s.ints[i] = dense
			case "percent_rank":
				if end-start > 1 {
					s.floats[i] = float64(rank-1) / float64(end-start-1)
				}
			case "cume_dist":
				_, pe := s.peerRange(start, end, i)
				s.floats[i] = float64(pe-start) / float64(end-start)
			}
		}
		return nil
	case "ntile":
		nb := int64s0(s.args[0], start)
		if s.args[0].IsNull(start) {
			for i := start; i < end; i++ {
				s.valid[i] = false
			}
			return nil
		}
		if nb <= 0 {
			return sqlerr.New("22014", "argument of ntile must be greater than zero")
		}
		total := int64(end - start)
		size, extra := total/nb, total%nb
		row := int64(0)
		for b := int64(1); b <= nb && row < total; b++ {
			cnt := size
			if b <= extra {
				cnt++
			}
			for k := int64(0); k < cnt && row < total; k++ {
				s.ints[start+int(row)] = b
				row++
			}
		}
		return nil
	case "lag", "lead":
		off := int64(1)
		for i := start; i < end; i++ {
			if len(s.args) > 1 {
				if s.args[1].IsNull(i) {
					s.src[i] = -1
					continue
				}
				off = int64s0(s.args[1], i)
			}
			j := int64(i) - off
			if f.Func == "lead" {
				j = int64(i) + off
			}
			if j < int64(start) || j >= int64(end) {
				if len(s.args) > 2 {
					s.src[i] = -2
				} else {
					s.src[i] = -1
				}
				continue
			}
			s.src[i] = int32(j)
		}
		return nil
	case "first_value", "last_value", "nth_value":
		for i := start; i < end; i++ {
			fs, fe := s.frame(start, end, i)
			rows := s.excluded(start, end, i, fs, fe)
			if len(rows) == 0 {
				s.src[i] = -1
				continue
			}
			switch f.Func {
			case "first_value":
				s.src[i] = int32(rows[0])
			case "last_value":
				s.src[i] = int32(rows[len(rows)-1])
			default:
				if s.args[1].IsNull(i) {
					s.src[i] = -1
					continue
				}
				k := int64s0(s.args[1], i)
				if k <= 0 {
					return sqlerr.New("22016", "argument of nth_value must be greater than zero")
				}
				if int(k) > len(rows) {
					s.src[i] = -1
				} else {
					s.src[i] = int32(rows[k-1])
				}
			}
		}
		return nil
	}
	if f.Agg == nil {
		return sqlerr.New(sqlerr.UndefinedFunction, "window function %s does not exist", f.Func)
	}
	return s.aggregatePartition(start, end)
}

// excluded lists the frame's rows after EXCLUDE.
func (s *windowState) excluded(start, end, i, fs, fe int) []int {
	var rows []int
	ex := NoOthers
	if s.f.Frame != nil {
		ex = s.f.Frame.Exclude
	}
	ps, pe := i, i+1
	if ex == ExcludeGroup || ex == ExcludeTies {
		ps, pe = s.peerRange(start, end, i)
	}
	for r := fs; r < fe; r++ {
		switch ex {
		case ExcludeCurrentRow:
			if r == i {
				continue
			}
		case ExcludeGroup:
			if r >= ps && r < pe {
				continue
			}
		case ExcludeTies:
			if r >= ps && r < pe && r != i {
				continue
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func int64s0(a arrow.Array, i int) int64 {
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Int16:
		return int64(x.Value(i))
	}
	return 0
}

// aggregatePartition computes an aggregate over each row's frame. Frames
// that grow monotonically (the default frame, ROWS UNBOUNDED PRECEDING)
// reuse one accumulator; others recompute per row.
func (s *windowState) aggregatePartition(start, end int) error {
	f := s.f
	incremental := f.Frame == nil || (f.Frame.Start.Kind == UnboundedPreceding && f.Frame.Exclude == NoOthers && !f.Distinct)
	allRows := func(rows []int) []arrow.Array {
		return takeArgs(s.args, rows)
	}
	use := func(r int) bool { return s.filter == nil || (s.filter.IsValid(r) && s.filter.Value(r)) }
	if incremental {
		acc := f.Agg.New()
		fed := start
		var last arrow.Array
		lastEnd := -1
		for i := start; i < end; i++ {
			_, fe := s.frame(start, end, i)
			if fe != lastEnd {
				var rows []int
				for r := fed; r < fe; r++ {
					if use(r) {
						rows = append(rows, r)
					}
				}
				if fe > fed {
					fed = fe
				}
				if len(rows) > 0 || last == nil {
					if err := acc.Update(make([]uint32, len(rows)), 1, allRows(rows)); err != nil {
						return err
					}
					res, err := acc.Result(1)
					if err != nil {
						return err
					}
					last = res
				}
				lastEnd = fe
			}
			s.setAgg(i, last)
		}
		return nil
	}
	for i := start; i < end; i++ {
		fs, fe := s.frame(start, end, i)
		var rows []int
		for _, r := range s.excluded(start, end, i, fs, fe) {
			if use(r) {
				rows = append(rows, r)
			}
		}
		if f.Distinct {
			rows = distinctRows(s.args, rows)
		}
		acc := f.Agg.New()
		if err := acc.Update(make([]uint32, len(rows)), 1, allRows(rows)); err != nil {
			return err
		}
		res, err := acc.Result(1)
		if err != nil {
			return err
		}
		s.setAgg(i, res)
	}
	return nil
}

// distinctRows keeps the first of rows with each distinct tuple of args.
func distinctRows(args []arrow.Array, rows []int) []int {
	ts := make([]arrow.DataType, len(args))
	for i, a := range args {
		ts[i] = a.DataType()
	}
	set := &rowSet{table: hashtable.New(ts)}
	first := set.add(takeArgs(args, rows), len(rows))
	out := make([]int, len(first))
	for i, r := range first {
		out[i] = rows[r]
	}
	return out
}

func takeArgs(args []arrow.Array, rows []int) []arrow.Array {
	out := make([]arrow.Array, len(args))
	if contiguous(rows) {
		// A run of rows (the common case: a frame growing row by row) is a
		// zero-copy slice.
		for k, a := range args {
			out[k] = array.NewSlice(a, int64(rows[0]), int64(rows[0]+len(rows)))
		}
		return out
	}
	for k, a := range args {
		b := array.NewBuilder(memory.DefaultAllocator, a.DataType())
		for _, r := range rows {
			if a.IsNull(r) {
				b.AppendNull()
				continue
			}
			appendOne(b, a, r)
		}
		out[k] = b.NewArray()
	}
	return out
}

func contiguous(rows []int) bool {
	if len(rows) == 0 {
		return false
	}
	for i := 1; i < len(rows); i++ {
		if rows[i] != rows[i-1]+1 {
			return false
		}
	}
	return true
}

// appendOne copies value r of a into b (same type).
func appendOne(b array.Builder, a arrow.Array, r int) {
	switch bb := b.(type) {
	case *array.Int64Builder:
		bb.Append(a.(*array.Int64).Value(r))
	case *array.Int32Builder:
		bb.Append(a.(*array.Int32).Value(r))
	case *array.Int16Builder:
		bb.Append(a.(*array.Int16).Value(r))
	case *array.Float64Builder:
		bb.Append(a.(*array.Float64).Value(r))
	case *array.Float32Builder:
		bb.Append(a.(*array.Float32).Value(r))
	case *array.StringBuilder:
		bb.Append(a.(*array.String).Value(r))
	case *array.BooleanBuilder:
		bb.Append(a.(*array.Boolean).Value(r))
	case *array.Decimal128Builder:
		bb.Append(a.(*array.Decimal128).Value(r))
	case *array.Date32Builder:
		bb.Append(a.(*array.Date32).Value(r))
	case *array.TimestampBuilder:
		bb.Append(a.(*array.Timestamp).Value(r))
	case *array.Time64Builder:
		bb.Append(a.(*array.Time64).Value(r))
	case *array.MonthDayNanoIntervalBuilder:
		bb.Append(a.(*array.MonthDayNanoInterval).Value(r))
	case *array.BinaryBuilder:
		bb.Append(a.(*array.Binary).Value(r))
	default:
		type fromString interface{ AppendValueFromString(string) error }
		if fs, ok := b.(fromString); ok {
			_ = fs.AppendValueFromString(a.ValueStr(r))
		} else {
			b.AppendNull()
		}
	}
}

func (s *windowState) setAgg(i int, v arrow.Array) {
	if s.aggVal == nil {
		s.aggVal = make([]arrow.Array, s.n)
	}
	s.aggVal[i] = v
}

func (s *windowState) result() (arrow.Array, error) {
	mem := memory.DefaultAllocator
	switch {
	case s.ints != nil:
		if s.f.Func == "ntile" {
			b := array.NewInt32Builder(mem)
			for i, v := range s.ints {
				if !s.valid[i] {
					b.AppendNull()
				} else {
					b.Append(int32(v))
				}
			}
			return b.NewArray(), nil
		}
		b := array.NewInt64Builder(mem)
		b.AppendValues(s.ints, s.valid)
		return b.NewArray(), nil
	case s.floats != nil:
		b := array.NewFloat64Builder(mem)
		b.AppendValues(s.floats, s.valid)
		return b.NewArray(), nil
	case s.src != nil:
		t := s.args[0].DataType()
		b := array.NewBuilder(mem, t)
		for i, r := range s.src {
			switch {
			case r == -2:
				if s.args[2].IsNull(i) {
					b.AppendNull()
				} else {
					appendOne(b, s.args[2], i)
				}
			case r < 0 || s.args[0].IsNull(int(r)):
				b.AppendNull()
			default:
				appendOne(b, s.args[0], int(r))
			}
		}
		return b.NewArray(), nil
	}
	// Aggregates: each row holds a one-element array.
	if len(s.aggVal) == 0 {
		return array.MakeArrayOfNull(mem, s.f.Agg.Ret, 0), nil
	}
	b := array.NewBuilder(mem, s.f.Agg.Ret)
	for _, v := range s.aggVal {
		if v == nil || v.IsNull(0) {
			b.AppendNull()
			continue
		}
		appendOne(b, v, 0)
	}
	return b.NewArray(), nil
}
