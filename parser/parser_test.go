package parser

import (
	"strings"
	"testing"

	"github.com/lakesql/lakesql/sqlerr"
)

func TestRewrites(t *testing.T) {
	// Marked names print their NUL as §.
	cases := []struct{ in, want string }{
		{"SELECT a::int FROM t", `select "§cast"(a, 'int') from t`},
		{"SELECT '1.5'::numeric(10,2)::text", `select "§cast"("§cast"('1.5', 'numeric(10,2)'), 'text')`},
		{"SELECT CAST(x AS double precision)", `select "§cast"(x, 'double precision')`},
		{"SELECT DATE '1998-12-01' - INTERVAL '90' DAY", `select ("§cast"('1998-12-01', 'date') - "§cast"('90 days', 'interval'))`},
		{"SELECT true, false, x IS TRUE", `select "§cast"('true', 'boolean', 'constant') , "§cast"('false', 'boolean', 'constant') , (x is true)`},
		{"SELECT a FROM t ORDER BY a DESC NULLS LAST", `select a from t order by a desc , "§nulls_last"()`},
		{"SELECT * FROM a FULL OUTER JOIN b ON a.x = b.x", `select * from a straight_join b on (a . x = b . x)`},
		{"SELECT * FROM (SELECT 1) AS t (a)", `select * from (select 1) as "t§,a"`},
		{"SELECT count(*) FILTER (WHERE a > 1) FROM t", `select count(case when (a > 1) then 1 end) from t`},
		{"SELECT a FROM t WHERE a = ANY(ARRAY[1,2])", `select a from t where (a in (1 , 2))`},
		{"SELECT a IS DISTINCT FROM b AND c", `select ("§op:is_distinct"(a , b) and c)`},
		{"SELECT 'it''s', E'a\\nb'", "select 'it''s' , 'a\nb'"},
		{"SELECT $1 + $2", `select (? /*§1*/ + ? /*§2*/)`},
		{"SELECT a FROM t OFFSET 2 LIMIT 3", `select a from t limit 3 offset 2`},
		{"SELECT a FROM t FETCH FIRST 5 ROWS ONLY", `select a from t limit 5`},
		{"SELECT key FROM t", `select "key" from t`},
	}
	for _, c := range cases {
		st, err := Parse(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := strings.ReplaceAll(st[0].Rewritten, "\x00", "§"); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	_, err := Parse("SELECT a FROM t WHERE")
	if err == nil {
		t.Fatal("no error")
	}
	if sqlerr.Code(err) != sqlerr.SyntaxError {
		t.Fatalf("code %s", sqlerr.Code(err))
	}
	_, err = Parse("SELECT 'abc")
	if e := sqlerr.As(err); e.Code != sqlerr.SyntaxError || e.Position != 8 {
		t.Fatalf("got %v pos %d", err, e.Position)
	}
}

func TestMultipleStatements(t *testing.T) {
	st, err := Parse("SELECT 1; ; SELECT 'a;b';")
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[1].Text != "SELECT 'a;b'" {
		t.Fatalf("got %d statements: %+v", len(st), st)
	}
}
