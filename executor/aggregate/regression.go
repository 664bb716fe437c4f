package aggregate

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/lakesql/lakesql/types"
)

// regrNames are the two-argument statistics over (Y, X) pairs where both
// are non-NULL: corr, covariances and the regr_* family.
var regrNames = map[string]bool{"corr": true, "covar_pop": true, "covar_samp": true, "regr_avgx": true,
	"regr_avgy": true, "regr_count": true, "regr_intercept": true, "regr_r2": true, "regr_slope": true,
	"regr_sxx": true, "regr_syy": true, "regr_sxy": true}

func resolveRegr(name string, argTypes []arrow.DataType) (*Func, bool) {
	if !regrNames[name] || len(argTypes) != 2 {
		return nil, false
	}
	for _, t := range argTypes {
		if t.ID() != arrow.NULL && !types.IsNumeric(t) {
			return nil, false
		}
	}
	ret := types.Float64
	if name == "regr_count" {
		ret = types.Int64
	}
	return &Func{Name: name, ArgTypes: []arrow.DataType{types.Float64, types.Float64}, Ret: ret,
		New: func() Accumulator { return &regrAcc{name: name} }}, true
}

// regrAcc keeps, per group, the count and the running means and
// co-moments of X and Y (Welford's method, stable for large values).
type regrAcc struct {
	name                string
	n, mx, my, m2x, m2y []float64
	cxy                 []float64
}

func (r *regrAcc) grow(ng int) {
	r.n, r.mx, r.my = grow(r.n, ng), grow(r.mx, ng), grow(r.my, ng)
	r.m2x, r.m2y, r.cxy = grow(r.m2x, ng), grow(r.m2y, ng), grow(r.cxy, ng)
}

func (r *regrAcc) add(g uint32, y, x float64) {
	r.n[g]++
	n := r.n[g]
	dx := x - r.mx[g]
	dy := y - r.my[g]
	r.mx[g] += dx / n
	r.my[g] += dy / n
	r.m2x[g] += dx * (x - r.mx[g])
	r.m2y[g] += dy * (y - r.my[g])
	r.cxy[g] += dx * (y - r.my[g])
}

func (r *regrAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	r.grow(ng)
	ys, xs := floats(args[0]), floats(args[1])
	for i, g := range groups {
		if args[0].IsNull(i) || args[1].IsNull(i) {
			continue
		}
		r.add(g, ys[i], xs[i])
	}
	return nil
}

func (r *regrAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	or := o.(*regrAcc)
	r.grow(ng)
	for g := range or.n {
		t := groups[g]
		na, nb := r.n[t], or.n[g]
		if nb == 0 {
			continue
		}
		n := na + nb
		dx := or.mx[g] - r.mx[t]
		dy := or.my[g] - r.my[t]
		r.m2x[t] += or.m2x[g] + dx*dx*na*nb/n
		r.m2y[t] += or.m2y[g] + dy*dy*na*nb/n
		r.cxy[t] += or.cxy[g] + dx*dy*na*nb/n
		r.mx[t] += dx * nb / n
		r.my[t] += dy * nb / n
		r.n[t] = n
	}
	return nil
}

func (r *regrAcc) Result(ng int) (arrow.Array, error) {
	r.grow(ng)
	if r.name == "regr_count" {
		b := array.NewInt64Builder(mem)
		for g := 0; g < ng; g++ {
			b.Append(int64(r.n[g]))
		}
		return b.NewArray(), nil
	}
	b := array.NewFloat64Builder(mem)
	for g := 0; g < ng; g++ {
		n := r.n[g]
		v, ok := 0.0, n > 0
		switch r.name {
		case "regr_avgx":
			v = r.mx[g]
		case "regr_avgy":
			v = r.my[g]
		case "regr_sxx":
			v = r.m2x[g]
		case "regr_syy":
			v = r.m2y[g]
		case "regr_sxy":
			v = r.cxy[g]
		case "covar_pop":
			v = r.cxy[g] / n
		case "covar_samp":
			ok = n > 1
			v = r.cxy[g] / (n - 1)
		case "regr_slope":
			ok = ok && r.m2x[g] != 0
			v = r.cxy[g] / r.m2x[g]
		case "regr_intercept":
			ok = ok && r.m2x[g] != 0
			v = r.my[g] - r.cxy[g]/r.m2x[g]*r.mx[g]
		case "corr":
			ok = ok && r.m2x[g] != 0 && r.m2y[g] != 0
			v = r.cxy[g] / math.Sqrt(r.m2x[g]*r.m2y[g])
		case "regr_r2":
			switch {
			case !ok || r.m2x[g] == 0:
				ok = false
			case r.m2y[g] == 0:
				v = 1
			default:
				v = r.cxy[g] * r.cxy[g] / (r.m2x[g] * r.m2y[g])
			}
		}
		if ok {
			b.Append(v)
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray(), nil
}
