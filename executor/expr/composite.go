package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/sqlerr"
)

// bindFieldSelect binds (composite).field: one field of a struct value
// (a nested JSON object, a record from a function). Field names match
// case-insensitively, as unquoted names do.
func bindFieldSelect(args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, funcErr("field_select", args)
	}
	l, ok := args[1].(*Literal)
	if !ok || !l.Value.IsValid() {
		return nil, funcErr("field_select", args)
	}
	name := l.Value.String()
	st, ok := args[0].Type().(*arrow.StructType)
	if !ok {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "column notation .%s applied to type %s, which is not a composite type", name, typeName(args[0]))
	}
	idx := -1
	for i, f := range st.Fields() {
		if f.Name == name {
			idx = i
			break
		}
		if idx < 0 && strings.EqualFold(f.Name, name) {
			idx = i
		}
	}
	if idx < 0 {
		return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" not found in data type %s", name, typeName(args[0]))
	}
	ft := st.Field(idx).Type
	// The field is part of the name: selections of different fields of
	// one value must not read as the same expression.
	return &Call{Name: "field_select." + st.Field(idx).Name, Args: args[:1], Ret: ft, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		s := a[0].(*array.Struct)
		field := s.Field(idx)
		if s.NullN() == 0 {
			return field, nil
		}
		// A NULL record has NULL fields.
		src := make([]int32, n)
		pos := make([]int32, n)
		for i := 0; i < n; i++ {
			if s.IsNull(i) {
				src[i] = -1
			} else {
				pos[i] = int32(i)
			}
		}
		return gather(ec, ft, []arrow.Array{field}, src, pos)
	}}, nil
}
