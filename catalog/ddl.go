package catalog

import (
	"context"
	"sort"
	"strings"

	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/sqlerr"
)

// Create adds a relation made by DDL (a memory table or a view). A name that
// clashes with an existing relation of that schema — a file table too — is
// an error (42P07), unless ifNotExists, when it is ignored (ok false).
func (c *Catalog) Create(ctx context.Context, r *Relation, ifNotExists bool) (ok bool, err error) {
	existing, err := c.lookupIn(ctx, r.Schema, r.Name)
	if err != nil {
		return false, err
	}
	if existing != nil {
		if ifNotExists {
			return false, nil
		}
		return false, sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", r.Name)
	}
	if !strings.EqualFold(r.Schema, DefaultSchema) && !c.SchemaExists(r.Schema) {
		return false, sqlerr.New(sqlerr.UndefinedSchema, "schema \"%s\" does not exist", r.Schema)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := strings.ToLower(r.Schema)
	if c.created[s] == nil {
		c.created[s] = map[string]*Relation{}
	}
	c.created[s][r.Name] = r
	return true, nil
}

// Drop removes a relation made by DDL. Files are never deleted: dropping a
// file table is an error (42809).
func (c *Catalog) Drop(ctx context.Context, schema, name string, kind Kind, searchPath []string, ifExists bool) error {
	schemas := searchPath
	if schema != "" {
		schemas = []string{schema}
	}
	for _, s := range schemas {
		if WorkspaceOf(s) == TmpWorkspace {
			err := c.DropTmp(ctx, name, kind, false)
			if sqlerr.Code(err) == sqlerr.UndefinedTable {
				continue
			}
			return err
		}
		c.mu.Lock()
		m := c.created[strings.ToLower(s)]
		r := matchName(m, name)
		if r != nil {
			if (kind == View) != (r.Kind == View) {
				c.mu.Unlock()
				what := "table"
				if kind == View {
					what = "view"
				}
				return sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a %s", name, what)
			}
			delete(m, r.Name)
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		if fr, err := c.fileRelation(ctx, s, name); err == nil && fr != nil {
			return sqlerr.New(sqlerr.WrongObjectType, "cannot drop \"%s\": it is a file under the root (%s)", name, fr.Path)
		}
	}
	if ifExists {
		return nil
	}
	what := "table"
	if kind == View {
		what = "view"
	}
	return sqlerr.New(sqlerr.UndefinedTable, "%s \"%s\" does not exist", what, name)
}

// CreateSchema adds an empty schema held in memory.
func (c *Catalog) CreateSchema(name string, ifNotExists bool) error {
	if c.SchemaExists(name) {
		if ifNotExists {
			return nil
		}
		return sqlerr.New(sqlerr.DuplicateObject, "schema \"%s\" already exists", name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.schemas[strings.ToLower(name)] = true
	return nil
}

// DropSchema removes a schema made by CREATE SCHEMA (with CASCADE, its relations).
func (c *Catalog) DropSchema(name string, ifExists, cascade bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := strings.ToLower(name)
	if !c.schemas[s] {
		if ifExists {
			return nil
		}
		return sqlerr.New(sqlerr.UndefinedSchema, "schema \"%s\" does not exist", name)
	}
	if len(c.created[s]) > 0 && !cascade {
		return sqlerr.New("2BP01", "cannot drop schema %s because other objects depend on it", name)
	}
	delete(c.created, s)
	delete(c.schemas, s)
	return nil
}

// SchemaExists reports whether a schema of that name exists.
func (c *Catalog) SchemaExists(name string) bool {
	if strings.EqualFold(name, DefaultSchema) {
		return true
	}
	if WorkspaceOf(name) == TmpWorkspace {
		return c.TmpRoot() != nil
	}
	c.mu.RLock()
	ok := c.schemas[strings.ToLower(name)]
	c.mu.RUnlock()
	c.sysMu.RLock()
	ok = ok || c.system[strings.ToLower(name)] != nil
	c.sysMu.RUnlock()
	if ok {
		return true
	}
	if c.root == nil {
		return false
	}
	_, ok, _ = c.schemaDir(name)
	return ok
}

// AddSystem registers a system relation (pg_catalog, information_schema).
func (c *Catalog) AddSystem(r *Relation) {
	c.sysMu.Lock()
	defer c.sysMu.Unlock()
	s := strings.ToLower(r.Schema)
	if c.system[s] == nil {
		c.system[s] = map[string]*Relation{}
	}
	c.system[s][r.Name] = r
}

// Schemas lists every schema: public, the root's folders, DDL-made and system schemas.
func (c *Catalog) Schemas(ctx context.Context) []string {
	set := map[string]bool{DefaultSchema: true}
	if c.TmpRoot() != nil {
		set[TmpSchema] = true
	}
	if c.root != nil {
		if entries, err := readDir(c.root, "."); err == nil {
			for _, e := range entries {
				if e.IsDir() && !connectors.IgnoredName(e.Name()) {
					set[e.Name()] = true
				}
			}
		}
	}
	c.mu.RLock()
	for s := range c.schemas {
		set[s] = true
	}
	c.mu.RUnlock()
	c.sysMu.RLock()
	for s := range c.system {
		set[s] = true
	}
	c.sysMu.RUnlock()
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Relations lists the relations of a schema, files first discovered now.
// Files that cannot be opened are skipped (they fail when queried).
func (c *Catalog) Relations(ctx context.Context, schema string) []*Relation {
	if WorkspaceOf(schema) == TmpWorkspace {
		out := c.tmpRelations(ctx)
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out
	}
	var out []*Relation
	seen := map[string]bool{}
	c.sysMu.RLock()
	for _, r := range c.system[strings.ToLower(schema)] {
		out = append(out, r)
		seen[r.Name] = true
	}
	c.sysMu.RUnlock()
	c.mu.RLock()
	for _, r := range c.created[strings.ToLower(schema)] {
		out = append(out, r)
		seen[r.Name] = true
	}
	c.mu.RUnlock()
	if c.root != nil {
		if dir, ok, _ := c.schemaDir(schema); ok {
			if entries, err := readDir(c.root, dir); err == nil {
				for _, e := range entries {
					stem, isData := c.tableName(dir, e)
					if !isData || seen[stem] {
						continue
					}
					r, err := c.fileRelation(ctx, schema, stem)
					if err != nil || r == nil {
						continue
					}
					seen[stem] = true
					out = append(out, r)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
