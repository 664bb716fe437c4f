package connectors

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/decimal"
)

// Filter is a conjunction of simple conditions on a table's columns that
// the planner pushes down to the table, so that it can skip whatever
// cannot hold a matching row: Parquet row groups by their min/max
// statistics, the files of a folder, hive partitions. Skipping is only an
// optimisation: the scan still applies the query's whole WHERE clause, so
// a table may ignore any predicate it cannot use.
type Filter []ColumnPredicate

// CompareOp is the comparison of a ColumnPredicate.
type CompareOp int

const (
	OpEq CompareOp = iota
	OpLt
	OpLe
	OpGt
	OpGe
	OpIn // the column equals one of Values
	OpIsNull
	OpIsNotNull
	OpAny    // one of Any holds (each on the same column)
	OpInKeys // the column is one of the keys a hash join's build found (Keys)
)

var opNames = [...]string{"=", "<", "<=", ">", ">=", "IN", "IS NULL", "IS NOT NULL", "ANY", "IN join keys"}

// ColumnPredicate is `column op values`: Values holds one value for the
// comparisons, the list for OpIn and nothing for the NULL tests, each in
// the column's engine type. OpAny's alternatives (x < 10 OR x >= 90) are
// in Any, each on Column too.
type ColumnPredicate struct {
	Column int // index into the table's schema
	Op     CompareOp
	Values []scalar.Scalar
	Any    []ColumnPredicate
	// Keys, for OpInKeys, are published by the join once its build is
	// done; until then the predicate rules nothing out.
	Keys *batch.KeySet
}

func (p ColumnPredicate) String() string {
	if p.Op == OpAny {
		alts := make([]string, len(p.Any))
		for i, a := range p.Any {
			alts[i] = a.String()
		}
		return "(" + strings.Join(alts, " OR ") + ")"
	}
	vs := make([]string, len(p.Values))
	for i, v := range p.Values {
		vs[i] = v.String()
	}
	return fmt.Sprintf("$%d %s %s", p.Column, opNames[p.Op], strings.Join(vs, ", "))
}

// Stats is what a table knows of its size without reading its data; the
// planner orders joins by it.
type Stats struct {
	// Rows is the number of rows: exact when Exact (Parquet footers), an
	// estimate otherwise (text files, from their size).
	Rows  int64
	Exact bool
	// Bytes is the size of the table's files.
	Bytes int64
	// Columns bounds each column over the whole table, indexed like the
	// schema (nil or zero values when unknown). When Exact is false they
	// may come from a sample: estimates for planning, not bounds to prune
	// by.
	Columns []ColumnStats
}

// mergeStats widens a to cover b as well.
func mergeStats(a, b ColumnStats, first bool) ColumnStats {
	if first {
		return b
	}
	out := ColumnStats{HasNullCount: a.HasNullCount && b.HasNullCount, NullCount: a.NullCount + b.NullCount}
	if a.Min == nil || a.Max == nil || b.Min == nil || b.Max == nil {
		return out
	}
	lo, ok1 := compareScalars(a.Min, b.Min)
	hi, ok2 := compareScalars(a.Max, b.Max)
	if !ok1 || !ok2 {
		return out
	}
	out.Min, out.Max = a.Min, a.Max
	if lo > 0 {
		out.Min = b.Min
	}
	if hi < 0 {
		out.Max = b.Max
	}
	return out
}

// MayMatch reports whether a part of a table whose columns are bounded by
// stats (indexed like the table's schema; the zero value knows nothing)
// can hold a row that satisfies every predicate of f.
func (f Filter) MayMatch(stats []ColumnStats, rows int64) bool {
	for _, p := range f {
		if p.Column < 0 || p.Column >= len(stats) {
			continue
		}
		if !p.mayMatch(stats[p.Column], rows) {
			return false
		}
	}
	return true
}

func (p ColumnPredicate) mayMatch(s ColumnStats, rows int64) bool {
	switch p.Op {
	case OpAny:
		for _, a := range p.Any {
			if a.mayMatch(s, rows) {
				return true
			}
		}
		return len(p.Any) == 0
	case OpInKeys:
		k := p.Keys.Get()
		if k == nil || s.Min == nil || s.Max == nil {
			return true
		}
		lo, ok1 := scalarInt(s.Min)
		hi, ok2 := scalarInt(s.Max)
		return !ok1 || !ok2 || hi >= k.Min && lo <= k.Max
	case OpIsNull:
		return !s.HasNullCount || s.NullCount > 0
	case OpIsNotNull:
		return !s.HasNullCount || s.NullCount < rows
	}
	if s.HasNullCount && s.NullCount == rows && rows > 0 {
		return false // only NULLs: no comparison is true
	}
	if s.Min == nil || s.Max == nil {
		return true
	}
	for _, v := range p.Values {
		if v == nil || !v.IsValid() {
			continue
		}
		lo, ok1 := compareScalars(v, s.Min)
		hi, ok2 := compareScalars(v, s.Max)
		if !ok1 || !ok2 {
			return true
		}
		switch p.Op {
		case OpEq, OpIn:
			if lo >= 0 && hi <= 0 {
				return true
			}
		case OpLt: // some x < v: min < v
			return lo > 0
		case OpLe:
			return lo >= 0
		case OpGt: // some x > v: max > v
			return hi < 0
		case OpGe:
			return hi <= 0
		}
	}
	return false
}

// scalarInt is an integer or date scalar as int64.
func scalarInt(v scalar.Scalar) (int64, bool) {
	switch x := v.(type) {
	case *scalar.Int64:
		return x.Value, true
	case *scalar.Int32:
		return int64(x.Value), true
	case *scalar.Date32:
		return int64(x.Value), true
	}
	return 0, false
}

// compareScalars compares two non-NULL scalars of the same engine type;
// ok is false for types it does not order.
func compareScalars(a, b scalar.Scalar) (int, bool) {
	switch x := a.(type) {
	case *scalar.Int64:
		if y, ok := b.(*scalar.Int64); ok {
			return cmp3(x.Value, y.Value), true
		}
	case *scalar.Int32:
		if y, ok := b.(*scalar.Int32); ok {
			return cmp3(x.Value, y.Value), true
		}
	case *scalar.Int16:
		if y, ok := b.(*scalar.Int16); ok {
			return cmp3(x.Value, y.Value), true
		}
	case *scalar.Date32:
		if y, ok := b.(*scalar.Date32); ok {
			return cmp3(x.Value, y.Value), true
		}
	case *scalar.Timestamp:
		if y, ok := b.(*scalar.Timestamp); ok {
			return cmp3(x.Value, y.Value), true
		}
	case *scalar.Float64:
		if y, ok := b.(*scalar.Float64); ok && x.Value == x.Value && y.Value == y.Value {
			return cmp3(x.Value, y.Value), true
		}
	case *scalar.Decimal128:
		if y, ok := b.(*scalar.Decimal128); ok {
			xs, ys := x.Type.(interface{ GetScale() int32 }), y.Type.(interface{ GetScale() int32 })
			xv, ok1 := decimal.Rescale(x.Value, xs.GetScale(), max(xs.GetScale(), ys.GetScale()))
			yv, ok2 := decimal.Rescale(y.Value, ys.GetScale(), max(xs.GetScale(), ys.GetScale()))
			if ok1 && ok2 {
				return decimal.Cmp(xv, yv), true
			}
		}
	case *scalar.String:
		if y, ok := b.(*scalar.String); ok {
			return strings.Compare(string(x.Data()), string(y.Data())), true
		}
	}
	return 0, false
}

func cmp3[T ~int16 | ~int32 | ~int64 | ~float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// textStats estimates a text file's rows from its size and the bytes a
// record of its sample takes, or else the width its columns typically
// take as text (JSON also spells each key): a rough figure, but enough
// to order joins. The smallest and largest integers of the sample stand
// for the columns' bounds: estimates (Exact is false), which tell the
// planner how many distinct keys a column may hold.
func textStats(fsys fs.FS, p string, comp Compression, schema *arrow.Schema, sample textSample, json bool) (Stats, error) {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return Stats{}, err
	}
	size := st.Size()
	if comp != NoCompression {
		size *= 4 // typical ratio of text to its compressed form
	}
	if sample.rowBytes > 0 {
		return Stats{Rows: int64(float64(size)/sample.rowBytes) + 1, Bytes: st.Size(), Columns: sample.ints}, nil
	}
	width := 1
	for _, f := range schema.Fields() {
		switch {
		case types.IsInteger(f.Type):
			width += 7
		case types.IsNumeric(f.Type):
			width += 9
		case types.IsTemporal(f.Type):
			width += 12
		default:
			width += 24
		}
		if json {
			width += len(f.Name) + 4
		}
	}
	return Stats{Rows: size/int64(width) + 1, Bytes: st.Size()}, nil
}
