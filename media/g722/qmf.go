package g722

// qmfCoeffs are the 24-tap QMF coefficients h0..h11 of G.722 (the filter is
// symmetric: h(23-i) = h(i)), scaled by 2^13.
var qmfCoeffs = [12]int32{3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11}

// qmf holds the 24-sample delay line of the transmit or receive QMF, split
// into the first and second sample of each pair (oldest first), so that
// each output is a 12-term dot product.
type qmf struct {
	first  [12]int32
	second [12]int32
}

// push shifts one sample pair into the delay line and returns the two
// 12-term sums: first samples against h0..h11, second samples against
// h11..h0.
func (q *qmf) push(x0, x1 int32) (sumFirst, sumSecond int32) {
	copy(q.first[:11], q.first[1:])
	copy(q.second[:11], q.second[1:])
	q.first[11], q.second[11] = x0, x1
	for i, c := range qmfCoeffs {
		sumFirst += q.first[i] * c
		sumSecond += q.second[i] * qmfCoeffs[11-i]
	}
	return sumFirst, sumSecond
}

// analyze is the transmit QMF: it takes two consecutive 16 kHz input
// samples and returns the lower and higher sub-band samples xl and xh.
func (q *qmf) analyze(x0, x1 int16) (xl, xh int32) {
	a, b := q.push(int32(x0), int32(x1))
	return (b + a) >> 14, (b - a) >> 14
}

// synthesize is the receive QMF: it takes the reconstructed sub-band
// samples rl and rh and returns two consecutive 16 kHz output samples.
func (q *qmf) synthesize(rl, rh int32) (y0, y1 int16) {
	a, b := q.push(rl+rh, rl-rh)
	return sat16(b >> 11), sat16(a >> 11)
}

// sat16 saturates x to the int16 range.
func sat16(x int32) int16 {
	return int16(min(max(x, -32768), 32767))
}
