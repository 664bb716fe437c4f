package difftest

import (
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Record renders a differential mismatch as sqllogictest records whose
// answers are PostgreSQL's: the tables (renamed with prefix so records do
// not collide), the query (a query record, or statement error where
// PostgreSQL refuses it) and the drops. It runs the renamed setup and
// query on pg to take the answer.
func Record(ctx context.Context, pg DB, m Mismatch, prefix, comment string) (string, error) {
	rename := func(s string) string {
		return tableNameRE.ReplaceAllStringFunc(s, func(w string) string { return prefix + w })
	}
	var setup []string
	var names []string
	for _, s := range m.Setup {
		setup = append(setup, rename(s))
		if strings.HasPrefix(s, "CREATE TABLE ") {
			names = append(names, prefix+strings.Fields(s)[2])
		}
	}
	query := rename(m.Query)
	if err := pg.Reset(ctx, setup); err != nil {
		return "", err
	}
	res := pg.Query(ctx, query)
	var sb strings.Builder
	fmt.Fprintf(&sb, "# %s\n", comment)
	for _, s := range setup {
		fmt.Fprintf(&sb, "statement ok\n%s\n\n", s)
	}
	if res.Err != nil {
		fmt.Fprintf(&sb, "statement error %s\n%s\n\n", res.Code, query)
	} else {
		letters := make([]byte, len(res.Kinds))
		for c, k := range res.Kinds {
			letters[c] = 'T'
			if k == kNumber {
				letters[c] = 'I'
				for _, row := range res.Rows {
					if row[c] != nil && strings.ContainsAny(*row[c], ".eEN") {
						letters[c] = 'R'
					}
				}
			}
		}
		fmt.Fprintf(&sb, "query %s rowsort\n%s\n----\n", letters, query)
		var rows []string
		for _, row := range res.Rows {
			cells := make([]string, len(row))
			for c, v := range row {
				cells[c] = sltValue(v, res.Kinds[c], letters[c])
			}
			rows = append(rows, strings.Join(cells, "\t"))
		}
		sort.Strings(rows)
		for _, r := range rows {
			sb.WriteString(r + "\n")
		}
		sb.WriteString("\n")
	}
	for i := len(names) - 1; i >= 0; i-- {
		fmt.Fprintf(&sb, "statement ok\nDROP TABLE %s\n\n", names[i])
	}
	return sb.String(), nil
}

var tableNameRE = regexp.MustCompile(`\bt[0-9]\b`)

// sltValue renders a value as the sqllogictest runners print it.
func sltValue(v *string, k kind, letter byte) string {
	if v == nil {
		return "NULL"
	}
	s := *v
	if k == kBool {
		switch s {
		case "t":
			return "true"
		case "f":
			return "false"
		}
	}
	switch letter {
	case 'R':
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
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

// AppendRecords appends records to a file.
func AppendRecords(path string, records []string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, r := range records {
		if _, err := f.WriteString(r); err != nil {
			return err
		}
	}
	return nil
}
