package expr

import (
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Selection returns the rows where mask is true (NULL counts as false),
// or nil and all=true when every row is selected.
func Selection(mask *array.Boolean) (rows []int32, all bool) {
	n := mask.Len()
	bits := mask.Data().Buffers()[1].Bytes()
	off := mask.Data().Offset()
	var valid []byte
	if mask.NullN() > 0 {
		valid = mask.NullBitmapBytes()
	}
	trues := 0
	if valid == nil {
		trues = bitutil.CountSetBits(bits, off, n)
		if trues == n {
			return nil, true
		}
	}
	if trues == 0 && valid == nil {
		return []int32{}, false
	}
	rows = make([]int32, 0, max(trues, 16))
	for i := 0; i < n; i++ {
		if bitutil.BitIsSet(bits, off+i) && (valid == nil || bitutil.BitIsSet(valid, off+i)) {
			rows = append(rows, int32(i))
		}
	}
	if len(rows) == n {
		return nil, true
	}
	return rows, false
}
