package resample

import (
	"fmt"
	"math"
	"testing"
)

// Specifications asserted by the frequency sweeps below. The filter is
// designed for 80 dB; the measured figures are in
// docs/BENCHMARKS.md.
const (
	// maxRippleDB bounds the peak-to-peak gain variation across the
	// passband, 0 to 0.45 of the lower rate.
	maxRippleDB = 0.01
	// maxPassGainDB bounds the deviation of any passband gain from 0 dB.
	maxPassGainDB = 0.01
	// minRejectionDB is the least attenuation of anything above the lower
	// rate's Nyquist frequency: aliases when decimating, images when
	// interpolating.
	minRejectionDB = 75.0
)

// toneAmp is the test tone amplitude (-6 dBFS).
const toneAmp = 16384.0

// window returns the analysed length in seconds at output rate out: 0.1 s,
// or 0.2 s when 0.1 s is not a whole number of samples (11025 Hz). Every
// test frequency is a multiple of 10 Hz (see grid), so the analysis window
// holds whole cycles.
func window(out int) float64 {
	if out%10 != 0 {
		return 0.2
	}
	return 0.1
}

// grid rounds f up to the 10 Hz grid of test frequencies.
func grid(f float64) float64 { return math.Ceil(f/10) * 10 }

// tone resamples a sine of frequency f through a new in->out Resampler in
// 20 ms frames and returns the steady-state output: window(out) seconds of
// it, starting after the filter has filled.
func tone(t testing.TB, in, out int, f float64) []float64 {
	t.Helper()
	r := mustNew(t, in, out)
	skipIn := 2*r.k + in/50 // past the filter's start-up transient
	n := skipIn + int(window(out)*float64(in)) + in/50
	x := make([]int16, n)
	for i := range x {
		x[i] = int16(math.Round(toneAmp * math.Sin(2*math.Pi*f*float64(i)/float64(in))))
	}
	y := process(t, r, x, []int{in / 50})
	skipOut := r.OutLen(skipIn)
	seg := make([]float64, int(math.Round(window(out)*float64(out))))
	for i := range seg {
		seg[i] = float64(y[skipOut+i])
	}
	return seg
}

// fit returns the amplitude of the component of seg at frequency f (sample
// rate fs), and the RMS of what remains once that component is removed.
// seg spans whole cycles of f, so the projection is exact and the cosine
// and sine are orthogonal: the residual energy is the total less the
// component's. The cosine and sine are advanced by rotation, one complex
// multiplication per sample.
func fit(seg []float64, f, fs float64) (amp, residualRMS float64) {
	var c, s, e float64
	dc, ds := math.Cos(2*math.Pi*f/fs), math.Sin(2*math.Pi*f/fs)
	cw, sw := 1.0, 0.0
	for _, v := range seg {
		c += v * cw
		s += v * sw
		e += v * v
		cw, sw = cw*dc-sw*ds, sw*dc+cw*ds
	}
	n := float64(len(seg))
	if f == 0 || 2*f == fs {
		c /= n // the cosine's energy is n, and there is no sine
		e -= n * c * c
		return math.Abs(c), math.Sqrt(max(e, 0) / n)
	}
	c, s = 2*c/n, 2*s/n
	e -= n * (c*c + s*s) / 2
	return math.Hypot(c, s), math.Sqrt(max(e, 0) / n)
}

func rms(seg []float64) float64 {
	var e float64
	for _, v := range seg {
		e += v * v
	}
	return math.Sqrt(e / float64(len(seg)))
}

func db(ratio float64) float64 { return 20 * math.Log10(ratio) }

// response holds the figures one sweep measures for one direction.
type response struct {
	minGain, maxGain float64 // passband gain extremes, dB
	rejection        float64 // worst stopband rejection, dB (positive)
	worstStop        float64 // frequency of the worst rejection, Hz
}

// measure sweeps tones through one direction. Passband: tones from 50 Hz to
// 0.45 of the lower rate. Stopband: when decimating, input tones from the
// lower rate's Nyquist frequency up to the input's, measured as the total
// output power (every alias); when interpolating, input tones anywhere below
// the input Nyquist frequency, measured as the output power left after the
// tone itself is removed (every image).
func measure(t testing.TB, in, out int) response {
	low := min(in, out)
	resp := response{minGain: math.Inf(1), maxGain: math.Inf(-1), rejection: math.Inf(1)}
	step := grid(float64(low)/80 - 5) // 100 Hz at 8 kHz, 140 Hz at 11025 Hz
	for f := 50.0; f <= passEdge*float64(low); f += step {
		amp, _ := fit(tone(t, in, out, f), f, float64(out))
		g := db(amp / toneAmp)
		resp.minGain, resp.maxGain = min(resp.minGain, g), max(resp.maxGain, g)
	}
	ref := toneAmp / math.Sqrt2
	if in > out {
		for f := grid(stopEdge * float64(low)); f < float64(in)/2; f += grid(step * 2.5) {
			if r := -db(rms(tone(t, in, out, f)) / ref); r < resp.rejection {
				resp.rejection, resp.worstStop = r, f
			}
		}
	} else {
		for f := 50.0; f < float64(in)/2; f += step {
			_, res := fit(tone(t, in, out, f), f, float64(out))
			if r := -db(res / ref); r < resp.rejection {
				resp.rejection, resp.worstStop = r, f
			}
		}
	}
	return resp
}

func TestFrequencyResponse(t *testing.T) {
	for _, d := range directions() {
		if d[0] == d[1] {
			continue
		}
		t.Run(fmt.Sprintf("%d-%d", d[0], d[1]), func(t *testing.T) {
			t.Parallel()
			r := measure(t, d[0], d[1])
			t.Logf("%d->%d passband gain %+.4f..%+.4f dB (ripple %.4f dB), stopband rejection %.1f dB (worst at %.0f Hz)",
				d[0], d[1], r.minGain, r.maxGain, r.maxGain-r.minGain, r.rejection, r.worstStop)
			if ripple := r.maxGain - r.minGain; ripple > maxRippleDB {
				t.Errorf("passband ripple %.4f dB > %.2f dB", ripple, maxRippleDB)
			}
			if g := max(-r.minGain, r.maxGain); g > maxPassGainDB {
				t.Errorf("passband gain deviates %.4f dB from 0 dB, limit %.2f dB", g, maxPassGainDB)
			}
			if r.rejection < minRejectionDB {
				t.Errorf("stopband rejection %.1f dB at %.0f Hz < %.0f dB", r.rejection, r.worstStop, minRejectionDB)
			}
		})
	}
}
