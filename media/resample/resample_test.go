package resample

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

var rates = []int{8000, 16000, 48000}

// directions lists every supported conversion, the identity included.
func directions() [][2]int {
	var d [][2]int
	for _, in := range rates {
		for _, out := range rates {
			d = append(d, [2]int{in, out})
		}
	}
	return d
}

func mustNew(t testing.TB, in, out int) *Resampler {
	t.Helper()
	r, err := New(in, out)
	if err != nil {
		t.Fatalf("New(%d, %d): %v", in, out, err)
	}
	return r
}

func TestNewRejectsUnsupportedRates(t *testing.T) {
	tests := []struct{ in, out int }{
		{0, 8000}, {8000, 0}, {-8000, 8000}, {44100, 8000}, {8000, 44100},
		{11025, 22050}, {16000, 32000}, {1, 1},
	}
	for _, tc := range tests {
		r, err := New(tc.in, tc.out)
		if !errors.Is(err, ErrRate) || r != nil {
			t.Errorf("New(%d, %d) = %v, %v; want nil, ErrRate", tc.in, tc.out, r, err)
		}
	}
}

func TestOutLen(t *testing.T) {
	tests := []struct{ in, out, n, want int }{
		{8000, 48000, 160, 960},
		{48000, 8000, 960, 160},
		{8000, 16000, 160, 320},
		{16000, 8000, 320, 160},
		{16000, 48000, 320, 960},
		{48000, 16000, 960, 320},
		{48000, 8000, 1, 1},
		{48000, 8000, 7, 2},
		{8000, 8000, 123, 123},
		{8000, 48000, 0, 0},
		{8000, 48000, -5, 0},
	}
	for _, tc := range tests {
		if got := mustNew(t, tc.in, tc.out).OutLen(tc.n); got != tc.want {
			t.Errorf("%d->%d OutLen(%d) = %d, want %d", tc.in, tc.out, tc.n, got, tc.want)
		}
	}
}

func TestIdentityCopies(t *testing.T) {
	r := mustNew(t, 16000, 16000)
	in := []int16{1, -2, 3, 32767, -32768}
	out := make([]int16, r.OutLen(len(in)))
	if n := r.Process(in, out); n != len(in) || !slices.Equal(out, in) {
		t.Fatalf("identity Process = %d %v, want %d %v", n, out, len(in), in)
	}
	if r.Delay() != 0 {
		t.Fatalf("identity Delay = %d, want 0", r.Delay())
	}
}

// noise returns n samples of uniform noise plus a tone, seeded.
func noise(n int, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(rng.IntN(40000) - 20000)
	}
	return s
}

// process runs in through r in chunks of the given sizes (cycled) and
// returns everything written, checking the OutLen bound on each call.
func process(t testing.TB, r *Resampler, in []int16, chunks []int) []int16 {
	t.Helper()
	var all []int16
	buf := make([]int16, r.OutLen(len(in))+1)
	for i, c := 0, 0; i < len(in); c++ {
		n := min(chunks[c%len(chunks)], len(in)-i)
		w := r.Process(in[i:i+n], buf)
		if w > r.OutLen(n) {
			t.Fatalf("Process(%d samples) wrote %d > OutLen %d", n, w, r.OutLen(n))
		}
		all = append(all, buf[:w]...)
		i += n
	}
	return all
}

func TestChunkedEqualsOneShot(t *testing.T) {
	in := noise(48000, 7)
	for _, d := range directions() {
		one := process(t, mustNew(t, d[0], d[1]), in, []int{len(in)})
		if want := len(in) * d[1] / d[0]; len(one) != want {
			t.Fatalf("%d->%d one-shot wrote %d samples, want %d", d[0], d[1], len(one), want)
		}
		for _, chunks := range [][]int{{1}, {7, 3, 160, 1, 999}, {d[0] / 50}} {
			got := process(t, mustNew(t, d[0], d[1]), in, chunks)
			if !slices.Equal(got, one) {
				t.Errorf("%d->%d chunks %v differ from one-shot", d[0], d[1], chunks)
			}
		}
	}
}

func TestResetRestartsStream(t *testing.T) {
	in := noise(4800, 3)
	for _, d := range directions() {
		r := mustNew(t, d[0], d[1])
		first := process(t, r, in, []int{333})
		r.Reset()
		second := process(t, r, in, []int{333})
		if !slices.Equal(first, second) {
			t.Errorf("%d->%d: output after Reset differs from a new Resampler", d[0], d[1])
		}
	}
}

func TestShortOutputDiscardsExcess(t *testing.T) {
	r := mustNew(t, 8000, 48000)
	in := noise(160, 9)
	out := make([]int16, 100)
	if n := r.Process(in, out); n != 100 {
		t.Fatalf("Process into 100 samples wrote %d, want 100", n)
	}
	ref := mustNew(t, 8000, 48000)
	full := make([]int16, ref.OutLen(160))
	ref.Process(in, full)
	if !slices.Equal(out, full[:100]) {
		t.Fatal("truncated output differs from the start of the full output")
	}
	// The state advanced over all 160 inputs: the next frame lines up.
	next := noise(160, 10)
	a, b := make([]int16, 960), make([]int16, 960)
	r.Process(next, a)
	ref.Process(next, b)
	if !slices.Equal(a, b) {
		t.Fatal("stream misaligned after a short output buffer")
	}
}

func TestDelayMatchesImpulsePeak(t *testing.T) {
	for _, d := range directions() {
		if d[0] == d[1] {
			continue
		}
		r := mustNew(t, d[0], d[1])
		in := make([]int16, 2*r.k+6)
		in[0] = 20000
		out := process(t, r, in, []int{len(in)})
		peak := 0
		for i, v := range out {
			if v > out[peak] {
				peak = i
			}
		}
		if peak != r.Delay() {
			t.Errorf("%d->%d impulse peak at %d, Delay() = %d", d[0], d[1], peak, r.Delay())
		}
	}
}

func TestDCPassesExactly(t *testing.T) {
	for _, d := range directions() {
		r := mustNew(t, d[0], d[1])
		in := make([]int16, d[0]/10)
		for i := range in {
			in[i] = -12345
		}
		out := process(t, r, in, []int{d[0] / 50})
		for i, v := range out[len(out)/2:] {
			if v != -12345 {
				t.Fatalf("%d->%d: DC output[%d] = %d, want -12345", d[0], d[1], len(out)/2+i, v)
			}
		}
	}
}

func TestToInt16RoundsAndSaturates(t *testing.T) {
	tests := []struct {
		in   float32
		want int16
	}{
		{0, 0}, {0.49, 0}, {0.5, 1}, {-0.49, 0}, {-0.5, -1}, {1.5, 2}, {-1.5, -2},
		{32766.6, 32767}, {32767, 32767}, {40000, 32767}, {1e30, 32767},
		{-32767.6, -32768}, {-32768, -32768}, {-40000, -32768}, {-1e30, -32768},
	}
	for _, tc := range tests {
		if got := toInt16(tc.in); got != tc.want {
			t.Errorf("toInt16(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestFullScaleSquareClipsWithoutWrapping(t *testing.T) {
	// A full-scale 100 Hz square wave overshoots at its edges (Gibbs): the
	// output must clip there, and keep the input's sign mid-way through
	// every half period instead of wrapping around.
	for _, d := range directions() {
		r := mustNew(t, d[0], d[1])
		half := d[0] / 200
		in := make([]int16, d[0]/10)
		for i := range in {
			in[i] = 32767
			if (i/half)%2 == 1 {
				in[i] = -32768
			}
		}
		out := process(t, r, in, []int{d[0] / 50})
		outHalf, clipped := d[1]/200, 0
		for i := r.Delay() + outHalf/2; i < len(out); i += outHalf {
			want := 1
			if ((i-r.Delay())/outHalf)%2 == 1 {
				want = -1
			}
			if int(out[i])*want < 16000 {
				t.Fatalf("%d->%d: output[%d] = %d, want sign %d near full scale", d[0], d[1], i, out[i], want)
			}
		}
		for _, v := range out {
			if v == 32767 || v == -32768 {
				clipped++
			}
		}
		if clipped == 0 {
			t.Errorf("%d->%d: no output sample clipped at full scale", d[0], d[1])
		}
	}
}

func TestString(t *testing.T) {
	if got := mustNew(t, 8000, 48000).String(); got != "Resample(8000->48000)" {
		t.Fatalf("String() = %q", got)
	}
}

func TestProcessAllocatesNothing(t *testing.T) {
	for _, d := range directions() {
		r := mustNew(t, d[0], d[1])
		in := noise(d[0]/50, 1)
		out := make([]int16, r.OutLen(len(in)))
		if a := testing.AllocsPerRun(100, func() { r.Process(in, out) }); a != 0 {
			t.Errorf("%d->%d Process allocates %.1f times per 20 ms frame", d[0], d[1], a)
		}
	}
}
