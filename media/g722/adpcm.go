package g722

// The sub-band ADPCM coders, in the fixed point units of G.722's
// computational details: signals are 16-bit with 15 fractional bits of
// full scale, predictor coefficients have 14 (a) or 15 (b) fractional
// bits, and DETL/DETH are the quantizer scale factors.

// Block 1L, QUANTL: lower sub-band decision levels Q6 (in units of DETL
// >> 12), and the 6-bit codes for negative (ILN) and positive (ILP)
// differences by interval index.
var (
	q6 = [31]int32{0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
		786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0}
	iln = [31]uint8{0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
		18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4}
	ilp = [31]uint8{0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
		46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32}
)

// Blocks 2L INVQAL and 5L INVQBL: inverse quantizer outputs QM4, QM5 and
// QM6 by code (4, 5 or 6 bits), in units of DETL >> 15.
var (
	qm4 = [16]int32{0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
		20456, 12896, 8968, 6288, 4240, 2584, 1200, 0}
	qm5 = [32]int32{-280, -280, -23352, -17560, -14120, -11664, -9752, -8184,
		-6864, -5712, -4696, -3784, -2960, -2208, -1520, -880,
		23352, 17560, 14120, 11664, 9752, 8184, 6864, 5712,
		4696, 3784, 2960, 2208, 1520, 880, 280, -280}
	qm6 = [64]int32{-136, -136, -136, -136, -24808, -21904, -19008, -16704,
		-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
		-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
		-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
		24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
		10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
		4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
		1688, 1360, 1040, 728, 432, 136, -432, -136}
)

// Blocks 1H QUANTH and 2H INVQAH: the 2-bit codes for negative (IHN) and
// positive (IHP) differences by interval index, and the inverse quantizer
// outputs QM2 in units of DETH >> 15. The one decision level is 564 in
// units of DETH >> 12.
var (
	ihn = [3]uint8{0, 1, 0}
	ihp = [3]uint8{0, 3, 2}
	qm2 = [4]int32{-7408, -1616, 7408, 1616}
)

// Blocks 3L LOGSCL/SCALEL and 3H LOGSCH/SCALEH: logarithmic scale factor
// multipliers WL and WH, the code to multiplier maps RL42 and RH2, and the
// inverse logarithm table ILB.
var (
	wl   = [8]int32{-60, -30, 58, 172, 334, 538, 1198, 3042}
	rl42 = [16]uint8{0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0}
	wh   = [3]int32{0, -214, 798}
	rh2  = [4]uint8{2, 1, 2, 1}
	ilb  = [32]int32{2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
		2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
		2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
		3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008}
)

// Initial quantizer scale factors DETL and DETH of the reset state; every
// other variable starts at zero.
const (
	detlInit = 32
	dethInit = 8
)

// band is the state of one sub-band ADPCM coder: the quantizer scale
// factor and the adaptive predictor. Encoder and decoder keep identical
// copies of it; the lower and higher sub-bands share the predictor
// (blocks 4L and 4H are the same).
type band struct {
	s   int32    // SL/SH: signal estimate, the predictor output
	sz  int32    // SZL/SZH: zero-section part of the signal estimate
	r   [2]int32 // RLT/RH: reconstructed signal at n-1, n-2
	p   [2]int32 // PLT/PH: partially reconstructed signal at n-1, n-2
	a   [2]int32 // AL/AH: pole-section coefficients a1, a2
	b   [6]int32 // BL/BH: zero-section coefficients b1..b6
	d   [6]int32 // DLT/DH: quantized difference signal at n-1..n-6
	nb  int32    // NBL/NBH: logarithmic quantizer scale factor
	det int32    // DETL/DETH: quantizer scale factor
}

func (b *band) reset(det int32) {
	*b = band{det: det}
}

// quantizeLow is blocks 1L SUBTRA and QUANTL: the 6-bit code of the
// difference between the lower sub-band sample xl and its estimate.
func (b *band) quantizeLow(xl int32) uint8 {
	el := sat32(xl - b.s)
	wd := el // magnitude, one's complement for negative differences
	if el < 0 {
		wd = -(el + 1)
	}
	mil := 1
	for ; mil < 30; mil++ {
		if wd < (q6[mil]*b.det)>>12 {
			break
		}
	}
	if el < 0 {
		return iln[mil]
	}
	return ilp[mil]
}

// quantizeHigh is blocks 1H SUBTRA and QUANTH: the 2-bit code of the
// difference between the higher sub-band sample xh and its estimate.
func (b *band) quantizeHigh(xh int32) uint8 {
	eh := sat32(xh - b.s)
	wd := eh
	if eh < 0 {
		wd = -(eh + 1)
	}
	mih := 1
	if wd >= (564*b.det)>>12 {
		mih = 2
	}
	if eh < 0 {
		return ihn[mih]
	}
	return ihp[mih]
}

// updateLow adapts the lower sub-band coder to ril, the 4 most significant
// bits of the code just sent or received: block 2L INVQAL, block 3L and
// block 4L.
func (b *band) updateLow(ril uint8) {
	ril &= 15
	dl := (b.det * qm4[ril]) >> 15
	// LOGSCL: NBL = NBL (1 - 2^-7) + WL, limited to [0, 18432].
	b.nb = min(max((b.nb*32512)>>15+wl[rl42[ril]], 0), 18432)
	b.det = scale(b.nb, 8) // SCALEL
	b.predict(dl)
}

// updateHigh adapts the higher sub-band coder to the code ih just sent or
// received: block 2H INVQAH, block 3H and block 4H. It returns the
// quantized difference DH.
func (b *band) updateHigh(ih uint8) int32 {
	ih &= 3
	dh := (b.det * qm2[ih]) >> 15
	// LOGSCH: NBH = NBH (1 - 2^-7) + WH, limited to [0, 22528].
	b.nb = min(max((b.nb*32512)>>15+wh[rh2[ih]], 0), 22528)
	b.det = scale(b.nb, 10) // SCALEH
	b.predict(dh)
	return dh
}

// scale is SCALEL (shift 8) and SCALEH (shift 10): the quantizer scale
// factor from its logarithm nb, 0 <= nb <= 22528.
func scale(nb int32, shift int32) int32 {
	wd1 := ilb[(nb>>6)&31]
	wd2 := nb >> 11
	if wd2 > shift {
		return wd1 << (wd2 - shift) << 2
	}
	return wd1 >> (shift - wd2) << 2
}

// predict is block 4L/4H: it reconstructs the signal from the quantized
// difference d, adapts the pole and zero coefficients and computes the
// next signal estimate.
func (b *band) predict(d int32) {
	r := sat32(b.s + d)  // RECONS
	p := sat32(d + b.sz) // PARREC
	sg0, sg1, sg2 := p>>15, b.p[0]>>15, b.p[1]>>15

	// UPPOL2: a2 = a2 (1 - 2^-7) + 2^-7 sgn(p) sgn(p2) - 2^-7 f(a1) sgn(p) sgn(p1),
	// with f(a1) = 4 a1 limited to ±1/2.
	wd2 := sat32(b.a[0] << 2)
	if sg0 == sg1 {
		wd2 = -wd2
	}
	wd2 = min(wd2, 32767) >> 7
	wd3 := int32(-128)
	if sg0 == sg2 {
		wd3 = 128
	}
	a2 := min(max(wd2+wd3+(b.a[1]*32512)>>15, -12288), 12288)

	// UPPOL1: a1 = a1 (1 - 2^-8) + 3 2^-8 sgn(p) sgn(p1), limited to
	// ±(15360 - a2).
	wd1 := int32(-192)
	if sg0 == sg1 {
		wd1 = 192
	}
	lim := 15360 - a2
	a1 := min(max(sat32(wd1+(b.a[0]*32640)>>15), -lim), lim)

	// UPZERO: b_i = b_i (1 - 2^-8) + 2^-7 sgn(d) sgn(d_i); no step when d = 0.
	step := int32(0)
	if d != 0 {
		step = 128
	}
	for i, di := range b.d {
		s := step
		if di>>15 != d>>15 {
			s = -step
		}
		b.b[i] = sat32(s + (b.b[i]*32640)>>15)
	}

	// DELAYA: shift the delay lines.
	copy(b.d[1:], b.d[:5])
	b.d[0] = d
	b.r[1], b.r[0] = b.r[0], r
	b.p[1], b.p[0] = b.p[0], p
	b.a[0], b.a[1] = a1, a2

	// FILTEP: pole-section output.
	sp := sat32((a1*sat32(r<<1))>>15 + (a2*sat32(b.r[1]<<1))>>15)

	// FILTEZ: zero-section output, accumulated oldest first with saturation.
	sz := int32(0)
	for i := 5; i >= 0; i-- {
		sz = sat32(sz + (b.b[i]*sat32(b.d[i]<<1))>>15)
	}
	b.sz = sz

	// PREDIC: the signal estimate.
	b.s = sat32(sp + sz)
}

// sat32 saturates x to the int16 range, keeping the int32 type.
func sat32(x int32) int32 {
	return min(max(x, -32768), 32767)
}
