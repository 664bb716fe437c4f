package aggregate

import (
	"math"
	"math/big"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/decimal"
	"github.com/lakesql/lakesql/types/text"
)

var mem = memory.DefaultAllocator

// grow extends s to n zero states, doubling its capacity when it must
// move (a group count grows a batch at a time up to millions).
func grow[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	if cap(s) >= n {
		return s[:n]
	}
	out := make([]T, n, max(n, 2*cap(s)))
	copy(out, s)
	return out
}

// ints reads an integer array as int64 values.
func ints(a arrow.Array) []int64 {
	switch a := a.(type) {
	case *array.Int64:
		return a.Int64Values()
	case *array.Int32:
		out := make([]int64, a.Len())
		for i, v := range a.Int32Values() {
			out[i] = int64(v)
		}
		return out
	case *array.Int16:
		out := make([]int64, a.Len())
		for i, v := range a.Int16Values() {
			out[i] = int64(v)
		}
		return out
	}
	return nil
}

func floats(a arrow.Array) []float64 {
	switch a := a.(type) {
	case *array.Float64:
		return a.Float64Values()
	case *array.Float32:
		out := make([]float64, a.Len())
		for i, v := range a.Float32Values() {
			out[i] = float64(v)
		}
		return out
	case *array.Decimal128:
		s := a.DataType().(*arrow.Decimal128Type).Scale
		out := make([]float64, a.Len())
		for i := range out {
			out[i] = types.DecimalToFloat64(a.Value(i), s)
		}
		return out
	}
	iv := ints(a)
	out := make([]float64, len(iv))
	for i, v := range iv {
		out[i] = float64(v)
	}
	return out
}

// countAcc: count(*) counts rows, count(x) non-NULL values.
type countAcc struct {
	star bool
	n    []int64
}

func (c *countAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	c.n = grow(c.n, ng)
	if c.star || args[0].NullN() == 0 {
		for _, g := range groups {
			c.n[g]++
		}
		return nil
	}
	a := args[0]
	for i, g := range groups {
		if a.IsValid(i) {
			c.n[g]++
		}
	}
	return nil
}
func (c *countAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	c.n = grow(c.n, ng)
	for g, v := range o.(*countAcc).n {
		c.n[groups[g]] += v
	}
	return nil
}
func (c *countAcc) Result(ng int) (arrow.Array, error) {
	c.n = grow(c.n, ng)
	b := array.NewInt64Builder(mem)
	b.AppendValues(c.n[:ng], nil)
	return b.NewArray(), nil
}

// sumIntAcc sums int2/int4 into bigint.
type sumIntAcc struct {
	sum  []int64
	seen []bool
}

func (s *sumIntAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	v := ints(args[0])
	a := args[0]
	for i, g := range groups {
		if a.IsValid(i) {
			s.sum[g] += v[i]
			s.seen[g] = true
		}
	}
	return nil
}
func (s *sumIntAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	os := o.(*sumIntAcc)
	for g := range os.sum {
		if os.seen[g] {
			s.sum[groups[g]] += os.sum[g]
			s.seen[groups[g]] = true
		}
	}
	return nil
}
func (s *sumIntAcc) Result(ng int) (arrow.Array, error) {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	b := array.NewInt64Builder(mem)
	b.AppendValues(s.sum[:ng], s.seen[:ng])
	return b.NewArray(), nil
}

// sumDecAcc sums bigint or numeric exactly into decimal128 (overflow 22003).
type sumDecAcc struct {
	ret     arrow.DataType
	fromInt bool
	sum     []decimal128.Num
	seen    []bool
}

var maxDec = decimal128.GetMaxValue(38)

// Sums are checked against 128 bits per row and against NUMERIC's 38
// digits once, in Result: a running sum beyond 10^38 but within 2^127 is
// still exact, and the per-row check cost a fifth of the loop.
func (s *sumDecAcc) add(g uint32, v decimal128.Num) error {
	r, ok := decimal.Add(s.sum[g], v)
	if !ok {
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")
	}
	s.sum[g] = r
	s.seen[g] = true
	return nil
}

func (s *sumDecAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	a := args[0]
	if s.fromInt {
		v := ints(a)
		for i, g := range groups {
			if a.IsValid(i) {
				if err := s.add(g, decimal128.FromI64(v[i])); err != nil {
					return err
				}
			}
		}
		return nil
	}
	d := a.(*array.Decimal128)
	vals := d.Values()
	if d.NullN() == 0 {
		var counts [fewGroups]int64
		if ng <= fewGroups && addFew(s.sum, groups, vals, &counts) {
			for g, c := range counts[:ng] {
				s.seen[g] = s.seen[g] || c > 0
			}
			return nil
		}
		for i, g := range groups {
			r, ok := decimal.Add(s.sum[g], vals[i])
			if !ok {
				return errNumericOverflow
			}
			s.sum[g] = r
			s.seen[g] = true
		}
		return nil
	}
	for i, g := range groups {
		if d.IsValid(i) {
			if err := s.add(g, vals[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
func (s *sumDecAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	os := o.(*sumDecAcc)
	for g := range os.sum {
		if os.seen[g] {
			if err := s.add(groups[g], os.sum[g]); err != nil {
				return err
			}
		}
	}
	return nil
}
func (s *sumDecAcc) Result(ng int) (arrow.Array, error) {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	for g := range ng {
		if s.seen[g] && !decimal.Fits(s.sum[g], 38) {
			return nil, errNumericOverflow
		}
	}
	b := array.NewDecimal128Builder(mem, s.ret.(*arrow.Decimal128Type))
	b.AppendValues(s.sum[:ng], s.seen[:ng])
	return b.NewArray(), nil
}

type sumFloatAcc struct {
	ret  arrow.DataType
	sum  []float64
	seen []bool
}

func (s *sumFloatAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	v := floats(args[0])
	a := args[0]
	for i, g := range groups {
		if a.IsValid(i) {
			s.sum[g] += v[i]
			s.seen[g] = true
		}
	}
	return nil
}
func (s *sumFloatAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	os := o.(*sumFloatAcc)
	for g := range os.sum {
		if os.seen[g] {
			s.sum[groups[g]] += os.sum[g]
			s.seen[groups[g]] = true
		}
	}
	return nil
}
func (s *sumFloatAcc) Result(ng int) (arrow.Array, error) {
	s.sum, s.seen = grow(s.sum, ng), grow(s.seen, ng)
	if s.ret.ID() == arrow.FLOAT32 {
		b := array.NewFloat32Builder(mem)
		for g := 0; g < ng; g++ {
			if s.seen[g] {
				b.Append(float32(s.sum[g]))
			} else {
				b.AppendNull()
			}
		}
		return b.NewArray(), nil
	}
	b := array.NewFloat64Builder(mem)
	b.AppendValues(s.sum[:ng], s.seen[:ng])
	return b.NewArray(), nil
}

type sumIntervalAcc struct {
	v    []arrow.MonthDayNanoInterval
	seen []bool
}

func (s *sumIntervalAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	s.v, s.seen = grow(s.v, ng), grow(s.seen, ng)
	a := args[0].(*array.MonthDayNanoInterval)
	for i, g := range groups {
		if a.IsValid(i) {
			x := a.Value(i)
			s.v[g].Months += x.Months
			s.v[g].Days += x.Days
			s.v[g].Nanoseconds += x.Nanoseconds
			s.seen[g] = true
		}
	}
	return nil
}
func (s *sumIntervalAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	s.v, s.seen = grow(s.v, ng), grow(s.seen, ng)
	os := o.(*sumIntervalAcc)
	for g := range os.v {
		if os.seen[g] {
			t := &s.v[groups[g]]
			t.Months += os.v[g].Months
			t.Days += os.v[g].Days
			t.Nanoseconds += os.v[g].Nanoseconds
			s.seen[groups[g]] = true
		}
	}
	return nil
}
func (s *sumIntervalAcc) Result(ng int) (arrow.Array, error) {
	s.v, s.seen = grow(s.v, ng), grow(s.seen, ng)
	b := array.NewMonthDayNanoIntervalBuilder(mem)
	b.AppendValues(s.v[:ng], s.seen[:ng])
	return b.NewArray(), nil
}

const (
	avgInt = iota
	avgDec
	avgFloat
)

// avgAcc keeps exact sums (128-bit, of the unscaled values) for integer
// and numeric input, a float sum otherwise.
type avgAcc struct {
	ret     arrow.DataType
	kind    int
	inScale int32
	isum    []decimal128.Num
	fsum    []float64
	n       []int64
}

func (a *avgAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	a.n = grow(a.n, ng)
	x := args[0]
	switch a.kind {
	case avgFloat:
		a.fsum = grow(a.fsum, ng)
		v := floats(x)
		for i, g := range groups {
			if x.IsValid(i) {
				a.fsum[g] += v[i]
				a.n[g]++
			}
		}
	case avgInt:
		a.isum = grow(a.isum, ng)
		v := ints(x)
		for i, g := range groups {
			if x.IsValid(i) {
				s, ok := decimal.Add(a.isum[g], decimal128.FromI64(v[i]))
				if !ok {
					return errNumericOverflow
				}
				a.isum[g] = s
				a.n[g]++
			}
		}
	case avgDec:
		a.isum = grow(a.isum, ng)
		d := x.(*array.Decimal128)
		vals := d.Values()
		var counts [fewGroups]int64
		if ng <= fewGroups && d.NullN() == 0 && addFew(a.isum, groups, vals, &counts) {
			for g, c := range counts[:ng] {
				a.n[g] += c
			}
			return nil
		}
		for i, g := range groups {
			if d.IsValid(i) {
				s, ok := decimal.Add(a.isum[g], vals[i])
				if !ok {
					return errNumericOverflow
				}
				a.isum[g] = s
				a.n[g]++
			}
		}
	}
	return nil
}

var errNumericOverflow = sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")

func (a *avgAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	oa := o.(*avgAcc)
	a.n = grow(a.n, ng)
	a.isum, a.fsum = grow(a.isum, ng), grow(a.fsum, ng)
	for g := range oa.n {
		t := groups[g]
		a.n[t] += oa.n[g]
		if g < len(oa.fsum) {
			a.fsum[t] += oa.fsum[g]
		}
		if g < len(oa.isum) {
			s, ok := decimal.Add(a.isum[t], oa.isum[g])
			if !ok {
				return errNumericOverflow
			}
			a.isum[t] = s
		}
	}
	return nil
}
func (a *avgAcc) Result(ng int) (arrow.Array, error) {
	a.n = grow(a.n, ng)
	if a.kind == avgFloat {
		a.fsum = grow(a.fsum, ng)
		b := array.NewFloat64Builder(mem)
		for g := 0; g < ng; g++ {
			if a.n[g] == 0 {
				b.AppendNull()
			} else {
				b.Append(a.fsum[g] / float64(a.n[g]))
			}
		}
		return b.NewArray(), nil
	}
	a.isum = grow(a.isum, ng)
	dt := a.ret.(*arrow.Decimal128Type)
	b := array.NewDecimal128Builder(mem, dt)
	scale := a.inScale
	if a.kind == avgInt {
		scale = 0
	}
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	for g := 0; g < ng; g++ {
		if a.n[g] == 0 {
			b.AppendNull()
			continue
		}
		// sum / n at the result's scale: sum * 10^(rs - scale) / n.
		if dt.Scale >= scale {
			if num, ok := decimal.MulPow10(a.isum[g], dt.Scale-scale); ok {
				if q, ok := decimal.DivRound(num, decimal128.FromI64(a.n[g])); ok && decimal.Fits(q, dt.Precision) {
					b.Append(q)
					continue
				}
			}
		}
		r := new(big.Rat).SetFrac(a.isum[g].BigInt(), new(big.Int).Mul(div, big.NewInt(a.n[g])))
		d, err := text.RatToDecimal(r, dt.Precision, dt.Scale)
		if err != nil {
			return nil, err
		}
		b.Append(d)
	}
	return b.NewArray(), nil
}

type avgIntervalAcc struct {
	sum sumIntervalAcc
	n   []int64
}

func (a *avgIntervalAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	a.n = grow(a.n, ng)
	for i, g := range groups {
		if args[0].IsValid(i) {
			a.n[g]++
		}
	}
	return a.sum.Update(groups, ng, args)
}
func (a *avgIntervalAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	oa := o.(*avgIntervalAcc)
	a.n = grow(a.n, ng)
	for g, v := range oa.n {
		a.n[groups[g]] += v
	}
	return a.sum.Merge(&oa.sum, groups, ng)
}
func (a *avgIntervalAcc) Result(ng int) (arrow.Array, error) {
	a.n = grow(a.n, ng)
	a.sum.v, a.sum.seen = grow(a.sum.v, ng), grow(a.sum.seen, ng)
	b := array.NewMonthDayNanoIntervalBuilder(mem)
	for g := 0; g < ng; g++ {
		if a.n[g] == 0 {
			b.AppendNull()
			continue
		}
		v, n := a.sum.v[g], float64(a.n[g])
		fm := float64(v.Months) / n
		wm := math.Trunc(fm)
		fd := float64(v.Days)/n + (fm-wm)*30
		wd := math.Trunc(fd)
		us := float64(v.Nanoseconds/1000)/n + (fd-wd)*86400e6
		b.Append(arrow.MonthDayNanoInterval{Months: int32(wm), Days: int32(wd), Nanoseconds: int64(math.Round(us)) * 1000})
	}
	return b.NewArray(), nil
}

// minMaxAcc keeps, per group, the row index of the best value seen in a
// retained copy of the values (compared with a typed comparator).
type minMaxAcc struct {
	isMax bool
	any   bool
	typ   arrow.DataType
	// best values materialised as a growing list of arrays; per group the
	// (array, row) of the current best.
	chunks []arrow.Array
	ref    []int64 // chunk<<32 | row, -1 when none
}

func (m *minMaxAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	for len(m.ref) < ng {
		m.ref = append(m.ref, -1)
	}
	if len(m.chunks) >= 32 {
		// Keep only the current bests, so memory does not grow with the
		// input and Result does not re-concatenate every batch seen.
		if err := m.compact(); err != nil {
			return err
		}
	}
	a := args[0]
	ci := int64(len(m.chunks))
	m.chunks = append(m.chunks, a)
	for i, g := range groups {
		if a.IsNull(i) {
			continue
		}
		r := m.ref[g]
		if r < 0 {
			m.ref[g] = ci<<32 | int64(i)
			continue
		}
		if m.any {
			continue
		}
		c := compare(a, i, m.chunks[r>>32], int(r&0xffffffff))
		if (m.isMax && c > 0) || (!m.isMax && c < 0) {
			m.ref[g] = ci<<32 | int64(i)
		}
	}
	return nil
}

// compact replaces the chunks by one array of the current bests.
func (m *minMaxAcc) compact() error {
	best, err := m.Result(len(m.ref))
	if err != nil {
		return err
	}
	m.chunks = []arrow.Array{best}
	for g, r := range m.ref {
		if r >= 0 {
			m.ref[g] = int64(g)
		}
	}
	return nil
}

func (m *minMaxAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	om := o.(*minMaxAcc)
	res, err := om.Result(len(om.ref))
	if err != nil {
		return err
	}
	return m.Update(groups[:len(om.ref)], ng, []arrow.Array{res})
}
func (m *minMaxAcc) Result(ng int) (arrow.Array, error) {
	for len(m.ref) < ng {
		m.ref = append(m.ref, -1)
	}
	if len(m.chunks) == 0 {
		return array.MakeArrayOfNull(mem, m.typ, ng), nil
	}
	if ng == 1 && m.ref[0] >= 0 {
		// One group (a window frame, a global MIN): a slice of its best.
		r := m.ref[0]
		row := r & 0xffffffff
		return array.NewSlice(m.chunks[r>>32], row, row+1), nil
	}
	all := m.chunks[0]
	offsets := make([]int64, len(m.chunks))
	if len(m.chunks) > 1 {
		var err error
		all, err = array.Concatenate(m.chunks, mem)
		if err != nil {
			return nil, err
		}
		var off int64
		for i, c := range m.chunks {
			offsets[i] = off
			off += int64(c.Len())
		}
	}
	b := array.NewInt64Builder(mem)
	for g := 0; g < ng; g++ {
		r := m.ref[g]
		if r < 0 {
			b.AppendNull()
			continue
		}
		b.Append(offsets[r>>32] + r&0xffffffff)
	}
	idx := b.NewArray()
	return expr.TakeArray(ctxBackground, all, idx)
}

// compare orders value i of a against value j of b (same type).
func compare(a arrow.Array, i int, b arrow.Array, j int) int {
	switch x := a.(type) {
	case *array.String:
		return strings.Compare(x.Value(i), b.(*array.String).Value(j))
	case *array.Float64, *array.Float32:
		p, q := floatAt(a, i), floatAt(b, j)
		pn, qn := math.IsNaN(p), math.IsNaN(q)
		switch {
		case pn && qn:
			return 0
		case pn:
			return 1
		case qn:
			return -1
		case p < q:
			return -1
		case p > q:
			return 1
		}
		return 0
	case *array.Decimal128:
		return x.Value(i).Cmp(b.(*array.Decimal128).Value(j))
	case *array.Boolean:
		p, q := x.Value(i), b.(*array.Boolean).Value(j)
		switch {
		case p == q:
			return 0
		case !p:
			return -1
		}
		return 1
	case *array.MonthDayNanoInterval:
		k := func(v arrow.MonthDayNanoInterval) int64 {
			return int64(v.Months)*30*86400e9 + int64(v.Days)*86400e9 + v.Nanoseconds
		}
		return cmp64(k(x.Value(i)), k(b.(*array.MonthDayNanoInterval).Value(j)))
	case *array.Binary:
		return strings.Compare(string(x.Value(i)), string(b.(*array.Binary).Value(j)))
	case *array.List:
		// Arrays order element by element, as PostgreSQL's do.
		return expr.Compare(a, i, b, j)
	}
	return cmp64(expr.Int64At(a, i), expr.Int64At(b, j))
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func floatAt(a arrow.Array, i int) float64 {
	if f, ok := a.(*array.Float32); ok {
		return float64(f.Value(i))
	}
	return a.(*array.Float64).Value(i)
}

// varAcc computes variance/stddev with Welford's method per group.
type varAcc struct {
	kind string
	ret  arrow.DataType
	// n, sx, sxx are PostgreSQL's transition values (count, sum and the
	// sum of squared differences, updated by the Youngs-Cramer method
	// as float8_accum does), so that results round as PostgreSQL's do.
	n, sx, sxx []float64
}

func (v *varAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	v.n, v.sx, v.sxx = grow(v.n, ng), grow(v.sx, ng), grow(v.sxx, ng)
	x := floats(args[0])
	for i, g := range groups {
		if args[0].IsNull(i) {
			continue
		}
		old := v.n[g]
		v.n[g]++
		v.sx[g] += x[i]
		if old > 0 {
			tmp := x[i]*v.n[g] - v.sx[g]
			v.sxx[g] += tmp * tmp / (v.n[g] * old)
			if math.IsInf(x[i], 0) || math.IsInf(v.sx[g], 0) {
				v.sxx[g] = math.NaN()
			}
		} else if math.IsInf(x[i], 0) || math.IsNaN(x[i]) {
			v.sxx[g] = math.NaN()
		}
	}
	return nil
}
func (v *varAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	ov := o.(*varAcc)
	v.n, v.sx, v.sxx = grow(v.n, ng), grow(v.sx, ng), grow(v.sxx, ng)
	for g := range ov.n {
		t := groups[g]
		n1, n2 := v.n[t], ov.n[g]
		switch {
		case n2 == 0:
		case n1 == 0:
			v.n[t], v.sx[t], v.sxx[t] = n2, ov.sx[g], ov.sxx[g]
		default:
			// float8_combine.
			n := n1 + n2
			tmp := v.sx[t]/n1 - ov.sx[g]/n2
			v.sxx[t] += ov.sxx[g] + n1*n2*tmp*tmp/n
			v.sx[t] += ov.sx[g]
			v.n[t] = n
		}
	}
	return nil
}
func (v *varAcc) Result(ng int) (arrow.Array, error) {
	v.n, v.sx, v.sxx = grow(v.n, ng), grow(v.sx, ng), grow(v.sxx, ng)
	b := array.NewFloat64Builder(mem)
	for g := 0; g < ng; g++ {
		pop := strings.HasSuffix(v.kind, "_pop")
		n := v.n[g]
		if n == 0 || (!pop && n < 2) {
			b.AppendNull()
			continue
		}
		den := n - 1
		if pop {
			den = n
		}
		r := v.sxx[g] / den
		if r < 0 {
			r = 0
		}
		if strings.HasPrefix(v.kind, "stddev") {
			r = math.Sqrt(r)
		}
		b.Append(r)
	}
	arr := b.NewArray()
	if types.IsDecimal(v.ret) {
		return castFloatToDecimal(arr.(*array.Float64), v.ret.(*arrow.Decimal128Type))
	}
	return arr, nil
}

func castFloatToDecimal(a *array.Float64, dt *arrow.Decimal128Type) (arrow.Array, error) {
	b := array.NewDecimal128Builder(mem, dt)
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		r := new(big.Rat).SetFloat64(a.Value(i))
		if r == nil {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range")
		}
		d, err := text.RatToDecimal(r, dt.Precision, dt.Scale)
		if err != nil {
			return nil, err
		}
		b.Append(d)
	}
	return b.NewArray(), nil
}

// stringAggAcc concatenates values with the delimiter of each value's row.
type stringAggAcc struct {
	defaultSep string
	parts      [][]string
	seps       [][]string
}

func (s *stringAggAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	s.parts, s.seps = grow(s.parts, ng), grow(s.seps, ng)
	v := args[0].(*array.String)
	for i, g := range groups {
		if v.IsNull(i) {
			continue
		}
		sep := s.defaultSep
		if len(args) > 1 {
			if args[1].IsNull(i) {
				sep = ""
			} else {
				sep = args[1].(*array.String).Value(i)
			}
		}
		s.parts[g] = append(s.parts[g], v.Value(i))
		s.seps[g] = append(s.seps[g], sep)
	}
	return nil
}
func (s *stringAggAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	os := o.(*stringAggAcc)
	s.parts, s.seps = grow(s.parts, ng), grow(s.seps, ng)
	for g := range os.parts {
		t := groups[g]
		s.parts[t] = append(s.parts[t], os.parts[g]...)
		s.seps[t] = append(s.seps[t], os.seps[g]...)
	}
	return nil
}
func (s *stringAggAcc) Result(ng int) (arrow.Array, error) {
	s.parts, s.seps = grow(s.parts, ng), grow(s.seps, ng)
	b := array.NewStringBuilder(mem)
	for g := 0; g < ng; g++ {
		if len(s.parts[g]) == 0 {
			b.AppendNull()
			continue
		}
		var sb strings.Builder
		for k, p := range s.parts[g] {
			if k > 0 {
				sb.WriteString(s.seps[g][k])
			}
			sb.WriteString(p)
		}
		b.Append(sb.String())
	}
	return b.NewArray(), nil
}

type boolAcc struct {
	and  bool
	v    []bool
	seen []bool
}

func (b *boolAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	b.v, b.seen = grow(b.v, ng), grow(b.seen, ng)
	a, ok := args[0].(*array.Boolean)
	if !ok {
		return nil // all NULL
	}
	for i, g := range groups {
		if a.IsNull(i) {
			continue
		}
		x := a.Value(i)
		if !b.seen[g] {
			b.v[g], b.seen[g] = x, true
		} else if b.and {
			b.v[g] = b.v[g] && x
		} else {
			b.v[g] = b.v[g] || x
		}
	}
	return nil
}
func (b *boolAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	ob := o.(*boolAcc)
	res, _ := ob.Result(len(ob.v))
	return b.Update(groups[:len(ob.v)], ng, []arrow.Array{res})
}
func (b *boolAcc) Result(ng int) (arrow.Array, error) {
	b.v, b.seen = grow(b.v, ng), grow(b.seen, ng)
	bl := array.NewBooleanBuilder(mem)
	bl.AppendValues(b.v[:ng], b.seen[:ng])
	return bl.NewArray(), nil
}

type bitAcc struct {
	op   string
	typ  arrow.DataType
	v    []int64
	seen []bool
}

func (b *bitAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	b.v, b.seen = grow(b.v, ng), grow(b.seen, ng)
	x := ints(args[0])
	for i, g := range groups {
		if args[0].IsNull(i) {
			continue
		}
		if !b.seen[g] {
			b.v[g], b.seen[g] = x[i], true
			continue
		}
		switch b.op {
		case "bit_and":
			b.v[g] &= x[i]
		case "bit_or":
			b.v[g] |= x[i]
		default:
			b.v[g] ^= x[i]
		}
	}
	return nil
}
func (b *bitAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	ob := o.(*bitAcc)
	res, _ := ob.Result(len(ob.v))
	return b.Update(groups[:len(ob.v)], ng, []arrow.Array{res})
}
func (b *bitAcc) Result(ng int) (arrow.Array, error) {
	b.v, b.seen = grow(b.v, ng), grow(b.seen, ng)
	bl := array.NewInt64Builder(mem)
	bl.AppendValues(b.v[:ng], b.seen[:ng])
	arr := bl.NewArray()
	if b.typ.ID() == arrow.INT64 {
		return arr, nil
	}
	return compute.CastArray(ctxBackground, arr, compute.SafeCastOptions(b.typ))
}

// arrayAggAcc collects values (NULLs included) into a list per group.
type arrayAggAcc struct {
	elem   arrow.DataType
	chunks []arrow.Array
	rows   [][]int64 // per group: chunk<<32 | row
}

func (a *arrayAggAcc) Update(groups []uint32, ng int, args []arrow.Array) error {
	a.rows = grow(a.rows, ng)
	ci := int64(len(a.chunks))
	a.chunks = append(a.chunks, args[0])
	for i, g := range groups {
		a.rows[g] = append(a.rows[g], ci<<32|int64(i))
	}
	return nil
}
func (a *arrayAggAcc) Merge(o Accumulator, groups []uint32, ng int) error {
	oa := o.(*arrayAggAcc)
	a.rows = grow(a.rows, ng)
	base := int64(len(a.chunks))
	a.chunks = append(a.chunks, oa.chunks...)
	for g, rs := range oa.rows {
		for _, r := range rs {
			a.rows[groups[g]] = append(a.rows[groups[g]], (base+r>>32)<<32|r&0xffffffff)
		}
	}
	return nil
}
func (a *arrayAggAcc) Result(ng int) (arrow.Array, error) {
	a.rows = grow(a.rows, ng)
	lb := array.NewListBuilder(mem, a.elem)
	var all arrow.Array
	offsets := make([]int64, len(a.chunks))
	if len(a.chunks) > 0 {
		var err error
		all, err = array.Concatenate(a.chunks, mem)
		if err != nil {
			return nil, err
		}
		var off int64
		for i, c := range a.chunks {
			offsets[i] = off
			off += int64(c.Len())
		}
	}
	idx := array.NewInt64Builder(mem)
	var counts []int
	for g := 0; g < ng; g++ {
		counts = append(counts, len(a.rows[g]))
		for _, r := range a.rows[g] {
			idx.Append(offsets[r>>32] + r&0xffffffff)
		}
	}
	var vals arrow.Array = array.MakeArrayOfNull(mem, a.elem, 0)
	if all != nil {
		var err error
		vals, err = expr.TakeArray(ctxBackground, all, idx.NewArray())
		if err != nil {
			return nil, err
		}
	}
	// Build list offsets over vals.
	off := int32(0)
	offs := []int32{0}
	valid := make([]bool, ng)
	for g, c := range counts {
		off += int32(c)
		offs = append(offs, off)
		valid[g] = c > 0
	}
	_ = lb
	data := array.NewData(arrow.ListOf(a.elem), ng, nil, []arrow.ArrayData{vals.Data()}, 0, 0)
	_ = data
	return buildList(a.elem, vals, offs, valid), nil
}

func buildList(elem arrow.DataType, vals arrow.Array, offs []int32, valid []bool) arrow.Array {
	lb := array.NewListBuilder(mem, elem)
	vb := lb.ValueBuilder()
	for g := 0; g < len(valid); g++ {
		if !valid[g] {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for k := offs[g]; k < offs[g+1]; k++ {
			if vals.IsNull(int(k)) {
				vb.AppendNull()
				continue
			}
			appendValue(vb, vals, int(k))
		}
	}
	return lb.NewArray()
}

func appendValue(b array.Builder, a arrow.Array, i int) {
	type fromString interface{ AppendValueFromString(string) error }
	if fs, ok := b.(fromString); ok {
		_ = fs.AppendValueFromString(a.ValueStr(i))
	}
}

var sortSlice = sort.Slice
