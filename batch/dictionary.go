package batch

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Dictionary-encoded text. A reader may return a text column as an arrow
// dictionary array (int32 indices into a dictionary of the column's type)
// when it was asked to: the planner asks only for a column whose one use
// is as a group key of the aggregate above the scan, with nothing but
// filters and projections between that pass it along. The aggregate's hash
// table then packs each dictionary value once instead of every row's text
// (TPC-H q01 groups six million rows by two one-letter columns), and the
// reader copies no text at all. Any other consumer would have to Decode.

// DictionaryOf is the type of a dictionary-encoded column of type t.
func DictionaryOf(t arrow.DataType) *arrow.DictionaryType {
	return &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: t}
}

// NewDictionary returns the dictionary array of n rows whose row i is
// dict[idx[i]]; nulls marks the valid rows (nil: all).
func NewDictionary(dict arrow.Array, idx []int32, nulls *memory.Buffer) arrow.Array {
	n := len(idx)
	nullN := 0
	if nulls != nil {
		nullN = array.UnknownNullCount
	}
	d := array.NewData(DictionaryOf(dict.DataType()), n,
		[]*memory.Buffer{nulls, memory.NewBufferBytes(SliceBytes(idx))}, nil, nullN, 0)
	d.SetDictionary(dict.Data())
	defer d.Release()
	return array.MakeFromData(d)
}

// Decode returns a dictionary array's values, row by row, as a plain
// array of its value type; any other array is returned as it is.
func Decode(a arrow.Array) arrow.Array {
	da, ok := a.(*array.Dictionary)
	if !ok {
		return a
	}
	idx := make([]int32, da.Len())
	iv := da.Indices().(*array.Int32)
	for i := range idx {
		if da.IsNull(i) {
			idx[i] = -1
		} else {
			idx[i] = iv.Value(i)
		}
	}
	// Gather cannot fail for the plain types a dictionary holds here.
	out, err := Gather(context.Background(), da.Dictionary(), idx)
	if err != nil {
		panic(err)
	}
	return out
}

// DecodeAll is Decode of each array; it returns arrs itself when none is
// a dictionary.
func DecodeAll(arrs []arrow.Array) []arrow.Array {
	for i, a := range arrs {
		if a.DataType().ID() != arrow.DICTIONARY {
			continue
		}
		out := append([]arrow.Array(nil), arrs...)
		for j := i; j < len(out); j++ {
			out[j] = Decode(out[j])
		}
		return out
	}
	return arrs
}

// NewRecord is array.NewRecordBatch, except that a column that is a
// dictionary array of its field's type gets a field of its own type, so
// that operators passing such a column along need not know of it.
func NewRecord(schema *arrow.Schema, cols []arrow.Array, n int64) arrow.RecordBatch {
	var fields []arrow.Field
	for i, c := range cols {
		if c.DataType().ID() != arrow.DICTIONARY || schema.Field(i).Type.ID() == arrow.DICTIONARY {
			continue
		}
		if fields == nil {
			fields = append([]arrow.Field(nil), schema.Fields()...)
		}
		fields[i].Type = c.DataType()
	}
	if fields != nil {
		md := schema.Metadata()
		schema = arrow.NewSchema(fields, &md)
	}
	return array.NewRecordBatch(schema, cols, n)
}
