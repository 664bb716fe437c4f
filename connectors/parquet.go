package connectors

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// parquetBufferSize is the read buffer of each projected column chunk:
// reads are buffered streams rather than whole column chunks in memory.
const parquetBufferSize = 1 << 20

// ParquetTable reads a Parquet file: one split per row group, only the
// projected columns, converted to engine types (see ToEngine).
type ParquetTable struct {
	fsys      fs.FS
	path      string
	meta      *parquetMeta
	schema    *arrow.Schema // engine types
	batchSize int
	noLate    bool // read through pqarrow only (tests of that path)
}

// parquetMeta is what the footer says, cached per file version.
type parquetMeta struct {
	file *metadata.FileMetaData
	raw  *arrow.Schema // as pqarrow reads it
	// leaves lists the Parquet leaf columns of each top-level field: a
	// struct or list field has several (or nested) leaves.
	leaves [][]int
	// flatLeaf is the leaf column of a top-level primitive field, -1 for
	// nested fields (statistics are kept for flat fields only).
	flatLeaf []int
	splits   []*ParquetSplit
}

// ParquetSplit is one row group of a Parquet file. Its statistics come
// from the footer, for pruning row groups against filters.
type ParquetSplit struct {
	Path     string
	RowGroup int
	NumRows  int64
	// Columns holds per-column statistics, indexed like the table's
	// schema. Nested columns and columns without statistics have the
	// zero value.
	Columns []ColumnStats
	// ColumnBytes is each column's compressed size in this row group.
	ColumnBytes []int64
	// Filter is the scan's pushed-down filter: the reader may drop rows
	// that fail it early (see parquet_dict.go).
	Filter Filter
}

// Bytes is the compressed size of the columns in this row group.
func (s *ParquetSplit) Bytes(columns []int) int64 {
	var n int64
	if columns == nil {
		for _, b := range s.ColumnBytes {
			n += b
		}
		return n
	}
	for _, c := range columns {
		if c >= 0 && c < len(s.ColumnBytes) {
			n += s.ColumnBytes[c]
		}
	}
	return n
}

func (s *ParquetSplit) String() string { return fmt.Sprintf("%s row group %d", s.Path, s.RowGroup) }

func openParquet(ctx context.Context, fsys fs.FS, p string, opts Options) (t Table, err error) {
	m, err := cached(opts.Cache, fsys, p, 0, func() (*parquetMeta, error) { return readParquetMeta(fsys, p) })
	if err != nil {
		return nil, err
	}
	return &ParquetTable{fsys: fsys, path: p, meta: m, schema: types.NormalizeSchema(m.raw), batchSize: opts.batchSize()}, nil
}

// corruptParquet is the error for a file the Parquet reader rejects.
func corruptParquet(p string, err error) error {
	return sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", p)
}

// recoverParquet turns a panic inside the Parquet library (it panics on
// some corrupt inputs) into a data-corrupted error.
func recoverParquet(p string, err *error) {
	if r := recover(); r != nil {
		*err = sqlerr.New(sqlerr.DataCorrupted, "could not read Parquet file \"%s\": %v", p, r)
	}
}

func readParquetMeta(fsys fs.FS, p string) (m *parquetMeta, err error) {
	defer recoverParquet(p, &err)
	r, closeFile, err := openRandomAccess(fsys, p)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	pf, err := file.NewParquetReader(r)
	if err != nil {
		return nil, corruptParquet(p, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, corruptParquet(p, err)
	}
	raw, err := fr.Schema()
	if err != nil {
		return nil, corruptParquet(p, err)
	}
	if err := checkColumnChunks(pf.MetaData()); err != nil {
		return nil, corruptParquet(p, err)
	}
	m = &parquetMeta{file: pf.MetaData(), raw: raw}
	for _, f := range fr.Manifest.Fields {
		m.leaves = append(m.leaves, leafColumns(f, nil))
		flat := -1
		if f.IsLeaf() {
			flat = f.ColIndex
		}
		m.flatLeaf = append(m.flatLeaf, flat)
	}
	for i := 0; i < m.file.NumRowGroups(); i++ {
		m.splits = append(m.splits, rowGroupSplit(p, m, i))
	}
	return m, nil
}

// checkColumnChunks rejects a footer whose column chunks lie outside the
// file: the Parquet library reads them on goroutines of its own, where a
// negative length panics beyond any recover and takes the process down.
func checkColumnChunks(m *metadata.FileMetaData) error {
	size := m.GetSourceFileSize()
	for g := 0; g < m.NumRowGroups(); g++ {
		rg := m.RowGroup(g)
		for c := 0; c < rg.NumColumns(); c++ {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return err
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
				start = cc.DictionaryPageOffset()
			}
			n := cc.TotalCompressedSize()
			if start < 0 || n < 0 || size > 0 && (start > size || n > size-start) {
				return fmt.Errorf("column chunk %d of row group %d lies outside the file (offset %d, length %d, file %d bytes)", c, g, start, n, size)
			}
		}
	}
	return nil
}

// leafColumns appends the Parquet leaf column indexes under f.
func leafColumns(f pqarrow.SchemaField, dst []int) []int {
	if f.IsLeaf() {
		dst = append(dst, f.ColIndex)
	}
	for _, c := range f.Children {
		dst = leafColumns(c, dst)
	}
	return dst
}

// Schema is the file's columns in engine types.
func (t *ParquetTable) Schema(ctx context.Context) (*arrow.Schema, error) { return t.schema, nil }

// Splits returns one *ParquetSplit per row group whose statistics do not
// rule out filter.
func (t *ParquetTable) Splits(ctx context.Context, filter Filter) ([]Split, error) {
	out := make([]Split, 0, len(t.meta.splits))
	for _, s := range t.meta.splits {
		if filter.MayMatch(s.Columns, s.NumRows) {
			if len(filter) > 0 {
				c := *s
				c.Filter = filter
				s = &c
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// Stats is the exact row count of the footer.
func (t *ParquetTable) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Exact: true, Columns: make([]ColumnStats, t.schema.NumFields())}
	for i, s := range t.meta.splits {
		st.Rows += s.NumRows
		for c := range st.Columns {
			st.Columns[c] = mergeStats(st.Columns[c], s.Columns[c], i == 0)
		}
	}
	for i := 0; i < t.meta.file.NumRowGroups(); i++ {
		st.Bytes += t.meta.file.RowGroup(i).TotalByteSize()
	}
	return st, nil
}

// Open reads one row group, decoding only the Parquet leaf columns of the
// requested fields.
func (t *ParquetTable) Open(ctx context.Context, split Split, columns []int) (batch.Reader, error) {
	return t.open(ctx, split, columns, nil)
}

// OpenDictionary is Open with text columns read from dictionary pages
// returned as dictionary arrays where dict says (see DictionaryOpener).
// Only the late reader does so.
func (t *ParquetTable) OpenDictionary(ctx context.Context, split Split, columns []int, dict []bool) (batch.Reader, error) {
	return t.open(ctx, split, columns, dict)
}

func (t *ParquetTable) open(ctx context.Context, split Split, columns []int, want []bool) (rd batch.Reader, err error) {
	defer recoverParquet(t.path, &err)
	ps, ok := split.(*ParquetSplit)
	if !ok || ps.Path != t.path {
		return nil, sqlerr.New(sqlerr.InternalError, "split %v is not of Parquet file \"%s\"", split, t.path)
	}
	if columns == nil {
		columns = allColumns(t.schema.NumFields())
	}
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		if c < 0 || c >= t.schema.NumFields() {
			return nil, sqlerr.New(sqlerr.InternalError, "column %d out of range for \"%s\"", c, t.path)
		}
		fields[i] = t.schema.Field(c)
	}
	schema := arrow.NewSchema(fields, nil)
	if !ps.Filter.MayMatch(ps.Columns, ps.NumRows) {
		// A join's keys, published since the splits were made, miss the
		// row group's range.
		return &countOnlyReader{schema: schema}, nil
	}
	if len(columns) == 0 {
		return &countOnlyReader{schema: schema, rows: ps.NumRows, batch: int64(t.batchSize)}, nil
	}
	// pqarrow returns each field once, in the order of first request;
	// pos maps requested columns to those.
	var distinct, leaves []int
	var asDict []bool // per distinct column: every request of it allows a dictionary
	pos := make([]int, len(columns))
	seen := map[int]int{}
	for i, c := range columns {
		j, ok := seen[c]
		if !ok {
			j = len(distinct)
			seen[c] = j
			distinct = append(distinct, c)
			leaves = append(leaves, t.meta.leaves[c]...)
			asDict = append(asDict, true)
		}
		asDict[j] = asDict[j] && want != nil && want[i]
		pos[i] = j
	}
	r, closeFile, err := openRandomAccess(t.fsys, t.path)
	if err != nil {
		return nil, err
	}
	props := parquet.NewReaderProperties(pageBuffers)
	props.BufferedStreamEnabled = true
	props.BufferSize = parquetBufferSize
	pf, err := file.NewParquetReader(r, file.WithReadProps(props), file.WithMetadata(t.meta.file))
	if err != nil {
		closeFile()
		return nil, corruptParquet(t.path, err)
	}
	fail := func(err error) (batch.Reader, error) {
		pf.Close()
		closeFile()
		return nil, corruptParquet(t.path, err)
	}
	if !t.noLate {
		rd, err := t.openLate(pf, ps, schema, distinct, pos, asDict)
		if err != nil {
			return fail(err)
		}
		if rd != nil {
			return rd, nil
		}
	}
	readProps := pqarrow.ArrowReadProperties{BatchSize: int64(t.batchSize)}
	dict := t.dictColumns(t.meta.file.RowGroup(ps.RowGroup), seen)
	var preds []*dictPredicate
	for c := range dict {
		readProps.SetReadDict(t.meta.flatLeaf[c], true)
	}
	for _, p := range ps.Filter {
		if dict[p.Column] && textPredicate(p) {
			preds = append(preds, &dictPredicate{col: seen[p.Column], pred: p})
		}
	}
	fr, err := pqarrow.NewFileReader(pf, readProps, memory.DefaultAllocator)
	if err != nil {
		return fail(err)
	}
	rr, err := fr.GetRecordReader(ctx, leaves, []int{ps.RowGroup})
	if err != nil {
		return fail(err)
	}
	// pf.Close closes the file too.
	return &parquetReader{rr: rr, path: t.path, schema: schema, pos: pos, group: ps.RowGroup, preds: preds,
		close: func() error { rr.Release(); return pf.Close() }}, nil
}

// parquetReader converts the batches of a pqarrow record reader.
type parquetReader struct {
	rr     pqarrow.RecordReader
	path   string
	schema *arrow.Schema
	pos    []int
	close  func() error
	done   bool
	rows   int64 // rows of the row group read so far, for messages
	group  int
	preds  []*dictPredicate // conditions on the columns read as dictionaries
}

func (r *parquetReader) Next(ctx context.Context) (b arrow.RecordBatch, err error) {
	if r.done {
		return nil, nil
	}
	defer func() {
		if p := recover(); p != nil {
			r.done = true
			err = sqlerr.New(sqlerr.DataCorrupted, "could not read Parquet file \"%s\": %v", r.path, p)
		}
	}()
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	for {
		if !r.rr.Next() {
			r.done = true
			if err := r.rr.Err(); err != nil {
				return nil, corruptParquet(r.path, err)
			}
			return nil, nil
		}
		rec := r.rr.RecordBatch()
		var rows []int32 // the rows kept; nil: all
		if len(r.preds) > 0 {
			var kept bool
			if rows, kept = selectRows(rec, r.preds); !kept {
				r.rows += rec.NumRows()
				if err := batch.CheckCancel(ctx); err != nil {
					return nil, err
				}
				continue
			}
		}
		n := rec.NumRows()
		if rows != nil {
			n = int64(len(rows))
		}
		cols := make([]arrow.Array, len(r.pos))
		for i, p := range r.pos {
			var c arrow.Array
			var err error
			if d, ok := rec.Column(p).(*array.Dictionary); ok {
				c, err = decodeDictionary(ctx, d, rows)
			} else if c, err = convertColumn(ctx, rec.Column(p), r.schema.Field(i), r.path); err == nil && rows != nil {
				c, err = batch.Gather(ctx, c, rows)
			}
			if err != nil {
				return nil, err
			}
			if err := checkColumn(c, r.path, func(i int) string {
				if rows != nil {
					i = int(rows[i])
				}
				return fmt.Sprintf("row %d of row group %d", r.rows+int64(i)+1, r.group)
			}); err != nil {
				r.done = true
				return nil, err
			}
			cols[i] = c
		}
		r.rows += rec.NumRows()
		return array.NewRecordBatch(r.schema, cols, n), nil
	}
}

func (r *parquetReader) Close() error {
	if r.close == nil {
		return nil
	}
	err := r.close()
	r.close = nil
	return err
}

// countOnlyReader serves batches without columns (a projection of none,
// as for count(*)), with the row count from metadata.
type countOnlyReader struct {
	schema *arrow.Schema
	rows   int64
	batch  int64
}

func (r *countOnlyReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.rows <= 0 {
		return nil, nil
	}
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	n := min(r.rows, r.batch)
	r.rows -= n
	return array.NewRecordBatch(r.schema, nil, n), nil
}

func (r *countOnlyReader) Close() error { return nil }
