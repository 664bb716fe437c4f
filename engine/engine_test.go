package engine

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types/text"
)

// run executes sql and returns each row of the last result as its
// PostgreSQL text values joined by "|" (NULL as "NULL").
func run(t testing.TB, s *Session, sql string) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var rows []string
	err := s.Execute(ctx, sql, func(r *Result) error {
		rows = nil
		if r.Rows == nil {
			return nil
		}
		defer r.Rows.Close()
		for {
			b, err := r.Rows.Next(ctx)
			if err != nil {
				return err
			}
			if b == nil {
				return nil
			}
			for i := 0; i < int(b.NumRows()); i++ {
				vals := make([]string, b.NumCols())
				for j := range vals {
					col := b.Column(j)
					if col.IsNull(i) {
						vals[j] = "NULL"
					} else {
						vals[j] = string(text.Append(nil, col, i, time.UTC))
					}
				}
				rows = append(rows, strings.Join(vals, "|"))
			}
		}
	})
	return rows, err
}

func newTestSession(t *testing.T) *Session {
	t.Helper()
	root := fstest.MapFS{
		"people.csv": {Data: []byte("id,name,dept,salary\n1,ann,eng,100\n2,bob,eng,80\n3,cid,ops,70\n4,dee,,60\n")},
		"depts.json": {Data: []byte(`{"dept":"eng","floor":3}` + "\n" + `{"dept":"ops","floor":1}` + "\n" + `{"dept":"hr","floor":2}` + "\n")},
		"orders.json": {Data: []byte(`{"id":1,"who":{"name":"ann","tier":"gold"},"items":["pen","ink"]}` + "\n" +
			`{"id":2,"who":{"name":"bob","tier":null},"items":[]}` + "\n")},
	}
	e, err := New(Config{Root: root, RootName: "test"})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession()
	setup := `
		CREATE TABLE t1 (a INTEGER, b TEXT);
		INSERT INTO t1 VALUES (1, 'x'), (2, 'y'), (3, NULL), (NULL, 'z');
		CREATE TABLE t2 (a INTEGER, c INTEGER);
		INSERT INTO t2 VALUES (1, 10), (1, 11), (2, 20), (5, 50), (NULL, 0);`
	if _, err := run(t, s, setup); err != nil {
		t.Fatalf("setup: %v", err)
	}
	return s
}

func TestQueries(t *testing.T) {
	s := newTestSession(t)
	cases := []struct {
		sql  string
		want []string
	}{
		{"SELECT 1 + 2, 'a' || 'b', 7 / 2, 7 % 3", []string{"3|ab|3|1"}},
		{"SELECT a, b FROM t1 ORDER BY a", []string{"1|x", "2|y", "3|NULL", "NULL|z"}},
		{"SELECT a FROM t1 ORDER BY a DESC", []string{"NULL", "3", "2", "1"}},
		{"SELECT a FROM t1 ORDER BY a NULLS FIRST", []string{"NULL", "1", "2", "3"}},
		{"SELECT count(*), count(a), sum(a), min(b), max(b) FROM t1", []string{"4|3|6|x|z"}},
		{"SELECT count(*), sum(a) FROM t1 WHERE a > 100", []string{"0|NULL"}},
		{"SELECT t1.a, c FROM t1 JOIN t2 ON t1.a = t2.a ORDER BY c", []string{"1|10", "1|11", "2|20"}},
		{"SELECT t1.a, c FROM t1 LEFT JOIN t2 ON t1.a = t2.a ORDER BY t1.a, c", []string{"1|10", "1|11", "2|20", "3|NULL", "NULL|NULL"}},
		{"SELECT t1.a, t2.a FROM t1 FULL JOIN t2 ON t1.a = t2.a ORDER BY t1.a, t2.a", []string{"1|1", "1|1", "2|2", "3|NULL", "NULL|5", "NULL|NULL", "NULL|NULL"}},
		{"SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a) ORDER BY a", []string{"1", "2"}},
		{"SELECT a FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a) ORDER BY a", []string{"3", "NULL"}},
		{"SELECT a FROM t1 WHERE a IN (SELECT a FROM t2) ORDER BY a", []string{"1", "2"}},
		// NOT IN with a NULL in the subquery is never true.
		{"SELECT a FROM t1 WHERE a NOT IN (SELECT a FROM t2)", nil},
		{"SELECT a FROM t1 WHERE a NOT IN (SELECT a FROM t2 WHERE a IS NOT NULL) ORDER BY a", []string{"3"}},
		{"SELECT a, (SELECT sum(c) FROM t2 WHERE t2.a = t1.a) FROM t1 ORDER BY a", []string{"1|21", "2|20", "3|NULL", "NULL|NULL"}},
		{"SELECT a, (SELECT count(*) FROM t2 WHERE t2.a = t1.a) FROM t1 ORDER BY a", []string{"1|2", "2|1", "3|0", "NULL|0"}},
		{"SELECT a FROM t1 WHERE a > (SELECT min(a) FROM t2) ORDER BY 1", []string{"2", "3"}},
		{"SELECT a, count(*) FROM t2 GROUP BY a ORDER BY a", []string{"1|2", "2|1", "5|1", "NULL|1"}},
		{"SELECT a, sum(c) AS s FROM t2 GROUP BY a HAVING sum(c) > 15 ORDER BY s DESC", []string{"5|50", "1|21", "2|20"}},
		{"SELECT a + 1 AS k, count(*) FROM t2 GROUP BY k ORDER BY k", []string{"2|2", "3|1", "6|1", "NULL|1"}},
		{"SELECT a FROM t1 UNION SELECT a FROM t2 ORDER BY 1", []string{"1", "2", "3", "5", "NULL"}},
		{"SELECT a FROM t2 EXCEPT SELECT a FROM t1 ORDER BY 1", []string{"5"}},
		{"SELECT a FROM t1 INTERSECT SELECT a FROM t2 ORDER BY 1", []string{"1", "2", "NULL"}},
		{"SELECT a, c, row_number() OVER (PARTITION BY a ORDER BY c DESC) FROM t2 WHERE a = 1 ORDER BY c", []string{"1|10|2", "1|11|1"}},
		{"SELECT a, sum(c) OVER (ORDER BY c) FROM t2 WHERE a IS NOT NULL ORDER BY c", []string{"1|10", "1|21", "2|41", "5|91"}},
		{"WITH x AS (SELECT a * 10 AS v FROM t1) SELECT v FROM x WHERE v > 10 ORDER BY v", []string{"20", "30"}},
		{"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r", []string{"15"}},
		{"SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(x, y) ORDER BY x DESC", []string{"2|b", "1|a"}},
		{"SELECT DISTINCT a FROM t2 ORDER BY a", []string{"1", "2", "5", "NULL"}},
		{"SELECT a FROM t2 ORDER BY c LIMIT 2 OFFSET 1", []string{"1", "1"}},
		{"SELECT CASE WHEN a = 0 THEN 0 ELSE 10 / a END FROM t2 WHERE a IS NOT NULL ORDER BY 1", []string{"2", "5", "10", "10"}},
		{"SELECT name FROM people WHERE dept = 'eng' ORDER BY salary", []string{"bob", "ann"}},
		{"SELECT p.name, d.floor FROM people p JOIN depts d ON p.dept = d.dept ORDER BY p.id", []string{"ann|3", "bob|3", "cid|1"}},
		{"SELECT dept, avg(salary)::int FROM people GROUP BY dept ORDER BY dept", []string{"eng|90", "ops|70", "NULL|60"}},
		{"SELECT count(*) FROM dfs.`people.csv`", []string{"4"}},
		{"SELECT x FROM generate_series(1, 3) AS g(x)", []string{"1", "2", "3"}},
		{"SELECT DISTINCT ON (dept) dept, name FROM people ORDER BY dept, salary", []string{"eng|bob", "ops|cid", "NULL|dee"}},
		// Nested JSON values: fields, elements, flattening.
		{"SELECT id, who->>'name', (who).tier, items->>0, items->-1 FROM orders ORDER BY id", []string{"1|ann|gold|pen|ink", "2|bob|NULL|NULL|NULL"}},
		{"SELECT o.id, item, n FROM orders o, unnest(o.items) WITH ORDINALITY AS t(item, n) ORDER BY 1, 3", []string{"1|pen|1", "1|ink|2"}},
		{"SELECT id, unnest(items) FROM orders ORDER BY 1, 2", []string{"1|ink", "1|pen"}},
	}
	for _, c := range cases {
		got, err := run(t, s, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", c.sql, got, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	s := newTestSession(t)
	cases := []struct{ sql, code string }{
		{"SELECT * FROM nope", sqlerr.UndefinedTable},
		{"SELECT nope FROM t1", sqlerr.UndefinedColumn},
		{"SELECT a FROM t1, t2", sqlerr.AmbiguousColumn},
		{"SELECT a, count(*) FROM t1", sqlerr.GroupingError},
		{"SELECT 1/0", sqlerr.DivisionByZero},
		{"SELEC 1", sqlerr.SyntaxError},
		{"SELECT a FROM t1 WHERE a", sqlerr.DatatypeMismatch},
		{"SELECT (SELECT a FROM t2)", sqlerr.CardinalityViolation},
		{"CREATE TABLE t1 (x int)", sqlerr.DuplicateTable},
		{"CREATE TABLE people (x int)", sqlerr.DuplicateTable},
		{"INSERT INTO people VALUES (1)", sqlerr.WrongObjectType},
		{"SELECT * FROM dfs.`../etc/passwd`", sqlerr.UndefinedTable},
	}
	for _, c := range cases {
		_, err := run(t, s, c.sql)
		if err == nil {
			t.Errorf("%s: no error, want %s", c.sql, c.code)
			continue
		}
		if got := sqlerr.Code(err); got != c.code {
			t.Errorf("%s: code %s (%v), want %s", c.sql, got, err, c.code)
		}
	}
}

func TestSessionStatements(t *testing.T) {
	s := newTestSession(t)
	steps := []struct {
		sql  string
		want []string
		code string
	}{
		{sql: "SHOW search_path", want: []string{`"$user", public`}},
		{sql: "SET application_name TO 'x'; SHOW application_name", want: []string{"x"}},
		{sql: "SET myapp.flag = 'on'; SELECT current_setting('myapp.flag')", want: []string{"on"}},
		{sql: "SET nonsense = 1", code: sqlerr.UndefinedObject},
		{sql: "SELECT version() LIKE 'PostgreSQL 15.0 (lakesql %'", want: []string{"t"}},
		{sql: "BEGIN; SELECT 1/0", code: sqlerr.DivisionByZero},
		{sql: "SELECT 1", code: sqlerr.InFailedTransaction},
		{sql: "ROLLBACK; SELECT 1", want: []string{"1"}},
		{sql: "SET statement_timeout = 1; SELECT count(*) FROM generate_series(1, 100000000) g(x)", code: sqlerr.QueryCanceled},
		{sql: "RESET statement_timeout; SHOW statement_timeout", want: []string{"0"}},
	}
	for _, st := range steps {
		got, err := run(t, s, st.sql)
		if st.code != "" {
			if sqlerr.Code(err) != st.code {
				t.Errorf("%s: got %v, want SQLSTATE %s", st.sql, err, st.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", st.sql, err)
			continue
		}
		if strings.Join(got, "\n") != strings.Join(st.want, "\n") {
			t.Errorf("%s: got %q want %q", st.sql, got, st.want)
		}
	}
	if s.TxStatus() != 'I' {
		t.Errorf("tx status %c", s.TxStatus())
	}
}

func TestCursors(t *testing.T) {
	s := newTestSession(t)
	if _, err := run(t, s, `BEGIN; DECLARE "SQL_CUR1" NO SCROLL CURSOR WITH HOLD FOR SELECT a FROM t2 WHERE a IS NOT NULL ORDER BY c`); err != nil {
		t.Fatal(err)
	}
	got, err := run(t, s, `FETCH 2 IN "SQL_CUR1"`)
	if err != nil || strings.Join(got, ",") != "1,1" {
		t.Fatalf("first fetch: %v %v", got, err)
	}
	got, err = run(t, s, `FETCH 10 FROM "SQL_CUR1"`)
	if err != nil || strings.Join(got, ",") != "2,5" {
		t.Fatalf("second fetch: %v %v", got, err)
	}
	got, err = run(t, s, `FETCH NEXT FROM "SQL_CUR1"`)
	if err != nil || len(got) != 0 {
		t.Fatalf("exhausted fetch: %v %v", got, err)
	}
	if _, err := run(t, s, `CLOSE "SQL_CUR1"; COMMIT`); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, s, `FETCH 1 FROM "SQL_CUR1"`); sqlerr.Code(err) != sqlerr.InvalidCursorName {
		t.Fatalf("closed cursor: %v", err)
	}
}
