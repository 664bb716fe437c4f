package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/lakesql/lakesql/demo"
)

// TestBICatalogQueries sends catalog queries shaped like those BI tools
// and drivers send when they connect and list tables, and checks that
// they return the demo tables, columns and types.
func TestBICatalogQueries(t *testing.T) {
	host, port := serve(t, demo.FS)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakesql@%s:%s/lake?sslmode=disable&default_query_exec_mode=simple_protocol", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rowsOf := func(sql string) [][]string {
		t.Helper()
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			t.Fatalf("%s\n-> %v", sql, err)
		}
		defer rows.Close()
		var out [][]string
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			r := make([]string, len(vals))
			for i, v := range vals {
				r[i] = fmt.Sprint(v)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s\n-> %v", sql, err)
		}
		return out
	}
	contains := func(rows [][]string, want ...string) bool {
		for _, r := range rows {
			if strings.Join(r, "|") == strings.Join(want, "|") {
				return true
			}
		}
		return false
	}

	// Npgsql (Power BI): types with their array element, via pg_proc.
	types := rowsOf(`
SELECT ns.nspname, t.oid, t.typname, t.typtype, t.typnotnull, t.elemtypoid
FROM (
    SELECT typ.oid, typ.typnamespace, typ.typname, typ.typtype, typ.typrelid, typ.typnotnull, typ.relkind,
        elemtyp.oid AS elemtypoid, elemtyp.typname AS elemtypname, elemcls.relkind AS elemrelkind,
        CASE WHEN elemproc.proname='array_recv' THEN 'a' ELSE elemtyp.typtype END AS elemtyptype
    FROM (
        SELECT typ.oid, typnamespace, typname, typrelid, typnotnull, relkind, typelem AS elemoid,
            CASE WHEN proc.proname='array_recv' THEN 'a' ELSE typ.typtype END AS typtype,
            CASE WHEN proc.proname='array_recv' THEN typ.typelem WHEN typ.typtype='r' THEN rngsubtype WHEN typ.typtype='d' THEN typ.typbasetype END AS elemtypoid
        FROM pg_type AS typ
        LEFT JOIN pg_class AS cls ON (cls.oid = typ.typrelid)
        LEFT JOIN pg_proc AS proc ON proc.oid = typ.typreceive
        LEFT JOIN pg_range ON (pg_range.rngtypid = typ.oid)
    ) AS typ
    LEFT JOIN pg_type AS elemtyp ON elemtyp.oid = elemtypoid
    LEFT JOIN pg_class AS elemcls ON (elemcls.oid = elemtyp.typrelid)
    LEFT JOIN pg_proc AS elemproc ON elemproc.oid = elemtyp.typreceive
) AS t
JOIN pg_namespace AS ns ON (ns.oid = typnamespace)
WHERE typtype IN ('b', 'r', 'm', 'e', 'd') OR (typtype = 'c' AND relkind='c') OR (typtype = 'p' AND typname IN ('record', 'void'))
   OR (typtype = 'a' AND (elemtyptype IN ('b', 'r', 'm', 'e', 'd') OR (elemtyptype = 'p' AND elemtypname IN ('record', 'void'))))
ORDER BY CASE WHEN typtype IN ('b', 'e', 'p') THEN 0 WHEN typtype = 'r' THEN 1 WHEN typtype = 'a' THEN 5 END`)
	if !contains(types, "pg_catalog", "23", "int4", "b", "false", "<nil>") || !contains(types, "pg_catalog", "1007", "_int4", "a", "false", "23") {
		t.Errorf("npgsql types: %v", types)
	}
	// Grafana.
	if got := rowsOf(`SELECT current_setting('server_version_num')::int/100`); len(got) != 1 || got[0][0] != "1500" {
		t.Errorf("grafana version: %v", got)
	}
	if got := rowsOf(`SELECT quote_ident(table_name) AS "table" FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`); !contains(got, "cities") || !contains(got, "sales") {
		t.Errorf("grafana tables: %v", got)
	}
	if got := rowsOf(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'sales' ORDER BY ordinal_position`); !contains(got, "amount", "numeric") || !contains(got, "sold_at", "timestamp without time zone") {
		t.Errorf("grafana columns: %v", got)
	}
	// Tableau.
	if got := rowsOf(`select oid, typbasetype from pg_type where typname = 'lo'`); len(got) != 0 {
		t.Errorf("tableau lo: %v", got)
	}
	// DBeaver.
	if got := rowsOf(`SELECT n.oid, n.*, d.description FROM pg_catalog.pg_namespace n LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid = n.oid AND d.objsubid = 0 AND d.classoid = 'pg_namespace'::regclass ORDER BY nspname`); !contains(got, fmt.Sprint(2200), "2200", "public", "10", "[]", "<nil>") && len(got) < 3 {
		t.Errorf("dbeaver schemas: %v", got)
	}
	// Superset / SQLAlchemy.
	if got := rowsOf(`SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'tpch' AND c.relkind IN ('r', 'p') ORDER BY c.relname`); fmt.Sprint(got) != "[[nation] [region]]" {
		t.Errorf("superset tables: %v", got)
	}
	// Metabase.
	if got := rowsOf(`SELECT "n"."nspname" AS "schema", "c"."relname" AS "name", CASE "c"."relkind" WHEN 'r' THEN 'TABLE' WHEN 'v' THEN 'VIEW' END AS "type", "d"."description" AS "description"
FROM "pg_catalog"."pg_class" AS "c" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "c"."relnamespace" = "n"."oid"
LEFT JOIN "pg_catalog"."pg_description" AS "d" ON ("c"."oid" = "d"."objoid") AND ("d"."objsubid" = 0)
WHERE ("c"."relnamespace" = "n"."oid") AND ("n"."nspname" !~ '^pg_') AND ("n"."nspname" <> 'information_schema') AND "c"."relkind" IN ('r', 'v')
ORDER BY "type" ASC, "schema" ASC, "name" ASC`); !contains(got, "public", "cities", "TABLE", "<nil>") || !contains(got, "tpch", "region", "TABLE", "<nil>") {
		t.Errorf("metabase tables: %v", got)
	}
	// pgx's own type loading (extended protocol) of a column list.
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON a.attrelid = c.oid WHERE c.relname = 'cities' AND a.attnum > 0`).Scan(&n); err != nil || n != 4 {
		t.Errorf("attributes: %v %d", err, n)
	}
	_ = pgx.Identifier{}
}
