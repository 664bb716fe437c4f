// Package catalog maps SQL names to relations: data files and folders under
// the root (discovered lazily, on each lookup), in-memory tables created
// with CREATE TABLE, and views.
//
// Naming contract (see DEVELOPERS.md): a data file directly in the root is
// table public.<stem>; a sub-folder of the root is a schema, and each data
// file or data folder inside it is a table of that schema. Names match
// case-insensitively when there is no exact match. Drill's path form
// (dfs.`a/b.csv`) reaches any file or folder under the root.
package catalog

import (
	"context"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/sqlerr"
)

// DefaultSchema is the schema of files directly in the root.
const DefaultSchema = "public"

// Kind says what backs a relation.
type Kind int

const (
	FileTable Kind = iota
	MemoryTable
	View
	SystemTable
)

// Relation is a named table or view.
type Relation struct {
	Schema string
	Name   string
	Kind   Kind
	// Path is the file or folder under the root, for FileTable.
	Path string
	// File reads a FileTable.
	File connectors.Table
	// Mem holds a MemoryTable's rows.
	Mem *MemTable
	// View is a view's definition.
	View *ViewDef
	// System produces a SystemTable's rows (pg_catalog, information_schema).
	System SystemSource
}

// SystemSource is a table computed by the engine (pg_catalog,
// information_schema): a fixed schema and rows computed at scan time.
type SystemSource interface {
	Schema() *arrow.Schema
	Rows(ctx context.Context) ([]arrow.RecordBatch, error)
}

// ViewDef is a stored query.
type ViewDef struct {
	SQL string
	// Query is the parsed query (an ast.ResultSetNode), bound anew at
	// each use so the view sees the files as they are now.
	Query   any
	Columns []string
	// Schema, when known without binding (a stored view records its
	// columns), is what the catalogs show.
	Schema *arrow.Schema
}

// Columns returns the relation's schema.
func (r *Relation) Columns(ctx context.Context) (*arrow.Schema, error) {
	switch r.Kind {
	case FileTable:
		s, err := r.File.Schema(ctx)
		if err != nil {
			return nil, err
		}
		return s, nil
	case MemoryTable:
		return r.Mem.Schema(), nil
	case SystemTable:
		return r.System.Schema(), nil
	case View:
		if r.View != nil && r.View.Schema != nil {
			return r.View.Schema, nil
		}
	}
	return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is a view", r.Name)
}

// Catalog is a name space: the files under the root and the system
// tables, which every catalog made by Private shares, and the objects made
// by DDL (tables, views, schemas), which are its own. It is safe for
// concurrent use.
type Catalog struct {
	*shared

	mu      sync.RWMutex
	created map[string]map[string]*Relation // schema -> name -> relation made by DDL
	schemas map[string]bool                 // schemas made by CREATE SCHEMA
}

// shared is what the catalogs of one engine have in common.
type shared struct {
	root     fs.FS
	rootName string
	opts     connectors.Options

	sysMu  sync.RWMutex
	system map[string]map[string]*Relation // schema -> name -> system relation
	tmp    *os.Root                        // the dfs.tmp workspace (nil: none), under sysMu
	tmpDir string
}

// New returns a catalog over root (nil means no files at all).
func New(root fs.FS, rootName string) *Catalog {
	return &Catalog{
		shared: &shared{
			root:     root,
			rootName: rootName,
			opts:     connectors.Options{Cache: connectors.NewSchemaCache()},
			system:   map[string]map[string]*Relation{},
		},
		created: map[string]map[string]*Relation{},
		schemas: map[string]bool{},
	}
}

// SetColumnCache makes scans of CSV and JSON files keep their columns in
// cc (see connectors.ColumnCache); call it before the catalog is used.
func (c *Catalog) SetColumnCache(cc *connectors.ColumnCache) { c.shared.opts.Columns = cc }

// Private returns a catalog over the same files and system tables whose
// DDL objects are its own: what one session creates, others do not see,
// and it goes away with the session.
func (c *Catalog) Private() *Catalog {
	return &Catalog{shared: c.shared, created: map[string]map[string]*Relation{}, schemas: map[string]bool{}}
}

// MemoryTables lists the in-memory tables made in this catalog.
func (c *Catalog) MemoryTables() []*MemTable {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []*MemTable
	for _, m := range c.created {
		for _, r := range m {
			if r.Kind == MemoryTable {
				out = append(out, r.Mem)
			}
		}
	}
	return out
}

// contextKey carries a session's catalog to the system tables.
type contextKey struct{}

// NewContext returns ctx carrying c, the catalog the statement runs
// against, so that system tables list that session's own objects.
func NewContext(ctx context.Context, c *Catalog) context.Context {
	return context.WithValue(ctx, contextKey{}, c)
}

// FromContext returns the catalog NewContext put in ctx, or def.
func FromContext(ctx context.Context, def *Catalog) *Catalog {
	if c, ok := ctx.Value(contextKey{}).(*Catalog); ok {
		return c
	}
	return def
}

// RootName names the root folder in messages.
func (c *Catalog) RootName() string { return c.rootName }

// Lookup finds schema.name. An empty schema searches path in order (the
// session's search_path).
func (c *Catalog) Lookup(ctx context.Context, schema, name string, searchPath []string) (*Relation, error) {
	if schema == "" {
		for _, s := range searchPath {
			r, err := c.lookupIn(ctx, s, name)
			if err != nil {
				return nil, err
			}
			if r != nil {
				return r, nil
			}
		}
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
	}
	r, err := c.lookupIn(ctx, schema, name)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s.%s\" does not exist", schema, name)
	}
	return r, nil
}

func (c *Catalog) lookupIn(ctx context.Context, schema, name string) (*Relation, error) {
	if WorkspaceOf(schema) != NoWorkspace {
		r, err := c.LookupWorkspace(ctx, schema, name)
		if sqlerr.Code(err) == sqlerr.UndefinedTable || sqlerr.Code(err) == sqlerr.UndefinedSchema {
			return nil, nil
		}
		return r, err
	}
	c.sysMu.RLock()
	r := matchName(c.system[strings.ToLower(schema)], name)
	c.sysMu.RUnlock()
	if r == nil {
		c.mu.RLock()
		r = matchName(c.created[strings.ToLower(schema)], name)
		c.mu.RUnlock()
	}
	if r != nil {
		return r, nil
	}
	return c.fileRelation(ctx, schema, name)
}

func matchName(m map[string]*Relation, name string) *Relation {
	if r, ok := m[name]; ok {
		return r
	}
	var found *Relation
	for k, r := range m {
		if strings.EqualFold(k, name) {
			if found != nil {
				return nil
			}
			found = r
		}
	}
	return found
}

// fileRelation finds a data file or folder named name in the schema's folder.
func (c *Catalog) fileRelation(ctx context.Context, schema, name string) (*Relation, error) {
	if c.root == nil {
		return nil, nil
	}
	dir, ok, err := c.schemaDir(schema)
	if err != nil || !ok {
		return nil, err
	}
	entries, err := fs.ReadDir(c.root, dir)
	if err != nil {
		return nil, nil
	}
	var exact, folded []fs.DirEntry
	for _, e := range entries {
		stem, isData := c.tableName(dir, e)
		if !isData {
			continue
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
	if len(cands) == 0 {
		return nil, nil
	}
	if len(cands) > 1 {
		names := make([]string, len(cands))
		for i, e := range cands {
			names[i] = e.Name()
		}
		sort.Strings(names)
		return nil, sqlerr.New(sqlerr.AmbiguousAlias, "table name \"%s\" is ambiguous: it matches %s", name, strings.Join(names, ", "))
	}
	p := path.Join(dir, cands[0].Name())
	stem, _ := c.tableName(dir, cands[0])
	return c.openPath(ctx, schema, stem, p)
}

// schemaDir maps a schema name to its folder: public is the root itself.
func (c *Catalog) schemaDir(schema string) (string, bool, error) {
	if strings.EqualFold(schema, DefaultSchema) {
		return ".", true, nil
	}
	entries, err := fs.ReadDir(c.root, ".")
	if err != nil {
		return "", false, nil
	}
	var folded string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.Name() == schema {
			return e.Name(), true, nil
		}
		if strings.EqualFold(e.Name(), schema) {
			folded = e.Name()
		}
	}
	return folded, folded != "", nil
}

// tableName returns the table name an entry of dir would have, and whether
// it is data at all (a supported file, or a folder holding some).
func (c *Catalog) tableName(dir string, e fs.DirEntry) (string, bool) {
	name := e.Name()
	if connectors.IgnoredName(name) {
		return "", false
	}
	if e.IsDir() {
		if dir == "." {
			return "", false // a folder in the root is a schema, not a table
		}
		return name, true
	}
	if _, _, ok := connectors.DetectFormat(name); !ok {
		return "", false
	}
	return Stem(name), true
}

// Stem is a data file's name without its format and compression extensions:
// "orders.csv.gz" -> "orders".
func Stem(name string) string {
	for {
		ext := path.Ext(name)
		switch strings.ToLower(ext) {
		case ".gz", ".zst", ".bz2", ".parquet", ".parq", ".csv", ".tsv", ".psv", ".txt", ".json", ".ndjson", ".jsonl":
			name = strings.TrimSuffix(name, ext)
			continue
		}
		return name
	}
}

func (c *Catalog) openPath(ctx context.Context, schema, name, p string) (*Relation, error) {
	return c.openIn(ctx, rootWorkspace, c.root, schema, name, p, c.opts)
}

// openIn opens the file, folder or glob p of fsys as a relation. Within
// one query (see WithSnapshot) each path is opened once: every scan of it
// reads the same snapshot of its files.
func (c *Catalog) openIn(ctx context.Context, ws string, fsys fs.FS, schema, name, p string, opts connectors.Options) (*Relation, error) {
	snap := snapshotOf(ctx)
	key := snapshotKey{workspace: ws, path: p, opts: opts.Key()}
	if snap != nil {
		if r := snap.get(key); r != nil {
			rr := *r
			rr.Schema, rr.Name = schema, name
			return &rr, nil
		}
	}
	if !connectors.HasGlob(p) {
		if _, err := fs.Stat(fsys, p); err != nil {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", p)
		}
	}
	t, err := connectors.OpenTable(ctx, fsys, p, opts)
	if err != nil {
		return nil, err
	}
	r := &Relation{Schema: schema, Name: name, Kind: FileTable, Path: p, File: t}
	if snap != nil {
		snap.put(key, r)
	}
	return r, nil
}

// LookupPath resolves Drill's path form, dfs.`relative/path` or
// dfs.root.`relative/path`: any file or folder under the root.
func (c *Catalog) LookupPath(ctx context.Context, p string) (*Relation, error) {
	return c.LookupWorkspace(ctx, "dfs", p)
}

func readDir(fsys fs.FS, dir string) ([]fs.DirEntry, error) { return fs.ReadDir(fsys, dir) }

// Root is the folder tables are read from (nil when there is none).
func (c *Catalog) Root() fs.FS { return c.root }
