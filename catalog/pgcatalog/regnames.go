package pgcatalog

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
)

// TypeOIDByName resolves a type name as 'name'::regtype does: pg_type's
// typname ("int4", "_text", "trigger") or any SQL spelling ("integer",
// "character varying(10)", "text[]").
func TypeOIDByName(name string) (int64, bool) {
	n := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), "pg_catalog.")
	n = strings.Trim(n, `"`)
	for _, t := range builtinTypes {
		if t.name == n {
			return t.oid, true
		}
	}
	t, err := types.Parse(n)
	if err != nil {
		return 0, false
	}
	oid, _, _ := TypeInfo(t)
	if t.ID() == arrow.STRING && strings.HasPrefix(n, "varchar") || strings.HasPrefix(n, "character varying") {
		oid = OIDVarchar
	}
	return int64(oid), true
}

// procNames maps the OIDs of pg_proc's rows back to their names.
var procNames = sync.OnceValue(func() map[int64]string {
	m := map[int64]string{}
	for i, name := range FunctionNames {
		m[int64(20000+i)] = name
	}
	for _, t := range builtinTypes {
		for _, f := range []string{t.input, t.output, t.receive, t.send} {
			m[procOID(f)] = f
		}
	}
	return m
})

// What a reg* value reads as when cast to text: the object's name, or
// its number when there is no such object (as PostgreSQL prints it).
func registerRegNames(r *expr.Registry) {
	I, T := types.Int64, types.String
	oidText := func(a any) string { return strconv.FormatInt(a.(int64), 10) }
	r.RegisterRowFunc("lakesql_regtype_name", T, []arrow.DataType{I}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		if a[0].(int64) == 0 {
			return "-", nil
		}
		if n := FormatType(a[0].(int64), nil); n != "???" {
			return n, nil
		}
		return oidText(a[0]), nil
	})
	r.RegisterRowFunc("lakesql_regproc_name", T, []arrow.DataType{I}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		if a[0].(int64) == 0 {
			return "-", nil
		}
		if n, ok := procNames()[a[0].(int64)]; ok {
			return n, nil
		}
		return oidText(a[0]), nil
	})
	r.RegisterRowFunc("lakesql_regnamespace_name", T, []arrow.DataType{I}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		switch a[0].(int64) {
		case NamespacePgCatalog:
			return "pg_catalog", nil
		case NamespacePublic:
			return "public", nil
		case NamespaceInfo:
			return "information_schema", nil
		}
		return oidText(a[0]), nil
	})
}

// RelationNames maps the OIDs of cat's relations to the names a session
// with search path searchPath sees them by (regclass output): the bare
// name when the path resolves it to that relation, else schema.name.
// visible holds the relations reachable by bare name, which is what
// pg_table_is_visible reports.
func RelationNames(ctx context.Context, cat *catalog.Catalog, searchPath []string) (names map[int64]string, visible map[int64]bool) {
	rels := (&lister{cat: cat}).relations(ctx)
	names, visible = map[int64]string{}, map[int64]bool{}
	first := map[string]int64{} // bare name -> OID of the relation the path finds
	for _, s := range searchPath {
		for _, r := range rels {
			if strings.EqualFold(r.schema, s) {
				if _, seen := first[r.name]; !seen {
					first[r.name] = OID("rel", r.schema, r.name)
				}
			}
		}
	}
	for _, r := range rels {
		oid := OID("rel", r.schema, r.name)
		if first[r.name] == oid {
			visible[oid] = true
			names[oid] = QuoteIdent(r.name)
		} else {
			names[oid] = QuoteIdent(r.schema) + "." + QuoteIdent(r.name)
		}
	}
	return names, visible
}
