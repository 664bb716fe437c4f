package expr

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// json_build_object(k, v, ...) and json_build_array(v, ...) render their
// arguments by type, as PostgreSQL does: numbers and booleans bare, text
// quoted, NULL as null, arrays as JSON arrays.
func registerJSONBuild(r *Registry) {
	r.add(bindJSONBuild, "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array")
}

func bindJSONBuild(name string, args []Expr) (Expr, error) {
	object := strings.HasSuffix(name, "_object")
	if object && len(args)%2 != 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "argument list must have even number of elements")
	}
	cast := make([]Expr, len(args))
	for i, a := range args {
		cast[i] = a
		if IsUnknownLiteral(a) || a.Type().ID() == arrow.NULL {
			c, err := NewCast(a, types.String)
			if err != nil {
				return nil, err
			}
			cast[i] = c
		}
	}
	return &Call{Name: name, Args: cast, Ret: types.String, fn: func(ec *Context, arrs []arrow.Array, n int) (arrow.Array, error) {
		out := make([]string, n)
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.Reset()
			if object {
				sb.WriteByte('{')
				for k := 0; k+1 < len(arrs); k += 2 {
					if k > 0 {
						sb.WriteString(", ")
					}
					if arrs[k].IsNull(i) {
						return nil, sqlerr.New(sqlerr.InvalidParameterValue, "null value not allowed for object key")
					}
					writeJSONString(&sb, text.Format(arrs[k], i, ec.loc()))
					sb.WriteString(" : ")
					writeJSONValue(&sb, arrs[k+1], i, ec)
				}
				sb.WriteByte('}')
			} else {
				sb.WriteByte('[')
				for k := range arrs {
					if k > 0 {
						sb.WriteString(", ")
					}
					writeJSONValue(&sb, arrs[k], i, ec)
				}
				sb.WriteByte(']')
			}
			out[i] = sb.String()
		}
		return newStringArray(ec.Mem, out, nil), nil
	}}, nil
}

// writeJSONValue renders row i of a as a JSON value.
func writeJSONValue(sb *strings.Builder, a arrow.Array, i int, ec *Context) {
	if a.IsNull(i) {
		sb.WriteString("null")
		return
	}
	switch t := a.DataType(); {
	case types.IsNumeric(t):
		s := text.Format(a, i, ec.loc())
		if s == "NaN" || s == "Infinity" || s == "-Infinity" {
			writeJSONString(sb, s)
			return
		}
		sb.WriteString(s)
	case t.ID() == arrow.BOOL:
		sb.WriteString(strconv.FormatBool(a.(*array.Boolean).Value(i)))
	case t.ID() == arrow.LIST:
		l := a.(*array.List)
		s, e := l.ValueOffsets(i)
		sb.WriteByte('[')
		for k := s; k < e; k++ {
			if k > s {
				sb.WriteByte(',')
			}
			writeJSONValue(sb, l.ListValues(), int(k), ec)
		}
		sb.WriteByte(']')
	default:
		writeJSONString(sb, text.Format(a, i, ec.loc()))
	}
}

// writeJSONString writes s as a JSON string literal.
func writeJSONString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20:
			sb.WriteString(`\u00`)
			sb.WriteByte("0123456789abcdef"[r>>4])
			sb.WriteByte("0123456789abcdef"[r&0xf])
		case r == utf8.RuneError:
			sb.WriteRune(r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
}
