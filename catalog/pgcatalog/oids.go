package pgcatalog

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/types"
)

// PostgreSQL type OIDs.
const (
	OIDBool        = 16
	OIDBytea       = 17
	OIDInt8        = 20
	OIDInt2        = 21
	OIDInt4        = 23
	OIDText        = 25
	OIDOid         = 26
	OIDJSON        = 114
	OIDFloat4      = 700
	OIDFloat8      = 701
	OIDUnknown     = 705
	OIDVarchar     = 1043
	OIDBpchar      = 1042
	OIDDate        = 1082
	OIDTime        = 1083
	OIDTimestamp   = 1114
	OIDTimestampTZ = 1184
	OIDInterval    = 1186
	OIDNumeric     = 1700
	OIDRecord      = 2249
)

// arrayOIDs maps an element type OID to its array type OID.
var ArrayOIDs = map[uint32]uint32{OIDBool: 1000, OIDBytea: 1001, OIDInt2: 1005, OIDInt4: 1007, OIDText: 1009,
	OIDVarchar: 1015, OIDInt8: 1016, OIDFloat4: 1021, OIDFloat8: 1022, OIDDate: 1182, OIDTime: 1183,
	OIDTimestamp: 1115, OIDTimestampTZ: 1185, OIDInterval: 1187, OIDNumeric: 1231, OIDRecord: 2287}

// TypeInfo returns the OID, size and type modifier PostgreSQL reports for t.
func TypeInfo(t arrow.DataType) (oid uint32, size int16, mod int32) {
	switch t.ID() {
	case arrow.BOOL:
		return OIDBool, 1, -1
	case arrow.INT16:
		return OIDInt2, 2, -1
	case arrow.INT32:
		return OIDInt4, 4, -1
	case arrow.INT64:
		return OIDInt8, 8, -1
	case arrow.FLOAT32:
		return OIDFloat4, 4, -1
	case arrow.FLOAT64:
		return OIDFloat8, 8, -1
	case arrow.DECIMAL128:
		d := t.(*arrow.Decimal128Type)
		if d.Precision == types.MaxDecimalPrecision {
			return OIDNumeric, -1, -1
		}
		return OIDNumeric, -1, (d.Precision<<16 | d.Scale) + 4
	case arrow.STRING, arrow.NULL:
		return OIDText, -1, -1
	case arrow.BINARY:
		return OIDBytea, -1, -1
	case arrow.DATE32:
		return OIDDate, 4, -1
	case arrow.TIME64:
		return OIDTime, 8, -1
	case arrow.TIMESTAMP:
		if types.IsTimestampTZ(t) {
			return OIDTimestampTZ, 8, -1
		}
		return OIDTimestamp, 8, -1
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return OIDInterval, 16, -1
	case arrow.LIST:
		if types.IsNested(t) {
			return OIDJSON, -1, -1 // a nested value from a file is JSON text
		}
		e, _, _ := TypeInfo(t.(*arrow.ListType).Elem())
		if a, ok := ArrayOIDs[e]; ok {
			return a, -1, -1
		}
		return 1009, -1, -1
	case arrow.STRUCT:
		if types.IsNested(t) {
			return OIDJSON, -1, -1 // objects read from files are JSON text
		}
		return OIDRecord, -1, -1
	}
	return OIDText, -1, -1
}
