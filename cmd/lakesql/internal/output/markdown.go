package output

import (
	"context"
	"io"
	"strings"

	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/types"
)

// writeMarkdown prints a GitHub-flavoured Markdown table, its columns
// padded so the source reads as a table too; numbers are right-aligned.
func writeMarkdown(ctx context.Context, w io.Writer, r *engine.Result, o Options) (int64, error) {
	rows, err := readAll(ctx, r, o)
	if err != nil {
		return 0, err
	}
	esc := strings.NewReplacer("|", `\|`)
	head := names(r.Schema)
	for c := range head {
		head[c] = esc.Replace(head[c])
	}
	for _, row := range rows {
		for c := range row {
			row[c] = esc.Replace(row[c])
		}
	}
	fields := r.Schema.Fields()
	widths := make([]int, len(head))
	for c := range head {
		widths[c] = max(3, width.StringWidth(head[c]))
		for _, row := range rows {
			widths[c] = max(widths[c], width.StringWidth(row[c]))
		}
	}
	var sb strings.Builder
	line := func(cells []string) {
		sb.WriteString("|")
		for c, v := range cells {
			pad := strings.Repeat(" ", widths[c]-width.StringWidth(v))
			if types.IsNumeric(fields[c].Type) {
				sb.WriteString(" " + pad + v + " |")
			} else {
				sb.WriteString(" " + v + pad + " |")
			}
		}
		sb.WriteString("\n")
	}
	line(head)
	sb.WriteString("|")
	for c := range head {
		if types.IsNumeric(fields[c].Type) {
			sb.WriteString(" " + strings.Repeat("-", widths[c]-1) + ": |")
		} else {
			sb.WriteString(" " + strings.Repeat("-", widths[c]) + " |")
		}
	}
	sb.WriteString("\n")
	for _, row := range rows {
		line(row)
	}
	_, err = io.WriteString(w, sb.String())
	return int64(len(rows)), err
}
