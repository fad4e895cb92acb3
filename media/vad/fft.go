package vad

import (
	"math"
	"math/bits"
)

// fftPlan is a complex FFT of a fixed power-of-two size, 128 to 1024
// points, of the windowed samples of the analysis window, which fill only
// part of it: z[t] = g[2t] x[2t] + i g[2t+1] x[2t+1] for t < nz, zero
// past.
//
// It decimates in frequency. Its stages are radix 4, each a fused pair of
// radix-2 stages: the first loads z from the samples and skips the points
// known to be zero; the last is a 4-point or, when log2(size) is odd,
// 8-point kernel whose twiddles are constants, and it stores the spectrum
// in natural order. Every stage works on a fixed-size array (the stage
// functions are generic over the sizes), so that a butterfly addresses its
// points at constant offsets without bounds checks, and reads its twiddles
// from a table of its own, in loop order.
type fftPlan struct {
	n      int        // size
	nz     int        // inputs that may be non-zero: z[nz:] are zero
	first  []loadTw   // gains and twiddles of the first stage
	stages []twiddle3 // twiddles of the later radix-4 stages, in order
	base   []uint16   // block numbers of the last stage, bits reversed
}

// twiddle3 holds W^j, W^2j and W^3j, W = exp(-2 pi i/L), of butterfly j of
// a radix-4 stage of length L.
type twiddle3 struct{ r1, i1, r2, i2, r3, i3 float64 }

// loadTw is what butterfly j of the first stage needs besides the
// samples: the gains of the real and imaginary parts of its inputs
// z[j+qm], q = 0..3 (zero past the window), and its twiddles.
type loadTw struct {
	g [8]float64
	w twiddle3
}

// newFFTPlan prepares an FFT of n points of z[t] = gain[2t] x[2t] +
// i gain[2t+1] x[2t+1], zero for t >= len(gain)/2. n is 128, 256, 512 or
// 1024, the sizes newSpectrum plans; run does nothing for others.
func newFFTPlan(n int, gain []float64) fftPlan {
	p := fftPlan{n: n, nz: len(gain) / 2}
	log2 := bits.TrailingZeros(uint(n))
	end := 4 // the last stage's block
	if log2%2 == 1 {
		end = 8
	}
	blockBits := log2 - bits.TrailingZeros(uint(end)) // log2 of the block count
	for b := range n / end {
		p.base = append(p.base, uint16(bits.Reverse(uint(b))>>(bits.UintSize-blockBits)))
	}
	m := n / 4
	for j := range m {
		var t loadTw
		for q := range 4 {
			if i := 2 * (j + q*m); i+1 < len(gain) {
				t.g[2*q], t.g[2*q+1] = gain[i], gain[i+1]
			}
		}
		t.w = radix4Twiddles(j, n)
		p.first = append(p.first, t)
	}
	for l := m; l > end; l /= 4 {
		for j := range l / 4 {
			p.stages = append(p.stages, radix4Twiddles(j, l))
		}
	}
	return p
}

// radix4Twiddles returns the twiddles of butterfly j of a radix-4 stage of
// length l.
func radix4Twiddles(j, l int) twiddle3 {
	a := -2 * math.Pi * float64(j) / float64(l)
	return twiddle3{
		math.Cos(a), math.Sin(a),
		math.Cos(2 * a), math.Sin(2 * a),
		math.Cos(3 * a), math.Sin(3 * a),
	}
}

// run computes the FFT of the samples x (see newFFTPlan) into zr, zi, in
// natural order, with re and im as work buffers (all p.n points). x holds
// 2 p.n samples, so that it fits a fixed-size array, but those from 2 nz on
// are not read.
func (p *fftPlan) run(zr, zi, re, im []float64, x []int16) {
	re, im = re[:p.n], im[:p.n]
	x = x[:2*p.n]
	switch p.n {
	case 128:
		load[*[128]float64, *[256]int16](re, im, x, p.first, p.nz)
	case 256:
		load[*[256]float64, *[512]int16](re, im, x, p.first, p.nz)
	case 512:
		load[*[512]float64, *[1024]int16](re, im, x, p.first, p.nz)
	case 1024:
		load[*[1024]float64, *[2048]int16](re, im, x, p.first, p.nz)
	}
	tw := p.stages
	for l := p.n / 4; len(tw) > 0; l /= 4 {
		m := l / 4
		t := tw[:m]
		tw = tw[m:]
		switch m {
		case 4:
			radix4Blocks[*[16]float64](re, im, t)
		case 8:
			radix4Blocks[*[32]float64](re, im, t)
		case 16:
			radix4Blocks[*[64]float64](re, im, t)
		case 32:
			radix4Blocks[*[128]float64](re, im, t)
		case 64:
			radix4Blocks[*[256]float64](re, im, t)
		}
	}
	switch p.n {
	case 128:
		last8[*[128]float64](zr, zi, re, im, p.base)
	case 256:
		last4[*[256]float64](zr, zi, re, im, p.base)
	case 512:
		last8[*[512]float64](zr, zi, re, im, p.base)
	case 1024:
		last4[*[1024]float64](zr, zi, re, im, p.base)
	}
}

// load runs the first radix-4 stage over the whole of re, im (as in
// radix4Blocks), loading its input z from x: point t is x[2t] g + i
// x[2t+1] g', with the gains of tw, and zero from nz on. Butterfly j reads
// points j, j+m, j+2m and j+3m, of which only those below nz are loaded
// and added.
func load[A *[128]float64 | *[256]float64 | *[512]float64 | *[1024]float64,
	X *[256]int16 | *[512]int16 | *[1024]int16 | *[2048]int16](
	res, ims []float64, xs []int16, tw []loadTw, nz int) {
	re, im, x := A(res), A(ims), X(xs)
	m := len(re) / 4
	tw = tw[:m]
	// All four points are below nz for j < j4, three for j < j3, two for
	// j < j2.
	j4 := min(max(nz-3*m, 0), m)
	j3 := min(max(nz-2*m, 0), m)
	j2 := min(max(nz-m, 0), m)
	j := 0
	for ; j < j4; j++ {
		t := &tw[j]
		ar, ai := float64(x[2*j])*t.g[0], float64(x[2*j+1])*t.g[1]
		br, bi := float64(x[2*j+2*m])*t.g[2], float64(x[2*j+2*m+1])*t.g[3]
		cr, ci := float64(x[2*j+4*m])*t.g[4], float64(x[2*j+4*m+1])*t.g[5]
		dr, di := float64(x[2*j+6*m])*t.g[6], float64(x[2*j+6*m+1])*t.g[7]
		sr, si := ar+cr, ai+ci
		tr, ti := br+dr, bi+di
		ur, ui := ar-cr, ai-ci
		vr, vi := br-dr, bi-di
		w := &t.w
		re[j], im[j] = sr+tr, si+ti
		xr, xi := sr-tr, si-ti
		re[j+m], im[j+m] = xr*w.r2-xi*w.i2, xr*w.i2+xi*w.r2
		xr, xi = ur+vi, ui-vr
		re[j+2*m], im[j+2*m] = xr*w.r1-xi*w.i1, xr*w.i1+xi*w.r1
		xr, xi = ur-vi, ui+vr
		re[j+3*m], im[j+3*m] = xr*w.r3-xi*w.i3, xr*w.i3+xi*w.r3
	}
	for ; j < j3; j++ { // d = 0
		t := &tw[j]
		ar, ai := float64(x[2*j])*t.g[0], float64(x[2*j+1])*t.g[1]
		br, bi := float64(x[2*j+2*m])*t.g[2], float64(x[2*j+2*m+1])*t.g[3]
		cr, ci := float64(x[2*j+4*m])*t.g[4], float64(x[2*j+4*m+1])*t.g[5]
		sr, si := ar+cr, ai+ci
		ur, ui := ar-cr, ai-ci
		w := &t.w
		re[j], im[j] = sr+br, si+bi
		xr, xi := sr-br, si-bi
		re[j+m], im[j+m] = xr*w.r2-xi*w.i2, xr*w.i2+xi*w.r2
		xr, xi = ur+bi, ui-br
		re[j+2*m], im[j+2*m] = xr*w.r1-xi*w.i1, xr*w.i1+xi*w.r1
		xr, xi = ur-bi, ui+br
		re[j+3*m], im[j+3*m] = xr*w.r3-xi*w.i3, xr*w.i3+xi*w.r3
	}
	for ; j < j2; j++ { // c = d = 0
		t := &tw[j]
		ar, ai := float64(x[2*j])*t.g[0], float64(x[2*j+1])*t.g[1]
		br, bi := float64(x[2*j+2*m])*t.g[2], float64(x[2*j+2*m+1])*t.g[3]
		w := &t.w
		re[j], im[j] = ar+br, ai+bi
		xr, xi := ar-br, ai-bi
		re[j+m], im[j+m] = xr*w.r2-xi*w.i2, xr*w.i2+xi*w.r2
		xr, xi = ar+bi, ai-br
		re[j+2*m], im[j+2*m] = xr*w.r1-xi*w.i1, xr*w.i1+xi*w.r1
		xr, xi = ar-bi, ai+br
		re[j+3*m], im[j+3*m] = xr*w.r3-xi*w.i3, xr*w.i3+xi*w.r3
	}
	for ; j < m; j++ { // b = c = d = 0
		t := &tw[j]
		ar, ai := float64(x[2*j])*t.g[0], float64(x[2*j+1])*t.g[1]
		w := &t.w
		re[j], im[j] = ar, ai
		re[j+m], im[j+m] = ar*w.r2-ai*w.i2, ar*w.i2+ai*w.r2
		re[j+2*m], im[j+2*m] = ar*w.r1-ai*w.i1, ar*w.i1+ai*w.r1
		re[j+3*m], im[j+3*m] = ar*w.r3-ai*w.i3, ar*w.i3+ai*w.r3
	}
}

// spectra are the FFT sizes.
type spectra interface {
	*[128]float64 | *[256]float64 | *[512]float64 | *[1024]float64
}

// last4 runs the last stage of a transform whose size is a power of 4,
// 4-point butterflies whose twiddles are all 1, from re, im into zr, zi in
// natural order: output r of block b is bin rev2(r) n/4 + base[b], base[b]
// being b with its bits reversed.
func last4[A spectra](zrs, zis, res, ims []float64, base []uint16) {
	zr, zi, re, im := A(zrs), A(zis), A(res), A(ims)
	s := len(re) / 4
	base = base[:s]
	for b := range s {
		o := int(base[b]) & (s - 1)
		sr, si := re[4*b]+re[4*b+2], im[4*b]+im[4*b+2]
		tr, ti := re[4*b+1]+re[4*b+3], im[4*b+1]+im[4*b+3]
		ur, ui := re[4*b]-re[4*b+2], im[4*b]-im[4*b+2]
		vr, vi := re[4*b+1]-re[4*b+3], im[4*b+1]-im[4*b+3]
		zr[o], zi[o] = sr+tr, si+ti
		zr[o+2*s], zi[o+2*s] = sr-tr, si-ti
		zr[o+s], zi[o+s] = ur+vi, ui-vr
		zr[o+3*s], zi[o+3*s] = ur-vi, ui+vr
	}
}

// sqrtHalf is cos(pi/4): W8 = exp(-i pi/4) = sqrtHalf (1 - i).
const sqrtHalf = 0.70710678118654752440084436210484903928483593768847

// last8 runs the last two stages of a transform whose size is twice a
// power of 4, 8-point transforms (a radix-4 stage with the twiddles 1, W8,
// -i and W8^3, then 2-point butterflies) in registers, from re, im into
// zr, zi in natural order: output r of block b is bin rev3(r) n/8 +
// base[b], base[b] being b with its bits reversed.
func last8[A spectra](zrs, zis, res, ims []float64, base []uint16) {
	zr, zi, re, im := A(zrs), A(zis), A(res), A(ims)
	s := len(re) / 8
	base = base[:s]
	for b := range s {
		o := int(base[b]) & (s - 1)
		o8 := 8 * b
		// j = 0: a, b, c, d = x0, x2, x4, x6; twiddles 1.
		sr, si := re[o8]+re[o8+4], im[o8]+im[o8+4]
		tr, ti := re[o8+2]+re[o8+6], im[o8+2]+im[o8+6]
		ur, ui := re[o8]-re[o8+4], im[o8]-im[o8+4]
		vr, vi := re[o8+2]-re[o8+6], im[o8+2]-im[o8+6]
		y0r, y0i := sr+tr, si+ti
		y2r, y2i := sr-tr, si-ti
		y4r, y4i := ur+vi, ui-vr
		y6r, y6i := ur-vi, ui+vr
		// j = 1: a, b, c, d = x1, x3, x5, x7; twiddles W8^2 = -i, W8
		// and W8^3. Each output is combined with its j = 0 partner and
		// stored at once.
		sr, si = re[o8+1]+re[o8+5], im[o8+1]+im[o8+5]
		tr, ti = re[o8+3]+re[o8+7], im[o8+3]+im[o8+7]
		ur, ui = re[o8+1]-re[o8+5], im[o8+1]-im[o8+5]
		vr, vi = re[o8+3]-re[o8+7], im[o8+3]-im[o8+7]
		xr, xi := sr+tr, si+ti
		zr[o], zi[o] = y0r+xr, y0i+xi
		zr[o+4*s], zi[o+4*s] = y0r-xr, y0i-xi
		xr, xi = si-ti, tr-sr // (s - t)(-i)
		zr[o+2*s], zi[o+2*s] = y2r+xr, y2i+xi
		zr[o+6*s], zi[o+6*s] = y2r-xr, y2i-xi
		xr, xi = ur+vi, ui-vr
		xr, xi = (xr+xi)*sqrtHalf, (xi-xr)*sqrtHalf // x W8
		zr[o+s], zi[o+s] = y4r+xr, y4i+xi
		zr[o+5*s], zi[o+5*s] = y4r-xr, y4i-xi
		xr, xi = ur-vi, ui+vr
		pr, q := (xi-xr)*sqrtHalf, (xr+xi)*sqrtHalf // x W8^3 = pr - iq
		zr[o+3*s], zi[o+3*s] = y6r+pr, y6i-q
		zr[o+7*s], zi[o+7*s] = y6r-pr, y6i+q
	}
}

// block is a block of a radix-4 stage short enough that its butterflies
// address their four points at constant offsets.
type block interface {
	*[16]float64 | *[32]float64 | *[64]float64 | *[128]float64 | *[256]float64
}

// radix4Blocks runs a radix-4 stage over every block of len(B) points of
// re, im: butterfly j of a block takes its points a, b, c, d at j, j+m,
// j+2m and j+3m, m = len(B)/4, and leaves, in two radix-2 stages in one
// pass,
//
//	a+b+c+d at j,
//	(a-b+c-d) W^2j at j+m,
//	(a-ib-c+id) W^j at j+2m and
//	(a+ib-c-id) W^3j at j+3m,
//
// the radix-2 order; W = exp(-2 pi i/len(B)), with W^j, W^2j and W^3j in
// tw[j]. Butterfly 0, whose twiddles are 1, does no multiplications.
func radix4Blocks[B block](re, im []float64, tw []twiddle3) {
	var zero B
	l := len(zero)
	m := l / 4
	tw = tw[:m]
	im = im[:len(re)]
	for b := 0; b+l <= len(re); b += l {
		r, i := B(re[b:b+l]), B(im[b:b+l])
		sr, si := r[0]+r[2*m], i[0]+i[2*m]
		tr, ti := r[m]+r[3*m], i[m]+i[3*m]
		ur, ui := r[0]-r[2*m], i[0]-i[2*m]
		vr, vi := r[m]-r[3*m], i[m]-i[3*m]
		r[0], i[0] = sr+tr, si+ti
		r[m], i[m] = sr-tr, si-ti
		r[2*m], i[2*m] = ur+vi, ui-vr
		r[3*m], i[3*m] = ur-vi, ui+vr
		for j := 1; j < m; j++ {
			w := &tw[j]
			ar, ai := r[j], i[j]
			br, bi := r[j+m], i[j+m]
			cr, ci := r[j+2*m], i[j+2*m]
			dr, di := r[j+3*m], i[j+3*m]
			sr, si := ar+cr, ai+ci // a + c
			tr, ti := br+dr, bi+di // b + d
			ur, ui := ar-cr, ai-ci // a - c
			vr, vi := br-dr, bi-di // b - d
			r[j], i[j] = sr+tr, si+ti
			xr, xi := sr-tr, si-ti
			r[j+m], i[j+m] = xr*w.r2-xi*w.i2, xr*w.i2+xi*w.r2
			xr, xi = ur+vi, ui-vr // (a - c) - i(b - d)
			r[j+2*m], i[j+2*m] = xr*w.r1-xi*w.i1, xr*w.i1+xi*w.r1
			xr, xi = ur-vi, ui+vr // (a - c) + i(b - d)
			r[j+3*m], i[j+3*m] = xr*w.r3-xi*w.i3, xr*w.i3+xi*w.r3
		}
	}
}
