package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// writer prints one statement's result.
type writer func(ctx context.Context, w io.Writer, r *engine.Result) error

var writers = map[string]writer{"table": writeTable, "csv": writeCSV, "json": writeJSON}

// tag is the command tag PostgreSQL prints for a statement without rows.
func tag(r *engine.Result) string {
	switch r.Tag {
	case "INSERT":
		return fmt.Sprintf("INSERT 0 %d", r.RowsAffected)
	case "SELECT":
		return fmt.Sprintf("SELECT %d", r.RowsAffected)
	}
	return r.Tag
}

// forEach calls f for every row of a result.
func forEach(ctx context.Context, r *engine.Result, f func(b arrow.RecordBatch, i int) error) error {
	defer r.Rows.Close()
	for {
		b, err := r.Rows.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			return nil
		}
		for i := 0; i < int(b.NumRows()); i++ {
			if err := f(b, i); err != nil {
				return err
			}
		}
	}
}

func cell(col arrow.Array, i int) (string, bool) {
	if col.IsNull(i) {
		return "", false
	}
	return string(text.Append(nil, col, i, time.UTC)), true
}

func writeCSV(ctx context.Context, w io.Writer, r *engine.Result) error {
	if r.Rows == nil {
		_, err := fmt.Fprintln(w, tag(r))
		return err
	}
	cw := csv.NewWriter(w)
	names := make([]string, r.Schema.NumFields())
	for i, f := range r.Schema.Fields() {
		names[i] = f.Name
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	rec := make([]string, len(names))
	err := forEach(ctx, r, func(b arrow.RecordBatch, i int) error {
		for c := range rec {
			rec[c], _ = cell(b.Column(c), i)
		}
		return cw.Write(rec)
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// writeTable prints an aligned grid in the manner of psql.
func writeTable(ctx context.Context, w io.Writer, r *engine.Result) error {
	if r.Rows == nil {
		_, err := fmt.Fprintln(w, tag(r))
		return err
	}
	n := r.Schema.NumFields()
	widths := make([]int, n)
	right := make([]bool, n)
	for i, f := range r.Schema.Fields() {
		widths[i] = utf8.RuneCountInString(f.Name)
		right[i] = types.IsNumeric(f.Type)
	}
	var rows [][]string
	err := forEach(ctx, r, func(b arrow.RecordBatch, i int) error {
		row := make([]string, n)
		for c := range row {
			row[c], _ = cell(b.Column(c), i)
			row[c] = strings.ReplaceAll(row[c], "\n", "\\n")
			widths[c] = max(widths[c], utf8.RuneCountInString(row[c]))
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return err
	}
	pad := func(s string, width int, alignRight bool) string {
		p := strings.Repeat(" ", width-utf8.RuneCountInString(s))
		if alignRight {
			return p + s
		}
		return s + p
	}
	var sb strings.Builder
	for i, f := range r.Schema.Fields() {
		if i > 0 {
			sb.WriteString(" | ")
		} else {
			sb.WriteString(" ")
		}
		total := widths[i] - utf8.RuneCountInString(f.Name)
		sb.WriteString(strings.Repeat(" ", total/2) + f.Name + strings.Repeat(" ", total-total/2))
	}
	sb.WriteString("\n")
	for i := range widths {
		if i > 0 {
			sb.WriteString("+")
		}
		sb.WriteString(strings.Repeat("-", widths[i]+2))
	}
	sb.WriteString("\n")
	for _, row := range rows {
		for c, v := range row {
			if c > 0 {
				sb.WriteString(" | ")
			} else {
				sb.WriteString(" ")
			}
			sb.WriteString(pad(v, widths[c], right[c]))
		}
		sb.WriteString("\n")
	}
	if len(rows) == 1 {
		sb.WriteString("(1 row)\n\n")
	} else {
		fmt.Fprintf(&sb, "(%d rows)\n\n", len(rows))
	}
	_, err = io.WriteString(w, strings.ReplaceAll(sb.String(), " \n", "\n"))
	return err
}

// writeJSON prints one JSON object per row.
func writeJSON(ctx context.Context, w io.Writer, r *engine.Result) error {
	if r.Rows == nil {
		b, _ := json.Marshal(map[string]string{"status": tag(r)})
		_, err := fmt.Fprintln(w, string(b))
		return err
	}
	names := r.Schema.Fields()
	return forEach(ctx, r, func(b arrow.RecordBatch, i int) error {
		var sb strings.Builder
		sb.WriteByte('{')
		for c, f := range names {
			if c > 0 {
				sb.WriteByte(',')
			}
			k, _ := json.Marshal(f.Name)
			sb.Write(k)
			sb.WriteByte(':')
			sb.WriteString(jsonValue(b.Column(c), i))
		}
		sb.WriteString("}\n")
		_, err := io.WriteString(w, sb.String())
		return err
	})
}

// jsonValue renders value i as JSON: numbers as numbers, nested values as
// arrays and objects, NULL as null.
func jsonValue(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch x := a.(type) {
	case *array.Boolean:
		return strconv.FormatBool(x.Value(i))
	case *array.Int16, *array.Int32, *array.Int64, *array.Decimal128:
		return string(text.Append(nil, a, i, time.UTC))
	case *array.Float32, *array.Float64:
		s := string(text.Append(nil, a, i, time.UTC))
		if s == "NaN" || strings.HasSuffix(s, "Infinity") {
			b, _ := json.Marshal(s)
			return string(b)
		}
		return s
	case *array.List:
		s, e := x.ValueOffsets(i)
		parts := make([]string, 0, e-s)
		for k := s; k < e; k++ {
			parts = append(parts, jsonValue(x.ListValues(), int(k)))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case *array.Struct:
		st := x.DataType().(*arrow.StructType)
		parts := make([]string, st.NumFields())
		for f := range parts {
			k, _ := json.Marshal(st.Field(f).Name)
			parts[f] = string(k) + ":" + jsonValue(x.Field(f), i)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	b, _ := json.Marshal(string(text.Append(nil, a, i, time.UTC)))
	return string(b)
}
