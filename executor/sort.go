package executor

import (
	"bytes"
	"context"
	"math"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
)

// columnCmp compares rows i and j of one array (both non-NULL).
type columnCmp func(i, j int) int

// makeColumnCmp builds a typed comparator for one array.
func makeColumnCmp(a arrow.Array) columnCmp {
	switch x := a.(type) {
	case *array.Int64:
		v := x.Int64Values()
		return func(i, j int) int { return cmpOrdered(v[i], v[j]) }
	case *array.Int32:
		v := x.Int32Values()
		return func(i, j int) int { return cmpOrdered(v[i], v[j]) }
	case *array.Int16:
		v := x.Int16Values()
		return func(i, j int) int { return cmpOrdered(v[i], v[j]) }
	case *array.Date32:
		v := x.Date32Values()
		return func(i, j int) int { return cmpOrdered(v[i], v[j]) }
	case *array.Timestamp:
		v := x.TimestampValues()
		return func(i, j int) int { return cmpOrdered(v[i], v[j]) }
	case *array.Time64:
		v := x.Time64Values()
		return func(i, j int) int { return cmpOrdered(v[i], v[j]) }
	case *array.Float64:
		v := x.Float64Values()
		return func(i, j int) int { return cmpFloat(v[i], v[j]) }
	case *array.Float32:
		v := x.Float32Values()
		return func(i, j int) int { return cmpFloat(float64(v[i]), float64(v[j])) }
	case *array.Decimal128:
		return func(i, j int) int { return x.Value(i).Cmp(x.Value(j)) }
	case *array.String:
		return func(i, j int) int {
			return strings.Compare(x.Value(i), x.Value(j))
		}
	case *array.Binary:
		return func(i, j int) int { return bytes.Compare(x.Value(i), x.Value(j)) }
	case *array.Boolean:
		return func(i, j int) int {
			p, q := x.Value(i), x.Value(j)
			switch {
			case p == q:
				return 0
			case !p:
				return -1
			}
			return 1
		}
	case *array.MonthDayNanoInterval:
		return func(i, j int) int {
			k := func(v arrow.MonthDayNanoInterval) int64 {
				return int64(v.Months)*30*86400e9 + int64(v.Days)*86400e9 + v.Nanoseconds
			}
			return cmpOrdered(k(x.Value(i)), k(x.Value(j)))
		}
	case *array.List:
		vals := x.ListValues()
		inner := makeColumnCmp(vals)
		return func(i, j int) int {
			is, ie := x.ValueOffsets(i)
			js, je := x.ValueOffsets(j)
			for k := int64(0); is+k < ie && js+k < je; k++ {
				a, b := int(is+k), int(js+k)
				an, bn := vals.IsNull(a), vals.IsNull(b)
				switch {
				case an && bn:
					continue
				case an:
					return 1
				case bn:
					return -1
				}
				if c := inner(a, b); c != 0 {
					return c
				}
			}
			return cmpOrdered(ie-is, je-js)
		}
	}
	return func(i, j int) int { return 0 }
}

func cmpOrdered[T int16 | int32 | int64 | arrow.Date32 | arrow.Timestamp | arrow.Time64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MakeComparator returns a row comparator over key arrays with the given
// directions: PostgreSQL ordering with explicit NULL placement.
func MakeComparator(arrays []arrow.Array, keys []SortKey) func(i, j int) int {
	cmps := make([]columnCmp, len(arrays))
	for k, a := range arrays {
		cmps[k] = makeColumnCmp(a)
	}
	return func(i, j int) int {
		for k, a := range arrays {
			in, jn := a.IsNull(i), a.IsNull(j)
			var c int
			switch {
			case in && jn:
				c = 0
			case in:
				c = 1
				if keys[k].NullsFirst {
					c = -1
				}
				return c
			case jn:
				c = -1
				if keys[k].NullsFirst {
					c = 1
				}
				return c
			default:
				c = cmps[k](i, j)
			}
			if c != 0 {
				if keys[k].Desc {
					return -c
				}
				return c
			}
		}
		return 0
	}
}

// evalKeys evaluates sort key expressions over a batch.
func evalKeys(ec *expr.Context, b arrow.RecordBatch, keys []SortKey) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(keys))
	for i, k := range keys {
		a, err := k.Expr.Eval(ec, b)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// Sort orders all of its input (stable).
type Sort struct {
	input Operator
	keys  []SortKey
	limit int64 // < 0: all (Top-N keeps offset+limit rows)
	off   int64
	out   slicer
	done  bool
}

// NewSort returns input ordered by keys.
func NewSort(input Operator, keys []SortKey) Operator {
	return &Sort{input: input, keys: keys, limit: -1}
}

// NewTopN returns the first limit rows after offset of input ordered by keys.
func NewTopN(input Operator, keys []SortKey, limit, offset int64) Operator {
	return &Sort{input: input, keys: keys, limit: limit, off: offset}
}

func (s *Sort) Schema() *arrow.Schema { return s.input.Schema() }
func (s *Sort) Open(ctx context.Context) error {
	s.done = false
	s.out = slicer{}
	return s.input.Open(ctx)
}
func (s *Sort) Close() error { return s.input.Close() }
func (s *Sort) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if !s.done {
		s.done = true
		all, err := Materialize(ctx, s.input)
		if err != nil {
			return nil, err
		}
		ec := evalContext(ctx)
		keyArrs, err := evalKeys(ec, all, s.keys)
		if err != nil {
			return nil, err
		}
		n := int(all.NumRows())
		perm := make([]int64, n)
		for i := range perm {
			perm[i] = int64(i)
		}
		cmp := MakeComparator(keyArrs, s.keys)
		sort.SliceStable(perm, func(a, b int) bool { return cmp(int(perm[a]), int(perm[b])) < 0 })
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		if s.limit >= 0 || s.off > 0 {
			lo := min(s.off, int64(n))
			hi := int64(n)
			if s.limit >= 0 {
				hi = min(lo+s.limit, int64(n))
			}
			perm = perm[lo:hi]
		}
		sorted, err := takeRows(ctx, s.input.Schema(), all, perm)
		if err != nil {
			return nil, err
		}
		s.out = slicer{b: sorted}
	}
	return s.out.next(), nil
}
