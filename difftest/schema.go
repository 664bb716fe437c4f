// Package difftest is a differential tester: it generates random tables
// and queries, runs them on lakesql and on PostgreSQL, and reports every
// query whose answers differ (as multisets of rows, floats within a
// tolerance), as SQLancer does, with three oracles: plain differential,
// ternary logic partitioning (TLP: a query equals the union of its rows
// where a predicate is true, false and NULL) and NoREC (a filter counts
// the rows an unoptimizable CASE counts). Each mismatch is minimized and
// can be written as a sqllogictest record with PostgreSQL's answer.
package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// colType is a column type the generator knows.
type colType int

const (
	tInt colType = iota
	tBig
	tNum
	tFloat
	tText
	tBool
	tDate
	tTs
	nTypes
)

var typeSQL = [nTypes]string{"int4", "int8", "numeric(12,3)", "float8", "text", "bool", "date", "timestamp"}

func (t colType) numeric() bool { return t == tInt || t == tBig || t == tNum || t == tFloat }
func (t colType) integer() bool { return t == tInt || t == tBig }

// column is a column of a generated table.
type column struct {
	name string
	typ  colType
}

// table is a generated table: a unique key k, then random columns.
type table struct {
	name string
	cols []column // cols[0] is k int4, unique
	rows [][]string
}

// valuePools are the literal values of each type: NULLs, duplicates,
// extremes and awkward text.
var valuePools = [nTypes][]string{
	tInt:   {"0", "1", "-1", "2", "3", "7", "42", "-100", "2147483647", "-2147483648", "NULL"},
	tBig:   {"0", "1", "-1", "5", "123456789012", "-987654321098", "9223372036854775807", "-9223372036854775808", "NULL"},
	tNum:   {"0", "1.5", "-2.25", "0.001", "-0.001", "3.141", "100", "999999999.999", "-999999999.999", "NULL"},
	tFloat: {"0", "1.5", "-2.5", "0.1", "3.14159", "1e300", "-1e-300", "100", "-7", "NULL"},
	tText:  {"''", "'a'", "'A'", "'abc'", "'Ab c'", "'x%y'", "'under_score'", "'émoji ✓'", "'quote''s'", "' lead'", "'10'", "NULL"},
	tBool:  {"true", "false", "NULL"},
	tDate:  {"'2000-01-01'", "'1999-12-31'", "'2024-02-29'", "'0001-01-01'", "'2262-04-11'", "'1970-01-01'", "NULL"},
	tTs:    {"'2000-01-01 00:00:00'", "'2024-02-29 12:34:56.789'", "'1970-01-01 00:00:00'", "'1999-12-31 23:59:59.999999'", "'2000-01-01 00:00:01'", "NULL"},
}

// genTables makes 2-3 tables of 0-10 rows.
func genTables(r *rand.Rand) []*table {
	n := 2 + r.IntN(2)
	out := make([]*table, n)
	for i := range out {
		t := &table{name: fmt.Sprintf("t%d", i)}
		t.cols = append(t.cols, column{name: "k", typ: tInt})
		nc := 2 + r.IntN(4)
		used := map[string]bool{}
		for c := 0; c < nc; c++ {
			typ := colType(r.IntN(int(nTypes)))
			// Shared column names across tables make joins, USING and
			// NATURAL meaningful.
			name := fmt.Sprintf("%s%d", []string{"i", "b", "n", "f", "s", "o", "d", "ts"}[typ], r.IntN(2))
			if used[name] {
				continue
			}
			used[name] = true
			t.cols = append(t.cols, column{name: name, typ: typ})
		}
		rows := r.IntN(11)
		if r.IntN(8) == 0 {
			rows = 0
		}
		for k := 1; k <= rows; k++ {
			row := []string{fmt.Sprint(k)}
			for _, c := range t.cols[1:] {
				pool := valuePools[c.typ]
				row = append(row, pool[r.IntN(len(pool))])
			}
			t.rows = append(t.rows, row)
		}
		out[i] = t
	}
	return out
}

// createSQL is the table's CREATE TABLE statement.
func (t *table) createSQL() string {
	var defs []string
	for _, c := range t.cols {
		defs = append(defs, c.name+" "+typeSQL[c.typ])
	}
	return fmt.Sprintf("CREATE TABLE %s (%s)", t.name, strings.Join(defs, ", "))
}

// insertSQL is an INSERT of the rows (empty when there are none).
func (t *table) insertSQL(rows [][]string) string {
	if len(rows) == 0 {
		return ""
	}
	var vals []string
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = v
			if v != "NULL" && t.cols[i].typ >= tText && t.cols[i].typ != tBool {
				cells[i] = v + "::" + typeSQL[t.cols[i].typ]
			}
		}
		vals = append(vals, "("+strings.Join(cells, ", ")+")")
	}
	return fmt.Sprintf("INSERT INTO %s VALUES %s", t.name, strings.Join(vals, ", "))
}

// setupSQL creates and fills the tables, keeping the rows keep[i] of table
// i (all when keep is nil).
func setupSQL(tables []*table, keep [][]bool) []string {
	var out []string
	for i, t := range tables {
		out = append(out, t.createSQL())
		rows := t.rows
		if keep != nil {
			rows = nil
			for k, row := range t.rows {
				if keep[i][k] {
					rows = append(rows, row)
				}
			}
		}
		if s := t.insertSQL(rows); s != "" {
			out = append(out, s)
		}
	}
	return out
}
