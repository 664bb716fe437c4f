package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types/text"
)

// MaxValueSize is PostgreSQL's cap on one value (1 GB - 1 byte). Functions
// whose result can outgrow their input (repeat, lpad, replace, ||, ...)
// check the size they are asked for against it before allocating, so a
// statement cannot make the server allocate without bound.
const MaxValueSize = text.MaxValueSize

// checkLen returns 54000 when a result of n bytes would pass MaxValueSize.
func checkLen(n int64) error {
	if n < 0 || n > MaxValueSize {
		return sqlerr.New(sqlerr.ProgramLimitExceeded, "requested length too large")
	}
	return nil
}

// maxBatchText bounds the bytes of one string array: Arrow's 32-bit
// offsets cannot address more, and would wrap silently.
const maxBatchText = math.MaxInt32

// appendChecked appends s to b unless the array's text would pass what
// 32-bit offsets address (54000).
func appendChecked(b *array.StringBuilder, s string) error {
	if int64(b.DataLen())+int64(len(s)) > maxBatchText {
		return sqlerr.New(sqlerr.ProgramLimitExceeded, "string values of one batch exceed %d bytes", maxBatchText)
	}
	b.Append(s)
	return nil
}
