package executor

import (
	"bytes"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
