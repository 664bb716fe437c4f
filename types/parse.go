package types

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/sqlerr"
)

// Parse reads a type name as PostgreSQL (and the common other dialects)
// spell it: "int", "int4", "bigint", "numeric(15,2)", "decimal", "varchar(10)",
// "character varying", "double precision", "float8", "timestamp with time
// zone", "timestamptz", "text[]", "string", "datetime" ... Lengths of string
// types are accepted and not enforced. Unknown names give 42704.
func Parse(name string) (arrow.DataType, error) {
	s := strings.ToLower(strings.Join(strings.Fields(name), " "))
	s = strings.ReplaceAll(s, " (", "(")
	s = strings.ReplaceAll(s, " [", "[")
	s = strings.TrimPrefix(s, "pg_catalog.")
	if strings.HasSuffix(s, "[]") {
		elem, err := Parse(strings.TrimSuffix(s, "[]"))
		if err != nil {
			return nil, err
		}
		return List(elem), nil
	}
	if strings.HasPrefix(s, "array<") && strings.HasSuffix(s, ">") {
		elem, err := Parse(s[len("array<") : len(s)-1])
		if err != nil {
			return nil, err
		}
		return List(elem), nil
	}
	base, args := s, []int(nil)
	if i, j := strings.IndexByte(s, '('), strings.IndexByte(s, ')'); i >= 0 && j > i {
		base = strings.TrimSpace(s[:i])
		for _, a := range strings.Split(s[i+1:j], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(a))
			if err != nil {
				return nil, sqlerr.New(sqlerr.SyntaxError, "invalid type modifier in %q", name)
			}
			args = append(args, n)
		}
		// "timestamp(3) with time zone": the modifier sits in the middle.
		if rest := strings.TrimSpace(s[strings.IndexByte(s, ')')+1:]); rest != "" {
			base += " " + rest
		}
	}
	switch base {
	case "bool", "boolean":
		return Bool, nil
	case "smallint", "int2", "tinyint", "smallserial", "serial2":
		return Int16, nil
	case "int", "integer", "int4", "serial", "serial4", "mediumint", "signed", "signed integer":
		return Int32, nil
	case "bigint", "int8", "bigserial", "serial8", "long", "hugeint", "unsigned", "unsigned integer":
		return Int64, nil
	case "real", "float4":
		return Float32, nil
	case "float":
		if len(args) == 1 && args[0] <= 24 {
			return Float32, nil
		}
		return Float64, nil
	case "double precision", "double", "float8":
		return Float64, nil
	case "numeric", "decimal", "dec", "number":
		switch len(args) {
		case 0:
			return Decimal(MaxDecimalPrecision, 0), nil // scale is decided by the value; see planner casts
		case 1:
			return checkDecimal(name, args[0], 0)
		default:
			return checkDecimal(name, args[0], args[1])
		}
	case "text", "varchar", "character varying", "char", "character", "bpchar", "string", "name",
		"char varying", "nvarchar", "nchar", "clob", "json", "jsonb", "uuid", "citext", "regclass_text":
		return String, nil
	case "bytea", "blob", "binary", "varbinary", "bytes":
		return Binary, nil
	case "date":
		return Date, nil
	case "time", "time without time zone":
		return Time, nil
	case "timestamp", "timestamp without time zone", "datetime":
		return Timestamp, nil
	case "timestamptz", "timestamp with time zone":
		return TimestampTZ, nil
	case "interval":
		return Interval, nil
	}
	return nil, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", strings.TrimSpace(name))
}

func checkDecimal(name string, p, s int) (arrow.DataType, error) {
	if p < 1 || p > 1000 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", p)
	}
	if s < 0 || s > p {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", s, p)
	}
	if p > MaxDecimalPrecision {
		p = MaxDecimalPrecision
		if s > p {
			s = p
		}
	}
	return Decimal(int32(p), int32(s)), nil
}
