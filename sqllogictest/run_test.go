package sqllogictest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fakeDB answers fixed SQL texts.
type fakeDB map[string]Result

func (f fakeDB) Exec(ctx context.Context, sql string) (Result, error) {
	r, ok := f[sql]
	if !ok {
		return Result{}, errors.New("ERROR: boom (SQLSTATE 22012)")
	}
	return r, nil
}

func rows(vals ...[]Value) Result { return Result{HasRows: true, Columns: len(vals[0]), Rows: vals} }

func TestRunFile(t *testing.T) {
	file := `# comment
statement ok
CREATE TABLE t(a INT)

statement error division by zero|boom
SELECT 1/0

query IT rowsort
SELECT a, b FROM t
----
2	(empty)
1	x

query I nosort label-a
SELECT a FROM t ORDER BY a
----
2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0

skipif lakesql
query I
SELECT broken
----
1

onlyif mysql
statement ok
SELECT broken

query R
SELECT 1.5
----
1.500

query T
SELECT true
----
true

query I
SELECT wrong
----
1

loop i 1 10
`
	db := fakeDB{
		"CREATE TABLE t(a INT)":      {},
		"SELECT a, b FROM t":         rows([]Value{{Text: "1"}, {Text: "x"}}, []Value{{Text: "2"}, {Text: ""}}),
		"SELECT a FROM t ORDER BY a": rows([]Value{{Text: "1"}}, []Value{{Text: "2"}}),
		"SELECT 1.5":                 rows([]Value{{Text: "1.5"}}),
		"SELECT true":                rows([]Value{{Text: "t", IsBool: true}}),
		"SELECT wrong":               rows([]Value{{Text: "2"}}),
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "x.test")
	if err := os.WriteFile(p, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := RunFile(context.Background(), db, p, []string{"lakesql", "postgresql"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// 7 counted records pass; "SELECT wrong" and the loop directive fail; 2 skipped.
	if res.Passed != 6 || res.Failed != 2 || res.Skipped != 2 {
		t.Fatalf("got %+v", res)
	}
	if res.Failures[0].Reason != "result mismatch" || res.Failures[0].Line != 39 {
		t.Errorf("first failure: %+v", res.Failures[0])
	}
}
