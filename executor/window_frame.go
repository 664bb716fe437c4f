package executor

import (
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Frames: which rows of its partition each row's function sees. The
// rows of a chunk (whole partitions, in window order) are indexed from
// 0; a partition is [start, end).

// windowFunc is one window function with its frame offsets evaluated.
type windowFunc struct {
	f WindowExpr

	startOff, endOff int64
	// RANGE offsets: numbers (fractional too), or intervals over a date
	// or timestamp key.
	startF, endF   float64
	startIv, endIv *arrow.MonthDayNanoInterval
}

// prepareWindowFunc evaluates f's frame offsets (constants), checking
// them as PostgreSQL does.
func prepareWindowFunc(ec *expr.Context, f WindowExpr) (*windowFunc, error) {
	s := &windowFunc{f: f}
	one := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	constInt := func(e expr.Expr) (int64, bool, error) {
		a, err := e.Eval(ec, one)
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
	if fr := f.Frame; fr != nil && fr.Mode == Range {
		for _, bd := range []*FrameBound{&fr.Start, &fr.End} {
			if bd.Offset == nil {
				continue
			}
			a, err := bd.Offset.Eval(ec, one)
			if err != nil {
				return nil, err
			}
			var v float64
			var iv *arrow.MonthDayNanoInterval
			switch x := a.(type) {
			case *array.MonthDayNanoInterval:
				if !x.IsNull(0) {
					d := x.Value(0)
					iv = &d
					if d.Months < 0 || d.Days < 0 || d.Nanoseconds < 0 {
						v = -1
					}
				}
			default:
				v = numAt(a, 0)
			}
			if a.IsNull(0) || v < 0 || math.IsNaN(v) {
				return nil, sqlerr.New("22013", "invalid preceding or following size in window function")
			}
			if bd == &fr.Start {
				s.startF, s.startIv = v, iv
			} else {
				s.endF, s.endIv = v, iv
			}
		}
	} else if fr != nil {
		for _, bd := range []*FrameBound{&fr.Start, &fr.End} {
			if bd.Offset == nil {
				continue
			}
			v, isNull, err := constInt(bd.Offset)
			if err != nil {
				return nil, err
			}
			if isNull || v < 0 {
				return nil, sqlerr.New("22013", "frame starting or ending offset must not be negative or null")
			}
			if bd == &fr.Start {
				s.startOff = v
			} else {
				s.endOff = v
			}
		}
	}
	return s, nil
}

// windowChunk is whole partitions in window order, with what the
// functions of one specification share: the order key values and the
// peer groups (rows with equal order keys, within a partition).
type windowChunk struct {
	pieces []arrow.RecordBatch // the rows, in the batches they came in
	n      int
	starts []int // the partitions' first rows
	orders []arrow.Array
	// Row i's peers are rows [peerStart[i], peerEnd[i]).
	peerStart, peerEnd []int32
	// grow reserves memory for the arrays eval makes.
	grow func(int64) error
	cols map[int]arrow.Array // input columns evaluated, by index
}

func newWindowChunk(ec *expr.Context, pieces []arrow.RecordBatch, n int, starts []int, order []SortKey, grow func(int64) error) (*windowChunk, error) {
	c := &windowChunk{pieces: pieces, n: n, starts: starts, peerStart: make([]int32, n), peerEnd: make([]int32, n), grow: grow, cols: map[int]arrow.Array{}}
	var keys *sortKeys
	if len(order) > 0 {
		c.orders = make([]arrow.Array, len(order))
		for i, k := range order {
			var err error
			if c.orders[i], err = c.eval(ec, k.Expr); err != nil {
				return nil, err
			}
		}
		keys = encodeSortKeys(c.orders, order, n)
		if err := grow(int64(len(keys.data) + 4*len(keys.offs))); err != nil {
			return nil, err
		}
	}
	for p, start := range starts {
		end := c.partEnd(p)
		// Peer groups: runs of equal encoded order keys (without ORDER
		// BY, the whole partition).
		g := start
		for i := start; i < end; i++ {
			if keys != nil && i > start && string(keys.key(i)) != string(keys.key(i-1)) {
				g = i
			}
			c.peerStart[i] = int32(g)
		}
		g = end
		for i := end - 1; i >= start; i-- {
			c.peerEnd[i] = int32(g)
			if int(c.peerStart[i]) == i {
				g = i
			}
		}
	}
	return c, nil
}

// eval evaluates e over the chunk's rows, as one array.
func (c *windowChunk) eval(ec *expr.Context, e expr.Expr) (arrow.Array, error) {
	col, isCol := e.(*expr.Column)
	if isCol {
		if a, ok := c.cols[col.Index]; ok {
			return a, nil
		}
	}
	parts := make([]arrow.Array, len(c.pieces))
	for i, p := range c.pieces {
		var err error
		if parts[i], err = e.Eval(ec, p); err != nil {
			return nil, err
		}
	}
	a := parts[0]
	if len(parts) > 1 || !isCol {
		if len(parts) > 1 {
			var err error
			if a, err = array.Concatenate(parts, memory.DefaultAllocator); err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.InternalError, "window arguments")
			}
		}
		if err := c.grow(arrayBytes(a.Data())); err != nil {
			return nil, err
		}
	}
	if isCol {
		c.cols[col.Index] = a
	}
	return a, nil
}

// partEnd is the end (exclusive) of partition p.
func (c *windowChunk) partEnd(p int) int {
	if p+1 < len(c.starts) {
		return c.starts[p+1]
	}
	return c.n
}

// peerRange returns row i's peer group, within [start, end).
func (s *windowState) peerRange(start, end, i int) (int, int) {
	return max(int(s.c.peerStart[i]), start), min(int(s.c.peerEnd[i]), end)
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

// groupsBefore counts the peer groups of [start, ps).
func (s *windowState) groupsBefore(start, ps int) int64 {
	var n int64
	for g := ps; g > start; n++ {
		g, _ = s.peerRange(start, g, g-1)
	}
	return n
}

// rangeBound finds a RANGE offset bound by the first order key's value.
func (s *windowState) rangeBound(start, end, i int, kind BoundKind, isStart bool) int {
	if len(s.c.orders) != 1 {
		return start
	}
	key := s.c.orders[0]
	desc := s.f.OrderBy[0].Desc
	// A float NaN sorts above every number: as +Inf, the search sees the
	// order.
	val := func(r int) float64 { return numAt(key, r) }
	switch key.(type) {
	case *array.Float64, *array.Float32:
		val = func(r int) float64 {
			if v := numAt(key, r); !math.IsNaN(v) {
				return v
			}
			return math.Inf(1)
		}
	}
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
	// The partition's rows are sorted by key (asc or desc) with the NULLs
	// at one end: binary search the non-NULL run [lo, hi) (row i is in it).
	lo, hi := start, end
	if key.IsNull(lo) {
		lo += sort.Search(hi-lo, func(k int) bool { return !key.IsNull(lo + k) })
	}
	if key.IsNull(hi - 1) {
		hi = lo + sort.Search(hi-lo, func(k int) bool { return key.IsNull(lo + k) })
	}
	if isStart {
		// The first row at or past target.
		r := lo + sort.Search(hi-lo, func(k int) bool {
			v := val(lo + k)
			return (!desc && v >= target) || (desc && v <= target)
		})
		if r == hi {
			return end
		}
		return r
	}
	// After the last row up to target.
	k := sort.Search(hi-lo, func(k int) bool {
		v := val(lo + k)
		return !((!desc && v <= target) || (desc && v >= target))
	})
	if k == 0 {
		return start
	}
	return lo + k
}

// excluded appends the frame's rows after EXCLUDE to rows.
func (s *windowState) excluded(rows []int, start, end, i, fs, fe int) []int {
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
