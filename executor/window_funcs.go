package executor

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/executor/hashtable"
	"github.com/lakesql/lakesql/sqlerr"
)

// windowState computes one function over the partitions of a chunk.
type windowState struct {
	*windowFunc
	c      *windowChunk
	args   []arrow.Array
	filter *array.Boolean

	ints   []int64
	floats []float64
	valid  []bool
	src    []int32       // value functions: row of args[0] (or -1 NULL, -2 default)
	agg    array.Builder // aggregates: one value per row, appended in row order
}

// compute returns the function's values for the rows of c.
func (fn *windowFunc) compute(ctx context.Context, ec *expr.Context, c *windowChunk) (arrow.Array, error) {
	s := &windowState{windowFunc: fn, c: c}
	var err error
	s.args = make([]arrow.Array, len(fn.f.Args))
	for i, a := range fn.f.Args {
		if s.args[i], err = c.eval(ec, a); err != nil {
			return nil, err
		}
	}
	if fn.f.Filter != nil {
		m, err := c.eval(ec, fn.f.Filter)
		if err != nil {
			return nil, err
		}
		s.filter = m.(*array.Boolean)
	}
	n := c.n
	s.valid = make([]bool, n)
	for i := range s.valid {
		s.valid[i] = true
	}
	switch fn.f.Func {
	case "row_number", "rank", "dense_rank", "ntile":
		s.ints = make([]int64, n)
	case "percent_rank", "cume_dist":
		s.floats = make([]float64, n)
	case "lag", "lead", "first_value", "last_value", "nth_value":
		s.src = make([]int32, n)
	case "":
		s.agg = array.NewBuilder(memory.DefaultAllocator, fn.f.Agg.Ret)
		s.agg.Reserve(n)
	}
	for p, start := range c.starts {
		if err := s.partition(ctx, start, c.partEnd(p)); err != nil {
			return nil, err
		}
	}
	return s.result()
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
			if i > start && int(s.c.peerStart[i]) == i {
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
		exclude := s.f.Frame != nil && s.f.Frame.Exclude != NoOthers
		var rows []int
		for i := start; i < end; i++ {
			if (i-start)%4096 == 4095 {
				if err := batch.CheckCancel(ctx); err != nil {
					return err
				}
			}
			fs, fe := s.frame(start, end, i)
			if !exclude {
				// The frame is the run [fs, fe).
				s.src[i] = -1
				if fe <= fs {
					continue
				}
				switch f.Func {
				case "first_value":
					s.src[i] = int32(fs)
				case "last_value":
					s.src[i] = int32(fe - 1)
				default:
					if s.args[1].IsNull(i) {
						continue
					}
					k := int64s0(s.args[1], i)
					if k <= 0 {
						return sqlerr.New("22016", "argument of nth_value must be greater than zero")
					}
					if k <= int64(fe-fs) {
						s.src[i] = int32(fs + int(k) - 1)
					}
				}
				continue
			}
			rows = s.excluded(rows[:0], start, end, i, fs, fe)
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
	return s.aggregatePartition(ctx, start, end)
}

// aggregatePartition computes an aggregate over each row's frame. Frames
// that grow monotonically (the default frame, ROWS UNBOUNDED PRECEDING)
// reuse one accumulator; others recompute per row.
func (s *windowState) aggregatePartition(ctx context.Context, start, end int) error {
	f := s.f
	incremental := f.Frame == nil || (f.Frame.Start.Kind == UnboundedPreceding && f.Frame.Exclude == NoOthers && !f.Distinct)
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
					if err := acc.Update(make([]uint32, len(rows)), 1, takeArgs(s.args, rows)); err != nil {
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
			s.appendAgg(last)
		}
		return nil
	}
	for i := start; i < end; i++ {
		if (i-start)%4096 == 4095 {
			if err := batch.CheckCancel(ctx); err != nil {
				return err
			}
		}
		fs, fe := s.frame(start, end, i)
		var rows []int
		for _, r := range s.excluded(nil, start, end, i, fs, fe) {
			if use(r) {
				rows = append(rows, r)
			}
		}
		if f.Distinct {
			rows = distinctRows(s.args, rows)
		}
		acc := f.Agg.New()
		if err := acc.Update(make([]uint32, len(rows)), 1, takeArgs(s.args, rows)); err != nil {
			return err
		}
		res, err := acc.Result(1)
		if err != nil {
			return err
		}
		s.appendAgg(res)
	}
	return nil
}

// appendAgg appends the next row's aggregate: v's one value.
func (s *windowState) appendAgg(v arrow.Array) {
	if v == nil || v.IsNull(0) {
		s.agg.AppendNull()
		return
	}
	appendOne(s.agg, v, 0)
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

func (s *windowState) result() (arrow.Array, error) {
	mem := memory.DefaultAllocator
	switch {
	case s.ints != nil:
		if s.f.Func == "ntile" {
			b := array.NewInt32Builder(mem)
			b.Reserve(len(s.ints))
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
		b.Reserve(len(s.src))
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
	case s.agg != nil:
		return s.agg.NewArray(), nil
	}
	return nil, sqlerr.New(sqlerr.UndefinedFunction, "window function %s does not exist", s.f.Func)
}
