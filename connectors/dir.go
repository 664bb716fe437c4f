package connectors

import (
	"context"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// DirTable reads every data file under a folder (recursively) as one
// table. Schemas are merged by column name: a column missing from a file
// reads as NULL, and a column whose type differs between files widens
// (integers to wider integers, numbers to double, anything else to text).
// Hive-style key=value folders add a text column per key.
type DirTable struct {
	fsys   fs.FS
	dir    string
	opts   Options
	files  []dirFile
	schema *arrow.Schema
}

type dirFile struct {
	path  string
	table Table
	parts map[string]string
}

type dirSplit struct {
	file  int
	inner Split
}

func (s dirSplit) String() string { return s.inner.String() }

// Bytes is the inner split's size for all its columns (the folder's
// columns are numbered differently from the file's).
func (s dirSplit) Bytes([]int) int64 { return SplitBytes(s.inner, nil) }

// OpenDir opens the data files under dir as one table.
func OpenDir(ctx context.Context, fsys fs.FS, dir string, opts Options) (Table, error) {
	t := &DirTable{fsys: fsys, dir: dir, opts: opts}
	var partKeys []string
	seenKey := map[string]bool{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if _, _, ok := DetectFormat(name); !ok {
			return nil
		}
		parts := map[string]string{}
		rel := strings.TrimPrefix(p, dir+"/")
		for _, seg := range strings.Split(path.Dir(rel), "/") {
			if k, v, ok := strings.Cut(seg, "="); ok {
				parts[k] = v
				if !seenKey[k] {
					seenKey[k] = true
					partKeys = append(partKeys, k)
				}
			}
		}
		t.files = append(t.files, dirFile{path: p, parts: parts})
		return nil
	})
	if err != nil {
		return nil, fileErr(dir, err)
	}
	sort.Slice(t.files, func(i, j int) bool { return t.files[i].path < t.files[j].path })
	var fields []arrow.Field
	index := map[string]int{}
	for i := range t.files {
		ft, err := OpenFile(ctx, fsys, t.files[i].path, opts)
		if err != nil {
			return nil, err
		}
		t.files[i].table = ft
		s, err := ft.Schema(ctx)
		if err != nil {
			return nil, err
		}
		for _, f := range s.Fields() {
			k := strings.ToLower(f.Name)
			if j, ok := index[k]; ok {
				fields[j].Type = widen(fields[j].Type, f.Type)
				continue
			}
			index[k] = len(fields)
			fields = append(fields, arrow.Field{Name: f.Name, Type: f.Type, Nullable: true})
		}
	}
	for _, k := range partKeys {
		if _, ok := index[strings.ToLower(k)]; !ok {
			index[strings.ToLower(k)] = len(fields)
			fields = append(fields, arrow.Field{Name: k, Type: types.String, Nullable: true})
		}
	}
	t.schema = arrow.NewSchema(fields, nil)
	return t, nil
}

// widen is the type holding values of both a and b.
func widen(a, b arrow.DataType) arrow.DataType {
	switch {
	case arrow.TypeEqual(a, b):
		return a
	case a.ID() == arrow.NULL:
		return b
	case b.ID() == arrow.NULL:
		return a
	case types.IsInteger(a) && types.IsInteger(b):
		if a.(arrow.FixedWidthDataType).BitWidth() >= b.(arrow.FixedWidthDataType).BitWidth() {
			return a
		}
		return b
	case types.IsNumeric(a) && types.IsNumeric(b):
		return types.Float64
	case a.ID() == arrow.DATE32 && b.ID() == arrow.TIMESTAMP, a.ID() == arrow.TIMESTAMP && b.ID() == arrow.DATE32:
		return types.Timestamp
	}
	return types.String
}

func (t *DirTable) Schema(ctx context.Context) (*arrow.Schema, error) { return t.schema, nil }

// Stats adds up the files' statistics.
func (t *DirTable) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Exact: true}
	for _, f := range t.files {
		fs, err := f.table.Stats(ctx)
		if err != nil {
			return Stats{}, err
		}
		st.Rows += fs.Rows
		st.Bytes += fs.Bytes
		st.Exact = st.Exact && fs.Exact
	}
	return st, nil
}

// Splits returns the splits of every file. The filter's columns are the
// folder table's; they are passed on to the files only where the file's
// column has the same position, which holds for none in general, so the
// files see no filter yet.
func (t *DirTable) Splits(ctx context.Context, filter Filter) ([]Split, error) {
	var out []Split
	for i, f := range t.files {
		ss, err := f.table.Splits(ctx, nil)
		if err != nil {
			return nil, err
		}
		for _, s := range ss {
			out = append(out, dirSplit{file: i, inner: s})
		}
	}
	return out, nil
}

func (t *DirTable) Open(ctx context.Context, split Split, columns []int) (batch.Reader, error) {
	ds := split.(dirSplit)
	f := t.files[ds.file]
	if columns == nil {
		columns = make([]int, t.schema.NumFields())
		for i := range columns {
			columns[i] = i
		}
	}
	fs, err := f.table.Schema(ctx)
	if err != nil {
		return nil, err
	}
	// Map each requested column to the file's column (or -1).
	var fileCols []int
	src := make([]int, len(columns))
	for i, c := range columns {
		name := t.schema.Field(c).Name
		src[i] = -1
		for j, ff := range fs.Fields() {
			if strings.EqualFold(ff.Name, name) {
				src[i] = len(fileCols)
				fileCols = append(fileCols, j)
				break
			}
		}
	}
	inner, err := f.table.Open(ctx, ds.inner, fileCols)
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = t.schema.Field(c)
	}
	return &dirReader{inner: inner, src: src, schema: arrow.NewSchema(fields, nil), parts: f.parts, path: f.path}, nil
}

type dirReader struct {
	inner  batch.Reader
	src    []int
	schema *arrow.Schema
	parts  map[string]string
	path   string
}

func (r *dirReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := r.inner.Next(ctx)
	if err != nil || b == nil {
		return nil, err
	}
	n := int(b.NumRows())
	cols := make([]arrow.Array, len(r.src))
	for i, s := range r.src {
		t := r.schema.Field(i).Type
		if s < 0 {
			if v, ok := r.parts[r.schema.Field(i).Name]; ok && types.IsString(t) {
				sb := array.NewStringBuilder(memory.DefaultAllocator)
				for k := 0; k < n; k++ {
					sb.Append(v)
				}
				cols[i] = sb.NewArray()
				continue
			}
			cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, t, n)
			continue
		}
		c := b.Column(s)
		if !arrow.TypeEqual(c.DataType(), t) {
			cc, err := castForDir(ctx, c, t)
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\"", r.path)
			}
			c = cc
		}
		cols[i] = c
	}
	return array.NewRecordBatch(r.schema, cols, int64(n)), nil
}

func castForDir(ctx context.Context, c arrow.Array, t arrow.DataType) (arrow.Array, error) {
	if types.IsString(t) {
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		for i := 0; i < c.Len(); i++ {
			if c.IsNull(i) {
				sb.AppendNull()
			} else {
				sb.Append(c.ValueStr(i))
			}
		}
		return sb.NewArray(), nil
	}
	return ToEngine(ctx, c, t)
}

func (r *dirReader) Close() error { return r.inner.Close() }
