package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// Drill's functions on nested values (objects and arrays read from files):
//
//	kvgen(obj)                  the object as an array of {"key": k, "value": v}, one per
//	                            non-NULL field (a map, already such an array, is returned as is)
//	repeated_count(arr)         the number of elements (0 for NULL)
//	repeated_contains(arr, v)   whether an element equals v
//
// FLATTEN(arr), one row per element, is unnest (see the planner).
func registerNested(r *Registry) {
	r.add(bindKVGen, "kvgen")
	r.add(bindRepeatedCount, "repeated_count")
	r.add(bindRepeatedContains, "repeated_contains")
}

// kvValueType is the type of kvgen's values: the fields' type when they
// agree, a number type when all are numbers, else text.
func kvValueType(st *arrow.StructType) arrow.DataType {
	var t arrow.DataType
	allInt, allNum := true, true
	same := true
	for _, f := range st.Fields() {
		if t == nil {
			t = f.Type
		} else if !arrow.TypeEqual(t, f.Type) {
			same = false
		}
		allInt = allInt && types.IsInteger(f.Type)
		allNum = allNum && types.IsNumeric(f.Type)
	}
	switch {
	case t == nil:
		return types.String
	case same:
		return t
	case allInt:
		return types.Int64
	case allNum:
		return types.Float64
	}
	return types.String
}

func bindKVGen(name string, args []Expr) (Expr, error) {
	if len(args) != 1 {
		return nil, funcErr(name, args)
	}
	src := args[0]
	switch t := src.Type().(type) {
	case *arrow.ListType:
		// A map (a list of key/value objects) is its own kvgen.
		if st, ok := t.Elem().(*arrow.StructType); ok && st.NumFields() == 2 && st.Field(0).Name == "key" && st.Field(1).Name == "value" {
			return src, nil
		}
	case *arrow.StructType:
		vt := kvValueType(t)
		entry := types.MarkNested(arrow.StructOf(arrow.Field{Name: "key", Type: types.String, Nullable: true}, arrow.Field{Name: "value", Type: vt, Nullable: true}))
		ret := types.NestedList(entry)
		callArgs := []Expr{src}
		keys := make([]string, t.NumFields())
		for i, f := range t.Fields() {
			keys[i] = f.Name
			fe, err := bindFieldSelect([]Expr{src, NewLiteral(scalar.NewStringScalar(f.Name))})
			if err != nil {
				return nil, err
			}
			if !arrow.TypeEqual(fe.Type(), vt) {
				if fe, err = NewCast(fe, vt); err != nil {
					return nil, err
				}
			}
			callArgs = append(callArgs, fe)
		}
		return &Call{Name: name, Args: callArgs, Ret: ret, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
			obj := a[0]
			vals := a[1:]
			offsets := make([]int32, n+1)
			valid := make([]bool, n)
			kb := array.NewStringBuilder(ec.Mem)
			defer kb.Release()
			var srcs, pos []int32
			for i := 0; i < n; i++ {
				offsets[i+1] = offsets[i]
				if obj.IsNull(i) {
					continue
				}
				valid[i] = true
				for k, v := range vals {
					if v.IsNull(i) {
						continue
					}
					kb.Append(keys[k])
					srcs = append(srcs, int32(k))
					pos = append(pos, int32(i))
					offsets[i+1]++
				}
			}
			values, err := gather(ec, vt, vals, srcs, pos)
			if err != nil {
				return nil, err
			}
			if len(vals) == 0 {
				values = array.MakeArrayOfNull(ec.Mem, vt, 0)
			}
			ks := kb.NewArray()
			sd := array.NewData(entry, len(srcs), []*memory.Buffer{nil}, []arrow.ArrayData{ks.Data(), values.Data()}, 0, 0)
			defer sd.Release()
			return listOf(ret, offsets, valid, sd), nil
		}}, nil
	}
	return nil, sqlerr.New(sqlerr.UndefinedFunction, "function kvgen(%s) does not exist: kvgen takes an object read from a file", typeName(src))
}

// listOf builds a list array of type t from offsets, row validity and the
// elements' data.
func listOf(t arrow.DataType, offsets []int32, valid []bool, elems arrow.ArrayData) arrow.Array {
	n := len(valid)
	bitmap := make([]byte, (n+7)/8)
	nulls := 0
	for i, v := range valid {
		if v {
			bitmap[i/8] |= 1 << (i % 8)
		} else {
			nulls++
		}
	}
	d := array.NewData(t, n, []*memory.Buffer{memory.NewBufferBytes(bitmap), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))},
		[]arrow.ArrayData{elems}, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

func bindRepeatedCount(name string, args []Expr) (Expr, error) {
	if len(args) != 1 || args[0].Type().ID() != arrow.LIST {
		if len(args) == 1 && IsUnknownLiteral(args[0]) {
			return nil, funcErr(name, args)
		}
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist: it takes an array", name, typeList(args))
	}
	return &Call{Name: name, Args: args, Ret: types.Int32, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		l := a[0].(*array.List)
		b := array.NewInt32Builder(ec.Mem)
		defer b.Release()
		for i := 0; i < n; i++ {
			if l.IsNull(i) {
				b.Append(0)
				continue
			}
			s, e := l.ValueOffsets(i)
			b.Append(int32(e - s))
		}
		return b.NewArray(), nil
	}}, nil
}

func bindRepeatedContains(name string, args []Expr) (Expr, error) {
	if len(args) != 2 || args[0].Type().ID() != arrow.LIST {
		return nil, funcErr(name, args)
	}
	elem := args[0].Type().(*arrow.ListType).Elem()
	v, err := coerce(args[1], elem)
	if err != nil {
		return nil, err
	}
	return &Call{Name: name, Args: []Expr{args[0], v}, Ret: types.Bool, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		l := a[0].(*array.List)
		vals := l.ListValues()
		b := array.NewBooleanBuilder(ec.Mem)
		defer b.Release()
		for i := 0; i < n; i++ {
			if l.IsNull(i) || a[1].IsNull(i) {
				b.AppendNull()
				continue
			}
			want := string(text.Append(nil, a[1], i, ec.loc()))
			s, e := l.ValueOffsets(i)
			found := false
			for k := s; k < e && !found; k++ {
				found = !vals.IsNull(int(k)) && string(text.Append(nil, vals, int(k), ec.loc())) == want
			}
			b.Append(found)
		}
		return b.NewArray(), nil
	}}, nil
}
