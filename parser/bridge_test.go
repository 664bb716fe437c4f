package parser

import (
	"strings"
	"testing"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// TestPrecedence checks how the bridge groups operators: the printed text
// has every operator parenthesised the way PostgreSQL binds it
// (e2e/testdata/slt/precedence.test checks the answers against PostgreSQL).
func TestPrecedence(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT -2 ^ 2", `select "§op:power"((- 2) , 2)`},
		{"SELECT 2 ^ 3 ^ 2", `select "§op:power"("§op:power"(2 , 3) , 2)`},
		{"SELECT 2 ^ -1", `select "§op:power"(2 , (- 1))`},
		{"SELECT |/ 16 + 9", `select "§op:sqrt"((16 + 9))`},
		{"SELECT @ (-5) + 2", `select "§op:abs"((((- 5)) + 2))`},
		{"SELECT ~ 5 # 3", `select ((~ 5) ^ 3)`},
		{"SELECT 6 # 3 * 2", `select (6 ^ (3 * 2))`},
		{"SELECT 1 + 6 # 3", `select ((1 + 6) ^ 3)`},
		{"SELECT 'a' || 1 + 2", `select ('a' || (1 + 2))`},
		{"SELECT a + b * c - d", `select ((a + (b * c)) - d)`},
		{"SELECT a OR b AND NOT c", `select (a or (b and (not c)))`},
		{"SELECT NOT a = b IS NULL", `select (not ((a = b) is null))`},
		{"SELECT a IS DISTINCT FROM b = c", `select "§op:is_distinct"(a , (b = c))`},
		{"SELECT a IS NOT DISTINCT FROM b", `select "§op:<=>"(a , b)`},
		{"SELECT x BETWEEN 1 AND 2 + 3 = y", `select ((x between 1 and (2 + 3)) = y)`},
		{"SELECT x NOT IN (1, 2) AND y", `select ((x not in (1 , 2)) and y)`},
		{"SELECT a LIKE b || c ESCAPE '!'", `select (a like (b || c) escape '!')`},
		{"SELECT a ~ b || c", `select ("§op:~"(a , b , 'c') || c)`},
		{"SELECT a ~ (b || c)", `select "§op:~"(a , ((b || c)) , 'c')`},
		{"SELECT a !~* b", `select (not "§op:~"(a , b , 'i'))`},
		{"SELECT a ~~ b, a !~~* b", `select (a like b) , (a not ilike b)`},
		{"SELECT j -> 'a' ->> 'b' = 'c'", `select ("§op:->>"("§op:->"(j , 'a') , 'b') = 'c')`},
		{"SELECT a ISNULL, b NOTNULL", `select (a is null) , (b is not null)`},
		{"SELECT x = ANY(ARRAY[1, 2])", `select (x in (1 , 2))`},
		{"SELECT x > ALL(ARRAY[1, 2])", `select ((x > 1) and (x > 2))`},
		{"SELECT x = ANY(arr)", `select "§op:array_contains"((arr) , x)`},
		{"SELECT x <> ALL(arr)", `select (not "§op:array_contains"((arr) , x))`},
		{"SELECT x = ANY(SELECT y FROM t)", `select (x = any (select y from t))`},
		{"SELECT CASE WHEN a + 1 > 2 THEN b || c ELSE -d END", `select case when ((a + 1) > 2) then (b || c) else (- d) end`},
		{"SELECT a + 1 AS x, t.* FROM t WHERE t.a = 1 ORDER BY a + 1 DESC", `select (a + 1) as "x" , t . * from t where (t . a = 1) order by (a + 1) desc`},
		{"SELECT sum(a) OVER (PARTITION BY b + 1) * 2", `select (sum(a) over (partition by (b + 1)) * 2)`},
		{"SELECT x SIMILAR TO 'a%' ESCAPE '!'", `select "§op:~"(x , similar_to_escape('a%' , '!') , 'c')`},
		{"SELECT 5 BETWEEN SYMMETRIC 6 AND 1", `select ((5 between 6 and 1) or (5 between 1 and 6))`},
		{"SELECT 'a' COLLATE \"C\" || 'b'", `select ("§op:collate"('a' , 'C') || 'b')`},
		{"SELECT int4 '5', numeric '1.5'", `select "§cast"('5', 'int4') , "§cast"('1.5', 'numeric')`},
		{"SELECT CASE WHEN true THEN 1 END::text", `select "§cast"((case when "§cast"('true', 'boolean', 'constant') then 1 end), 'text')`},
		{"SELECT CAST(1 AS oid), CAST('x' AS regclass)", `select "§cast"(1, 'oid') , "§cast"('x', 'regclass')`},
		{"SELECT ALL (1) + 2", `select all ((1) + 2)`},
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

// TestSyntaxErrors checks PostgreSQL's syntax errors where the bridge
// reads the grammar: non-associative operators, missing operands, and the
// position PostgreSQL reports (1-based, in characters).
func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		in   string
		msg  string
		code string
		pos  int
	}{
		{"SELECT 1 = 1 = true", `syntax error at or near "="`, sqlerr.SyntaxError, 14},
		{"SELECT 1 < 2 < 3", `syntax error at or near "<"`, sqlerr.SyntaxError, 14},
		{"SELECT 'a' LIKE 'a' LIKE 'b'", `syntax error at or near "LIKE"`, sqlerr.SyntaxError, 21},
		{"SELECT 1 IS DISTINCT FROM 2 IS NULL", `syntax error at or near "IS"`, sqlerr.SyntaxError, 29},
		{"SELECT 1 BETWEEN 0 AND 2 BETWEEN 1 AND 2", `syntax error at or near "BETWEEN"`, sqlerr.SyntaxError, 26},
		{"SELECT 1 + ", `syntax error at end of input`, sqlerr.SyntaxError, 12},
		{"SELECT 1 + ; SELECT 2", `syntax error at or near ";"`, sqlerr.SyntaxError, 12},
		{"SELECT (1 + )", `syntax error at or near ")"`, sqlerr.SyntaxError, 13},
		{"SELECT CASE WHEN 1 THEN", `syntax error at end of input`, sqlerr.SyntaxError, 24},
		{"SELECT CASE 1 END", `syntax error at or near "END"`, sqlerr.SyntaxError, 15},
		{"SELECT CAST(1 AS int) )", `syntax error at or near ")"`, sqlerr.SyntaxError, 23},
		{"SELECT CAST(1 AS int 2)", `syntax error at or near "2"`, sqlerr.SyntaxError, 22},
		{"SELECT 1 AND", `syntax error at end of input`, sqlerr.SyntaxError, 13},
		{"SELECT E'\\x00'", `invalid byte sequence for encoding "UTF8": 0x00`, sqlerr.CharacterNotInRepertoire, 0},
		{"SELECT E'\\xff'", `invalid byte sequence for encoding "UTF8": 0xff`, sqlerr.CharacterNotInRepertoire, 0},
		{"SELECT 'a\x00'", `invalid byte sequence for encoding "UTF8": 0x00`, sqlerr.CharacterNotInRepertoire, 0},
		{"SELECT \"a\x00\"", `invalid byte sequence for encoding "UTF8": 0x00`, sqlerr.CharacterNotInRepertoire, 0},
		{"SELECT E'\\u0000'", `invalid Unicode escape value`, sqlerr.SyntaxError, 10},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		e := sqlerr.As(err)
		if err == nil || e.Code != c.code || e.Message != c.msg || e.Position != c.pos {
			t.Errorf("%s: got %v (code %s, position %d), want %q at %d", c.in, err, e.Code, e.Position, c.msg, c.pos)
		}
	}
}

// TestMarkersCannotBeForged checks that user text never produces the
// bridge's encodings: aliases, identifiers, strings and function names
// that spell the old markers stay what the user wrote.
func TestMarkersCannotBeForged(t *testing.T) {
	st, err := Parse(`SELECT lakesql_cast(1, 'int'), "lakesql_cast"(2, 'int'), '/*lakesql$1*/', x AS "a$lakesql$b" FROM (SELECT 1 AS x) AS "t$lakesql$y"`)
	if err != nil {
		t.Fatal(err)
	}
	sel := st[0].AST.(*ast.SelectStmt)
	for i, f := range sel.Fields.Fields[:2] {
		fn, ok := f.Expr.(*ast.FuncCallExpr)
		if !ok {
			t.Fatalf("field %d: %T", i, f.Expr)
		}
		if _, _, ok := CastOf(fn); ok || BuiltinName(fn) != "lakesql_cast" {
			t.Errorf("field %d decoded as a cast (%s)", i, BuiltinName(fn))
		}
	}
	if len(st[0].Params) != 0 {
		t.Errorf("a string spelling a parameter marker made parameters %v", st[0].Params)
	}
	if f := sel.Fields.Fields[3]; f.AsName.O != "a$lakesql$b" {
		t.Errorf("alias %q", f.AsName.O)
	}
	src := sel.From.TableRefs.Left.(*ast.TableSource)
	if name, cols := DerivedColumns(src.AsName.O); name != "t$lakesql$y" || cols != nil {
		t.Errorf("alias decoded as %q %v", name, cols)
	}
	// The bridge's own column list still decodes.
	st, err = Parse(`SELECT * FROM (SELECT 1) AS t(a)`)
	if err != nil {
		t.Fatal(err)
	}
	src = st[0].AST.(*ast.SelectStmt).From.TableRefs.Left.(*ast.TableSource)
	if name, cols := DerivedColumns(src.AsName.O); name != "t" || len(cols) != 1 || cols[0] != "a" {
		t.Errorf("t(a) decoded as %q %v", name, cols)
	}
	// A user's STRAIGHT_JOIN is a name, not the bridge's FULL JOIN.
	if _, err := Parse(`SELECT * FROM a STRAIGHT_JOIN b ON true`); sqlerr.Code(err) != sqlerr.SyntaxError {
		t.Errorf("STRAIGHT_JOIN: %v", err)
	}
	st, err = Parse(`SELECT * FROM a FULL JOIN b ON true`)
	if err != nil {
		t.Fatal(err)
	}
	if j := st[0].AST.(*ast.SelectStmt).From.TableRefs; !IsFullJoin(j) {
		t.Errorf("FULL JOIN not decoded")
	}
	if _, err := Parse(`SELECT 1 AS straight_join`); err != nil {
		t.Errorf("straight_join as a label: %v", err)
	}
}

// TestUtilityStrict checks that utility statements follow PostgreSQL's
// grammar: what they accept and the syntax errors for anything else.
func TestUtilityStrict(t *testing.T) {
	ok := []struct {
		in   string
		kind UtilityKind
		name string
		val  string
	}{
		{"BEGIN", UtilBegin, "", ""},
		{"BEGIN WORK ISOLATION LEVEL REPEATABLE READ, READ ONLY NOT DEFERRABLE", UtilBegin, "", ""},
		{"START TRANSACTION READ WRITE", UtilBegin, "", ""},
		{"COMMIT AND NO CHAIN", UtilCommit, "", ""},
		{"END TRANSACTION", UtilCommit, "", ""},
		{"ROLLBACK TO SAVEPOINT s1", UtilRollback, "s1", ""},
		{"ABORT", UtilRollback, "", ""},
		{"SAVEPOINT s1", UtilSavepoint, "s1", ""},
		{"RELEASE s1", UtilSavepoint, "s1", ""},
		{"SET search_path = public, \"$user\"", UtilSet, "search_path", "public, $user"},
		{"SET LOCAL statement_timeout TO -5", UtilSet, "statement_timeout", "-5"},
		{"SET SESSION my.setting = 'a b'", UtilSet, "my.setting", "a b"},
		{"SET TIME ZONE 'UTC'", UtilSet, "timezone", "UTC"},
		{"SET NAMES 'UTF8'", UtilSet, "client_encoding", "UTF8"},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", UtilSetCharacteristics, "", ""},
		{"SHOW TRANSACTION ISOLATION LEVEL", UtilShow, "transaction_isolation", ""},
		{"SHOW ALL", UtilShow, "all", ""},
		{"RESET search_path", UtilReset, "search_path", ""},
		{"DISCARD ALL", UtilDiscard, "all", ""},
		{"DEALLOCATE PREPARE s1", UtilDeallocate, "s1", ""},
		{"FETCH FORWARD 5 FROM c1", UtilFetch, "c1", ""},
		{"CLOSE ALL", UtilClose, "all", ""},
	}
	for _, c := range ok {
		st, err := Parse(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		u := st[0].Utility
		if u == nil || u.Kind != c.kind || u.Name != c.name || u.Value != c.val {
			t.Errorf("%s: got %+v", c.in, u)
		}
	}
	bad := []struct {
		in, msg string
		pos     int
	}{
		{"BEGIN READ ONLY )))", `syntax error at or near ")"`, 17},
		{"SET search_path = ((( public", `syntax error at or near "("`, 19},
		{"SET search_path = select", `syntax error at or near "select"`, 19},
		{"SET search_path public", `syntax error at or near "public"`, 17},
		{"SET x =", `syntax error at end of input`, 8},
		{"SHOW search_path extra", `syntax error at or near "extra"`, 18},
		{"COMMIT now", `syntax error at or near "now"`, 8},
		{"ROLLBACK TO", `syntax error at end of input`, 12},
		{"BEGIN ISOLATION LEVEL READ", `syntax error at end of input`, 27},
		{"DISCARD everything", `syntax error at or near "everything"`, 9},
		{"SAVEPOINT a b", `syntax error at or near "b"`, 13},
		{"START", `syntax error at end of input`, 6},
	}
	for _, c := range bad {
		_, err := Parse(c.in)
		e := sqlerr.As(err)
		if err == nil || e.Code != sqlerr.SyntaxError || e.Message != c.msg || e.Position != c.pos {
			t.Errorf("%s: got %v at %d, want %q at %d", c.in, err, e.Position, c.msg, c.pos)
		}
	}
}
