// Package output prints query results for the lakesql command line: an
// aligned table sized to the terminal (or expanded, one line per field),
// CSV, TSV, JSON lines, Markdown, or a Parquet file.
package output

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/types/text"
)

// Formats lists the output formats by name.
var Formats = []string{"table", "csv", "tsv", "json", "markdown", "parquet"}

// IsFormat reports whether name is an output format.
func IsFormat(name string) bool { return slices.Contains(Formats, name) }

// Options say how to print a result.
type Options struct {
	// Format is one of Formats.
	Format string
	// Width is the line width tables are fitted to by truncating long
	// values with an ellipsis; 0 means no limit.
	Width int
	// Expanded prints tables as one "column | value" line per field;
	// ExpandedAuto does so for tables wider than Width.
	Expanded, ExpandedAuto bool
	// Null is how NULL shows in tables and Markdown.
	Null string
	// Location renders timestamps with time zone (nil is UTC).
	Location *time.Location
}

// Write prints one statement's result to w and returns the number of rows
// it printed. A statement without rows prints its command tag ("CREATE
// TABLE", "INSERT 0 3"), except in Parquet, which holds rows only.
func Write(ctx context.Context, w io.Writer, r *engine.Result, o Options) (int64, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if r.Rows == nil {
		var err error
		switch o.Format {
		case "parquet":
		case "json":
			_, err = fmt.Fprintf(w, "{\"status\":%s}\n", jsonString(Tag(r)))
		default:
			_, err = fmt.Fprintln(w, Tag(r))
		}
		return 0, err
	}
	switch o.Format {
	case "table", "":
		return writeTable(ctx, w, r, o)
	case "csv":
		return writeDelimited(ctx, w, r, o, ',')
	case "tsv":
		return writeDelimited(ctx, w, r, o, '\t')
	case "json":
		return writeJSON(ctx, w, r, o)
	case "markdown":
		return writeMarkdown(ctx, w, r, o)
	case "parquet":
		return writeParquet(ctx, w, r)
	}
	r.Rows.Close()
	return 0, fmt.Errorf("unknown output format %q (%s)", o.Format, strings.Join(Formats, ", "))
}

// Tag is the command tag PostgreSQL prints for a statement.
func Tag(r *engine.Result) string {
	switch r.Tag {
	case "INSERT":
		return fmt.Sprintf("INSERT 0 %d", r.RowsAffected)
	case "SELECT", "UPDATE", "DELETE", "MOVE", "FETCH", "COPY":
		return fmt.Sprintf("%s %d", r.Tag, r.RowsAffected)
	}
	return r.Tag
}

// forEach calls f for every row of a result, then closes it.
func forEach(ctx context.Context, r *engine.Result, f func(b arrow.RecordBatch, i int) error) (int64, error) {
	defer r.Rows.Close()
	var n int64
	for {
		b, err := r.Rows.Next(ctx)
		if err != nil {
			return n, err
		}
		if b == nil {
			return n, nil
		}
		for i := 0; i < int(b.NumRows()); i++ {
			if err := f(b, i); err != nil {
				return n, err
			}
			n++
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
	}
}

// cell is value i of col in PostgreSQL's text form; ok is false for NULL.
func cell(col arrow.Array, i int, loc *time.Location) (s string, ok bool) {
	if col.IsNull(i) {
		return "", false
	}
	return string(text.Append(nil, col, i, loc)), true
}

func names(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}
