package output

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/types"
	"github.com/mattn/go-runewidth"
)

// width measures text as a terminal shows it (East Asian wide characters
// take two cells), the same whatever the locale.
var width = &runewidth.Condition{EastAsianWidth: false}

// minColumn is the narrowest a column is cut to when a table is fitted to
// the terminal.
const minColumn = 5

// displayCell is a table cell: control characters escaped so each row is
// one line, NULL as o.Null.
func displayCell(col arrow.Array, i int, o Options) string {
	s, ok := cell(col, i, o.Location)
	if !ok {
		return o.Null
	}
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
	}
	return s
}

// readAll collects a result's rows as display strings.
func readAll(ctx context.Context, r *engine.Result, o Options) ([][]string, error) {
	n := r.Schema.NumFields()
	var rows [][]string
	_, err := forEach(ctx, r, func(b arrow.RecordBatch, i int) error {
		row := make([]string, n)
		for c := range row {
			row[c] = displayCell(b.Column(c), i, o)
		}
		rows = append(rows, row)
		return nil
	})
	return rows, err
}

// writeTable prints an aligned table as psql does: centered headers,
// numbers right-aligned, "(n rows)" below. Given a width, the widest
// columns are narrowed until a line fits and longer values end in "…".
func writeTable(ctx context.Context, w io.Writer, r *engine.Result, o Options) (int64, error) {
	rows, err := readAll(ctx, r, o)
	if err != nil {
		return 0, err
	}
	if o.Expanded || o.ExpandedAuto && o.Width > 0 && tableWidth(names(r.Schema), rows) > o.Width {
		return int64(len(rows)), writeExpanded(w, r, rows, o)
	}
	fields := r.Schema.Fields()
	right := make([]bool, len(fields))
	for c, f := range fields {
		right[c] = types.IsNumeric(f.Type)
	}
	return int64(len(rows)), Rows(w, "", names(r.Schema), right, rows, o.Width)
}

// Rows prints rows of text as an aligned table under a centered title
// (none if ""), fitted to width cells (0 for no limit); right says which
// columns are right-aligned. The shell lists tables with it.
func Rows(w io.Writer, title string, header []string, right []bool, rows [][]string, limit int) error {
	n := len(header)
	widths := make([]int, n)
	for c, h := range header {
		widths[c] = width.StringWidth(h)
		for _, row := range rows {
			widths[c] = max(widths[c], width.StringWidth(row[c]))
		}
	}
	fit(widths, limit)
	var sb strings.Builder
	if title != "" {
		total := 3*n - 1
		for _, w := range widths {
			total += w
		}
		gap := max(0, total-width.StringWidth(title))
		sb.WriteString(strings.Repeat(" ", gap/2) + title + "\n")
	}
	for c, h := range header {
		if c > 0 {
			sb.WriteString("|")
		}
		name := width.Truncate(h, widths[c], "…")
		gap := widths[c] - width.StringWidth(name)
		sb.WriteString(" " + strings.Repeat(" ", gap/2) + name + strings.Repeat(" ", gap-gap/2) + " ")
	}
	sb.WriteString("\n")
	for c := range widths {
		if c > 0 {
			sb.WriteString("+")
		}
		sb.WriteString(strings.Repeat("-", widths[c]+2))
	}
	sb.WriteString("\n")
	for _, row := range rows {
		for c, v := range row {
			if c > 0 {
				sb.WriteString(" | ")
			} else {
				sb.WriteString(" ")
			}
			v = width.Truncate(v, widths[c], "…")
			pad := strings.Repeat(" ", widths[c]-width.StringWidth(v))
			switch {
			case right[c]:
				sb.WriteString(pad + v)
			case c < n-1:
				sb.WriteString(v + pad)
			default:
				sb.WriteString(v) // no trailing blanks on the last column
			}
		}
		sb.WriteString("\n")
		if sb.Len() > 1<<16 {
			if _, err := io.WriteString(w, sb.String()); err != nil {
				return err
			}
			sb.Reset()
		}
	}
	sb.WriteString(rowCount(len(rows)))
	_, err := io.WriteString(w, sb.String())
	return err
}

func rowCount(n int) string {
	if n == 1 {
		return "(1 row)\n\n"
	}
	return fmt.Sprintf("(%d rows)\n\n", n)
}

// fit narrows the widest columns until a table line (" a | b ") fits in
// limit cells, none below minColumn; limit 0 leaves widths alone.
func fit(widths []int, limit int) {
	if limit <= 0 {
		return
	}
	total := 3*len(widths) - 1
	for _, w := range widths {
		total += w
	}
	for total > limit {
		widest := 0
		for c, w := range widths {
			if w >= widths[widest] {
				widest = c
			}
		}
		if widths[widest] <= minColumn {
			return
		}
		widths[widest]--
		total--
	}
}

// writeExpanded prints each row as a block of "column | value" lines under
// a "-[ RECORD n ]" rule, as psql's \x does.
func writeExpanded(w io.Writer, r *engine.Result, rows [][]string, o Options) error {
	if len(rows) == 0 {
		_, err := io.WriteString(w, rowCount(0))
		return err
	}
	fields := r.Schema.Fields()
	keyWidth := 0
	for _, f := range fields {
		keyWidth = max(keyWidth, width.StringWidth(f.Name))
	}
	valWidth := 0
	for _, row := range rows {
		for _, v := range row {
			valWidth = max(valWidth, width.StringWidth(v))
		}
	}
	if o.Width > 0 {
		valWidth = min(valWidth, max(o.Width-keyWidth-3, minColumn))
	}
	var sb strings.Builder
	for i, row := range rows {
		head := fmt.Sprintf("-[ RECORD %d ]", i+1)
		sb.WriteString(head + strings.Repeat("-", max(0, keyWidth+3+valWidth-len(head))) + "\n")
		for c, f := range fields {
			name := f.Name + strings.Repeat(" ", keyWidth-width.StringWidth(f.Name))
			sb.WriteString(name + " | " + width.Truncate(row[c], valWidth, "…") + "\n")
		}
	}
	sb.WriteString("\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

// tableWidth is the width of a table's lines with nothing cut.
func tableWidth(header []string, rows [][]string) int {
	total := 3*len(header) - 1
	for c, h := range header {
		w := width.StringWidth(h)
		for _, row := range rows {
			w = max(w, width.StringWidth(row[c]))
		}
		total += w
	}
	return total
}

// RowCountLine is the "(n rows)" line and the blank line after a table.
func RowCountLine(n int) string { return rowCount(n) }
