// Package money holds amounts as integer fen (分) and the one rounding rule
// for rates in basis points. No floating point touches money.
package money

import "fmt"

// Fen is an amount in fen (1/100 yuan).
type Fen int64

// String renders ¥12.34.
func (f Fen) String() string {
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, int64(f)/100, int64(f)%100)
}

// ApplyBasisPoints returns amount × bp / 10000 rounded half up (amount ≥ 0).
func ApplyBasisPoints(amount Fen, bp int64) Fen {
	return Fen((int64(amount)*bp + 5000) / 10000)
}

// Clamp bounds f to [lo, hi].
func Clamp(f, lo, hi Fen) Fen {
	if f < lo {
		return lo
	}
	if f > hi {
		return hi
	}
	return f
}
