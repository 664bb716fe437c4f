// Package e2e runs lakesql end to end on the shared data and corpora:
// the 22 TPC-H queries in three formats against reference answers, and the
// sqllogictest corpus in process.
package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/types/text"
)

// sharedDir finds ../shared beside the module root (or $LAKESQL_SHARED).
func sharedDir(t testing.TB) string {
	if d := os.Getenv("LAKESQL_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data not found at %s (set LAKESQL_SHARED): skipping", shared)
	}
	return shared
}

// query runs sql and returns its rows as text cells ("" for NULL).
func query(ctx context.Context, s *engine.Session, sql string) ([]string, [][]string, error) {
	var names []string
	var rows [][]string
	err := s.Execute(ctx, sql, func(r *engine.Result) error {
		names, rows = nil, nil
		if r.Rows == nil {
			return nil
		}
		defer r.Rows.Close()
		for _, f := range r.Schema.Fields() {
			names = append(names, f.Name)
		}
		for {
			b, err := r.Rows.Next(ctx)
			if err != nil {
				return err
			}
			if b == nil {
				return nil
			}
			for i := 0; i < int(b.NumRows()); i++ {
				row := make([]string, b.NumCols())
				for c := range row {
					row[c] = text.Format(b.Column(c), i, time.UTC)
				}
				rows = append(rows, row)
			}
		}
	})
	return names, rows, err
}

// hasOuterOrderBy reports whether sql has ORDER BY at its outermost level
// (outside parentheses, strings and comments).
func hasOuterOrderBy(sql string) bool {
	depth := 0
	up := strings.ToUpper(sql)
	for i := 0; i < len(up); i++ {
		switch c := up[i]; {
		case c == '\'':
			j := strings.IndexByte(up[i+1:], '\'')
			if j < 0 {
				return false
			}
			i += j + 1
		case c == '-' && i+1 < len(up) && up[i+1] == '-':
			j := strings.IndexByte(up[i:], '\n')
			if j < 0 {
				return false
			}
			i += j
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.HasPrefix(up[i:], "ORDER") && (i == 0 || !isWordByte(up[i-1])):
			rest := strings.TrimLeft(up[i+5:], " \t\r\n")
			if strings.HasPrefix(rest, "BY") {
				return true
			}
		}
	}
	return false
}

func isWordByte(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
