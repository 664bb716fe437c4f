package aggregate

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakesql/lakesql/types/decimal"
)

// fewGroups bounds the groups whose numeric sums addFew takes.
const fewGroups = 16

// addFew adds vals[i] to sum[groups[i]] for a batch without NULLs whose
// groups are all below fewGroups, and sets counts[g] to how many rows
// group g had. With few groups, consecutive rows mostly add to the same
// sum, and each addition waited for the last one's store: TPC-H q01 adds
// seven numerics a row into four groups, and those additions were a
// fifth of its time. Here rows take turns among four lanes of partial
// sums, kept in two 64-bit halves, and the lanes are added up at the end.
// It returns false, having changed nothing, when a sum would not fit in
// 128 bits; the caller's row-by-row loop then finds the row.
func addFew(sum []decimal128.Num, groups []uint32, vals []decimal128.Num, counts *[fewGroups]int64) bool {
	var lo [4][fewGroups]uint64
	var hi [4][fewGroups]int64
	var n [4][fewGroups]int64
	var ovf int64
	vals = vals[:len(groups)]
	i := 0
	for ; i+4 <= len(groups); i += 4 {
		g0, g1, g2, g3 := groups[i]&(fewGroups-1), groups[i+1]&(fewGroups-1), groups[i+2]&(fewGroups-1), groups[i+3]&(fewGroups-1)
		ovf |= addHalves(&lo[0][g0], &hi[0][g0], vals[i])
		ovf |= addHalves(&lo[1][g1], &hi[1][g1], vals[i+1])
		ovf |= addHalves(&lo[2][g2], &hi[2][g2], vals[i+2])
		ovf |= addHalves(&lo[3][g3], &hi[3][g3], vals[i+3])
		n[0][g0]++
		n[1][g1]++
		n[2][g2]++
		n[3][g3]++
	}
	for ; i < len(groups); i++ {
		g := groups[i] & (fewGroups - 1)
		ovf |= addHalves(&lo[0][g], &hi[0][g], vals[i])
		n[0][g]++
	}
	if ovf < 0 {
		return false
	}
	var total [fewGroups]decimal128.Num
	for g := range min(len(sum), fewGroups) {
		t := sum[g]
		for l := range lo {
			var ok bool
			if t, ok = decimal.Add(t, decimal128.New(hi[l][g], lo[l][g])); !ok {
				return false
			}
		}
		total[g] = t
	}
	for g := range min(len(sum), fewGroups) {
		sum[g] = total[g]
		counts[g] = n[0][g] + n[1][g] + n[2][g] + n[3][g]
	}
	return true
}

// addHalves adds v to the 128-bit sum (hi, lo); the result is negative
// when the addition overflowed.
func addHalves(lo *uint64, hi *int64, v decimal128.Num) int64 {
	l, c := bits.Add64(*lo, v.LowBits(), 0)
	vh := v.HighBits()
	h := *hi + vh + int64(c)
	o := (*hi ^ h) & (vh ^ h)
	*lo, *hi = l, h
	return o
}
