package e2e

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

// columnsOf runs sql in process and returns its result's column names.
func columnsOf(t *testing.T, sql string) ([]string, error) {
	t.Helper()
	eng, err := engine.New(engine.Config{Root: fstest.MapFS{}, RootName: "empty"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var names []string
	err = eng.NewSession().Execute(ctx, sql, func(r *engine.Result) error {
		names = nil
		if r.Schema != nil {
			for _, f := range r.Schema.Fields() {
				names = append(names, f.Name)
			}
		}
		if r.Rows != nil {
			r.Rows.Close()
		}
		return nil
	})
	return names, err
}

// TestNamesUsersWrite checks that what a user writes stays theirs: aliases
// that spell the bridge's old encodings are plain names, and operators
// are named ?column? as in PostgreSQL.
func TestNamesUsersWrite(t *testing.T) {
	cases := []struct{ sql, want string }{
		{`SELECT 1 AS "a$lakesql$b"`, "a$lakesql$b"},
		{`SELECT x FROM (SELECT 1 AS x) AS "t$lakesql$y"`, "x"},
		{`SELECT * FROM (SELECT 1) AS t(a)`, "a"},
		{`SELECT 2 ^ 3, 'a' ~ 'b', 1 IS DISTINCT FROM 2, x -> 'k' FROM (SELECT '{}'::json AS x) s`, "?column?|?column?|?column?|?column?"},
		{`SELECT (ARRAY[1,2])[1], ('{a}'::text[])[1], ARRAY[[1]]`, "array|text|array"},
		{`SELECT format('%s', 1), pg_typeof(1), CAST(1 AS oid)`, "format|pg_typeof|oid"},
	}
	for _, c := range cases {
		got, err := columnsOf(t, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("%s: columns %q, want %s", c.sql, got, c.want)
		}
		for _, n := range got {
			if strings.ContainsRune(n, 0) {
				t.Errorf("%s: a column name holds a NUL: %q", c.sql, n)
			}
		}
	}
}

// TestTargetListLimit: PostgreSQL's 1664-entry limit on a select list is
// a 54011 error, not a failure writing the row description.
func TestTargetListLimit(t *testing.T) {
	for _, sql := range []string{
		"SELECT " + strings.Repeat("1,", 99999) + "1",
		"SELECT " + strings.Repeat("1,", 1664) + "1",
		"SELECT * FROM (SELECT " + strings.Repeat("1,", 999) + "1) a, (SELECT " + strings.Repeat("1,", 999) + "1) b",
	} {
		_, err := columnsOf(t, sql)
		if e := sqlerr.As(err); err == nil || e.Code != "54011" || e.Message != "target lists can have at most 1664 entries" {
			t.Errorf("%d characters: got %v", len(sql), err)
		}
	}
	if cols, err := columnsOf(t, "SELECT "+strings.Repeat("1,", 1663)+"1"); err != nil || len(cols) != 1664 {
		t.Errorf("1664 columns: %d %v", len(cols), err)
	}
}
