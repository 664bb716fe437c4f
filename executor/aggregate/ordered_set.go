package aggregate

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// The ordered-set aggregates percentile_cont, percentile_disc and mode.
// The bridge turns f(frac) WITHIN GROUP (ORDER BY x) into f(x, frac) with
// an ORDER BY on x, so these accumulators receive each group's values
// already in the requested order and only pick among them.

// resolveOrderedSet resolves percentile_cont(x, frac),
// percentile_disc(x, frac), mode(x) and median(x).
func resolveOrderedSet(name string, argTypes []arrow.DataType) (*Func, bool, error) {
	switch name {
	case "percentile_cont", "median":
		want := 2
		if name == "median" {
			want = 1
		}
		if len(argTypes) != want || !(types.IsNumeric(argTypes[0]) || argTypes[0].ID() == arrow.NULL) {
			return nil, true, nil
		}
		at := []arrow.DataType{types.Float64, types.Float64}[:want]
		return &Func{Name: name, ArgTypes: at, Ret: types.Float64, New: func() Accumulator { return &percentileContAcc{median: name == "median"} }}, true, nil
	case "percentile_disc", "mode":
		want := 2
		if name == "mode" {
			want = 1
		}
		if len(argTypes) != want {
			return nil, true, nil
		}
		t := argTypes[0]
		if t.ID() == arrow.NULL {
			t = types.String
		}
		at := []arrow.DataType{t, types.Float64}[:want]
		return &Func{Name: name, ArgTypes: at, Ret: t, New: func() Accumulator { return &pickAcc{name: name, typ: t} }}, true, nil
	}
	return nil, false, nil
}

func checkFraction(f float64) error {
	if f < 0 || f > 1 || math.IsNaN(f) {
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "percentile value %g is not between 0 and 1", f)
	}
	return nil
}

// percentileContAcc keeps each group's non-NULL values in arrival order
// and interpolates at the fraction.
type percentileContAcc struct {
	median bool
	vals   [][]float64
	frac   []float64
	hasF   []bool
}

func (a *percentileContAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	a.vals, a.frac, a.hasF = grow(a.vals, ng), grow(a.frac, ng), grow(a.hasF, ng)
	x := args[0].(*array.Float64)
	for i, g := range groups {
		if !a.hasF[g] {
			if a.median {
				a.frac[g], a.hasF[g] = 0.5, true
			} else if !args[1].IsNull(i) {
				f := args[1].(*array.Float64).Value(i)
				if err := checkFraction(f); err != nil {
					return err
				}
				a.frac[g], a.hasF[g] = f, true
			}
		}
		if !x.IsNull(i) {
			a.vals[g] = append(a.vals[g], x.Value(i))
		}
	}
	return nil
}

func (a *percentileContAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	return sqlerr.New(sqlerr.FeatureNotSupported, "percentile_cont cannot be merged across partial aggregates")
}

func (a *percentileContAcc) Result(ng int) (arrow.Array, error) {
	a.vals, a.frac, a.hasF = grow(a.vals, ng), grow(a.frac, ng), grow(a.hasF, ng)
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	for g := 0; g < ng; g++ {
		v := a.vals[g]
		if len(v) == 0 || !a.hasF[g] {
			b.AppendNull()
			continue
		}
		pos := a.frac[g] * float64(len(v)-1)
		lo := math.Floor(pos)
		hi := math.Ceil(pos)
		r := v[int(lo)]
		if hi != lo {
			// lo + pct*(hi-lo), rounded step by step as PostgreSQL's
			// float8_lerp (the conversion keeps Go from fusing the
			// multiply and add).
			r += float64((pos - lo) * (v[int(hi)] - r))
		}
		b.Append(r)
	}
	return b.NewArray(), nil
}

// pickAcc keeps references to each group's rows in arrival order and
// picks one: percentile_disc the first at or past the fraction, mode the
// most frequent (the first such in order).
type pickAcc struct {
	name   string
	typ    arrow.DataType
	chunks []arrow.Array
	rows   [][]int64 // per group: chunk<<32 | row, non-NULL values only
	frac   []float64
	hasF   []bool
}

func (a *pickAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	a.rows, a.frac, a.hasF = grow(a.rows, ng), grow(a.frac, ng), grow(a.hasF, ng)
	ci := int64(len(a.chunks))
	a.chunks = append(a.chunks, args[0])
	for i, g := range groups {
		if a.name == "percentile_disc" && !a.hasF[g] && !args[1].IsNull(i) {
			f := args[1].(*array.Float64).Value(i)
			if err := checkFraction(f); err != nil {
				return err
			}
			a.frac[g], a.hasF[g] = f, true
		}
		if !args[0].IsNull(i) {
			a.rows[g] = append(a.rows[g], ci<<32|int64(i))
		}
	}
	return nil
}

func (a *pickAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	return sqlerr.New(sqlerr.FeatureNotSupported, "%s cannot be merged across partial aggregates", a.name)
}

func (a *pickAcc) Result(ng int) (arrow.Array, error) {
	a.rows, a.frac, a.hasF = grow(a.rows, ng), grow(a.frac, ng), grow(a.hasF, ng)
	if len(a.chunks) == 0 {
		return array.MakeArrayOfNull(mem, a.typ, ng), nil
	}
	offsets := make([]int64, len(a.chunks))
	var off int64
	for i, c := range a.chunks {
		offsets[i] = off
		off += int64(c.Len())
	}
	all := a.chunks[0]
	if len(a.chunks) > 1 {
		var err error
		if all, err = array.Concatenate(a.chunks, mem); err != nil {
			return nil, err
		}
	}
	abs := func(r int64) int64 { return offsets[r>>32] + r&0xffffffff }
	idx := array.NewInt64Builder(mem)
	defer idx.Release()
	for g := 0; g < ng; g++ {
		rs := a.rows[g]
		if len(rs) == 0 || (a.name == "percentile_disc" && !a.hasF[g]) {
			idx.AppendNull()
			continue
		}
		if a.name == "percentile_disc" {
			k := int(math.Ceil(a.frac[g]*float64(len(rs)))) - 1
			idx.Append(abs(rs[max(k, 0)]))
			continue
		}
		// mode: the longest run of equal values (rows arrive sorted).
		best, bestLen := rs[0], 0
		runStart, runLen := rs[0], 0
		prev := ""
		for k, r := range rs {
			v := all.ValueStr(int(abs(r)))
			if k == 0 || v != prev {
				runStart, runLen = r, 0
			}
			runLen++
			if runLen > bestLen {
				best, bestLen = runStart, runLen
			}
			prev = v
		}
		idx.Append(abs(best))
	}
	ix := idx.NewArray()
	defer ix.Release()
	return expr.TakeArray(context.Background(), all, ix)
}
