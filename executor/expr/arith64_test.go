package expr

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakesql/lakesql/types/decimal"
)

// The batch fast lanes of numeric +, - and * give the exact 128-bit
// results of decimal.Add, Sub and MulInt64, with constants (stride 0),
// and give way (false) when an operand needs more than 64 bits or a sum
// or difference overflows them.
func TestDecimalFastLanes(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	edge := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, 1 << 62, -(1 << 62)}
	val := func() int64 {
		if r.IntN(4) == 0 {
			return edge[r.IntN(len(edge))]
		}
		return r.Int64N(1<<40) - 1<<39
	}
	for trial := 0; trial < 2000; trial++ {
		n := 1 + r.IntN(9)
		x, y := make([]decimal128.Num, n), make([]decimal128.Num, n)
		for i := range x {
			x[i], y[i] = decimal128.FromI64(val()), decimal128.FromI64(val())
		}
		if trial%7 == 0 {
			x[r.IntN(n)] = decimal128.New(1, 0) // 2^64: beyond int64
		}
		ys := 1
		if trial%3 == 0 {
			ys = 0 // a constant
		}
		for _, op := range []string{"+", "-", "*"} {
			out := make([]decimal128.Num, n)
			var ok bool
			switch op {
			case "+", "-":
				ok = addSub64(op == "-", x, y, 1, ys, out)
			case "*":
				ok = mul64(x, y, 1, ys, out)
			}
			fits := true
			want := make([]decimal128.Num, n)
			for i := range want {
				a, b := x[i], y[i*ys]
				if !decimal.FitsInt64(a) || !decimal.FitsInt64(b) {
					fits = false
					continue
				}
				switch op {
				case "+":
					want[i], _ = decimal.Add(a, b)
				case "-":
					want[i], _ = decimal.Sub(a, b)
				case "*":
					want[i] = decimal.MulInt64(int64(a.LowBits()), int64(b.LowBits()))
				}
				if op != "*" && !decimal.FitsInt64(want[i]) {
					fits = false
				}
			}
			if ok != fits {
				t.Fatalf("%v %s %v (stride %d): took the fast lane %v, want %v", x, op, y, ys, ok, fits)
			}
			if !ok {
				continue
			}
			for i := range out {
				if out[i] != want[i] {
					t.Fatalf("%v %s %v: row %d = %v, want %v", x, op, y, i, out[i], want[i])
				}
			}
		}
	}
}
