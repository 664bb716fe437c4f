package connectors

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Schemas evolve: the files of one folder table, written over years by
// different programs, need not agree. Their columns are matched by name
// (case-insensitively); a column a file lacks reads as NULL there; and a
// column whose type differs between files takes their common type:
//
//	integers of different widths      the widest
//	numbers of different kinds        double precision
//	date and timestamp                timestamp
//	timestamp and timestamptz         timestamptz
//	objects (structs)                 one object with the fields of both, each field widened
//	arrays (lists)                    an array of the elements' common type
//	any other two scalars             text (values in PostgreSQL's text form)
//
// An object or array in one file and a scalar (or an object and an array)
// in another have no common type: reading the folder is an error naming
// the column and both files.

// commonType is the type holding values of both a and b; ok is false
// when there is none.
func commonType(a, b arrow.DataType) (arrow.DataType, bool) {
	switch {
	case arrow.TypeEqual(a, b):
		if types.IsNested(b) && !types.IsNested(a) {
			return b, true
		}
		return a, true
	case a.ID() == arrow.NULL:
		return b, true
	case b.ID() == arrow.NULL:
		return a, true
	}
	an, bn := isComposite(a), isComposite(b)
	if an || bn {
		if a.ID() == arrow.STRUCT && b.ID() == arrow.STRUCT {
			return mergeStructs(a.(*arrow.StructType), b.(*arrow.StructType))
		}
		if a.ID() == arrow.LIST && b.ID() == arrow.LIST {
			e, ok := commonType(a.(*arrow.ListType).Elem(), b.(*arrow.ListType).Elem())
			if !ok {
				return nil, false
			}
			return types.NestedList(e), true
		}
		return nil, false
	}
	switch {
	case types.IsInteger(a) && types.IsInteger(b):
		if a.(arrow.FixedWidthDataType).BitWidth() >= b.(arrow.FixedWidthDataType).BitWidth() {
			return a, true
		}
		return b, true
	case types.IsNumeric(a) && types.IsNumeric(b):
		return types.Float64, true
	case a.ID() == arrow.DATE32 && b.ID() == arrow.TIMESTAMP:
		return b, true
	case a.ID() == arrow.TIMESTAMP && b.ID() == arrow.DATE32:
		return a, true
	case a.ID() == arrow.TIMESTAMP && b.ID() == arrow.TIMESTAMP:
		return types.TimestampTZ, true
	}
	return types.String, true
}

func isComposite(t arrow.DataType) bool { return t.ID() == arrow.STRUCT || t.ID() == arrow.LIST }

// mergeStructs is the object type with the fields of a, then those only
// b has, each of their common type.
func mergeStructs(a, b *arrow.StructType) (arrow.DataType, bool) {
	fields := append([]arrow.Field(nil), a.Fields()...)
	for _, f := range b.Fields() {
		found := false
		for i := range fields {
			if strings.EqualFold(fields[i].Name, f.Name) {
				t, ok := commonType(fields[i].Type, f.Type)
				if !ok {
					return nil, false
				}
				fields[i].Type = t
				found = true
				break
			}
		}
		if !found {
			fields = append(fields, arrow.Field{Name: f.Name, Type: f.Type, Nullable: true, Metadata: f.Metadata})
		}
	}
	return arrow.StructOf(fields...), true
}

// typeConflict is the error for a column with no common type in two files.
func typeConflict(col string, fileA string, a arrow.DataType, fileB string, b arrow.DataType) error {
	return sqlerr.New(sqlerr.DatatypeMismatch, "column \"%s\" has no common type in this folder: %s in file \"%s\", %s in file \"%s\"",
		col, kindName(a), fileA, kindName(b), fileB)
}

// kindName names a type in a conflict: objects and arrays by what they
// are, scalars by their SQL name.
func kindName(t arrow.DataType) string {
	switch t.ID() {
	case arrow.STRUCT:
		return "an object"
	case arrow.LIST:
		return "an array"
	}
	return types.Name(t)
}

// conform converts an array read from one file to the folder's type t:
// objects by field name (fields the file lacks are NULL), arrays element
// by element, scalars as ToEngine widens them.
func conform(ctx context.Context, a arrow.Array, t arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(a.DataType(), t) {
		return a, nil
	}
	switch tt := t.(type) {
	case *arrow.StructType:
		s, ok := a.(*array.Struct)
		if !ok {
			break
		}
		st := s.DataType().(*arrow.StructType)
		kids := make([]arrow.ArrayData, tt.NumFields())
		for i, f := range tt.Fields() {
			src := -1
			for j, sf := range st.Fields() {
				if strings.EqualFold(sf.Name, f.Name) {
					src = j
					break
				}
			}
			var k arrow.Array
			if src < 0 {
				k = array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, s.Len())
			} else {
				var err error
				if k, err = conform(ctx, s.Field(src), f.Type); err != nil {
					return nil, err
				}
			}
			kids[i] = k.Data()
		}
		data := array.NewData(tt, s.Len(), []*memory.Buffer{validityAtZero(s)}, kids, s.NullN(), 0)
		defer data.Release()
		return array.MakeFromData(data), nil
	case *arrow.ListType:
		l, ok := a.(*array.List)
		if !ok {
			break
		}
		n := l.Len()
		off := l.Offsets()
		values := array.NewSlice(l.ListValues(), int64(off[0]), int64(off[n]))
		elems, err := conform(ctx, values, tt.Elem())
		if err != nil {
			return nil, err
		}
		offsets := make([]int32, n+1)
		for i, o := range off[:n+1] {
			offsets[i] = o - off[0]
		}
		data := array.NewData(tt, n, []*memory.Buffer{validityAtZero(l), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))},
			[]arrow.ArrayData{elems.Data()}, l.NullN(), 0)
		defer data.Release()
		return array.MakeFromData(data), nil
	}
	if types.IsString(t) {
		return formatText(ctx, a), nil
	}
	return ToEngine(ctx, a, t)
}
