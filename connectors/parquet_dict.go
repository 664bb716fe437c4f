package connectors

import (
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/types"
)

// Text columns whose pages are all dictionary encoded are read as
// dictionaries: a pushed-down condition on one is decided once per
// distinct value instead of once per row, rows that fail it are dropped
// before any other column is copied (TPC-H q19 keeps 2% of lineitem by
// l_shipmode and l_shipinstruct), and the strings are built by one copy
// per kept value instead of a builder's append per value. The Filter above
// the scan still applies the whole WHERE clause: this only drops rows
// early, by predicates every kept row must satisfy.

// dictPredicate is a pushed-down condition on a column read as a
// dictionary.
type dictPredicate struct {
	col  int // index into the reader's pqarrow record
	pred ColumnPredicate
	// match caches the condition per dictionary value, for the dictionary
	// it was computed over (a row group usually has one).
	dict  arrow.Array
	match []bool
}

// dictColumns picks the requested text columns of row group rg whose
// every data page is dictionary encoded (decoding another page into a
// dictionary would mean hashing its values).
func (t *ParquetTable) dictColumns(rg *metadata.RowGroupMetaData, seen map[int]int) map[int]bool {
	var out map[int]bool
	for c := range seen {
		leaf := t.meta.flatLeaf[c]
		if leaf < 0 || !types.IsString(t.schema.Field(c).Type) || !arrow.TypeEqual(t.meta.raw.Field(c).Type, arrow.BinaryTypes.String) {
			continue
		}
		cc, err := rg.ColumnChunk(leaf)
		if err != nil || !allDictionaryPages(cc) {
			continue
		}
		if out == nil {
			out = map[int]bool{}
		}
		out[c] = true
	}
	return out
}

// textPredicate reports whether p is a comparison of a column with
// strings (or alternatives of those).
func textPredicate(p ColumnPredicate) bool {
	switch p.Op {
	case OpEq, OpLt, OpLe, OpGt, OpGe, OpIn:
		for _, v := range p.Values {
			if _, ok := v.(*scalar.String); !ok || !v.IsValid() {
				return false
			}
		}
		return len(p.Values) > 0
	case OpAny:
		for _, a := range p.Any {
			if !textPredicate(a) {
				return false
			}
		}
		return len(p.Any) > 0
	}
	return false
}

// allDictionaryPages reports whether every data page of the column chunk
// is dictionary encoded: from the page encoding statistics when the
// writer kept them, else from the chunk's encodings (a writer that lists
// PLAIN for its dictionary page is not trusted).
func allDictionaryPages(cc *metadata.ColumnChunkMetaData) bool {
	if !cc.HasDictionaryPage() {
		return false
	}
	isDict := func(e parquet.Encoding) bool {
		return e == parquet.Encodings.PlainDict || e == parquet.Encodings.RLEDict
	}
	if st := cc.EncodingStats(); len(st) > 0 {
		for _, s := range st {
			if s.PageType != 2 && !isDict(s.Encoding) { // 2: DICTIONARY_PAGE
				return false
			}
		}
		return true
	}
	for _, e := range cc.Encodings() {
		if !isDict(e) && e != parquet.Encodings.RLE && e != parquet.Encodings.BitPacked {
			return false
		}
	}
	return true
}

// matches decides p for each value of dict.
func (d *dictPredicate) matches(dict arrow.Array) []bool {
	if d.dict == dict && d.match != nil {
		return d.match
	}
	s, ok := dict.(*array.String)
	if !ok {
		return nil
	}
	m := make([]bool, s.Len())
	for i := range m {
		m[i] = s.IsValid(i) && textHolds(d.pred, s.Value(i))
	}
	d.dict, d.match = dict, m
	return m
}

// textHolds decides a text predicate (see textPredicate) on one value,
// comparing bytes as the engine's text comparisons do.
func textHolds(p ColumnPredicate, v string) bool {
	if p.Op == OpAny {
		return slices.ContainsFunc(p.Any, func(a ColumnPredicate) bool { return textHolds(a, v) })
	}
	vals := textValues(p)
	return len(vals) > 0 && ordHolds(p.Op, v, vals)
}

// textValues are a text predicate's values as strings.
func textValues(p ColumnPredicate) []string {
	vals := make([]string, len(p.Values))
	for i, x := range p.Values {
		vals[i] = x.(*scalar.String).String()
	}
	return vals
}

// selectRows keeps the rows of rec whose dictionary columns satisfy their
// predicates: the rows kept (nil: all) and whether any are.
func selectRows(rec arrow.RecordBatch, preds []*dictPredicate) (rows []int32, kept bool) {
	n := int(rec.NumRows())
	keep := make([]bool, n)
	for i := range keep {
		keep[i] = true
	}
	for _, p := range preds {
		d, ok := rec.Column(p.col).(*array.Dictionary)
		if !ok {
			continue
		}
		m := p.matches(d.Dictionary())
		if m == nil {
			continue
		}
		idx, ok := d.Indices().(*array.Int32)
		if !ok {
			continue
		}
		vals := idx.Int32Values()
		for i, k := range vals {
			keep[i] = keep[i] && idx.IsValid(i) && m[k]
		}
	}
	for i, k := range keep {
		if k {
			rows = append(rows, int32(i))
		}
	}
	if len(rows) == n {
		return nil, true
	}
	return rows, len(rows) > 0
}

// decodeDictionary turns a dictionary column into its values for rows
// (nil: all).
func decodeDictionary(ctx context.Context, d *array.Dictionary, rows []int32) (arrow.Array, error) {
	idx, ok := d.Indices().(*array.Int32)
	if !ok {
		return ToEngine(ctx, d, arrow.BinaryTypes.String)
	}
	src := idx.Int32Values()
	pick := make([]int32, 0, len(src))
	if rows == nil {
		for i, k := range src {
			if idx.IsValid(i) {
				pick = append(pick, k)
			} else {
				pick = append(pick, -1)
			}
		}
	} else {
		for _, r := range rows {
			if idx.IsValid(int(r)) {
				pick = append(pick, src[r])
			} else {
				pick = append(pick, -1)
			}
		}
	}
	return batch.Gather(ctx, d.Dictionary(), pick)
}
