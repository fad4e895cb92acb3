package plc

import (
	"fmt"
	"math"
)

// Concealer synthesizes audio for lost frames of one PCM stream. Create it
// with New; the zero value is not usable.
type Concealer struct {
	rate, frame int

	// Durations in samples at rate.
	tenMs    int // attenuation and block-widening step
	pitchMin int // 5 ms: 200 Hz
	pitchMax int // 15 ms: 66.7 Hz
	corrLen  int // 20 ms correlation window
	coarse   int // coarse pitch search step: a 4 kHz grid

	// hist is what was played last, oldest first: decoded frames and
	// concealment alike.
	hist []int16

	// Erasure state. erased counts the samples synthesized since the last
	// good frame; 0 means no erasure is in progress.
	erased  int
	pitch   int
	ovl     int       // quarter pitch period: cross-fade length
	periods int       // pitch periods in the repeated block, 1 to 3
	src     []float32 // history snapshot taken when the erasure began
	block   []float32 // the repeated block; len is periods*pitch
	pos     int       // read position in block

	// A block change in progress cross-fades from prev (at ppos) to block.
	prev     []float32
	ppos     int
	fadeLeft int
}

// New returns a Concealer for a stream at sampleRate Hz (8000 to 48000;
// other values are clamped into that range) decoding frames of
// frameSamples samples (20 ms if frameSamples <= 0). Conceal and Good also
// accept other lengths; frameSamples is what the stream normally uses.
func New(sampleRate, frameSamples int) *Concealer {
	rate := min(max(sampleRate, 8000), 48000)
	if frameSamples <= 0 {
		frameSamples = rate / 50
	}
	c := &Concealer{
		rate:     rate,
		frame:    frameSamples,
		tenMs:    rate / 100,
		pitchMin: rate / 200,
		pitchMax: rate * 3 / 200,
		corrLen:  rate / 50,
		coarse:   max(1, rate/4000),
	}
	// G.711 Appendix I keeps 3.25 maximal pitch periods (390 samples at
	// 8 kHz): three for the widest block, a quarter for its cross-fade.
	c.hist = make([]int16, 3*c.pitchMax+c.pitchMax/4)
	// The snapshot serves the widest block plus the sample before it, and
	// the pitch search: 20 ms correlated at lags up to pitchMax.
	c.src = make([]float32, max(3*c.pitchMax+1, c.corrLen+c.pitchMax))
	c.block = make([]float32, 0, 3*c.pitchMax)
	c.prev = make([]float32, 0, 3*c.pitchMax)
	return c
}

// SampleRate returns the stream's sample rate in Hz.
func (c *Concealer) SampleRate() int { return c.rate }

// FrameSamples returns the stream's normal frame length in samples.
func (c *Concealer) FrameSamples() int { return c.frame }

// String describes the concealer, for pipeline descriptions.
func (c *Concealer) String() string {
	return fmt.Sprintf("PLC(%d Hz, %d)", c.rate, c.frame)
}

// Reset forgets the history and any erasure in progress.
func (c *Concealer) Reset() {
	clear(c.hist)
	c.erased = 0
}

// Good records a correctly decoded frame. When it is the first frame after
// one or more concealed ones, Good merges the start of pcm with the
// continued synthesis by overlap-add (4 ms plus 4 ms per further 10 ms
// concealed, at most 10 ms), modifying pcm in place, so the real signal
// takes over without a click.
func (c *Concealer) Good(pcm []int16) {
	if c.erased > 0 {
		c.merge(pcm)
		c.erased = 0
	}
	c.remember(pcm)
}

// Conceal writes n samples standing in for a lost frame into pcm and
// returns n. Consecutive calls continue one erasure until the next Good.
// It fails with ErrFrameLength if n is negative or larger than len(pcm).
func (c *Concealer) Conceal(pcm []int16, n int) (int, error) {
	if n < 0 || n > len(pcm) {
		return 0, fmt.Errorf("%w: %d samples into %d", ErrFrameLength, n, len(pcm))
	}
	if n == 0 {
		return 0, nil
	}
	if c.erased == 0 {
		c.begin()
	}
	for i := range pcm[:n] {
		pcm[i] = toInt16(c.next())
	}
	c.remember(pcm[:n])
	return n, nil
}

// merge overlap-adds the continued synthesis into the start of pcm: G.711
// Appendix I, 4 ms for the first 10 ms erased plus 4 ms for each further
// 10 ms, at most 10 ms.
func (c *Concealer) merge(pcm []int16) {
	steps := (c.erased + c.tenMs - 1) / c.tenMs
	olen := min(steps*4*c.tenMs/10, c.tenMs)
	n := min(olen, len(pcm))
	for i := range pcm[:n] {
		w := float32(i+1) / float32(olen+1)
		pcm[i] = toInt16((1-w)*c.next() + w*float32(pcm[i]))
	}
}

// remember appends played samples to the history.
func (c *Concealer) remember(pcm []int16) {
	h := len(c.hist)
	if len(pcm) >= h {
		copy(c.hist, pcm[len(pcm)-h:])
		return
	}
	copy(c.hist, c.hist[len(pcm):])
	copy(c.hist[h-len(pcm):], pcm)
}

// begin starts an erasure: it snapshots the history, estimates the pitch and
// builds the one-period block.
func (c *Concealer) begin() {
	for i := range c.src {
		c.src[i] = float32(c.hist[len(c.hist)-len(c.src)+i])
	}
	c.pitch = c.findPitch()
	c.ovl = max(1, c.pitch/4)
	c.periods = 1
	c.block = c.build(c.block, 1)
	c.pos = 0
	c.fadeLeft = 0
}

// build fills dst with the last k pitch periods of the snapshot, corrected
// at its start so that it continues the last played sample: the block is
// repeated after that sample and after itself, and in both cases the step
// from src[end-1] to block[0] should look like the step from the sample
// before the block, src[end-len-1], to its first sample. The offset between
// src[end-1] and src[end-len-1] is added to the block's first samples and
// faded out over a quarter period.
func (c *Concealer) build(dst []float32, k int) []float32 {
	b := k * c.pitch
	end := len(c.src)
	dst = append(dst[:0], c.src[end-b:]...)
	delta := c.src[end-1] - c.src[end-b-1]
	for i := range dst[:min(c.ovl, b)] {
		dst[i] += delta * (1 - float32(i+1)/float32(c.ovl+1))
	}
	return dst
}

// next returns the next synthesized sample and advances the erasure.
func (c *Concealer) next() float32 {
	e := c.erased
	c.erased++
	if e >= 6*c.tenMs {
		return 0
	}
	if (e == c.tenMs || e == 2*c.tenMs) && c.periods < 3 {
		c.widen()
	}
	v := c.block[c.pos]
	if c.pos++; c.pos == len(c.block) {
		c.pos = 0
	}
	if c.fadeLeft > 0 {
		w := float32(c.fadeLeft) / float32(c.ovl+1)
		v = w*c.prev[c.ppos] + (1-w)*v
		if c.ppos++; c.ppos == len(c.prev) {
			c.ppos = 0
		}
		c.fadeLeft--
	}
	if e < c.tenMs {
		return v
	}
	// 20% per 10 ms after the first 10 ms: 0 at 60 ms.
	return v * (1 - 0.2*float32(e-c.tenMs)/float32(c.tenMs))
}

// widen adds one pitch period to the repeated block, reading the new block
// one period further back than the old one at the same phase, and starts a
// quarter-period cross-fade from the old block to the new.
func (c *Concealer) widen() {
	c.prev, c.block = c.block, c.prev
	c.ppos = c.pos
	c.periods++
	c.block = c.build(c.block, c.periods)
	c.fadeLeft = c.ovl
}

// findPitch estimates the pitch period of the end of the snapshot: the lag
// in [pitchMin, pitchMax] maximizing the normalized cross-correlation of the
// last 20 ms with the 20 ms one lag earlier. As in G.711 Appendix I, a
// coarse search on a 4 kHz grid is refined at full resolution. Without any
// positive correlation (silence, noise) it returns pitchMax: the longest
// block buzzes least.
func (c *Concealer) findPitch() int {
	best, score := c.search(c.pitchMin, c.pitchMax, c.coarse)
	if score <= 0 {
		return c.pitchMax
	}
	best, _ = c.search(max(c.pitchMin, best-c.coarse+1), min(c.pitchMax, best+c.coarse-1), 1)
	return best
}

// search evaluates lags lo, lo+step, ... hi, correlating every step-th
// sample of the snapshot, and returns the best lag and its score.
func (c *Concealer) search(lo, hi, step int) (int, float32) {
	x := c.src
	end := len(x)
	best, bestScore := hi, float32(0)
	for lag := lo; lag <= hi; lag += step {
		var xy, yy float32
		for i := end - c.corrLen; i < end; i += step {
			a, b := x[i], x[i-lag]
			xy += a * b
			yy += b * b
		}
		if yy == 0 || xy <= 0 {
			continue
		}
		if s := xy / float32(math.Sqrt(float64(yy))); s > bestScore {
			best, bestScore = lag, s
		}
	}
	return best, bestScore
}

// toInt16 rounds v to the nearest integer and saturates it to int16.
func toInt16(v float32) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	case v >= 0:
		return int16(v + 0.5)
	default:
		return int16(v - 0.5)
	}
}
