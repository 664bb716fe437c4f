// Package decimal does exact arithmetic on the unscaled 128-bit integers
// of NUMERIC values (arrow's decimal128.Num) with math/bits: additions with
// carries, 64x64->128 products, division by 64-bit divisors, all with
// overflow checks, so that per-row loops never touch math/big. The rare
// operands it cannot handle this way (a divisor above 2^64, a product
// above 2^127) are reported as not ok, and callers fall back to exact
// big-number code.
//
// Values are two's complement: hi holds the sign and upper bits, lo the
// lower 64 bits, exactly as decimal128.Num stores them.
package decimal

import (
	"math/big"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Num is an unscaled 128-bit NUMERIC value.
type Num = decimal128.Num

// pow10 holds 10^0 .. 10^38 as 128-bit values.
var pow10 [39]Num

func init() {
	p := big.NewInt(1)
	for i := range pow10 {
		pow10[i] = decimal128.FromBigInt(p)
		p.Mul(p, big.NewInt(10))
	}
}

// Pow10 returns 10^n for 0 <= n <= 38.
func Pow10(n int32) Num { return pow10[n] }

// FitsInt64 reports whether v is an int64 (hi is lo's sign extension).
func FitsInt64(v Num) bool { return v.HighBits() == int64(v.LowBits())>>63 }

// MulInt64 returns the exact product of two int64s. Its magnitude is at
// most 2^126, below 10^38, so it fits every NUMERIC of 38 digits.
func MulInt64(a, b int64) Num {
	ua, ub := uint64(a), uint64(b)
	if a < 0 {
		ua = -ua
	}
	if b < 0 {
		ub = -ub
	}
	hi, lo := bits.Mul64(ua, ub)
	if (a < 0) != (b < 0) {
		lo, hi = -lo, ^hi
		if lo == 0 {
			hi++
		}
	}
	return decimal128.New(int64(hi), lo)
}

// Add returns a + b; ok is false on 128-bit overflow.
func Add(a, b Num) (r Num, ok bool) {
	lo, c := bits.Add64(a.LowBits(), b.LowBits(), 0)
	ah, bh := a.HighBits(), b.HighBits()
	hi := ah + bh + int64(c)
	// Overflow when both operands have the sign the result lacks.
	if (ah^hi)&(bh^hi) < 0 {
		return Num{}, false
	}
	return decimal128.New(hi, lo), true
}

// Sub returns a - b; ok is false on 128-bit overflow.
func Sub(a, b Num) (r Num, ok bool) {
	lo, brw := bits.Sub64(a.LowBits(), b.LowBits(), 0)
	ah, bh := a.HighBits(), b.HighBits()
	hi := ah - bh - int64(brw)
	if (ah^bh)&(ah^hi) < 0 {
		return Num{}, false
	}
	return decimal128.New(hi, lo), true
}

// Neg returns -a (ok false only for the most negative value).
func Neg(a Num) (Num, bool) { return Sub(Num{}, a) }

// abs returns |a| as an unsigned 128-bit (hi, lo) and whether a < 0.
func abs(a Num) (hi, lo uint64, neg bool) {
	hi, lo = uint64(a.HighBits()), a.LowBits()
	if a.HighBits() < 0 {
		var b uint64
		lo, b = bits.Sub64(0, lo, 0)
		hi, _ = bits.Sub64(0, hi, b)
		return hi, lo, true
	}
	return hi, lo, false
}

// fromAbs builds a signed value from a magnitude; ok false when it does
// not fit in 127 bits.
func fromAbs(hi, lo uint64, neg bool) (Num, bool) {
	if hi>>63 != 0 {
		// Only -2^127 has this magnitude; treat it as overflow too.
		return Num{}, false
	}
	if neg {
		var b uint64
		lo, b = bits.Sub64(0, lo, 0)
		hi, _ = bits.Sub64(0, hi, b)
	}
	return decimal128.New(int64(hi), lo), true
}

// Mul returns a * b; ok is false when the product exceeds 127 bits.
func Mul(a, b Num) (Num, bool) {
	// The common case: both fit in int64 and so does the product.
	if FitsInt64(a) && FitsInt64(b) {
		x, y := int64(a.LowBits()), int64(b.LowBits())
		hi, lo := bits.Mul64(uint64(x), uint64(y))
		// Signed correction of the unsigned high word.
		h := int64(hi)
		if x < 0 {
			h -= y
		}
		if y < 0 {
			h -= x
		}
		return decimal128.New(h, lo), true
	}
	ah, al, an := abs(a)
	bh, bl, bn := abs(b)
	if ah != 0 && bh != 0 {
		return Num{}, false
	}
	hi, lo := bits.Mul64(al, bl)
	var c1, c2 uint64
	var x uint64
	if ah != 0 {
		c1, x = bits.Mul64(ah, bl)
	} else if bh != 0 {
		c1, x = bits.Mul64(al, bh)
	}
	hi, c2 = bits.Add64(hi, x, 0)
	if c1 != 0 || c2 != 0 {
		return Num{}, false
	}
	return fromAbs(hi, lo, an != bn)
}

// MulPow10 returns a * 10^n (0 <= n <= 38); ok false on overflow.
func MulPow10(a Num, n int32) (Num, bool) {
	if n == 0 {
		return a, true
	}
	return Mul(a, pow10[n])
}

// divAbs divides the magnitude (hi, lo) by d, returning the quotient and
// the remainder.
func divAbs(hi, lo, d uint64) (qhi, qlo, rem uint64) {
	qhi = hi / d
	r := hi % d
	qlo, rem = bits.Div64(r, lo, d)
	return qhi, qlo, rem
}

// DivRound returns a / b rounded half away from zero (as PostgreSQL rounds
// NUMERIC); ok is false when b's magnitude exceeds 64 bits or the
// quotient overflows. b must not be zero.
func DivRound(a, b Num) (Num, bool) {
	ah, al, an := abs(a)
	bh, bl, bn := abs(b)
	if bh != 0 {
		return Num{}, false
	}
	qh, ql, rem := divAbs(ah, al, bl)
	// Round half away from zero: compare 2*rem with the divisor.
	if rem >= bl-rem {
		var c uint64
		ql, c = bits.Add64(ql, 1, 0)
		qh += c
	}
	return fromAbs(qh, ql, an != bn)
}

// DivTrunc returns a / b truncated toward zero and the remainder (with
// a's sign), as integer division does; ok as for DivRound.
func DivTrunc(a, b Num) (q, r Num, ok bool) {
	ah, al, an := abs(a)
	bh, bl, bn := abs(b)
	if bh != 0 {
		return Num{}, Num{}, false
	}
	qh, ql, rem := divAbs(ah, al, bl)
	q, ok1 := fromAbs(qh, ql, an != bn)
	r, ok2 := fromAbs(0, rem, an)
	return q, r, ok1 && ok2
}

// Rescale changes a's scale from `from` to `to`, rounding half away from
// zero when digits are dropped; ok false on overflow.
func Rescale(a Num, from, to int32) (Num, bool) {
	switch {
	case to == from:
		return a, true
	case to > from:
		if to-from > 38 {
			return Num{}, false
		}
		return MulPow10(a, to-from)
	}
	d := from - to
	if d > 38 {
		return Num{}, true // every digit dropped: rounds to zero
	}
	if d > 19 {
		// 10^d exceeds 64 bits: truncate the lowest d-19 digits first.
		// Rounding the rest by 10^19 is then exact, since the truncated
		// digits can only move a remainder below one half up to less
		// than one half.
		q, _, ok := DivTrunc(a, pow10[d-19])
		if !ok {
			return Num{}, false
		}
		return DivRound(q, pow10[19])
	}
	return DivRound(a, pow10[d])
}

// Fits reports whether |a| < 10^precision.
func Fits(a Num, precision int32) bool {
	if precision >= 39 {
		return true
	}
	hi, lo, _ := abs(a)
	p := pow10[precision]
	ph, pl := uint64(p.HighBits()), p.LowBits()
	return hi < ph || hi == ph && lo < pl
}

// Cmp compares a and b: -1, 0 or +1.
func Cmp(a, b Num) int {
	ah, bh := a.HighBits(), b.HighBits()
	switch {
	case ah < bh:
		return -1
	case ah > bh:
		return 1
	}
	al, bl := a.LowBits(), b.LowBits()
	switch {
	case al < bl:
		return -1
	case al > bl:
		return 1
	}
	return 0
}
