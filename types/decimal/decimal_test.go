package decimal

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

var limit = new(big.Int).Lsh(big.NewInt(1), 127) // values must stay in (-2^127, 2^127)

func inRange(x *big.Int) bool { return new(big.Int).Abs(x).Cmp(limit) < 0 }

// randNum draws values of every magnitude: small, around 2^63, and huge.
func randNum(r *rand.Rand) Num {
	switch r.IntN(4) {
	case 0:
		return decimal128.FromI64(r.Int64N(2000) - 1000)
	case 1:
		return decimal128.FromI64(int64(r.Uint64()))
	case 2:
		x := new(big.Int).Lsh(big.NewInt(int64(r.Uint32())), uint(r.IntN(64)))
		if r.IntN(2) == 0 {
			x.Neg(x)
		}
		return decimal128.FromBigInt(x)
	}
	return decimal128.New(int64(r.Uint64())>>1, r.Uint64())
}

func roundDiv(a, b *big.Int) *big.Int {
	q, m := new(big.Int).QuoRem(a, b, new(big.Int))
	m2 := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if m2.Cmp(new(big.Int).Abs(b)) >= 0 {
		if (a.Sign() < 0) != (b.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// Every operation agrees with math/big, or says it cannot answer exactly
// when math/big's answer does not fit.
func TestAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		a, b := randNum(r), randNum(r)
		x, y := a.BigInt(), b.BigInt()
		check := func(op string, got Num, ok bool, want *big.Int) {
			t.Helper()
			if !inRange(want) {
				if ok {
					t.Fatalf("%s(%v, %v): got %v, want overflow", op, x, y, got.BigInt())
				}
				return
			}
			if !ok {
				if op == "mul" || op == "add" || op == "sub" {
					t.Fatalf("%s(%v, %v): overflow reported, want %v", op, x, y, want)
				}
				return
			}
			if got.BigInt().Cmp(want) != 0 {
				t.Fatalf("%s(%v, %v) = %v, want %v", op, x, y, got.BigInt(), want)
			}
		}
		s, ok := Add(a, b)
		check("add", s, ok, new(big.Int).Add(x, y))
		s, ok = Sub(a, b)
		check("sub", s, ok, new(big.Int).Sub(x, y))
		s, ok = Mul(a, b)
		check("mul", s, ok, new(big.Int).Mul(x, y))
		if y.Sign() != 0 {
			s, ok = DivRound(a, b)
			check("divround", s, ok, roundDiv(x, y))
			q, m, ok := DivTrunc(a, b)
			wq, wm := new(big.Int).QuoRem(x, y, new(big.Int))
			check("divtrunc", q, ok, wq)
			check("rem", m, ok, wm)
			if new(big.Int).Abs(y).BitLen() <= 64 && !ok {
				t.Fatalf("div(%v, %v) not handled", x, y)
			}
		}
		if c := Cmp(a, b); c != x.Cmp(y) {
			t.Fatalf("cmp(%v, %v) = %d", x, y, c)
		}
		for _, d := range []int32{1, 2, 5, 19, 20, 25, 38} {
			got, ok := Rescale(a, d, 0)
			check("rescale", got, ok, roundDiv(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil)))
		}
		p := int32(r.IntN(39))
		lim := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p)), nil)
		if Fits(a, p) != (new(big.Int).Abs(x).Cmp(lim) < 0) {
			t.Fatalf("fits(%v, %d)", x, p)
		}
	}
}

func TestMulInt64(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	edges := []int64{0, 1, -1, 1<<63 - 1, -1 << 63, 1 << 32, -(1 << 32)}
	for i := 0; i < 100000; i++ {
		a, b := int64(r.Uint64()), int64(r.Uint64())>>uint(r.IntN(64))
		if i < len(edges)*len(edges) {
			a, b = edges[i/len(edges)], edges[i%len(edges)]
		}
		want := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		if got := MulInt64(a, b).BigInt(); got.Cmp(want) != 0 {
			t.Fatalf("MulInt64(%d, %d) = %s, want %s", a, b, got, want)
		}
		if !Fits(MulInt64(a, b), 38) {
			t.Fatalf("MulInt64(%d, %d) does not fit 38 digits", a, b)
		}
	}
}
