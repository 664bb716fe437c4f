package output

import (
	"context"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/engine"
)

// writeDelimited prints a header line and one line per row, fields
// separated by sep and quoted as PostgreSQL's COPY ... CSV does: a field is
// quoted when it holds the separator, a quote or a line break, or is the
// empty string, so that NULL (an empty, unquoted field) stays distinct
// from the empty string.
func writeDelimited(ctx context.Context, w io.Writer, r *engine.Result, o Options, sep byte) (int64, error) {
	var line []byte
	for c, name := range names(r.Schema) {
		if c > 0 {
			line = append(line, sep)
		}
		line = appendField(line, name, sep)
	}
	line = append(line, '\n')
	if _, err := w.Write(line); err != nil {
		r.Rows.Close()
		return 0, err
	}
	n := r.Schema.NumFields()
	return forEach(ctx, r, func(b arrow.RecordBatch, i int) error {
		line = line[:0]
		for c := 0; c < n; c++ {
			if c > 0 {
				line = append(line, sep)
			}
			if s, ok := cell(b.Column(c), i, o.Location); ok {
				line = appendField(line, s, sep)
			}
		}
		line = append(line, '\n')
		_, err := w.Write(line)
		return err
	})
}

func appendField(dst []byte, s string, sep byte) []byte {
	if s != "" && !strings.ContainsAny(s, "\"\r\n") && strings.IndexByte(s, sep) < 0 {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	dst = append(dst, strings.ReplaceAll(s, `"`, `""`)...)
	return append(dst, '"')
}
