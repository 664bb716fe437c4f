package pgcatalog

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
)

// RegisterFunctions adds pg_catalog's functions to r: the reg* names, the
// catalog helpers clients call while browsing, the privilege checks.
func RegisterFunctions(r *expr.Registry) {
	registerRegNames(r)
	registerCatalogFunctions(r)
	registerArrayContains(r)
	registerPrivileges(r)
}

// The catalog functions clients call while browsing (psql, JDBC, BI tools).
func registerCatalogFunctions(r *expr.Registry) {
	I, T, B := types.Int64, types.String, types.Bool
	constant := func(v any) expr.RowFunc { return func([]any) (any, error) { return v, nil } }
	r.RegisterRowFunc("pg_table_is_visible", B, []arrow.DataType{I}, constant(true))
	r.RegisterRowFunc("pg_type_is_visible", B, []arrow.DataType{I}, constant(true))
	r.RegisterRowFunc("pg_function_is_visible", B, []arrow.DataType{I}, constant(true))
	r.RegisterRowFunc("pg_get_userbyid", T, []arrow.DataType{I}, constant("lakesql"))
	r.RegisterRowFunc("pg_encoding_to_char", T, []arrow.DataType{I}, constant("UTF8"))
	r.RegisterRowFunc("pg_get_indexdef", T, []arrow.DataType{I, I, B}, constant(""))
	r.RegisterRowFunc("pg_get_constraintdef", T, []arrow.DataType{I, B}, constant(""))
	r.RegisterRowFunc("pg_get_viewdef", T, []arrow.DataType{I, B}, constant(""))
	r.RegisterRowFunc("pg_get_expr", T, []arrow.DataType{T, I, B}, func(a []any) (any, error) { return a[0], nil })
	r.RegisterRowFunc("obj_description", T, []arrow.DataType{I, T}, constant(nil))
	r.RegisterRowFunc("col_description", T, []arrow.DataType{I, I}, constant(nil))
	r.RegisterRowFunc("shobj_description", T, []arrow.DataType{I, T}, constant(nil))
	r.RegisterRowFunc("pg_relation_size", I, []arrow.DataType{I}, constant(int64(0)))
	for _, name := range []string{"pg_get_statisticsobjdef_columns", "pg_get_partkeydef", "pg_get_triggerdef", "pg_get_ruledef",
		"pg_get_function_identity_arguments", "pg_get_function_result", "pg_get_function_arguments", "pg_partition_root", "pg_get_serial_sequence_oid"} {
		r.RegisterRowFunc(name, T, []arrow.DataType{I, B}, constant(nil))
	}
	r.RegisterRowFunc("pg_relation_is_publishable", B, []arrow.DataType{I}, constant(false))
	r.RegisterRowFunc("pg_get_serial_sequence", T, []arrow.DataType{T, T}, constant(nil))
	r.RegisterRowFunc("pg_is_in_recovery", B, nil, constant(false))
	r.RegisterRowFunc("pg_is_wal_replay_paused", B, nil, constant(false))
	// Sizes of objects lakesql does not store (files are read in place).
	for _, name := range []string{"pg_database_size", "pg_tablespace_size"} {
		r.RegisterVariadicRowFunc(name, I, constant(int64(0)))
	}
	r.RegisterRowFunc("pg_size_pretty", T, []arrow.DataType{I}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return SizePretty(a[0].(int64)), nil
	})
	for _, name := range []string{"pg_stat_get_numscans", "pg_stat_get_tuples_returned", "pg_stat_get_tuples_fetched",
		"pg_stat_get_live_tuples", "pg_stat_get_dead_tuples", "pg_indexes_size", "pg_table_size"} {
		r.RegisterRowFunc(name, I, []arrow.DataType{I}, constant(int64(0)))
	}
	r.RegisterRowFunc("quote_literal", T, []arrow.DataType{T}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return expr.QuoteLiteral(a[0].(string)), nil
	})
	r.RegisterRowFunc("pg_total_relation_size", I, []arrow.DataType{I}, constant(int64(0)))
	r.RegisterRowFunc("format_type", T, []arrow.DataType{I, I}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return FormatType(a[0].(int64), a[1]), nil
	})
	r.RegisterRowFunc("quote_ident", T, []arrow.DataType{T}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return QuoteIdent(a[0].(string)), nil
	})
	r.RegisterRowFunc("array_to_string", T, []arrow.DataType{types.List(T), T}, func(a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		return strings.Join(a[0].([]string), a[1].(string)), nil
	})
}

// FormatType is format_type(oid, typmod): the SQL name of a type.
func FormatType(oid int64, typmod any) string {
	mod := int64(-1)
	if m, ok := typmod.(int64); ok {
		mod = m
	}
	switch oid {
	case OIDBool:
		return "boolean"
	case OIDInt2:
		return "smallint"
	case OIDInt4:
		return "integer"
	case OIDInt8:
		return "bigint"
	case OIDFloat4:
		return "real"
	case OIDFloat8:
		return "double precision"
	case OIDNumeric:
		if mod > 4 {
			return "numeric(" + itoa(int((mod-4)>>16)) + "," + itoa(int((mod-4)&0xffff)) + ")"
		}
		return "numeric"
	case OIDText:
		return "text"
	case OIDVarchar:
		if mod > 4 {
			return "character varying(" + itoa(int(mod-4)) + ")"
		}
		return "character varying"
	case OIDBpchar:
		if mod > 4 {
			return "character(" + itoa(int(mod-4)) + ")"
		}
		return "character"
	case OIDDate:
		return "date"
	case OIDTime:
		return "time without time zone"
	case OIDTimestamp:
		return "timestamp without time zone"
	case OIDTimestampTZ:
		return "timestamp with time zone"
	case OIDInterval:
		return "interval"
	case OIDBytea:
		return "bytea"
	}
	name := TypeName(oid)
	if strings.HasPrefix(name, "_") {
		return FormatType(elemOf(oid), typmod) + "[]"
	}
	if name == "" {
		return "???"
	}
	return name
}

func elemOf(oid int64) int64 {
	for _, t := range builtinTypes {
		if t.oid == oid {
			return t.elem
		}
	}
	return 0
}

// QuoteIdent quotes an identifier when PostgreSQL would.
func QuoteIdent(s string) string { return expr.QuoteIdent(s) }

func registerArrayContains(r *expr.Registry) {
	r.RegisterRowFunc("array_contains", types.Bool, []arrow.DataType{types.List(types.String), types.String}, func(a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		for _, s := range a[0].([]string) {
			if s == a[1].(string) {
				return true, nil
			}
		}
		return false, nil
	})
}

// SizePretty formats a byte count as pg_size_pretty does: the largest
// unit (bytes, kB, MB, GB, TB, PB) that keeps at least 10 of it, rounded.
func SizePretty(n int64) string {
	v := n
	if v < 0 {
		v = -v
	}
	if v < 10*1024 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	units := []string{"kB", "MB", "GB", "TB", "PB"}
	f := float64(n)
	for i, u := range units {
		f /= 1024
		if math.Abs(f) < 10*1024 || i == len(units)-1 {
			return strconv.FormatFloat(math.Round(f), 'f', 0, 64) + " " + u
		}
	}
	return ""
}
