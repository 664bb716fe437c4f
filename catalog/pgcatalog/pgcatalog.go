// Package pgcatalog provides the PostgreSQL system catalogs (pg_catalog)
// and the information_schema views that drivers and BI tools read to list
// schemas, tables and columns. They are live: each scan lists the files
// under the root as they are now.
package pgcatalog

import (
	"context"
	"hash/fnv"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/types"
)

// Well-known OIDs.
const (
	NamespacePgCatalog = 11
	NamespacePublic    = 2200
	NamespaceInfo      = 13180
	DatabaseOID        = 16384
	RoleOID            = 10
)

// OID returns a stable object id for a qualified name (the same name
// always gets the same OID, so psql's two-step \d works).
func OID(kind, schema, name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(kind + "\x00" + strings.ToLower(schema) + "\x00" + strings.ToLower(name)))
	return int64(h.Sum32()%1_000_000_000) + 100_000
}

// NamespaceOID is the OID of a schema.
func NamespaceOID(schema string) int64 {
	switch strings.ToLower(schema) {
	case "pg_catalog":
		return NamespacePgCatalog
	case catalog.DefaultSchema:
		return NamespacePublic
	case "information_schema":
		return NamespaceInfo
	}
	return OID("namespace", "", schema)
}

// column describes one column of a system table.
type column struct {
	name string
	typ  arrow.DataType
}

// table is a system table: fixed columns, rows computed per scan.
type table struct {
	schema *arrow.Schema
	rows   func(ctx context.Context) [][]any
}

func (t *table) Schema() *arrow.Schema { return t.schema }

func (t *table) Rows(ctx context.Context) ([]arrow.RecordBatch, error) {
	rows := t.rows(ctx)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, t.schema)
	defer bld.Release()
	for _, r := range rows {
		for i, v := range r {
			appendAny(bld.Field(i), v)
		}
	}
	return []arrow.RecordBatch{bld.NewRecordBatch()}, nil
}

func appendAny(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.Int64Builder:
		switch x := v.(type) {
		case int64:
			bb.Append(x)
		case int:
			bb.Append(int64(x))
		case int32:
			bb.Append(int64(x))
		}
	case *array.Int32Builder:
		switch x := v.(type) {
		case int64:
			bb.Append(int32(x))
		case int:
			bb.Append(int32(x))
		case int32:
			bb.Append(x)
		}
	case *array.Int16Builder:
		switch x := v.(type) {
		case int:
			bb.Append(int16(x))
		case int16:
			bb.Append(x)
		case int64:
			bb.Append(int16(x))
		}
	case *array.Float32Builder:
		bb.Append(float32(v.(float64)))
	case *array.BooleanBuilder:
		bb.Append(v.(bool))
	case *array.StringBuilder:
		bb.Append(v.(string))
	case *array.ListBuilder:
		bb.Append(true)
		switch vb := bb.ValueBuilder().(type) {
		case *array.StringBuilder:
			for _, s := range v.([]string) {
				vb.Append(s)
			}
		case *array.Int64Builder:
			vb.AppendValues(v.([]int64), nil)
		}
	default:
		b.AppendNull()
	}
}

var (
	oidT  = types.Int64 // oid columns are bigint-valued here
	textT = types.String
	boolT = types.Bool
	i16   = types.Int16
	i32   = types.Int32
	f32   = types.Float32
	textA = types.List(types.String)
	i16A  = types.List(types.Int16)
	oidA  = types.List(types.Int64) // oid[] and oidvector
)

func newTable(cols []column, rows func(ctx context.Context) [][]any) *table {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
	}
	return &table{schema: arrow.NewSchema(fields, nil), rows: rows}
}

// relation is one listed table, view or system table with its columns.
type relation struct {
	schema, name string
	kind         string // "r" table, "v" view
	system       bool
	fields       []arrow.Field
	notNull      []bool
}

// lister enumerates relations of the catalog for the system tables.
type lister struct {
	cat *catalog.Catalog
	db  string
}

// catalog is the catalog of the statement being run (a session's own
// tables and views), or the one the tables were installed in.
func (l *lister) catalog(ctx context.Context) *catalog.Catalog {
	return catalog.FromContext(ctx, l.cat)
}

func (l *lister) relations(ctx context.Context) []relation {
	var out []relation
	cat := l.catalog(ctx)
	for _, s := range cat.Schemas(ctx) {
		for _, r := range cat.Relations(ctx, s) {
			rel := relation{schema: s, name: r.Name, kind: "r", system: r.Kind == catalog.SystemTable}
			if r.Kind == catalog.View {
				rel.kind = "v"
			}
			if sch, err := r.Columns(ctx); err == nil {
				for _, f := range sch.Fields() {
					if !connectors.IsImplicit(f) { // filename, filepath, ...: not listed, as not in SELECT *
						rel.fields = append(rel.fields, f)
					}
				}
			}
			if r.Kind == catalog.MemoryTable {
				rel.notNull = r.Mem.NotNull
			}
			out = append(out, rel)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].schema != out[j].schema {
			return out[i].schema < out[j].schema
		}
		return out[i].name < out[j].name
	})
	return out
}

// Install adds pg_catalog and information_schema to cat.
func Install(cat *catalog.Catalog, database string) {
	l := &lister{cat: cat, db: database}
	for name, t := range pgTables(l) {
		cat.AddSystem(&catalog.Relation{Schema: "pg_catalog", Name: name, Kind: catalog.SystemTable, System: t})
	}
	for name, t := range infoTables(l) {
		cat.AddSystem(&catalog.Relation{Schema: "information_schema", Name: name, Kind: catalog.SystemTable, System: t})
	}
}
