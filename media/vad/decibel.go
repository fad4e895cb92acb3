package vad

import "math"

// dB returns 10 log10(x): math.Log10 without its division, which the
// detector calls eleven times a frame. For positive normal x it is within
// a few units in the last place of 10*math.Log10(x), and exact at 1;
// anything else goes to math.Log10.
//
// x = 2^e m with m in [1-1/128, 2-1/128), rounded to the nearest
// c = 1 + i/64, i = 0..63, which leaves m = c (1 + r) with |r| <= 1/128;
// log(x) = e log(2) + log(c) + log(1 + r), the last by its series to r^7
// (truncation error below |r|^8/8 < 1e-17). For c > sqrt(2) the table
// holds log(c/2) and one more power of 2, as math.Log reduces its argument,
// so that just below 1 the result does not come from the cancellation of
// -log(2) and log(c).
func dB(x float64) float64 {
	b := math.Float64bits(x)
	if e := b >> 52; e-1 >= 0x7fe { // sign set, zero, subnormal, Inf or NaN
		return 10 * math.Log10(x)
	}
	k := b + 1<<45 // rounds the mantissa to six bits, carrying into e
	e := int64(k>>52) - 1023
	c := &logTable[k>>46&63]
	m := math.Float64frombits(b - uint64(e)<<52)
	r := (m - c.c) * c.inv // m - c is exact
	// The series in Estrin's form, for a short dependency chain.
	r2 := r * r
	p := r + r2*(-1.0/2+r*(1.0/3)) + r2*r2*((-1.0/4+r*(1.0/5))+r2*(-1.0/6+r*(1.0/7)))
	f := float64(e) + c.e
	return (f*ln2Hi + (c.log + (f*ln2Lo + p))) * (10 / math.Ln10)
}

// ln2Hi + ln2Lo = log(2), ln2Hi with 32 trailing zero bits, so that e ln2Hi
// is exact.
const (
	ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
)

// logTable holds, for c = 1 + i/64, c, 1/c and log(c), or log(c/2) and
// e = 1 where c > sqrt(2).
var logTable = func() (t [64]struct{ c, inv, log, e float64 }) {
	for i := range t {
		c := 1 + float64(i)/64
		t[i].c, t[i].inv, t[i].log = c, 1/c, math.Log(c)
		if c > math.Sqrt2 {
			t[i].log, t[i].e = math.Log(c/2), 1
		}
	}
	return t
}()
