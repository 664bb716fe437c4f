package connectors

import (
	"context"
	"io/fs"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// DirTable reads a selection of files — one file, a folder (recursively)
// or a glob — as one table whose rows are the union of its files' rows.
// Its columns are the files' columns merged by name (see evolve.go),
// then the partition columns of its folders (hive keys, dir0, dir1, ...),
// then the implicit file columns (filename, filepath, fqn, suffix, and
// for headerless text files the columns array), see partition.go.
//
// A DirTable is a snapshot: the files and their sizes as listed when it
// was opened. Splits leaves out the files whose partition or file
// columns rule out the filter, before any of them is opened.
type DirTable struct {
	fsys   *snapFS
	root   string
	opts   Options
	files  []dirFile
	schema *arrow.Schema
	nData  int
	consts []constColumn // the fields after the data columns, in order
	// columnsCol is the index of the columns array (headerless text), or -1.
	columnsCol int
}

type dirFile struct {
	fileEntry
	table      Table
	schema     *arrow.Schema
	vals       []scalar.Scalar // one per const column
	headerless bool
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
	return OpenTable(ctx, fsys, dir, opts)
}

// OpenTable opens the file, folder or glob p of fsys as one table.
func OpenTable(ctx context.Context, fsys fs.FS, p string, opts Options) (*DirTable, error) {
	root, entries, err := listSelection(ctx, fsys, p, opts.Format.accepts)
	if err != nil {
		return nil, err
	}
	snap := newSnapFS(fsys, entries)
	t := &DirTable{fsys: snap, root: root, opts: opts, columnsCol: -1}
	var fields []arrow.Field
	origin := []string{}
	index := map[string]int{}
	anyHeaderless := false
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, sqlerr.Canceled(err)
		}
		ft, err := openFormat(ctx, snap, e.path, opts)
		if err != nil {
			return nil, err
		}
		s, err := ft.Schema(ctx)
		if err != nil {
			return nil, err
		}
		df := dirFile{fileEntry: e, table: ft, schema: s}
		if c, ok := ft.(*CSVTable); ok && !c.d.header {
			df.headerless, anyHeaderless = true, true
		}
		t.files = append(t.files, df)
		for _, f := range s.Fields() {
			typ := types.MarkNested(f.Type)
			k := strings.ToLower(f.Name)
			if j, ok := index[k]; ok {
				nt, ok := commonType(fields[j].Type, typ)
				if !ok {
					return nil, typeConflict(fields[j].Name, origin[j], fields[j].Type, e.path, typ)
				}
				fields[j].Type = nt
				continue
			}
			index[k] = len(fields)
			fields = append(fields, arrow.Field{Name: f.Name, Type: typ, Nullable: true})
			origin = append(origin, e.path)
		}
	}
	t.nData = len(fields)
	for _, c := range append(partitionColumns(entries), fileColumns()...) {
		k := strings.ToLower(c.name)
		if _, ok := index[k]; ok {
			continue // a data column of that name wins
		}
		index[k] = len(fields)
		t.consts = append(t.consts, c)
		f := arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		if c.implicit {
			f.Metadata = implicitMeta
		}
		fields = append(fields, f)
	}
	if _, ok := index["columns"]; anyHeaderless && !ok {
		t.columnsCol = len(fields)
		fields = append(fields, arrow.Field{Name: "columns", Type: types.NestedList(types.String), Nullable: true, Metadata: implicitMeta})
	}
	for i := range t.files {
		t.files[i].vals = make([]scalar.Scalar, len(t.consts))
		for j, c := range t.consts {
			t.files[i].vals[j] = constValue(c, &t.files[i].fileEntry)
		}
	}
	t.schema = arrow.NewSchema(fields, nil)
	return t, nil
}

// openFormat opens one file of a selection with its format's reader.
func openFormat(ctx context.Context, fsys fs.FS, p string, opts Options) (Table, error) {
	if opts.Format != nil {
		return opts.Format.open(ctx, fsys, p, opts)
	}
	return OpenFile(ctx, fsys, p, opts)
}

func (t *DirTable) Schema(ctx context.Context) (*arrow.Schema, error) { return t.schema, nil }

// Root is the folder the table's partition columns are counted from.
func (t *DirTable) Root() string { return t.root }

// Stats adds up the files' statistics.
func (t *DirTable) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Exact: true, Columns: make([]ColumnStats, t.schema.NumFields())}
	known := make([]bool, t.nData) // every file so far bounds the column
	for i := range known {
		known[i] = true
	}
	for fi, f := range t.files {
		fs, err := f.table.Stats(ctx)
		if err != nil {
			return Stats{}, err
		}
		st.Rows += fs.Rows
		st.Bytes += fs.Bytes
		st.Exact = st.Exact && fs.Exact
		// Data columns' bounds, matched by name, when every file has them
		// in the table's type.
		for c := 0; c < t.nData; c++ {
			if !known[c] {
				continue
			}
			j := t.fileColumn(fi, c)
			if j < 0 || j >= len(fs.Columns) {
				known[c], st.Columns[c] = false, ColumnStats{}
				continue
			}
			st.Columns[c] = mergeStats(st.Columns[c], fs.Columns[j], fi == 0)
		}
	}
	return st, nil
}

// fileColumn is the index in file i's schema of the table's column c, if
// the file has it in the same type, else -1.
func (t *DirTable) fileColumn(i, c int) int {
	want := t.schema.Field(c)
	for j, f := range t.files[i].schema.Fields() {
		if strings.EqualFold(f.Name, want.Name) {
			if arrow.TypeEqual(f.Type, want.Type) {
				return j
			}
			return -1
		}
	}
	return -1
}

// keep reports whether file i may hold rows matching filter, judging by
// its partition and file columns alone.
func (t *DirTable) keep(i int, filter Filter) bool {
	if len(filter) == 0 || len(t.consts) == 0 {
		return true
	}
	stats := make([]ColumnStats, t.schema.NumFields())
	for j, v := range t.files[i].vals {
		s := ColumnStats{HasNullCount: true}
		if v.IsValid() {
			s.Min, s.Max = v, v
		} else {
			s.NullCount = 1
		}
		stats[t.nData+j] = s
	}
	return filter.MayMatch(stats, 1)
}

// fileFilter maps filter's predicates on data columns to file i's
// columns (where the file's column has the folder's type), for the file's
// own pruning (Parquet row groups).
func (t *DirTable) fileFilter(i int, filter Filter) Filter {
	var out Filter
	for _, p := range filter {
		if p.Column < 0 || p.Column >= t.nData {
			continue
		}
		if j := t.fileColumn(i, p.Column); j >= 0 {
			q := p
			q.Column = j
			out = append(out, q)
		}
	}
	return out
}

// Splits returns the splits of every file the filter does not rule out.
func (t *DirTable) Splits(ctx context.Context, filter Filter) ([]Split, error) {
	var out []Split
	for i, f := range t.files {
		if !t.keep(i, filter) {
			continue
		}
		ss, err := f.table.Splits(ctx, t.fileFilter(i, filter))
		if err != nil {
			return nil, err
		}
		for _, s := range ss {
			out = append(out, dirSplit{file: i, inner: s})
		}
	}
	return out, nil
}

// Files names the files a scan with filter reads (paths under the root),
// and how many files the table has: EXPLAIN shows what pruning kept.
func (t *DirTable) Files(ctx context.Context, filter Filter) (kept []string, total int) {
	for i, f := range t.files {
		if t.keep(i, filter) {
			kept = append(kept, f.path)
		}
	}
	return kept, len(t.files)
}

// FileSelector is a table made of files that can say which of them a
// filter keeps (for EXPLAIN).
type FileSelector interface {
	Files(ctx context.Context, filter Filter) (kept []string, total int)
}

func (t *DirTable) Open(ctx context.Context, split Split, columns []int) (batch.Reader, error) {
	return t.open(ctx, split, columns, nil)
}

// OpenDictionary is Open, passing the request for dictionary-encoded text
// (see DictionaryOpener) to a file that can serve it, for the columns the
// file holds in the table's type.
func (t *DirTable) OpenDictionary(ctx context.Context, split Split, columns []int, want []bool) (batch.Reader, error) {
	return t.open(ctx, split, columns, want)
}

func (t *DirTable) open(ctx context.Context, split Split, columns []int, want []bool) (batch.Reader, error) {
	ds, ok := split.(dirSplit)
	if !ok || ds.file < 0 || ds.file >= len(t.files) {
		return nil, sqlerr.New(sqlerr.InternalError, "split %v is not of this table", split)
	}
	f := &t.files[ds.file]
	if columns == nil {
		columns = allColumns(t.schema.NumFields())
	}
	// Each requested column comes from the file (src >= 0: position in
	// the inner reader's batch), from the path (a constant), or is the
	// columns array built from all of the file's columns.
	var fileCols []int
	pos := map[int]int{}
	need := func(j int) int {
		if p, ok := pos[j]; ok {
			return p
		}
		pos[j] = len(fileCols)
		fileCols = append(fileCols, j)
		return pos[j]
	}
	plan := make([]colSource, len(columns))
	for i, c := range columns {
		switch {
		case c < 0 || c >= t.schema.NumFields():
			return nil, sqlerr.New(sqlerr.InternalError, "column %d out of range", c)
		case c < t.nData:
			plan[i] = colSource{src: -1, konst: -1}
			name := t.schema.Field(c).Name
			for j, ff := range f.schema.Fields() {
				if strings.EqualFold(ff.Name, name) {
					plan[i].src = need(j)
					break
				}
			}
		case c == t.columnsCol:
			plan[i] = colSource{src: -1, konst: -1, array: f.headerless}
			if f.headerless {
				for j := range f.schema.Fields() {
					plan[i].all = append(plan[i].all, need(j))
				}
			}
		default:
			plan[i] = colSource{src: -1, konst: c - t.nData}
		}
	}
	var inner batch.Reader
	var err error
	if fileWant := t.fileDictionary(f, plan, columns, want, fileCols); fileWant != nil {
		inner, err = f.table.(DictionaryOpener).OpenDictionary(ctx, ds.inner, fileCols, fileWant)
	} else {
		inner, err = f.table.Open(ctx, ds.inner, fileCols)
	}
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = t.schema.Field(c)
	}
	return &dirReader{inner: inner, plan: plan, schema: arrow.NewSchema(fields, nil), vals: f.vals, path: f.path}, nil
}

// fileDictionary says which of the file's columns read (fileCols) may come
// dictionary-encoded: those the caller wants so whose file type is the
// table's (a column the reader converts must arrive plain). It is nil when
// there are none or the file's table cannot.
func (t *DirTable) fileDictionary(f *dirFile, plan []colSource, columns []int, want []bool, fileCols []int) []bool {
	if want == nil {
		return nil
	}
	if _, ok := f.table.(DictionaryOpener); !ok {
		return nil
	}
	var out []bool
	for i, p := range plan {
		if !want[i] || p.src < 0 || p.array {
			continue
		}
		ft := f.schema.Field(fileCols[p.src]).Type
		if !arrow.TypeEqual(ft, t.schema.Field(columns[i]).Type) {
			continue
		}
		if out == nil {
			out = make([]bool, len(fileCols))
		}
		out[p.src] = true
	}
	return out
}

// colSource says where a dirReader's output column comes from.
type colSource struct {
	src   int   // the inner batch's column, or -1
	konst int   // the const column, or -1
	array bool  // the columns array of a headerless text file
	all   []int // for array: the inner batch's columns, in file order
}

type dirReader struct {
	inner  batch.Reader
	plan   []colSource
	schema *arrow.Schema
	vals   []scalar.Scalar
	path   string
}

func (r *dirReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := r.inner.Next(ctx)
	if err != nil || b == nil {
		return nil, err
	}
	n := int(b.NumRows())
	cols := make([]arrow.Array, len(r.plan))
	for i, p := range r.plan {
		t := r.schema.Field(i).Type
		switch {
		case p.src >= 0 && isDictionaryOf(b.Column(p.src), t):
			cols[i] = b.Column(p.src) // asked for (see OpenDictionary)
		case p.src >= 0:
			c, err := conform(ctx, b.Column(p.src), t)
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\" column \"%s\"", r.path, r.schema.Field(i).Name)
			}
			cols[i] = retype(c, t)
		case p.konst >= 0:
			a, err := scalar.MakeArrayFromScalar(r.vals[p.konst], n, memory.DefaultAllocator)
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.InternalError, "partition column")
			}
			cols[i] = a
		case p.array:
			cols[i] = columnsArray(ctx, b, p.all, t)
		default:
			cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, t, n)
		}
	}
	return batch.NewRecord(r.schema, cols, int64(n)), nil
}

// isDictionaryOf reports whether a is a dictionary array of values of
// type t.
func isDictionaryOf(a arrow.Array, t arrow.DataType) bool {
	dt, ok := a.DataType().(*arrow.DictionaryType)
	return ok && arrow.TypeEqual(dt.ValueType, t)
}

func (r *dirReader) Close() error { return r.inner.Close() }

// FromCache reports whether the file's rows come from the column cache.
func (r *dirReader) FromCache() bool { return FromCache(r.inner) }

// retype gives a nested array the table's type (nested arrays marked as
// such at every depth); arrays of other types are returned as they are.
func retype(a arrow.Array, t arrow.DataType) arrow.Array {
	if !isComposite(t) {
		return a
	}
	d := retypeData(a.Data(), t)
	defer d.Release()
	return array.MakeFromData(d)
}

func retypeData(d arrow.ArrayData, t arrow.DataType) arrow.ArrayData {
	kids := d.Children()
	var nk []arrow.ArrayData
	switch tt := t.(type) {
	case *arrow.StructType:
		if len(kids) != tt.NumFields() {
			d.Retain()
			return d
		}
		nk = make([]arrow.ArrayData, len(kids))
		for i, k := range kids {
			nk[i] = retypeData(k, tt.Field(i).Type)
			defer nk[i].Release()
		}
	case *arrow.ListType:
		if len(kids) != 1 {
			d.Retain()
			return d
		}
		nk = []arrow.ArrayData{retypeData(kids[0], tt.Elem())}
		defer nk[0].Release()
	default:
		d.Retain()
		return d
	}
	return array.NewData(t, d.Len(), d.Buffers(), nk, d.NullN(), d.Offset())
}

// columnsArray builds Drill's columns array of a headerless text file:
// each row's fields as text, in file order.
func columnsArray(ctx context.Context, b arrow.RecordBatch, src []int, t arrow.DataType) arrow.Array {
	n := int(b.NumRows())
	texts := make([]*array.String, len(src))
	for k, s := range src {
		texts[k] = formatText(ctx, b.Column(s)).(*array.String)
	}
	lb := array.NewListBuilderWithField(memory.DefaultAllocator, t.(*arrow.ListType).ElemField())
	defer lb.Release()
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for i := 0; i < n; i++ {
		lb.Append(true)
		for _, s := range texts {
			if s.IsNull(i) {
				vb.Append("")
			} else {
				vb.Append(s.Value(i))
			}
		}
	}
	return lb.NewArray()
}

// Paths are the table's files.
func (t *DirTable) Paths() []string {
	out := make([]string, len(t.files))
	for i, f := range t.files {
		out[i] = f.path
	}
	return out
}
