// Package types names the SQL types lakesql computes with, each as the one
// Arrow data type that represents it inside the engine.
//
// Readers may produce many Arrow types (uint32, large_string, dictionaries,
// timestamps in nanoseconds, ...). Normalize maps each to one of the types
// below, so operators and kernels only ever specialise for this short list:
//
//	SQL                       Arrow
//	BOOLEAN                   bool
//	SMALLINT / INT / BIGINT   int16 / int32 / int64
//	REAL / DOUBLE PRECISION   float32 / float64
//	NUMERIC(p,s)              decimal128(p,s)   (unconstrained NUMERIC: decimal128(38, s))
//	VARCHAR / TEXT            utf8
//	BYTEA                     binary
//	DATE                      date32
//	TIME                      time64[us]
//	TIMESTAMP                 timestamp[us]
//	TIMESTAMPTZ               timestamp[us, tz=UTC]   (instants; shown in the session time zone)
//	INTERVAL                  month_day_nano_interval
//	ROW/STRUCT                struct<...>        (fields normalised recursively)
//	T[]                       list<T>
//	(type of a bare NULL)     null
package types

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// The engine's types.
var (
	Null        arrow.DataType = arrow.Null
	Bool        arrow.DataType = arrow.FixedWidthTypes.Boolean
	Int16       arrow.DataType = arrow.PrimitiveTypes.Int16
	Int32       arrow.DataType = arrow.PrimitiveTypes.Int32
	Int64       arrow.DataType = arrow.PrimitiveTypes.Int64
	Float32     arrow.DataType = arrow.PrimitiveTypes.Float32
	Float64     arrow.DataType = arrow.PrimitiveTypes.Float64
	String      arrow.DataType = arrow.BinaryTypes.String
	Binary      arrow.DataType = arrow.BinaryTypes.Binary
	Date        arrow.DataType = arrow.FixedWidthTypes.Date32
	Time        arrow.DataType = arrow.FixedWidthTypes.Time64us
	Timestamp   arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond}
	TimestampTZ arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	Interval    arrow.DataType = arrow.FixedWidthTypes.MonthDayNanoInterval
)

// MaxDecimalPrecision is the widest NUMERIC the engine holds exactly.
const MaxDecimalPrecision = 38

// Decimal returns NUMERIC(precision, scale).
func Decimal(precision, scale int32) arrow.DataType {
	return &arrow.Decimal128Type{Precision: precision, Scale: scale}
}

// List returns elem[].
func List(elem arrow.DataType) arrow.DataType { return arrow.ListOf(elem) }

// IsInteger reports whether t is SMALLINT, INT or BIGINT.
func IsInteger(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}

// IsFloat reports whether t is REAL or DOUBLE PRECISION.
func IsFloat(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64
}

// IsDecimal reports whether t is NUMERIC.
func IsDecimal(t arrow.DataType) bool { return t.ID() == arrow.DECIMAL128 }

// IsNumeric reports whether t is an integer, float or decimal type.
func IsNumeric(t arrow.DataType) bool { return IsInteger(t) || IsFloat(t) || IsDecimal(t) }

// IsString reports whether t is TEXT.
func IsString(t arrow.DataType) bool { return t.ID() == arrow.STRING }

// IsTemporal reports whether t is DATE, TIME, TIMESTAMP[TZ] or INTERVAL.
func IsTemporal(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.DATE32, arrow.TIME64, arrow.TIMESTAMP, arrow.INTERVAL_MONTH_DAY_NANO:
		return true
	}
	return false
}

// IsTimestampTZ reports whether t is TIMESTAMPTZ.
func IsTimestampTZ(t arrow.DataType) bool {
	ts, ok := t.(*arrow.TimestampType)
	return ok && ts.TimeZone != ""
}

// Equal reports whether a and b are the same engine type.
func Equal(a, b arrow.DataType) bool { return arrow.TypeEqual(a, b) }

// Normalize maps a type produced by a reader to the engine type that holds
// its values without loss (where one exists). ok is false for a type the
// engine cannot represent; callers then read the column as TEXT or reject it.
func Normalize(t arrow.DataType) (norm arrow.DataType, ok bool) {
	switch t.ID() {
	case arrow.NULL:
		return Null, true
	case arrow.BOOL:
		return Bool, true
	case arrow.INT8, arrow.UINT8, arrow.INT16:
		return Int16, true
	case arrow.UINT16, arrow.INT32:
		return Int32, true
	case arrow.UINT32, arrow.INT64:
		return Int64, true
	case arrow.UINT64:
		return Decimal(20, 0), true
	case arrow.FLOAT16, arrow.FLOAT32:
		return Float32, true
	case arrow.FLOAT64:
		return Float64, true
	case arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128:
		d := t.(arrow.DecimalType)
		return Decimal(d.GetPrecision(), d.GetScale()), true
	case arrow.DECIMAL256:
		d := t.(arrow.DecimalType)
		if d.GetPrecision() <= MaxDecimalPrecision {
			return Decimal(d.GetPrecision(), d.GetScale()), true
		}
		return Float64, true
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return String, true
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return Binary, true
	case arrow.DATE32, arrow.DATE64:
		return Date, true
	case arrow.TIME32, arrow.TIME64:
		return Time, true
	case arrow.TIMESTAMP:
		if t.(*arrow.TimestampType).TimeZone != "" {
			return TimestampTZ, true
		}
		return Timestamp, true
	case arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO, arrow.DURATION:
		return Interval, true
	case arrow.DICTIONARY:
		return Normalize(t.(*arrow.DictionaryType).ValueType)
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		elem, ok := Normalize(t.(arrow.ListLikeType).Elem())
		return List(elem), ok
	case arrow.STRUCT:
		st := t.(*arrow.StructType)
		fields := make([]arrow.Field, st.NumFields())
		allOK := true
		for i, f := range st.Fields() {
			ft, ok := Normalize(f.Type)
			allOK = allOK && ok
			fields[i] = arrow.Field{Name: f.Name, Type: ft, Nullable: true}
		}
		return arrow.StructOf(fields...), allOK
	case arrow.MAP:
		// A map is a list of {key, value} structs.
		m := t.(*arrow.MapType)
		kt, ok1 := Normalize(m.KeyType())
		vt, ok2 := Normalize(m.ItemType())
		return List(arrow.StructOf(
			arrow.Field{Name: "key", Type: kt, Nullable: true},
			arrow.Field{Name: "value", Type: vt, Nullable: true})), ok1 && ok2
	}
	return String, false
}

// NormalizeSchema normalises every field of s (see Normalize); fields of
// unrepresentable types become TEXT.
func NormalizeSchema(s *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		t, _ := Normalize(f.Type)
		fields[i] = arrow.Field{Name: f.Name, Type: t, Nullable: true}
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md)
}

// Name returns the PostgreSQL spelling of t, as format_type() prints it:
// "integer", "numeric(15,2)", "timestamp without time zone", "text[]".
func Name(t arrow.DataType) string {
	switch t.ID() {
	case arrow.NULL:
		return "unknown"
	case arrow.BOOL:
		return "boolean"
	case arrow.INT16:
		return "smallint"
	case arrow.INT32:
		return "integer"
	case arrow.INT64:
		return "bigint"
	case arrow.FLOAT32:
		return "real"
	case arrow.FLOAT64:
		return "double precision"
	case arrow.DECIMAL128:
		d := t.(*arrow.Decimal128Type)
		return fmt.Sprintf("numeric(%d,%d)", d.Precision, d.Scale)
	case arrow.STRING:
		return "text"
	case arrow.BINARY:
		return "bytea"
	case arrow.DATE32:
		return "date"
	case arrow.TIME64:
		return "time without time zone"
	case arrow.TIMESTAMP:
		if IsTimestampTZ(t) {
			return "timestamp with time zone"
		}
		return "timestamp without time zone"
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return "interval"
	case arrow.LIST:
		if IsNested(t) {
			return "json" // nested values reach clients as JSON
		}
		// PostgreSQL names an array by its element type whatever its
		// dimensions (a nested list is a multi-dimensional array).
		e := t.(*arrow.ListType).Elem()
		for e.ID() == arrow.LIST {
			e = e.(*arrow.ListType).Elem()
		}
		return Name(e) + "[]"
	case arrow.STRUCT:
		if IsNested(t) {
			return "json"
		}
		st := t.(*arrow.StructType)
		parts := make([]string, st.NumFields())
		for i, f := range st.Fields() {
			parts[i] = f.Name + " " + Name(f.Type)
		}
		return "record(" + strings.Join(parts, ", ") + ")"
	}
	return t.String()
}
