package server

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/lakesql/lakesql/catalog/pgcatalog"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// PostgreSQL type OIDs used by the codec.
const (
	oidBool        = pgcatalog.OIDBool
	oidBytea       = pgcatalog.OIDBytea
	oidInt8        = pgcatalog.OIDInt8
	oidInt2        = pgcatalog.OIDInt2
	oidInt4        = pgcatalog.OIDInt4
	oidText        = pgcatalog.OIDText
	oidOID         = pgcatalog.OIDOid
	oidJSON        = pgcatalog.OIDJSON
	oidFloat4      = pgcatalog.OIDFloat4
	oidFloat8      = pgcatalog.OIDFloat8
	oidUnknown     = pgcatalog.OIDUnknown
	oidVarchar     = pgcatalog.OIDVarchar
	oidBpchar      = pgcatalog.OIDBpchar
	oidDate        = pgcatalog.OIDDate
	oidTime        = pgcatalog.OIDTime
	oidTimestamp   = pgcatalog.OIDTimestamp
	oidTimestampTZ = pgcatalog.OIDTimestampTZ
	oidInterval    = pgcatalog.OIDInterval
	oidNumeric     = pgcatalog.OIDNumeric
)

func typeInfo(t arrow.DataType) (uint32, int16, int32) { return pgcatalog.TypeInfo(t) }

// typeOfOID maps a parameter type OID to an engine type (nil: unknown).
func typeOfOID(oid uint32) arrow.DataType {
	switch oid {
	case oidBool:
		return types.Bool
	case oidInt2:
		return types.Int16
	case oidInt4, oidOID:
		return types.Int32
	case oidInt8:
		return types.Int64
	case oidFloat4:
		return types.Float32
	case oidFloat8:
		return types.Float64
	case oidNumeric:
		return types.Decimal(types.MaxDecimalPrecision, 0)
	case oidText, oidVarchar, oidBpchar, oidJSON:
		return types.String
	case oidBytea:
		return types.Binary
	case oidDate:
		return types.Date
	case oidTime:
		return types.Time
	case oidTimestamp:
		return types.Timestamp
	case oidTimestampTZ:
		return types.TimestampTZ
	case oidInterval:
		return types.Interval
	}
	return nil
}

// pgEpoch is 2000-01-01, the zero of PostgreSQL's binary dates and times.
var pgEpochDays = int32(10957)

const pgEpochMicros = int64(946684800000000)

// encodeBinary appends value i of a in PostgreSQL's binary format.
func encodeBinary(dst []byte, a arrow.Array, i int, loc *time.Location) ([]byte, bool) {
	switch x := a.(type) {
	case *array.Boolean:
		if x.Value(i) {
			return append(dst, 1), true
		}
		return append(dst, 0), true
	case *array.Int16:
		return binary.BigEndian.AppendUint16(dst, uint16(x.Value(i))), true
	case *array.Int32:
		return binary.BigEndian.AppendUint32(dst, uint32(x.Value(i))), true
	case *array.Int64:
		return binary.BigEndian.AppendUint64(dst, uint64(x.Value(i))), true
	case *array.Float32:
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(x.Value(i))), true
	case *array.Float64:
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(x.Value(i))), true
	case *array.String:
		return append(dst, x.Value(i)...), true
	case *array.Binary:
		return append(dst, x.Value(i)...), true
	case *array.Date32:
		d := int32(x.Value(i))
		if d != text.DateInfinity && d != text.DateNegInfinity { // infinities keep their sentinels
			d -= pgEpochDays
		}
		return binary.BigEndian.AppendUint32(dst, uint32(d)), true
	case *array.Time64:
		return binary.BigEndian.AppendUint64(dst, uint64(x.Value(i))), true
	case *array.Timestamp:
		us := int64(x.Value(i))
		if us != text.TimestampInfinity && us != text.TimestampNegInfinity {
			us -= pgEpochMicros
		}
		return binary.BigEndian.AppendUint64(dst, uint64(us)), true
	case *array.MonthDayNanoInterval:
		v := x.Value(i)
		dst = binary.BigEndian.AppendUint64(dst, uint64(v.Nanoseconds/1000))
		dst = binary.BigEndian.AppendUint32(dst, uint32(v.Days))
		return binary.BigEndian.AppendUint32(dst, uint32(v.Months)), true
	case *array.Decimal128:
		return appendNumeric(dst, string(text.Append(nil, a, i, loc))), true
	}
	return dst, false
}

// appendNumeric encodes a decimal text in PostgreSQL's binary numeric
// format: ndigits, weight, sign, dscale, then base-10000 digits.
func appendNumeric(dst []byte, s string) []byte {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	dscale := len(frac)
	// Pad the integer part to a multiple of 4 on the left, the fraction on the right.
	for len(intPart)%4 != 0 {
		intPart = "0" + intPart
	}
	for len(frac)%4 != 0 {
		frac += "0"
	}
	all := intPart + frac
	var digits []int16
	for k := 0; k < len(all); k += 4 {
		d, _ := strconv.Atoi(all[k : k+4])
		digits = append(digits, int16(d))
	}
	weight := len(intPart)/4 - 1
	// Strip leading and trailing zero digits.
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		weight = 0
	}
	sign := uint16(0)
	if neg && len(digits) > 0 {
		sign = 0x4000
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(digits)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(weight)))
	dst = binary.BigEndian.AppendUint16(dst, sign)
	dst = binary.BigEndian.AppendUint16(dst, uint16(dscale))
	for _, d := range digits {
		dst = binary.BigEndian.AppendUint16(dst, uint16(d))
	}
	return dst
}

// decodeBinaryParam turns a binary parameter of the given OID into text.
func decodeBinaryParam(oid uint32, b []byte) (string, error) {
	bad := func() (string, error) {
		return "", sqlerr.New(sqlerr.ProtocolViolation, "incorrect binary data format in bind parameter (type %d, %d bytes)", oid, len(b))
	}
	switch oid {
	case oidBool:
		if len(b) != 1 {
			return bad()
		}
		if b[0] != 0 {
			return "true", nil
		}
		return "false", nil
	case oidInt2:
		if len(b) != 2 {
			return bad()
		}
		return strconv.Itoa(int(int16(binary.BigEndian.Uint16(b)))), nil
	case oidInt4, oidOID:
		if len(b) != 4 {
			return bad()
		}
		return strconv.Itoa(int(int32(binary.BigEndian.Uint32(b)))), nil
	case oidInt8:
		if len(b) != 8 {
			return bad()
		}
		return strconv.FormatInt(int64(binary.BigEndian.Uint64(b)), 10), nil
	case oidFloat4:
		if len(b) != 4 {
			return bad()
		}
		return strconv.FormatFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(b))), 'g', -1, 32), nil
	case oidFloat8:
		if len(b) != 8 {
			return bad()
		}
		return strconv.FormatFloat(math.Float64frombits(binary.BigEndian.Uint64(b)), 'g', -1, 64), nil
	case oidDate:
		if len(b) != 4 {
			return bad()
		}
		d := int32(binary.BigEndian.Uint32(b))
		if d != text.DateInfinity && d != text.DateNegInfinity {
			d += pgEpochDays
		}
		return string(text.AppendDate(nil, d)), nil
	case oidTimestamp, oidTimestampTZ:
		if len(b) != 8 {
			return bad()
		}
		us := int64(binary.BigEndian.Uint64(b))
		if us != text.TimestampInfinity && us != text.TimestampNegInfinity {
			us += pgEpochMicros
		}
		s := string(text.AppendTimestamp(nil, us))
		if oid == oidTimestampTZ {
			s += "+00"
		}
		return s, nil
	case oidNumeric:
		return decodeNumeric(b)
	case oidText, oidVarchar, oidBpchar, oidUnknown, oidJSON, 0:
		return string(b), nil
	case oidBytea:
		return string(b), nil
	}
	return bad()
}

func decodeNumeric(b []byte) (string, error) {
	if len(b) < 8 {
		return "", sqlerr.New(sqlerr.ProtocolViolation, "incorrect binary numeric")
	}
	n := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) < 8+2*n {
		return "", sqlerr.New(sqlerr.ProtocolViolation, "incorrect binary numeric")
	}
	if sign == 0xC000 {
		return "NaN", nil
	}
	v := new(big.Int)
	for k := 0; k < n; k++ {
		v.Mul(v, big.NewInt(10000))
		v.Add(v, big.NewInt(int64(binary.BigEndian.Uint16(b[8+2*k:]))))
	}
	// value = v * 10000^(weight - n + 1)
	r := new(big.Rat).SetInt(v)
	exp := weight - n + 1
	p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10000), big.NewInt(int64(abs(exp))), nil))
	if exp >= 0 {
		r.Mul(r, p)
	} else {
		r.Quo(r, p)
	}
	if sign == 0x4000 {
		r.Neg(r)
	}
	return r.FloatString(dscale), nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
