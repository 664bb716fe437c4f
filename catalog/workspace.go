package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Drill's workspaces name folders of the file system plugin dfs:
//
//	dfs.root (also dfs and dfs.default)   the root folder, read-only
//	dfs.tmp                               a writable folder (--tmp): CREATE TABLE AS
//	                                      writes folders of files there and CREATE VIEW
//	                                      view files (name.view.drill, as Drill)
//
// In SQL, dfs.`path` and dfs.root.`path` reach any file, folder or glob
// under the root; dfs.tmp is also a schema whose tables are the data
// files and folders of the tmp folder and whose views are its view files.
// The tmp folder lives on disk, so a second process given the same folder
// sees the same tables and views.

// TmpSchema is the schema of the writable workspace.
const TmpSchema = "dfs.tmp"

// ViewSuffix ends the name of a view file.
const ViewSuffix = ".view.drill"

// Workspace says which folder a workspace name means.
type Workspace int

const (
	NoWorkspace Workspace = iota
	RootWorkspace
	TmpWorkspace
)

// WorkspaceOf reads a schema name as a workspace: "dfs", "dfs.root",
// "dfs.default" are the root, "dfs.tmp" the writable folder.
func WorkspaceOf(schema string) Workspace {
	switch strings.ToLower(schema) {
	case "dfs", "dfs.root", "dfs.default":
		return RootWorkspace
	case "dfs.tmp":
		return TmpWorkspace
	}
	return NoWorkspace
}

// SplitName reads a dotted name (parts as written, a quoted part keeping
// its dots) as a schema and a name: dfs.root.`p` and "dfs.root".`p` are
// ("dfs.root", "p"), dfs.`p` is ("dfs", "p"), a.b is ("a", "b"), a is
// ("", "a").
func SplitName(parts []string) (schema, name string) {
	switch len(parts) {
	case 0:
		return "", ""
	case 1:
		return "", parts[0]
	}
	return strings.Join(parts[:len(parts)-1], "."), parts[len(parts)-1]
}

// SetTmp makes dir (created if missing) the dfs.tmp workspace.
func (c *Catalog) SetTmp(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not create the dfs.tmp folder \"%s\"", dir)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not open the dfs.tmp folder \"%s\"", dir)
	}
	c.sysMu.Lock()
	defer c.sysMu.Unlock()
	c.tmp, c.tmpDir = r, dir
	return nil
}

// TmpRoot is the writable workspace's folder (nil without one).
func (c *Catalog) TmpRoot() *os.Root {
	c.sysMu.RLock()
	defer c.sysMu.RUnlock()
	return c.tmp
}

func (c *Catalog) workspaceFS(ws Workspace) (fs.FS, string, error) {
	switch ws {
	case RootWorkspace:
		if c.root == nil {
			return nil, "", sqlerr.New(sqlerr.UndefinedFile, "there is no root folder")
		}
		return c.root, rootWorkspace, nil
	case TmpWorkspace:
		t := c.TmpRoot()
		if t == nil {
			return nil, "", sqlerr.New(sqlerr.UndefinedSchema, "schema \"dfs.tmp\" does not exist: start lakesql with --tmp DIR")
		}
		return t.FS(), tmpWorkspace, nil
	}
	return nil, "", sqlerr.New(sqlerr.UndefinedSchema, "not a workspace")
}

// cleanPath makes a user's path relative to a workspace folder; ok is
// false for paths that leave it.
func cleanPath(p string) (string, bool) {
	clean := strings.TrimPrefix(path.Clean("/"+strings.TrimSpace(p)), "/")
	if clean == "" {
		return ".", true
	}
	return clean, fs.ValidPath(clean)
}

// LookupWorkspace resolves a name in a workspace: a path (file, folder or
// glob) under the root; in dfs.tmp also a view, or a table by its stem.
func (c *Catalog) LookupWorkspace(ctx context.Context, schema, name string) (*Relation, error) {
	return c.lookupWorkspace(ctx, schema, name, c.opts)
}

// LookupWorkspaceWith resolves a path of a workspace read under format
// options (a table function: read_csv('p', delim => '|'), Drill's
// table(dfs.`p`(type => 'text'))).
func (c *Catalog) LookupWorkspaceWith(ctx context.Context, schema, name string, fo *connectors.FormatOptions) (*Relation, error) {
	if WorkspaceOf(schema) == NoWorkspace {
		return nil, sqlerr.New(sqlerr.UndefinedSchema, "\"%s\" is not a workspace (dfs, dfs.root, dfs.tmp)", schema)
	}
	opts := c.opts
	opts.Format = fo
	fsys, wsName, err := c.workspaceFS(WorkspaceOf(schema))
	if err != nil {
		return nil, err
	}
	p, ok := cleanPath(name)
	if !ok || p == "." {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s.%s\" does not exist", schema, name)
	}
	if !connectors.HasGlob(p) {
		if _, err := fs.Stat(fsys, p); err != nil {
			return nil, sqlerr.New(sqlerr.UndefinedFile, "could not open file \"%s\": no such file or folder", name)
		}
	}
	return c.openIn(ctx, wsName, fsys, "dfs", path.Base(p), p, opts)
}

func (c *Catalog) lookupWorkspace(ctx context.Context, schema, name string, opts connectors.Options) (*Relation, error) {
	ws := WorkspaceOf(schema)
	fsys, wsName, err := c.workspaceFS(ws)
	if err != nil {
		return nil, err
	}
	p, ok := cleanPath(name)
	if !ok || p == "." {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s.%s\" does not exist", schema, name)
	}
	relSchema := "dfs"
	if ws == TmpWorkspace {
		relSchema = TmpSchema
		if r, err := c.tmpView(fsys, name); r != nil || err != nil {
			return r, err
		}
		if !connectors.HasGlob(p) {
			if _, err := fs.Stat(fsys, p); err != nil {
				// A data file by its stem, as in any schema folder.
				if r, err := c.fileRelationIn(ctx, ws, fsys, ".", TmpSchema, name); r != nil || err != nil {
					return r, err
				}
			}
		}
	}
	if !connectors.HasGlob(p) {
		if _, err := fs.Stat(fsys, p); err != nil {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s.%s\" does not exist", schema, name)
		}
	}
	return c.openIn(ctx, wsName, fsys, relSchema, path.Base(p), p, c.opts)
}

// viewFile is a stored view, in the spirit of Drill's .view.drill files.
type viewFile struct {
	Name   string      `json:"name"`
	SQL    string      `json:"sql"`
	Fields []viewField `json:"fields"`
	// WorkspaceSchemaPath is where the view lives (Drill writes it too).
	WorkspaceSchemaPath []string `json:"workspaceSchemaPath"`
}

type viewField struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// tmpView reads the view of that name in dfs.tmp (nil when none).
func (c *Catalog) tmpView(fsys fs.FS, name string) (*Relation, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, nil
	}
	var exact, folded string
	for _, e := range entries {
		n, ok := strings.CutSuffix(e.Name(), ViewSuffix)
		if !ok || e.IsDir() {
			continue
		}
		if n == name {
			exact = e.Name()
		} else if strings.EqualFold(n, name) {
			folded = e.Name()
		}
	}
	file := exact
	if file == "" {
		file = folded
	}
	if file == "" {
		return nil, nil
	}
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not read view file \"%s\"", file)
	}
	var v viewFile
	if err := json.Unmarshal(b, &v); err != nil || v.SQL == "" {
		return nil, sqlerr.New(sqlerr.DataCorrupted, "view file \"%s\" is not a view definition", file)
	}
	def := &ViewDef{SQL: v.SQL}
	var fields []arrow.Field
	for _, f := range v.Fields {
		t, err := types.Parse(f.Type)
		if err != nil {
			t = types.String // json and other names the parser lacks
		}
		fields = append(fields, arrow.Field{Name: f.Name, Type: t, Nullable: true})
		def.Columns = append(def.Columns, f.Name)
	}
	def.Schema = arrow.NewSchema(fields, nil)
	return &Relation{Schema: TmpSchema, Name: strings.TrimSuffix(file, ViewSuffix), Kind: View, View: def, Path: file}, nil
}

// WriteView stores a view in dfs.tmp, replacing one of that name when
// replace (else a name in use is 42P07). It is written under a temporary
// name and renamed, so readers never see half a file.
func (c *Catalog) WriteView(ctx context.Context, name, sql string, schema *arrow.Schema, replace bool) error {
	t := c.TmpRoot()
	if t == nil {
		return sqlerr.New(sqlerr.UndefinedSchema, "schema \"dfs.tmp\" does not exist: start lakesql with --tmp DIR")
	}
	if err := checkTmpName(name); err != nil {
		return err
	}
	existing, err := c.tmpView(t.FS(), name)
	if err != nil && !replace {
		return err
	}
	if existing != nil && !replace {
		return sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", name)
	}
	if existing == nil {
		if r, _ := c.tmpTable(ctx, name); r != nil {
			return sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", name)
		}
	}
	v := viewFile{Name: name, SQL: sql, WorkspaceSchemaPath: []string{"dfs", "tmp"}}
	for _, f := range schema.Fields() {
		tn := types.Name(f.Type)
		v.Fields = append(v.Fields, viewField{Name: f.Name, Type: tn})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return sqlerr.Wrap(err, sqlerr.InternalError, "view %s", name)
	}
	b := buf.Bytes()
	file := name + ViewSuffix
	if existing != nil {
		file = existing.Path
	}
	tmp := "." + file + tmpSuffix()
	if err := t.WriteFile(tmp, b, 0o644); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write view file \"%s\"", file)
	}
	if err := t.Rename(tmp, file); err != nil {
		t.Remove(tmp)
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write view file \"%s\"", file)
	}
	return nil
}

// tmpSuffix makes a name for a file being written: unique per process
// and moment, and ignored by listings (it starts with a dot).
func tmpSuffix() string {
	return ".tmp-" + strings.ReplaceAll(time.Now().Format("20060102T150405.000000000"), ".", "") + "-" + strconv.Itoa(os.Getpid())
}

// checkTmpName accepts a name for a table or view in dfs.tmp: one path
// segment that listings do not ignore.
func checkTmpName(name string) error {
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." || connectors.IgnoredName(name) ||
		strings.HasSuffix(name, ViewSuffix) {
		return sqlerr.New("42602", "invalid name \"%s\" for a table or view in dfs.tmp", name)
	}
	return nil
}

// tmpTable finds a table of dfs.tmp by name (a folder, a data file, or a
// data file's stem); nil when there is none.
func (c *Catalog) tmpTable(ctx context.Context, name string) (*Relation, error) {
	t := c.TmpRoot()
	if t == nil {
		return nil, nil
	}
	fsys := t.FS()
	if st, err := fs.Stat(fsys, name); err == nil && fs.ValidPath(name) && !strings.Contains(name, "/") {
		if st.IsDir() || isDataFile(name) {
			return c.openIn(ctx, tmpWorkspace, fsys, TmpSchema, name, name, c.opts)
		}
	}
	return c.fileRelationIn(ctx, TmpWorkspace, fsys, ".", TmpSchema, name)
}

func isDataFile(name string) bool {
	_, _, ok := connectors.DetectFormat(name)
	return ok
}

// fileRelationIn finds a data file or folder named name (a file by its
// stem) in folder dir of a workspace.
func (c *Catalog) fileRelationIn(ctx context.Context, ws Workspace, fsys fs.FS, dir, schema, name string) (*Relation, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, nil
	}
	var exact, folded []fs.DirEntry
	for _, e := range entries {
		if connectors.IgnoredName(e.Name()) {
			continue
		}
		stem := e.Name()
		if !e.IsDir() {
			if !isDataFile(e.Name()) {
				continue
			}
			stem = Stem(e.Name())
		}
		if stem == name {
			exact = append(exact, e)
		} else if strings.EqualFold(stem, name) {
			folded = append(folded, e)
		}
	}
	cands := exact
	if len(cands) == 0 {
		cands = folded
	}
	switch len(cands) {
	case 0:
		return nil, nil
	case 1:
	default:
		names := make([]string, len(cands))
		for i, e := range cands {
			names[i] = e.Name()
		}
		sort.Strings(names)
		return nil, sqlerr.New(sqlerr.AmbiguousAlias, "table name \"%s\" is ambiguous: it matches %s", name, strings.Join(names, ", "))
	}
	e := cands[0]
	stem := e.Name()
	if !e.IsDir() {
		stem = Stem(e.Name())
	}
	wsName := rootWorkspace
	if ws == TmpWorkspace {
		wsName = tmpWorkspace
	}
	return c.openIn(ctx, wsName, fsys, schema, stem, path.Join(dir, e.Name()), c.opts)
}

// tmpRelations lists the tables and views of dfs.tmp.
func (c *Catalog) tmpRelations(ctx context.Context) []*Relation {
	t := c.TmpRoot()
	if t == nil {
		return nil
	}
	fsys := t.FS()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil
	}
	var out []*Relation
	seen := map[string]bool{}
	for _, e := range entries {
		if connectors.IgnoredName(e.Name()) {
			continue
		}
		if n, ok := strings.CutSuffix(e.Name(), ViewSuffix); ok && !e.IsDir() {
			if r, err := c.tmpView(fsys, n); err == nil && r != nil && !seen[r.Name] {
				seen[r.Name] = true
				out = append(out, r)
			}
			continue
		}
		stem := e.Name()
		if !e.IsDir() {
			if !isDataFile(e.Name()) {
				continue
			}
			stem = Stem(e.Name())
		}
		if seen[stem] {
			continue
		}
		r, err := c.openIn(ctx, tmpWorkspace, fsys, TmpSchema, stem, e.Name(), c.opts)
		if err != nil {
			continue // unreadable: fails when queried
		}
		seen[stem] = true
		out = append(out, r)
	}
	return out
}

// FileEntry is one line of SHOW FILES.
type FileEntry struct {
	Name     string
	IsDir    bool
	Length   int64
	Modified time.Time
}

// ListFiles lists a folder of a workspace (or describes one file), for
// SHOW FILES. Every entry is shown, also those listings of tables skip.
func (c *Catalog) ListFiles(ctx context.Context, schema, p string) ([]FileEntry, error) {
	fsys, _, err := c.workspaceFS(WorkspaceOf(schema))
	if err != nil {
		return nil, err
	}
	clean, ok := cleanPath(p)
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedFile, "could not open \"%s\": not under the workspace", p)
	}
	st, err := fs.Stat(fsys, clean)
	if err != nil {
		return nil, sqlerr.New(sqlerr.UndefinedFile, "could not open \"%s\": no such file or folder", p)
	}
	if !st.IsDir() {
		return []FileEntry{{Name: st.Name(), Length: st.Size(), Modified: st.ModTime()}}, nil
	}
	entries, err := fs.ReadDir(fsys, clean)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not list \"%s\"", p)
	}
	out := make([]FileEntry, 0, len(entries))
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		fe := FileEntry{Name: e.Name(), IsDir: e.IsDir(), Modified: info.ModTime()}
		if !e.IsDir() {
			fe.Length = info.Size()
		}
		out = append(out, fe)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Refresh forgets the cached metadata (inferred schemas, Parquet footers)
// of a file table's files and reads it again; it returns how many files
// the table has now.
func (c *Catalog) Refresh(ctx context.Context, r *Relation) (int, error) {
	dt, ok := r.File.(*connectors.DirTable)
	if !ok {
		return 0, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a table of files", r.Name)
	}
	c.opts.Cache.Forget(dt.Paths())
	fsys, _, err := c.workspaceFS(RootWorkspace)
	if strings.HasPrefix(r.Schema, TmpSchema) {
		fsys, _, err = c.workspaceFS(TmpWorkspace)
	}
	if err != nil {
		return 0, err
	}
	t, err := connectors.OpenTable(ctx, fsys, r.Path, c.opts)
	if err != nil {
		return 0, err
	}
	return len(t.Paths()), nil
}

// CreateTmpTable makes table name of dfs.tmp from files write puts in a
// new folder: the folder is written under a hidden temporary name and
// renamed when write succeeds, so a failed or interrupted CREATE TABLE
// leaves no table (and listings ignore the hidden folder). A name in use
// is 42P07, unless ifNotExists (created false).
func (c *Catalog) CreateTmpTable(ctx context.Context, name string, ifNotExists bool, write func(create connectors.FileCreator) error) (created bool, err error) {
	t := c.TmpRoot()
	if t == nil {
		return false, sqlerr.New(sqlerr.UndefinedSchema, "schema \"dfs.tmp\" does not exist: start lakesql with --tmp DIR")
	}
	if err := checkTmpName(name); err != nil {
		return false, err
	}
	exists := func() (bool, error) {
		if r, err := c.tmpView(t.FS(), name); r != nil || err != nil {
			return true, err
		}
		r, err := c.tmpTable(ctx, name)
		return r != nil, err
	}
	if ok, _ := exists(); ok {
		if ifNotExists {
			return false, nil
		}
		return false, sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", name)
	}
	dir := "." + name + tmpSuffix()
	if err := t.Mkdir(dir, 0o755); err != nil {
		return false, sqlerr.Wrap(err, sqlerr.IOError, "could not create a folder in dfs.tmp")
	}
	done := false
	defer func() {
		if !done {
			t.RemoveAll(dir)
		}
	}()
	err = write(func(file string) (io.WriteCloser, error) {
		f, err := t.OpenFile(path.Join(dir, file), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not create \"%s\" in dfs.tmp", file)
		}
		return f, nil
	})
	if err != nil {
		return false, err
	}
	if ok, _ := exists(); ok {
		return false, sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", name)
	}
	if err := t.Rename(dir, name); err != nil {
		return false, sqlerr.Wrap(err, sqlerr.IOError, "could not create table \"%s\" in dfs.tmp", name)
	}
	done = true
	return true, nil
}

// DropTmp removes a table (its folder or file) or a view of dfs.tmp.
func (c *Catalog) DropTmp(ctx context.Context, name string, kind Kind, ifExists bool) error {
	t := c.TmpRoot()
	what := "table"
	if kind == View {
		what = "view"
	}
	if t == nil {
		return sqlerr.New(sqlerr.UndefinedTable, "%s \"%s\" does not exist", what, name)
	}
	v, err := c.tmpView(t.FS(), name)
	if err != nil {
		return err
	}
	var tab *Relation
	if v == nil {
		tab, _ = c.tmpTable(ctx, name)
	}
	switch {
	case v == nil && tab == nil:
		if ifExists {
			return nil
		}
		return sqlerr.New(sqlerr.UndefinedTable, "%s \"%s\" does not exist", what, name)
	case v != nil && kind != View:
		return sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a table", name)
	case tab != nil && kind == View:
		return sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a view", name)
	}
	target := ""
	if v != nil {
		target = v.Path
	} else {
		target = tab.Path
	}
	// Move it aside first: a reader never sees half a folder.
	aside := "." + path.Base(target) + tmpSuffix()
	if err := t.Rename(target, aside); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not drop \"%s\"", name)
	}
	if err := t.RemoveAll(aside); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not drop \"%s\"", name)
	}
	return nil
}
