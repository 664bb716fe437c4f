package parser

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lakesql/lakesql/sqlerr"
	tidb "github.com/pingcap/tidb/pkg/parser"
)

// FuzzParse checks the bridge on any input: it never panics; an error is
// a PostgreSQL error (never an internal one) pointing inside the input;
// every statement it accepts has a rewritten text TiDB parses again on its
// own into one statement, whose bridge names (NUL-marked) appear only
// inside quoted identifiers, strings and the parameter comments.
// Seeds: the cases below and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"SELECT -2 ^ 2, |/ 16 + 9, @ (-5) + 2, 6 # 3 * 2, 'a' || 1 + 2",
		"SELECT a::int, CAST(b AS numeric(10,2)), x[1][2], y[1:2] FROM t WHERE c ~ 'x' AND d IS DISTINCT FROM e",
		"SELECT * FROM a FULL JOIN b ON a.x = b.x LEFT JOIN c USING (y) ORDER BY 1 DESC NULLS LAST LIMIT 3 OFFSET 1",
		"SELECT count(*) FILTER (WHERE a > 1), string_agg(DISTINCT b, ',' ORDER BY b) FROM t GROUP BY GROUPING SETS ((a), ())",
		"SELECT sum(x) OVER (w RANGE BETWEEN INTERVAL '1 day' PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM t WINDOW w AS (ORDER BY d)",
		"WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
		"SELECT x = ANY(ARRAY[1,2]), y <> ALL('{1}'::int[]), z LIKE ANY (ARRAY['a%']), ARRAY[[1,2],[3,4]]",
		"SELECT CASE WHEN a BETWEEN SYMMETRIC 1 AND 2 THEN b ELSE -c END, EXISTS (SELECT 1), $1 + $2",
		"SELECT format('%I.%I', s, n)::regclass::oid, E'a\\nb', $$x$$, $t$ y $t$, U&'z', 1 = 1 = true",
		"BEGIN ISOLATION LEVEL SERIALIZABLE; SET search_path = public, \"$user\"; SHOW ALL; COMMIT AND CHAIN",
		"SELECT 1 AS \"a$lakesql$b\", lakesql_cast(1, 'int'), '/*lakesql$1*/' FROM t STRAIGHT_JOIN u",
		"CREATE TABLE t (a int NOT NULL DEFAULT -1, b text COLLATE \"C\", CHECK (a > 0)); INSERT INTO t VALUES (1, 'x')",
		"SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b FETCH FIRST (1 + 1) ROWS ONLY",
		"SELECT (((((((((1)))))))), NOT NOT NOT a, - - - b, a -> 'k' ->> 'j' #> '{x}' #>> '{y}'",
		"SELECT 'a' SIMILAR TO 'b' ESCAPE '!', a NOT ILIKE b ESCAPE NULL, x ISNULL, y NOTNULL",
		"SELECT (",
		"SELECT 'unterminated",
		"SELECT CASE WHEN THEN END",
		"/* nested /* comment */ */ SELECT 1 -- tail",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		start := time.Now()
		stmts, err := Parse(sql)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%q: parsing took %v", sql, d)
		}
		if err != nil {
			e, ok := err.(*sqlerr.Error)
			if !ok {
				t.Fatalf("%q: error %T %v is no sqlerr.Error", sql, err, err)
			}
			if e.Code == sqlerr.InternalError || e.Code == "" {
				t.Fatalf("%q: internal error %v", sql, err)
			}
			if e.Position < 0 || e.Position > utf8.RuneCountInString(sql)+1 {
				t.Fatalf("%q: position %d outside the input", sql, e.Position)
			}
			return
		}
		for _, st := range stmts {
			if st.AST == nil {
				if st.Utility == nil {
					t.Fatalf("%q: a statement with neither AST nor utility", sql)
				}
				continue
			}
			p := tidb.New()
			p.SetSQLMode(sqlMode)
			p.SetStrictDoubleTypeCheck(false)
			nodes, _, err := p.Parse(st.Rewritten, "", "")
			if err != nil || len(nodes) != 1 {
				t.Fatalf("%q: rewritten %q does not parse again: %v", sql, st.Rewritten, err)
			}
			if bad := markerOutsideQuotes(st.Rewritten); bad >= 0 {
				t.Fatalf("%q: rewritten %q has a bridge marker outside quotes at %d", sql, st.Rewritten, bad)
			}
		}
	})
}

// markerOutsideQuotes returns the offset of a NUL byte of s that is not
// inside a quoted identifier, a string or a comment (-1 when none).
func markerOutsideQuotes(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			q := s[i]
			for i++; i < len(s) && s[i] != q; i++ {
			}
		case '/':
			if strings.HasPrefix(s[i:], "/*") {
				end := strings.Index(s[i:], "*/")
				if end < 0 {
					return i
				}
				i += end + 1
			}
		case 0:
			return i
		}
	}
	return -1
}
