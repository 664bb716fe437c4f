package types

import "github.com/apache/arrow-go/v18/arrow"

// Nested values are the arrays and objects read from files (JSON arrays
// and objects, Parquet lists, structs and maps), as Drill has them: their
// subscripts count from 0 (as PostgreSQL's jsonb subscripts do), and they
// reach clients as JSON text (type json). Arrays built in SQL (ARRAY[...],
// array_agg) stay PostgreSQL arrays, 1-based.
//
// An object is a struct whose fields carry the metadata key nestedKey
// (records built in SQL have none, and print as PostgreSQL's records); an
// array is a list whose element field is named NestedElem. Arrow's type
// equality ignores field names and metadata, so a nested value and a SQL
// value of the same shape still compare, cast and combine as one type.

// NestedElem names the element field of a nested array's list type.
const NestedElem = "$nested"

// RawJSONElem names the element field of a nested array whose elements
// are JSON text (a JSON array of mixed types: [1, "two", {"three": 3}]).
const RawJSONElem = "$json"

// rawJSONKey marks an object's field whose values are JSON text (a key
// holding objects in some documents and numbers in others).
const rawJSONKey = "lakesql.json"

// nestedKey marks the fields of an object read from a file.
const nestedKey = "lakesql.nested"

// RawJSONField is an object's field of JSON text.
func RawJSONField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: String, Nullable: true, Metadata: arrow.NewMetadata([]string{rawJSONKey}, []string{"true"})}
}

// IsRawJSONField reports whether an object's field holds JSON text.
func IsRawJSONField(f arrow.Field) bool {
	return f.HasMetadata() && f.Metadata.FindKey(rawJSONKey) >= 0
}

// NestedList returns the type of a nested array of elem.
func NestedList(elem arrow.DataType) arrow.DataType {
	return arrow.ListOfField(arrow.Field{Name: NestedElem, Type: elem, Nullable: true})
}

// IsNested reports whether t is a nested value's type: an object (struct)
// or a nested array.
func IsNested(t arrow.DataType) bool {
	switch x := t.(type) {
	case *arrow.StructType:
		return x.NumFields() > 0 && x.Field(0).HasMetadata() && x.Field(0).Metadata.FindKey(nestedKey) >= 0
	case *arrow.ListType:
		return x.ElemField().Name == NestedElem || x.ElemField().Name == RawJSONElem
	}
	return false
}

// MarkNested returns t with every list in it (at any depth) made a nested
// array: what a file reader's types become.
func MarkNested(t arrow.DataType) arrow.DataType {
	switch x := t.(type) {
	case *arrow.ListType:
		if x.ElemField().Name == RawJSONElem {
			return x
		}
		return NestedList(MarkNested(x.Elem()))
	case *arrow.StructType:
		fields := make([]arrow.Field, x.NumFields())
		for i, f := range x.Fields() {
			f.Type = MarkNested(f.Type)
			if f.Metadata.FindKey(nestedKey) < 0 {
				keys := append(f.Metadata.Keys(), nestedKey)
				vals := append(f.Metadata.Values(), "true")
				f.Metadata = arrow.NewMetadata(keys, vals)
			}
			fields[i] = f
		}
		return arrow.StructOf(fields...)
	}
	return t
}
