package types

import (
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// DecimalToFloat64 converts a decimal (unscaled n, scale s) to the
// nearest float64, as PostgreSQL's numeric-to-double cast does: 3.78
// becomes the double nearest 3.78, not 378 * 0.01 (arrow's ToFloat64
// multiplies by a rounded power of ten and can be one ulp off).
func DecimalToFloat64(n decimal128.Num, scale int32) float64 {
	if n.FitsInPrecision(15) && scale >= 0 && int(scale) < len(pow10) {
		// Fewer than 2^53: the unscaled value and the power of ten are
		// exact doubles, so the one division rounds once.
		return float64(int64(n.LowBits())) / pow10[scale]
	}
	f, err := strconv.ParseFloat(n.ToString(scale), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}
