package connectors

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
)

// Late materialization. When a row group is read under pushed-down
// conditions it can decide itself (comparisons of integer, date, numeric
// and text columns with constants), the columns those conditions read are
// decoded first, a batch at a time, into scratch buffers the reader
// reuses; the other columns are decoded only for batches where some row
// passes, and skipped otherwise; and only the rows that pass are copied
// into the arrays the reader returns. TPC-H q12 keeps 0.5% of lineitem by
// l_shipmode and l_receiptdate, q15 4% by l_shipdate: pqarrow decoded
// every column of every row into fresh arrays (and numerics twice, as
// int64 and then as decimal128) before the Filter above dropped them.
//
// Flat columns of the common types are decoded with the column chunk
// readers of the Parquet library (arrow-go's parquet/file). A row group
// with another kind of column, or with no condition to decide and no
// text to return dictionary-encoded, is read through pqarrow as before.
// As elsewhere, the Filter above the scan still applies the whole WHERE
// clause: the conditions here only drop rows early.

// lateReader reads one row group with late materialization (see above).
type lateReader struct {
	schema *arrow.Schema
	cols   []*lateColumn // one per distinct requested field
	pos    []int         // requested column -> cols
	preds  []*latePredicate
	first  []bool // cols read by a predicate (decoded before the others)
	keep   []bool
	rows   []int32
	left   int64 // rows of the row group not yet read
	read   int64 // rows read, for messages
	group  int
	batch  int
	path   string
	close  func() error
}

// openLate opens row group ps with late materialization when every
// requested column allows it and some pushed-down condition can be
// decided, or some text column is to come dictionary-encoded (asDict, per
// distinct column; see OpenDictionary); rd is nil otherwise.
func (t *ParquetTable) openLate(pf *file.Reader, ps *ParquetSplit, out *arrow.Schema, distinct, pos []int, asDict []bool) (rd batch.Reader, err error) {
	if len(ps.Filter) == 0 && !slices.Contains(asDict, true) {
		return nil, nil
	}
	rg := pf.RowGroup(ps.RowGroup)
	cols := make([]*lateColumn, len(distinct))
	index := map[int]int{}
	codes := false // some column comes dictionary-encoded
	for i, c := range distinct {
		leaf := t.meta.flatLeaf[c]
		if leaf < 0 {
			return nil, nil
		}
		descr := pf.MetaData().Schema.Column(leaf)
		kind, ok := lateKind(descr, t.meta.raw.Field(c).Type, t.schema.Field(c).Type)
		if !ok {
			return nil, nil
		}
		cols[i] = &lateColumn{kind: kind, typ: t.schema.Field(c).Type, maxDef: descr.MaxDefinitionLevel()}
		if kind == decString {
			cc, err := rg.MetaData().ColumnChunk(leaf)
			cols[i].dict = err == nil && allDictionaryPages(cc)
			if cols[i].dict && asDict[i] {
				cols[i].codes, codes = &dictCodes{}, true
			}
		}
		index[c] = i
	}
	r := &lateReader{schema: out, cols: cols, pos: pos, first: make([]bool, len(cols)), left: ps.NumRows,
		group: ps.RowGroup, batch: t.batchSize, path: t.path}
	for _, p := range ps.Filter {
		i, ok := index[p.Column]
		if !ok {
			continue
		}
		if lp := newLatePredicate(cols[i], p); lp != nil {
			r.preds = append(r.preds, lp)
			r.first[i] = true
		}
	}
	// Text conditions look at each row still kept, so they go after the
	// others, which drop rows for less (TPC-H q12 checks l_shipmode only
	// for the seventh of line items its l_receiptdate range keeps).
	slices.SortStableFunc(r.preds, func(a, b *latePredicate) int {
		return cmp.Compare(b2u(a.col.kind == decString), b2u(b.col.kind == decString))
	})
	if len(r.preds) == 0 && !codes {
		// No gain over pqarrow was measured without conditions, unless
		// text is to come as dictionaries (which pqarrow does not do).
		return nil, nil
	}
	for i, c := range distinct {
		if cols[i].cr, err = rg.Column(t.meta.flatLeaf[c]); err != nil {
			return nil, err
		}
	}
	r.close = pf.Close // closes the file too
	return r, nil
}

func (r *lateReader) Next(ctx context.Context) (b arrow.RecordBatch, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.left = 0
			err = sqlerr.New(sqlerr.DataCorrupted, "could not read Parquet file \"%s\": %v", r.path, p)
		}
	}()
	for r.left > 0 {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		n := int(min(int64(r.batch), r.left))
		r.left -= int64(n)
		for i, c := range r.cols {
			if r.first[i] {
				if err := c.decode(n); err != nil {
					return nil, r.fail(err)
				}
			}
		}
		r.keep = grow(r.keep, n)
		for i := range r.keep {
			r.keep[i] = true
		}
		for _, p := range r.preds {
			p.apply(r.keep)
		}
		rows := r.rows[:0]
		for i, k := range r.keep {
			if k {
				rows = append(rows, int32(i))
			}
		}
		r.rows = rows
		if len(rows) == 0 {
			for i, c := range r.cols {
				if !r.first[i] {
					if err := c.skip(n); err != nil {
						return nil, r.fail(err)
					}
				}
			}
			r.read += int64(n)
			continue
		}
		for i, c := range r.cols {
			if !r.first[i] {
				if err := c.decode(n); err != nil {
					return nil, r.fail(err)
				}
			}
		}
		if len(rows) == n {
			rows = nil
		}
		arrs := make([]arrow.Array, len(r.cols))
		for i, c := range r.cols {
			arrs[i] = c.array(rows)
			if err := checkColumn(arrs[i], r.path, func(j int) string {
				if rows != nil {
					j = int(rows[j])
				}
				return fmt.Sprintf("row %d of row group %d", r.read+int64(j)+1, r.group)
			}); err != nil {
				r.left = 0
				return nil, err
			}
		}
		r.read += int64(n)
		cols := make([]arrow.Array, len(r.pos))
		for i, p := range r.pos {
			cols[i] = arrs[p]
		}
		return batch.NewRecord(r.schema, cols, int64(arrs[0].Len())), nil
	}
	return nil, nil
}

func (r *lateReader) fail(err error) error {
	r.left = 0
	return corruptParquet(r.path, err)
}

func (r *lateReader) Close() error {
	if r.close == nil {
		return nil
	}
	// Closing the column readers gives their page buffers back
	// (see pageAllocator).
	for _, c := range r.cols {
		if c.cr != nil {
			c.cr.Close()
		}
	}
	err := r.close()
	r.close = nil
	return err
}
