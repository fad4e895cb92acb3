package plc

import (
	"errors"
	"math"
	"testing"
)

// periodic returns n samples of a harmonic signal with fundamental f0 Hz at
// rate Hz: eight harmonics with 1/h amplitudes and assorted phases, peaking
// near 10000.
func periodic(rate int, f0 float64, n int) []int16 {
	x := make([]int16, n)
	for i := range x {
		var v float64
		for h := 1; h <= 8; h++ {
			if float64(h)*f0 < float64(rate)/2 {
				v += math.Sin(2*math.Pi*f0*float64(h)*float64(i)/float64(rate)+float64(h)) / float64(h)
			}
		}
		x[i] = int16(5000 * v)
	}
	return x
}

// feed passes frames of x to c as good frames, each a copy.
func feed(c *Concealer, x []int16, frame int) {
	pcm := make([]int16, frame)
	for i := 0; i+frame <= len(x); i += frame {
		copy(pcm, x[i:])
		c.Good(pcm)
	}
}

func TestNewDefaults(t *testing.T) {
	tests := []struct {
		rate, frame         int
		wantRate, wantFrame int
	}{
		{8000, 160, 8000, 160},
		{16000, 0, 16000, 320},
		{48000, 480, 48000, 480},
		{0, 0, 8000, 160},
		{-1, -1, 8000, 160},
		{96000, 0, 48000, 960},
	}
	for _, tc := range tests {
		c := New(tc.rate, tc.frame)
		if c.SampleRate() != tc.wantRate || c.FrameSamples() != tc.wantFrame {
			t.Errorf("New(%d, %d): rate %d, frame %d; want %d, %d",
				tc.rate, tc.frame, c.SampleRate(), c.FrameSamples(), tc.wantRate, tc.wantFrame)
		}
	}
	if got := New(16000, 320).String(); got != "PLC(16000 Hz, 320)" {
		t.Errorf("String() = %q", got)
	}
}

func TestConcealRejectsBadLengths(t *testing.T) {
	c := New(8000, 160)
	pcm := make([]int16, 160)
	for _, n := range []int{-1, 161, 1 << 30} {
		if got, err := c.Conceal(pcm, n); !errors.Is(err, ErrFrameLength) || got != 0 {
			t.Errorf("Conceal(160 samples, %d) = %d, %v; want 0, ErrFrameLength", n, got, err)
		}
	}
	if got, err := c.Conceal(pcm, 0); got != 0 || err != nil {
		t.Errorf("Conceal(pcm, 0) = %d, %v; want 0, nil", got, err)
	}
	if got, err := c.Conceal(nil, 0); got != 0 || err != nil {
		t.Errorf("Conceal(nil, 0) = %d, %v; want 0, nil", got, err)
	}
}

func TestConcealWithoutHistoryIsSilent(t *testing.T) {
	c := New(8000, 160)
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = 99
	}
	if n, err := c.Conceal(pcm, 160); n != 160 || err != nil {
		t.Fatalf("Conceal = %d, %v", n, err)
	}
	for i, v := range pcm {
		if v != 0 {
			t.Fatalf("pcm[%d] = %d, want silence before any good frame", i, v)
		}
	}
}

// TestContinuesPeriodicSignal checks the pitch estimate and the
// continuation: the first 10 ms of concealment must follow the true
// continuation of a periodic signal, exactly when the period is a whole
// number of samples.
func TestContinuesPeriodicSignal(t *testing.T) {
	tests := []struct {
		rate   int
		f0     float64
		minSNR float64 // over the first 10 ms, dB
	}{
		{8000, 100, 60}, {8000, 125, 60}, {8000, 173, 15}, {8000, 220, 15},
		{16000, 100, 60}, {16000, 125, 60}, {16000, 173, 15}, {16000, 220, 15},
		{48000, 100, 60}, {48000, 125, 60}, {48000, 173, 15}, {48000, 220, 15},
		{8000, 70, 15}, {16000, 190, 15},
	}
	for _, tc := range tests {
		frame := tc.rate / 50
		x := periodic(tc.rate, tc.f0, 21*frame)
		c := New(tc.rate, frame)
		feed(c, x[:20*frame], frame)
		out := make([]int16, frame)
		if _, err := c.Conceal(out, frame); err != nil {
			t.Fatal(err)
		}
		ten := tc.rate / 100
		if got := unclampedSNR(x[20*frame:20*frame+ten], out[:ten]); got < tc.minSNR {
			t.Errorf("%d Hz, f0 %.0f Hz: first 10 ms SNR %.1f dB < %.0f dB (pitch %d samples)",
				tc.rate, tc.f0, got, tc.minSNR, c.pitch)
		}
	}
}

// TestJoinsWithoutStep checks that the first concealed sample continues the
// last played one. The period is a whole number of samples plus a half, so
// plain repetition of the last period would be half a sample out of step;
// the cut is at the signal's steepest points, where that shows most. The
// first concealed sample must be within 30% of the largest step of the true
// next sample (plain repetition is off by up to half of it).
func TestJoinsWithoutStep(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		frame := rate / 50
		period := float64(rate/172) + 0.5
		x := periodic(rate, float64(rate)/period, 30*frame)
		maxStep, steep := 0, 0
		for i := 20 * frame; i < 21*frame; i++ {
			if d := abs(int(x[i]) - int(x[i-1])); d > maxStep {
				maxStep, steep = d, i
			}
		}
		for _, cut := range []int{steep, steep - 1, steep + 1, steep + int(period)} {
			c := New(rate, frame)
			c.Good(x[cut-frame*10 : cut])
			out := make([]int16, frame)
			if _, err := c.Conceal(out, frame); err != nil {
				t.Fatal(err)
			}
			if e := abs(int(out[0]) - int(x[cut])); e > maxStep*3/10 {
				t.Errorf("%d Hz, cut at %d: first concealed sample off by %d, more than 30%% of the largest step %d",
					rate, cut, e, maxStep)
			}
		}
	}
}

// unclampedSNR returns the signal-to-error ratio of o against r in dB, +Inf
// when they are equal.
func unclampedSNR(r, o []int16) float64 {
	var d float64
	for i := range r {
		x := float64(r[i]) - float64(o[i])
		d += x * x
	}
	return 10 * math.Log10(energy(r)/d)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func rmsOf(s []int16) float64 {
	return math.Sqrt(energy(s) / float64(len(s)))
}

// TestAttenuatesThenSilences checks the envelope of a long erasure: full
// level for 10 ms, then a linear fade of 20% per 10 ms, silence from 60 ms.
func TestAttenuatesThenSilences(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		frame := rate / 50
		ten := rate / 100
		x := periodic(rate, 100, 20*frame) // 10 ms = one period
		c := New(rate, frame)
		feed(c, x, frame)
		out := make([]int16, 5*frame)
		for f := range 5 {
			if _, err := c.Conceal(out[f*frame:(f+1)*frame], frame); err != nil {
				t.Fatal(err)
			}
		}
		full := rmsOf(x[:ten])
		// Mean gain over each 10 ms: 1, then 0.9, 0.7, 0.5, 0.3, 0.1.
		for k, want := range []float64{1, 0.9, 0.7, 0.5, 0.3, 0.1} {
			got := rmsOf(out[k*ten:(k+1)*ten]) / full
			if math.Abs(got-want) > 0.05 {
				t.Errorf("%d Hz: level over %d-%d ms = %.3f, want %.2f", rate, 10*k, 10*k+10, got, want)
			}
		}
		for i, v := range out[6*ten:] {
			if v != 0 {
				t.Fatalf("%d Hz: sample %d ms into the erasure = %d, want silence after 60 ms", rate, (6*ten+i)*1000/rate, v)
			}
		}
	}
}

// TestMergeLength checks the overlap-add on the first good frame: 4 ms for
// up to 10 ms concealed, 4 ms more per further 10 ms, at most 10 ms; the
// rest of the frame is untouched.
func TestMergeLength(t *testing.T) {
	tests := []struct {
		concealMs, wantMs int
	}{
		{5, 4}, {10, 4}, {15, 8}, {20, 8}, {30, 10}, {100, 10},
	}
	for _, rate := range []int{8000, 16000, 48000} {
		frame := rate / 50
		ms := rate / 1000
		for _, tc := range tests {
			c := New(rate, frame)
			feed(c, periodic(rate, 125, 10*frame), frame)
			gap := make([]int16, tc.concealMs*ms)
			if _, err := c.Conceal(gap, len(gap)); err != nil {
				t.Fatal(err)
			}
			good := make([]int16, frame)
			for i := range good {
				good[i] = 20000
			}
			c.Good(good)
			olen := tc.wantMs * ms
			for i, v := range good[olen:] {
				if v != 20000 {
					t.Fatalf("%d Hz, %d ms concealed: good[%d] = %d changed beyond the %d ms merge", rate, tc.concealMs, olen+i, v, tc.wantMs)
				}
			}
			if good[olen-1] == 20000 || good[0] == 20000 {
				t.Errorf("%d Hz, %d ms concealed: merge shorter than %d ms", rate, tc.concealMs, tc.wantMs)
			}
			// The cross-fade moves monotonically towards the good frame.
			if tc.concealMs >= 60 {
				for i := 1; i < olen; i++ {
					if good[i] < good[i-1] {
						t.Fatalf("%d Hz: fade-in from silence not monotonic at %d", rate, i)
					}
				}
			}
		}
	}
}

func TestGoodWithoutLossIsUntouched(t *testing.T) {
	c := New(8000, 160)
	x := periodic(8000, 150, 1600)
	pcm := make([]int16, 160)
	for f := range 10 {
		copy(pcm, x[f*160:])
		c.Good(pcm)
		for i := range pcm {
			if pcm[i] != x[f*160+i] {
				t.Fatalf("frame %d sample %d modified without a loss", f, i)
			}
		}
	}
}

func TestResetForgetsHistory(t *testing.T) {
	c := New(8000, 160)
	feed(c, periodic(8000, 150, 1600), 160)
	pcm := make([]int16, 160)
	c.Conceal(pcm, 80)
	c.Reset()
	c.Conceal(pcm, 160)
	if energy(pcm) != 0 {
		t.Fatal("concealment after Reset is not silent")
	}
}

func TestOddFrameLengths(t *testing.T) {
	// Frames shorter than the merge, longer than the history, and odd.
	c := New(16000, 320)
	x := periodic(16000, 140, 16000)
	c.Good(x[:5000])
	buf := make([]int16, 3000)
	for _, n := range []int{1, 17, 3000, 2} {
		if _, err := c.Conceal(buf, n); err != nil {
			t.Fatal(err)
		}
		c.Good(buf[:3])
	}
}

func TestAllocatesNothing(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		frame := rate / 50
		x := periodic(rate, 130, 20*frame)
		c := New(rate, frame)
		feed(c, x, frame)
		pcm := make([]int16, frame)
		f := 0
		a := testing.AllocsPerRun(200, func() {
			// Loss bursts of one to three frames between good frames.
			if f%4 == 3 {
				copy(pcm, x[(f%20)*frame:])
				c.Good(pcm)
			} else if _, err := c.Conceal(pcm, frame); err != nil {
				t.Fatal(err)
			}
			f++
		})
		if a != 0 {
			t.Errorf("%d Hz: %.1f allocations per frame", rate, a)
		}
	}
}
