package aggregate

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakesql/lakesql/types/decimal"
)

// addFew's lanes give the sums and counts of adding row by row, for any
// number of rows (the tail after the last four), negative values and
// values beyond 64 bits; when a sum would pass 128 bits it changes
// nothing and says so.
func TestAddFew(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, rows := range []int{0, 1, 3, 4, 7, 4096} {
		for _, ng := range []int{1, 4, fewGroups} {
			groups := make([]uint32, rows)
			vals := make([]decimal128.Num, rows)
			want := make([]decimal128.Num, ng)
			wantN := make([]int64, ng)
			for i := range groups {
				groups[i] = uint32(r.IntN(ng))
				v := decimal128.FromI64(r.Int64N(1<<40) - 1<<39)
				if i%5 == 0 {
					v = decimal128.New(r.Int64N(1<<20)-1<<19, r.Uint64()) // beyond int64
				}
				vals[i] = v
				g := groups[i]
				want[g], _ = decimal.Add(want[g], v)
				wantN[g]++
			}
			sum := make([]decimal128.Num, ng)
			sum[0] = decimal128.FromI64(7) // sums carry over between batches
			want[0], _ = decimal.Add(want[0], decimal128.FromI64(7))
			var counts [fewGroups]int64
			if !addFew(sum, groups, vals, &counts) {
				t.Fatalf("%d rows, %d groups: reported an overflow", rows, ng)
			}
			for g := range ng {
				if sum[g] != want[g] || counts[g] != wantN[g] {
					t.Fatalf("%d rows, %d groups: group %d = %v (%d rows), want %v (%d)", rows, ng, g, sum[g], counts[g], want[g], wantN[g])
				}
			}
		}
	}
	// 2^126 twice passes 2^127: within a lane (eight rows, two a lane)
	// and between lanes (two rows).
	big := decimal128.New(1<<62, 0)
	sum := []decimal128.Num{{}}
	var counts [fewGroups]int64
	eight := []decimal128.Num{big, big, big, big, big, big, big, big}
	if addFew(sum, make([]uint32, 8), eight, &counts) || sum[0] != (decimal128.Num{}) {
		t.Fatalf("a lane's overflow was taken: %v", sum[0])
	}
	if addFew(sum, make([]uint32, 2), eight[:2], &counts) || sum[0] != (decimal128.Num{}) {
		t.Fatalf("an overflowing total was taken: %v", sum[0])
	}
}
