package output

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/types/text"
)

// writeJSON prints one JSON object per row ("JSON lines"): numbers as
// numbers, lists as arrays, structs as objects, NULL as null, everything
// else as its PostgreSQL text.
func writeJSON(ctx context.Context, w io.Writer, r *engine.Result, o Options) (int64, error) {
	fields := r.Schema.Fields()
	keys := make([]string, len(fields))
	for c, f := range fields {
		keys[c] = jsonString(f.Name)
	}
	var sb strings.Builder
	return forEach(ctx, r, func(b arrow.RecordBatch, i int) error {
		sb.Reset()
		sb.WriteByte('{')
		for c := range fields {
			if c > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(keys[c])
			sb.WriteByte(':')
			sb.WriteString(jsonValue(b.Column(c), i, o.Location))
		}
		sb.WriteString("}\n")
		_, err := io.WriteString(w, sb.String())
		return err
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jsonValue renders value i of a as JSON.
func jsonValue(a arrow.Array, i int, loc *time.Location) string {
	if a.IsNull(i) {
		return "null"
	}
	switch x := a.(type) {
	case *array.Boolean:
		return strconv.FormatBool(x.Value(i))
	case *array.Int8, *array.Int16, *array.Int32, *array.Int64, *array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64, *array.Decimal128:
		return string(text.Append(nil, a, i, loc))
	case *array.Float32, *array.Float64:
		s := string(text.Append(nil, a, i, loc))
		if s == "NaN" || strings.HasSuffix(s, "Infinity") {
			return jsonString(s)
		}
		return s
	case *array.List:
		s, e := x.ValueOffsets(i)
		parts := make([]string, 0, e-s)
		for k := s; k < e; k++ {
			parts = append(parts, jsonValue(x.ListValues(), int(k), loc))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case *array.Struct:
		st := x.DataType().(*arrow.StructType)
		parts := make([]string, st.NumFields())
		for f := range parts {
			parts[f] = jsonString(st.Field(f).Name) + ":" + jsonValue(x.Field(f), i, loc)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return jsonString(string(text.Append(nil, a, i, loc)))
}
