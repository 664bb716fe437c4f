package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lakesql/lakesql/sqllogictest"
)

// TestLakeCLI runs the lake tests (e2e/testdata/lake/*.test, also run in
// process and over the wire by package e2e) through `lakesql query`: one
// process per record, sharing a --tmp folder the way successive runs of
// the command do. Records that need a session (SET, USE) are marked
// "skipif cli". CSV output cannot tell NULL from an empty string, so an
// empty field reads as NULL (the tests avoid empty strings), and t/f read
// as booleans.
func TestLakeCLI(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "e2e", "testdata", "lake", "*.test"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lake tests: %v", err)
	}
	root := filepath.Join("..", "..", "testdata", "lake")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			db := cliDB{root: root, tmp: t.TempDir()}
			res, err := sqllogictest.RunFile(context.Background(), db, f, []string{"lakesql", "cli"}, 60*time.Second)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, fl := range res.Failures {
				t.Errorf("%s:%d: %s\n%s\nexpected: %v\nactual:   %v", f, fl.Line, fl.Reason, fl.SQL, fl.Expected, fl.Actual)
			}
			if res.Passed == 0 {
				t.Errorf("%s: no record passed", f)
			}
		})
	}
}

var cliError = regexp.MustCompile(`^ERROR:\s+([0-9A-Z]{5}): (.*)$`)

var commandTag = regexp.MustCompile(`^[A-Z][A-Z ]*[A-Z]( \d+)*$`)

type cliDB struct{ root, tmp string }

func (d cliDB) Exec(ctx context.Context, sql string) (sqllogictest.Result, error) {
	var out, errb bytes.Buffer
	code := run([]string{"query", "--root", d.root, "--tmp", d.tmp, "--format", "csv", "-c", sql}, stdio{strings.NewReader(""), &out, &errb})
	if code != 0 {
		// "ERROR:  42P01: message" (and maybe a LINE with a caret) reads
		// like the other harnesses' "ERROR: message (SQLSTATE 42P01)".
		first, _, _ := strings.Cut(strings.TrimSpace(errb.String()), "\n")
		if m := cliError.FindStringSubmatch(first); m != nil {
			return sqllogictest.Result{}, fmt.Errorf("ERROR: %s (SQLSTATE %s)", m[2], m[1])
		}
		return sqllogictest.Result{}, errors.New(first)
	}
	recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	if err != nil || len(recs) == 0 {
		return sqllogictest.Result{}, err
	}
	if len(recs) == 1 && len(recs[0]) == 1 && commandTag.MatchString(recs[0][0]) {
		return sqllogictest.Result{}, nil // a statement without rows prints its tag
	}
	res := sqllogictest.Result{HasRows: true, Columns: len(recs[0])}
	for _, r := range recs[1:] {
		row := make([]sqllogictest.Value, len(r))
		for i, v := range r {
			row[i] = sqllogictest.Value{Text: v, Null: v == "", IsBool: v == "t" || v == "f"}
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// TestLakeCLIExplainPruning: `lakesql query` shows the files EXPLAIN keeps.
func TestLakeCLIExplainPruning(t *testing.T) {
	out, errs, code := lakesql(t, "", "query", filepath.Join("..", "..", "testdata", "lake"), "--tmp", t.TempDir(), "--format", "csv",
		"-c", "EXPLAIN SELECT * FROM dfs.logs WHERE dir0 = 2023")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "Files: 1 of 4: logs/2023/11/events.json") {
		t.Errorf("EXPLAIN:\n%s", out)
	}
}
