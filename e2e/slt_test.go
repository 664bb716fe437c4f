package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/sqllogictest"
	"github.com/lakesql/lakesql/types/text"
)

// minSLTPassRate is the share of corpus records that must pass. Raise it
// as the engine improves; never lower it to make a change pass.
const minSLTPassRate = 0.995

// engineDB runs sqllogictest records on an in-process session.
type engineDB struct{ s *engine.Session }

func (d engineDB) Exec(ctx context.Context, sql string) (sqllogictest.Result, error) {
	var res sqllogictest.Result
	err := d.s.Execute(ctx, sql, func(r *engine.Result) error {
		res = sqllogictest.Result{}
		if r.Rows == nil {
			return nil
		}
		defer r.Rows.Close()
		res.HasRows = true
		res.Columns = r.Schema.NumFields()
		for {
			b, err := r.Rows.Next(ctx)
			if err != nil {
				return err
			}
			if b == nil {
				return nil
			}
			for i := 0; i < int(b.NumRows()); i++ {
				row := make([]sqllogictest.Value, b.NumCols())
				for c := range row {
					col := b.Column(c)
					if col.IsNull(i) {
						row[c] = sqllogictest.Value{Null: true}
						continue
					}
					row[c] = sqllogictest.Value{Text: string(text.Append(nil, col, i, time.UTC)), IsBool: col.DataType().ID() == arrow.BOOL}
				}
				res.Rows = append(res.Rows, row)
			}
		}
	})
	if err != nil {
		e := sqlerr.As(err)
		return res, fmt.Errorf("ERROR: %s (SQLSTATE %s)", e.Message, e.Code)
	}
	return res, nil
}

// TestSLTCorpus runs every file of shared/corpus/slt in process, each on a
// fresh engine, and checks the share of passing records.
func TestSLTCorpus(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus", "slt")
	var files []string
	filepath.Walk(corpus, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && (strings.HasSuffix(p, ".test") || strings.HasSuffix(p, ".slt")) {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) == 0 {
		t.Skip("no corpus files")
	}
	var report strings.Builder
	passed, failed := 0, 0
	for _, f := range files {
		eng, err := engine.New(engine.Config{Root: fstest.MapFS{}, RootName: "empty"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := sqllogictest.RunFile(context.Background(), engineDB{eng.NewSession()}, f, []string{"lakesql", "postgresql"}, 30*time.Second)
		rel, _ := filepath.Rel(corpus, f)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		status := "ok  "
		if res.Failed > 0 {
			status = "FAIL"
		}
		fmt.Fprintf(&report, "%s %s (%d passed, %d failed, %d skipped)\n", status, rel, res.Passed, res.Failed, res.Skipped)
		if os.Getenv("LAKESQL_SLT_VERBOSE") != "" {
			for k, fl := range res.Failures {
				if k >= 3 {
					break
				}
				fmt.Fprintf(&report, "     line %d: %s\n       %s\n       expected: %v\n       actual:   %v\n", fl.Line, fl.Reason, strings.ReplaceAll(fl.SQL, "\n", " "), trunc(fl.Expected), trunc(fl.Actual))
			}
		}
		passed += res.Passed
		failed += res.Failed
	}
	total := passed + failed
	rate := float64(passed) / float64(max(total, 1))
	fmt.Fprintf(&report, "%d passed, %d failed (%.1f%%)\n", passed, failed, 100*rate)
	if p := os.Getenv("LAKESQL_SLT_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(report.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Logf("sqllogictest corpus: %d passed, %d failed (%.1f%%)", passed, failed, 100*rate)
	if rate < minSLTPassRate {
		t.Errorf("pass rate %.1f%% is below %.0f%%", 100*rate, 100*minSLTPassRate)
	}
}

func trunc(v []string) []string {
	if len(v) > 8 {
		return append(v[:8:8], "...")
	}
	return v
}

// TestOwnSLT runs lakesql's own sqllogictest files (testdata/slt), whose
// answers are PostgreSQL 15's (.ci/run checks them against a real
// PostgreSQL server): every record must pass.
func TestOwnSLT(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "slt", "*.test"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in testdata/slt: %v", err)
	}
	for _, f := range files {
		eng, err := engine.New(engine.Config{Root: fstest.MapFS{}, RootName: "empty"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := sqllogictest.RunFile(context.Background(), engineDB{eng.NewSession()}, f, []string{"lakesql", "postgresql"}, 30*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, fl := range res.Failures {
			t.Errorf("%s:%d: %s\n%s\nexpected: %v\nactual:   %v", f, fl.Line, fl.Reason, fl.SQL, fl.Expected, fl.Actual)
		}
		if res.Passed == 0 {
			t.Errorf("%s: no record passed", f)
		}
	}
}
