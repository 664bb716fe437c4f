package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/types/text"
)

// sendCopyOut streams a COPY ... TO STDOUT result as CopyData rows in text
// or CSV format, which psql's \copy ... to writes out.
func (c *conn) sendCopyOut(ctx context.Context, r *engine.Result) (int64, error) {
	defer r.Rows.Close()
	opts := r.Copy
	n := r.Schema.NumFields()
	c.be.Send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, n)})
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if opts.CSV && opts.Delimiter != "" {
		cw.Comma = []rune(opts.Delimiter)[0]
	}
	if opts.Header {
		names := make([]string, n)
		for i, f := range r.Schema.Fields() {
			names[i] = f.Name
		}
		c.be.Send(&pgproto3.CopyData{Data: []byte(c.copyLine(cw, &buf, names, nil, opts.CSV, opts.Delimiter))})
	}
	var rows int64
	for {
		b, err := r.Rows.Next(ctx)
		if err != nil {
			return rows, err
		}
		if b == nil {
			break
		}
		for i := 0; i < int(b.NumRows()); i++ {
			vals := make([]string, n)
			nulls := make([]bool, n)
			for k := 0; k < n; k++ {
				col := b.Column(k)
				if col.IsNull(i) {
					nulls[k] = true
					vals[k] = opts.Null
					continue
				}
				v, err := text.AppendChecked(nil, col, i, time.UTC)
				if err != nil {
					return rows, err
				}
				vals[k] = string(v)
			}
			c.be.Send(&pgproto3.CopyData{Data: []byte(c.copyLine(cw, &buf, vals, nulls, opts.CSV, opts.Delimiter))})
			rows++
		}
		if err := c.be.Flush(); err != nil {
			return rows, err
		}
	}
	c.be.Send(&pgproto3.CopyDone{})
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(fmt.Sprintf("COPY %d", rows))})
	return rows, nil
}

// copyLine renders one row in CSV (quoted as needed) or COPY text format
// (backslash escapes, \N for NULL).
func (c *conn) copyLine(cw *csv.Writer, buf *bytes.Buffer, vals []string, nulls []bool, asCSV bool, delim string) string {
	if asCSV {
		buf.Reset()
		cw.Write(vals)
		cw.Flush()
		return buf.String()
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		if nulls != nil && nulls[i] {
			parts[i] = v
			continue
		}
		r := strings.NewReplacer("\\", "\\\\", "\n", "\\n", "\r", "\\r", "\t", "\\t")
		parts[i] = r.Replace(v)
	}
	return strings.Join(parts, delim) + "\n"
}
