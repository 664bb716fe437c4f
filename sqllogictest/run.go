package sqllogictest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Value is one result cell: its text form, and whether it is NULL or a
// boolean (booleans render as true/false or 1/0 by column letter).
type Value struct {
	Text   string
	Null   bool
	IsBool bool
}

// Result is what a statement returned.
type Result struct {
	HasRows bool
	Columns int
	Rows    [][]Value
}

// DB runs one record's SQL (possibly several statements; the last result
// counts). Errors should read like "ERROR: message (SQLSTATE code)".
type DB interface {
	Exec(ctx context.Context, sql string) (Result, error)
}

// Failure describes a failed record.
type Failure struct {
	Line     int
	SQL      string
	Reason   string
	Expected []string
	Actual   []string
}

// FileResult sums up one file.
type FileResult struct {
	Passed, Failed, Skipped int
	Failures                []Failure
}

// Runner runs records against a DB.
type Runner struct {
	DB      DB
	Names   []string      // engine names for skipif/onlyif
	Timeout time.Duration // per record
	halted  bool
	thresh  int
	labels  map[string]string
}

// RunFile runs every record of the file at path.
func RunFile(ctx context.Context, db DB, path string, names []string, timeout time.Duration) (FileResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileResult{}, err
	}
	defer f.Close()
	recs, err := Parse(f)
	if err != nil {
		return FileResult{}, err
	}
	r := &Runner{DB: db, Names: names, Timeout: timeout}
	var res FileResult
	for i := range recs {
		ok, counted, fail := r.Run(ctx, &recs[i])
		switch {
		case !counted:
			if fail == nil && !ok {
				res.Skipped++
			}
		case ok:
			res.Passed++
		default:
			res.Failed++
			res.Failures = append(res.Failures, *fail)
		}
	}
	return res, nil
}

// Run runs one record. counted is false for skipped and control records.
func (r *Runner) Run(ctx context.Context, rec *Record) (ok, counted bool, fail *Failure) {
	if r.labels == nil {
		r.labels = map[string]string{}
	}
	if r.halted || !rec.Applies(r.Names) {
		return false, false, nil
	}
	failed := func(reason string) (bool, bool, *Failure) {
		return false, true, &Failure{Line: rec.Line, SQL: rec.SQL, Reason: reason}
	}
	switch rec.Kind {
	case Halt:
		r.halted = true
		return true, false, nil
	case HashThreshold:
		r.thresh = rec.Threshold
		return true, false, nil
	case Invalid:
		return failed("cannot parse record: " + rec.Problem)
	}
	res, err := r.exec(ctx, rec.SQL)
	if rec.Kind == Statement || rec.ExpectError || err != nil {
		if !rec.ExpectError {
			if err != nil {
				return failed("unexpected error: " + err.Error())
			}
			return true, true, nil
		}
		if err == nil {
			return failed("expected an error, statement succeeded")
		}
		if rec.ErrorRegex != "" {
			re, rerr := regexp.Compile(rec.ErrorRegex)
			if rerr != nil {
				return failed("bad error pattern: " + rerr.Error())
			}
			if !re.MatchString(err.Error()) {
				return failed(fmt.Sprintf("error %q does not match /%s/", err.Error(), rec.ErrorRegex))
			}
		}
		return true, true, nil
	}
	if !res.HasRows {
		return failed("query returned no result set")
	}
	if res.Columns != len(rec.Types) {
		return failed(fmt.Sprintf("query returned %d columns, record declares %d", res.Columns, len(rec.Types)))
	}
	rows := make([][]string, len(res.Rows))
	for i, row := range res.Rows {
		rows[i] = make([]string, len(row))
		for c, v := range row {
			rows[i][c] = FormatValue(v, rec.Types[c])
		}
	}
	actual := arrange(rows, rec.Sort)
	hash := hashValues(actual)
	if rec.Label != "" {
		if prev, ok := r.labels[rec.Label]; ok && prev != hash {
			_, _, f := failed("result differs from earlier query with label " + rec.Label)
			f.Actual = actual
			return false, true, f
		}
		r.labels[rec.Label] = hash
	}
	if n, want, ok := expectedHash(rec.Results); ok {
		if n != len(actual) || want != hash {
			_, _, f := failed("result hash mismatch")
			f.Expected = []string{fmt.Sprintf("%d values hashing to %s", n, want)}
			f.Actual = actual
			return false, true, f
		}
		return true, true, nil
	}
	var expected []string
	for _, l := range rec.Results {
		for _, v := range strings.Split(l, "\t") {
			expected = append(expected, NormalizeExpected(v, rec.Types, len(expected)))
		}
	}
	expected = arrangeExpected(expected, len(rec.Types), rec.Sort)
	if strings.Join(expected, "\x00") != strings.Join(actual, "\x00") || len(expected) != len(actual) {
		_, _, f := failed("result mismatch")
		f.Expected, f.Actual = expected, actual
		return false, true, f
	}
	return true, true, nil
}

// exec runs SQL with the per-record timeout, turning a panic into an error.
func (r *Runner) exec(ctx context.Context, sql string) (res Result, err error) {
	if r.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.Timeout)
		defer cancel()
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return r.DB.Exec(ctx, sql)
}

var hashLine = regexp.MustCompile(`^(\d+) values hashing to ([0-9a-f]{32})$`)

func expectedHash(results []string) (int, string, bool) {
	if len(results) != 1 {
		return 0, "", false
	}
	m := hashLine.FindStringSubmatch(strings.TrimSpace(results[0]))
	if m == nil {
		return 0, "", false
	}
	n, _ := strconv.Atoi(m[1])
	return n, m[2], true
}

// FormatValue renders a value under a column type letter, as sqllogictest
// does: NULL, (empty), I truncates numbers and prints booleans as 1/0, R
// prints %.3f, text prints booleans as true/false; control characters
// become '@'.
func FormatValue(v Value, letter byte) string {
	if v.Null {
		return "NULL"
	}
	s := v.Text
	if v.IsBool {
		b := s == "t" || s == "true"
		switch letter {
		case 'I':
			if b {
				return "1"
			}
			return "0"
		case 'R':
			if b {
				return "1.000"
			}
			return "0.000"
		}
		if b {
			return "true"
		}
		return "false"
	}
	switch letter {
	case 'I':
		if isInteger(s) {
			return s
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) < 9.2e18 {
			return strconv.FormatInt(int64(math.Trunc(f)), 10)
		}
	case 'R':
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return fmt.Sprintf("%.3f", f)
		}
	}
	if s == "" {
		return "(empty)"
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '@'
		}
		return r
	}, s)
}

// NormalizeExpected renders an expected value the way FormatValue renders
// actual ones, for the column it falls in (k counts values so far).
func NormalizeExpected(v, types string, k int) string {
	if v == "NULL" || v == "(empty)" || len(types) == 0 {
		return v
	}
	letter := types[k%len(types)]
	switch letter {
	case 'I':
		switch v {
		case "true":
			return "1"
		case "false":
			return "0"
		}
		return FormatValue(Value{Text: v}, 'I')
	case 'R':
		return FormatValue(Value{Text: v}, 'R')
	}
	return v
}

func isInteger(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func sortRows(rows [][]string) {
	sort.SliceStable(rows, func(a, b int) bool {
		ra, rb := rows[a], rows[b]
		for i := 0; i < len(ra) && i < len(rb); i++ {
			if ra[i] != rb[i] {
				return ra[i] < rb[i]
			}
		}
		return len(ra) < len(rb)
	})
}

func arrange(rows [][]string, mode SortMode) []string {
	if mode == RowSort {
		sortRows(rows)
	}
	var vals []string
	for _, r := range rows {
		vals = append(vals, r...)
	}
	if mode == ValueSort {
		sort.Strings(vals)
	}
	return vals
}

func arrangeExpected(vals []string, ncols int, mode SortMode) []string {
	switch mode {
	case RowSort:
		if ncols <= 0 || len(vals)%ncols != 0 {
			return vals
		}
		var rows [][]string
		for i := 0; i < len(vals); i += ncols {
			rows = append(rows, append([]string(nil), vals[i:i+ncols]...))
		}
		return arrange(rows, RowSort)
	case ValueSort:
		out := append([]string(nil), vals...)
		sort.Strings(out)
		return out
	}
	return vals
}

func hashValues(vals []string) string {
	h := md5.New()
	for _, v := range vals {
		h.Write([]byte(v))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
