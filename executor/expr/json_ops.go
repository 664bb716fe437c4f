package expr

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// The JSON operators -> ->> #> #>> work on JSON text (json/jsonb values)
// and on the nested values schema inference gives JSON files (records and
// arrays): a -> 'k' is a's field k, a -> 2 its element 2 (0-based, negative
// from the end), #> a path of them; the ->> forms give text.
func registerJSONOps(r *Registry) {
	r.add(bindJSONGet, "->", "->>", "#>", "#>>")
}

func bindJSONGet(name string, args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, funcErr(name, args)
	}
	asText := name == "->>" || name == "#>>"
	path := strings.HasPrefix(name, "#")
	src := args[0]
	if IsUnknownLiteral(src) {
		c, err := NewCast(src, types.String)
		if err != nil {
			return nil, err
		}
		src = c
	}
	// Nested values with a constant key resolve at bind time.
	if _, ok := src.Type().(*arrow.StructType); ok && !path {
		if l, ok := args[1].(*Literal); ok && l.Value.IsValid() {
			f, err := bindFieldSelect([]Expr{src, l})
			if err != nil {
				return nil, err
			}
			if asText {
				return NewCast(f, types.String)
			}
			return f, nil
		}
	}
	if src.Type().ID() == arrow.LIST && !path {
		idx, err := coerce(args[1], types.Int64)
		if err != nil {
			return nil, err
		}
		elem := src.Type().(*arrow.ListType).Elem()
		e := &Call{Name: name, Args: []Expr{src, idx}, Ret: elem, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
			l := a[0].(*array.List)
			ix := int64s(a[1])
			srcs := make([]int32, n)
			pos := make([]int32, n)
			for i := 0; i < n; i++ {
				srcs[i] = -1
				if l.IsNull(i) || a[1].IsNull(i) {
					continue
				}
				s, e := l.ValueOffsets(i)
				k := ix[i]
				if k < 0 {
					k += e - s
				}
				if k >= 0 && s+k < e {
					srcs[i], pos[i] = 0, int32(s+k)
				}
			}
			return gather(ec, elem, []arrow.Array{l.ListValues()}, srcs, pos)
		}}
		if asText {
			return NewCast(e, types.String)
		}
		return e, nil
	}
	if !types.IsString(src.Type()) {
		return nil, opErr(name, args)
	}
	key := args[1]
	var err error
	if path {
		key, err = coerce(key, types.List(types.String))
	} else if IsUnknownLiteral(key) || types.IsString(key.Type()) {
		key, err = coerce(key, types.String)
	} else {
		key, err = coerce(key, types.Int64)
	}
	if err != nil {
		return nil, opErr(name, args)
	}
	return &Call{Name: name, Args: []Expr{src, key}, Ret: types.String, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		out := make([]string, n)
		v := make([]bool, n)
		for i := 0; i < n; i++ {
			if a[0].IsNull(i) || a[1].IsNull(i) {
				continue
			}
			var doc any
			dec := json.NewDecoder(strings.NewReader(a[0].(*array.String).Value(i)))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type json")
			}
			var steps []string
			if path {
				l := a[1].(*array.List)
				s, e := l.ValueOffsets(i)
				for k := s; k < e; k++ {
					steps = append(steps, l.ListValues().ValueStr(int(k)))
				}
			} else {
				steps = []string{text.Format(a[1], i, ec.loc())}
			}
			val, ok := jsonStep(doc, steps, !path && !types.IsString(a[1].DataType()), !path && types.IsString(a[1].DataType()))
			if !ok {
				continue
			}
			if asText {
				if s, isStr := val.(string); isStr {
					out[i], v[i] = s, true
					continue
				}
				if val == nil {
					continue // JSON null ->> is SQL NULL
				}
			}
			var sb strings.Builder
			writeJSONB(&sb, val)
			out[i], v[i] = sb.String(), true
		}
		return newStringArray(ec.Mem, out, v), nil
	}}, nil
}

// writeJSONB renders a decoded JSON value as PostgreSQL prints jsonb:
// ", " and ": " separators, object keys shorter first, then bytewise.
func writeJSONB(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case bool:
		sb.WriteString(strconv.FormatBool(x))
	case json.Number:
		sb.WriteString(x.String())
	case string:
		writeJSONString(sb, x)
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeJSONB(sb, e)
		}
		sb.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if len(keys[i]) != len(keys[j]) {
				return len(keys[i]) < len(keys[j])
			}
			return keys[i] < keys[j]
		})
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeJSONString(sb, k)
			sb.WriteString(": ")
			writeJSONB(sb, x[k])
		}
		sb.WriteByte('}')
	}
}

// jsonStep follows steps (object keys or array indexes) into doc. intKey
// says the single step is an integer (an array index only), textKey that
// it is text (an object key only); path steps may be either.
func jsonStep(doc any, steps []string, intKey, textKey bool) (any, bool) {
	cur := doc
	for _, s := range steps {
		switch c := cur.(type) {
		case map[string]any:
			if intKey {
				return nil, false
			}
			v, ok := c[s]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			if textKey {
				return nil, false
			}
			k, err := strconv.Atoi(s)
			if err != nil {
				return nil, false
			}
			if k < 0 {
				k += len(c)
			}
			if k < 0 || k >= len(c) {
				return nil, false
			}
			cur = c[k]
		default:
			return nil, false
		}
	}
	return cur, true
}
