package difftest

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// canon renders one value for comparison: NULL, booleans as t/f, and
// numbers to 10 significant digits or 16 decimal places, whichever is
// coarser (floats computed in another order, numeric printed at another
// scale, compare equal: a numeric quotient has its type's scale in
// lakesql, at least 16 places, where PostgreSQL keeps 16 significant
// digits of it: 100 / 1000000003.14 is 0.0000000999999997 in lakesql
// and 0.000000099999999686000001 in PostgreSQL).
func canon(v *string, k kind) string {
	if v == nil {
		return "\x00NULL"
	}
	s := *v
	switch k {
	case kBool:
		switch s {
		case "t", "true":
			return "t"
		case "f", "false":
			return "f"
		}
	case kNumber:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return s
		}
		if math.Abs(f) < 1e-6 {
			f = math.Round(f*1e16) / 1e16 // 16 places
		}
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		case math.Abs(f) < 1e-9:
			return "0" // float noise (a variance of equal values)
		}
		return strconv.FormatFloat(f, 'g', 10, 64)
	case kText:
		// A numeric cast to text: PostgreSQL's numerics keep each value's
		// scale (COALESCE(0, 1.5)::text is 0, a quotient has 16 significant
		// digits), lakesql's have the type's (0.0, 16 places); numbers
		// compare without their scale (above), so do these.
		if decimalText.MatchString(s) {
			return canon(v, kNumber)
		}
	}
	return s
}

var decimalText = regexp.MustCompile(`^-?[0-9]+\.[0-9]+$`)

// sameRows compares two results' rows as multisets, column kinds taken
// from either side (a number on one side is compared as a number).
func sameRows(a, b Result) bool {
	if len(a.Kinds) != len(b.Kinds) || len(a.Rows) != len(b.Rows) {
		return false
	}
	kinds := make([]kind, len(a.Kinds))
	for i := range kinds {
		kinds[i] = max(a.Kinds[i], b.Kinds[i])
		if a.Kinds[i] == kNumber || b.Kinds[i] == kNumber {
			kinds[i] = kNumber
		}
	}
	ka, kb := rowKeys(a, kinds), rowKeys(b, kinds)
	for i := range ka {
		if ka[i] != kb[i] {
			return false
		}
	}
	return true
}

func rowKeys(r Result, kinds []kind) []string {
	keys := make([]string, len(r.Rows))
	for i, row := range r.Rows {
		parts := make([]string, len(row))
		for c, v := range row {
			parts[c] = canon(v, kinds[c])
		}
		keys[i] = strings.Join(parts, "\x1f")
	}
	sort.Strings(keys)
	return keys
}

// agree reports whether two engines' results agree: both failed, or both
// gave the same rows.
func agree(ls, pg Result) bool {
	if ls.Err != nil || pg.Err != nil {
		return ls.Err != nil && pg.Err != nil
	}
	return sameRows(ls, pg)
}

// union is the multiset union of results with the same columns.
func union(rs ...Result) Result {
	var out Result
	for _, r := range rs {
		if r.Err != nil {
			return r
		}
		if out.Kinds == nil {
			out.Kinds = r.Kinds
		}
		out.Rows = append(out.Rows, r.Rows...)
	}
	return out
}

// summary is a short description of a result for reports.
func summary(r Result) string {
	if r.Err != nil {
		return "ERROR " + r.Code + ": " + errorText(r)
	}
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(len(r.Rows)) + " rows")
	for i, row := range r.Rows {
		if i >= 6 {
			sb.WriteString(" ...")
			break
		}
		sb.WriteString(" [")
		for c, v := range row {
			if c > 0 {
				sb.WriteString(", ")
			}
			if v == nil {
				sb.WriteString("NULL")
			} else {
				sb.WriteString(*v)
			}
		}
		sb.WriteString("]")
	}
	return sb.String()
}
