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
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// ParquetTable reads a Parquet file: one split per row group, only the
// requested columns, converted to engine types.
type ParquetTable struct {
	fsys   fs.FS
	path   string
	schema *arrow.Schema // normalised
	raw    *arrow.Schema
	// leaves lists the Parquet leaf columns of each top-level field.
	leaves    [][]int
	rowGroups []RowGroupStats
	batchSize int
}

// RowGroupStats describes one row group (for pruning, later).
type RowGroupStats struct {
	Index   int
	NumRows int64
}

// parquetSplit is one row group.
type parquetSplit struct {
	path string
	rg   RowGroupStats
}

func (s parquetSplit) String() string { return fmt.Sprintf("%s row group %d", s.path, s.rg.Index) }

// Stats exposes the row group's statistics.
func (s parquetSplit) Stats() RowGroupStats { return s.rg }

type parquetMeta struct {
	raw       *arrow.Schema
	leaves    [][]int
	rowGroups []RowGroupStats
}

func openParquet(ctx context.Context, fsys fs.FS, p string, opts Options) (t Table, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = sqlerr.New(sqlerr.DataCorrupted, "could not read Parquet file \"%s\": %v", p, r)
		}
	}()
	key, err := keyOf(fsys, p)
	if err != nil {
		return nil, err
	}
	meta, ok := opts.Cache.get(key)
	if !ok {
		m, err := readParquetMeta(fsys, p)
		if err != nil {
			return nil, err
		}
		meta = m
		opts.Cache.put(key, m)
	}
	m := meta.(*parquetMeta)
	return &ParquetTable{fsys: fsys, path: p, raw: m.raw, schema: types.NormalizeSchema(m.raw), leaves: m.leaves, rowGroups: m.rowGroups, batchSize: opts.batchSize()}, nil
}

func readParquetMeta(fsys fs.FS, p string) (*parquetMeta, error) {
	r, closeFn, err := readerAt(fsys, p)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	pf, err := file.NewParquetReader(r)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", p)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", p)
	}
	raw, err := fr.Schema()
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read the schema of Parquet file \"%s\"", p)
	}
	m := &parquetMeta{raw: raw}
	for _, f := range fr.Manifest.Fields {
		var leaves []int
		var collect func(sf pqarrow.SchemaField)
		collect = func(sf pqarrow.SchemaField) {
			if sf.IsLeaf() {
				leaves = append(leaves, sf.ColIndex)
			}
			for _, c := range sf.Children {
				collect(c)
			}
		}
		collect(f)
		m.leaves = append(m.leaves, leaves)
	}
	md := pf.MetaData()
	for i := 0; i < pf.NumRowGroups(); i++ {
		m.rowGroups = append(m.rowGroups, RowGroupStats{Index: i, NumRows: md.RowGroup(i).NumRows()})
	}
	return m, nil
}

func (t *ParquetTable) Schema(ctx context.Context) (*arrow.Schema, error) { return t.schema, nil }

func (t *ParquetTable) Splits(ctx context.Context) ([]Split, error) {
	out := make([]Split, len(t.rowGroups))
	for i, rg := range t.rowGroups {
		out[i] = parquetSplit{path: t.path, rg: rg}
	}
	return out, nil
}

func (t *ParquetTable) Open(ctx context.Context, split Split, columns []int) (rd executor.BatchReader, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = sqlerr.New(sqlerr.DataCorrupted, "could not read Parquet file \"%s\": %v", t.path, r)
		}
	}()
	if columns == nil {
		columns = make([]int, t.schema.NumFields())
		for i := range columns {
			columns[i] = i
		}
	}
	ps := split.(parquetSplit)
	r, closeFn, err := readerAt(t.fsys, t.path)
	if err != nil {
		return nil, err
	}
	props := parquet.NewReaderProperties(memory.DefaultAllocator)
	props.BufferedStreamEnabled = true
	pf, err := file.NewParquetReader(r, file.WithReadProps(props))
	if err != nil {
		closeFn()
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", t.path)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(t.batchSize)}, memory.DefaultAllocator)
	if err != nil {
		pf.Close()
		closeFn()
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", t.path)
	}
	var leaves []int
	for _, c := range columns {
		leaves = append(leaves, t.leaves[c]...)
	}
	rr, err := fr.GetRecordReader(ctx, leaves, []int{ps.rg.Index})
	if err != nil {
		pf.Close()
		closeFn()
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", t.path)
	}
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = t.schema.Field(c)
	}
	return &parquetReader{rr: rr, path: t.path, schema: arrow.NewSchema(fields, nil), closers: []func() error{func() error { rr.Release(); return nil }, pf.Close, closeFn}}, nil
}

type parquetReader struct {
	rr      pqarrow.RecordReader
	path    string
	schema  *arrow.Schema
	closers []func() error
}

func (r *parquetReader) Next(ctx context.Context) (b arrow.RecordBatch, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = sqlerr.New(sqlerr.DataCorrupted, "could not read Parquet file \"%s\": %v", r.path, p)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, sqlerr.Canceled(err)
	}
	if !r.rr.Next() {
		if err := r.rr.Err(); err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", r.path)
		}
		return nil, nil
	}
	rec := r.rr.RecordBatch()
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		c, err := ToEngine(ctx, rec.Column(i), r.schema.Field(i).Type)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\" column %s", r.path, r.schema.Field(i).Name)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(r.schema, cols, rec.NumRows()), nil
}

func (r *parquetReader) Close() error {
	var first error
	for _, c := range r.closers {
		if err := c(); err != nil && first == nil {
			first = err
		}
	}
	r.closers = nil
	return first
}
