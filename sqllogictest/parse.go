// Package sqllogictest runs sqllogictest files (SQLite's format with the
// DuckDB and sqllogictest-rs extensions described in
// shared/tools/slt/README.md) against any database behind the small DB
// interface, in process.
package sqllogictest

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Kind says what a record does.
type Kind int

const (
	Statement Kind = iota
	Query
	HashThreshold
	Halt
	// Invalid records (unknown directives) fail when run, so nothing is
	// silently ignored.
	Invalid
)

// SortMode orders results before comparison.
type SortMode int

const (
	NoSort SortMode = iota
	RowSort
	ValueSort
)

// Condition is a skipif/onlyif line.
type Condition struct {
	OnlyIf bool
	Engine string
}

// Record is one test record.
type Record struct {
	Line        int
	Conditions  []Condition
	Kind        Kind
	SQL         string
	ExpectError bool
	ErrorRegex  string
	Types       string
	Sort        SortMode
	Label       string
	Results     []string
	Threshold   int
	Problem     string
}

// Parse reads the records of a file.
func Parse(r io.Reader) ([]Record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var lines []string
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return parseLines(lines), nil
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func parseLines(lines []string) []Record {
	var out []Record
	var conds []Condition
	i := 0
	// body reads lines until a blank line or "----".
	body := func() ([]string, bool) {
		var b []string
		for i < len(lines) && !blank(lines[i]) {
			l := lines[i]
			i++
			if strings.TrimSpace(l) == "----" {
				return b, true
			}
			if strings.HasPrefix(l, "#") {
				continue
			}
			b = append(b, l)
		}
		return b, false
	}
	rest := func() []string {
		var b []string
		for i < len(lines) && !blank(lines[i]) {
			b = append(b, lines[i])
			i++
		}
		return b
	}
	for i < len(lines) {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			conds = nil
			i++
			continue
		}
		if strings.HasPrefix(line, "#") {
			i++
			continue
		}
		header := line
		if k := strings.Index(header, "#"); k >= 0 {
			header = strings.TrimSpace(header[:k])
		}
		f := strings.Fields(header)
		rec := Record{Line: i + 1}
		i++
		switch f[0] {
		case "skipif", "onlyif":
			if len(f) < 2 {
				rec.Kind, rec.Problem = Invalid, "condition without engine"
				rest()
				break
			}
			conds = append(conds, Condition{OnlyIf: f[0] == "onlyif", Engine: f[1]})
			continue
		case "statement":
			rec.Kind = Statement
			switch {
			case len(f) >= 2 && f[1] == "ok":
			case len(f) >= 2 && f[1] == "error":
				rec.ExpectError = true
				rec.ErrorRegex = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(line, "statement")), "error"))
			default:
				rec.Kind, rec.Problem = Invalid, "unknown statement mode"
			}
			sql, dashes := body()
			rec.SQL = strings.Join(sql, "\n")
			if dashes {
				msg := rest()
				if rec.ExpectError && rec.ErrorRegex == "" && len(msg) > 0 {
					rec.ErrorRegex = regexp.QuoteMeta(strings.Join(msg, "\n"))
				}
			}
		case "query":
			rec.Kind = Query
			if len(f) >= 2 && f[1] == "error" {
				rec.ExpectError = true
				rec.ErrorRegex = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(line, "query")), "error"))
				sql, dashes := body()
				rec.SQL = strings.Join(sql, "\n")
				if dashes {
					msg := rest()
					if rec.ErrorRegex == "" && len(msg) > 0 {
						rec.ErrorRegex = regexp.QuoteMeta(strings.Join(msg, "\n"))
					}
				}
				break
			}
			if len(f) < 2 || !validTypes(f[1]) {
				rec.Kind, rec.Problem = Invalid, "query without valid column types"
				rest()
				break
			}
			rec.Types = f[1]
			for _, opt := range f[2:] {
				switch opt {
				case "nosort":
				case "rowsort":
					rec.Sort = RowSort
				case "valuesort":
					rec.Sort = ValueSort
				default:
					if rec.Label == "" {
						rec.Label = opt
					} else {
						rec.Kind, rec.Problem = Invalid, "unexpected query option "+strconv.Quote(opt)
					}
				}
			}
			sql, dashes := body()
			rec.SQL = strings.Join(sql, "\n")
			if dashes {
				rec.Results = rest()
			}
		case "hash-threshold":
			rec.Kind = HashThreshold
			if len(f) != 2 {
				rec.Kind, rec.Problem = Invalid, "hash-threshold needs a number"
				break
			}
			n, err := strconv.Atoi(f[1])
			if err != nil {
				rec.Kind, rec.Problem = Invalid, "bad hash-threshold"
			}
			rec.Threshold = n
		case "halt":
			rec.Kind = Halt
		default:
			rec.Kind, rec.Problem = Invalid, fmt.Sprintf("unsupported directive %q", f[0])
			rest()
		}
		rec.Conditions = conds
		conds = nil
		out = append(out, rec)
	}
	return out
}

func validTypes(s string) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c == '?') {
			return false
		}
	}
	return s != ""
}

// Applies reports whether the record runs for an engine with these names.
func (r *Record) Applies(names []string) bool {
	for _, c := range r.Conditions {
		match := false
		for _, n := range names {
			if strings.EqualFold(n, c.Engine) {
				match = true
			}
		}
		if c.OnlyIf != match {
			return false
		}
	}
	return true
}
