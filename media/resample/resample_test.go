package resample

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"unsafe"
)

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
		{0, 8000}, {8000, 0}, {-8000, 8000}, {12000, 8000}, {8000, 96000},
		{44000, 48000}, {22050, 22049}, {1, 1}, {96000, 96000},
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
		{22050, 8000, 441, 160},
		{44100, 8000, 882, 160},
		{8000, 22050, 160, 441},
		{11025, 8000, 220, 160}, // 159.6
		{11025, 8000, 221, 161}, // 160.4
		{11025, 16000, 441, 640},
		{32000, 11025, 640, 221}, // 220.5
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

// ceilDiv returns ceil(a/b) for a >= 0, b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestChunkedEqualsOneShot(t *testing.T) {
	for _, d := range directions() {
		// An eighth of a second and a bit: several times the longest
		// filter, and not a whole number of 20 ms frames.
		in := noise(d[0]/8+37, uint64(d[0]+d[1]))
		one := process(t, mustNew(t, d[0], d[1]), in, []int{len(in)})
		if want := ceilDiv(len(in)*d[1], d[0]); len(one) != want {
			t.Fatalf("%d->%d one-shot wrote %d samples, want %d", d[0], d[1], len(one), want)
		}
		for _, chunks := range [][]int{{1}, {7, 3, 160, 1, 999}, {d[0] / 50}, {d[0]/50 + 1, d[0]/50 - 1}} {
			got := process(t, mustNew(t, d[0], d[1]), in, chunks)
			if !slices.Equal(got, one) {
				t.Errorf("%d->%d chunks %v differ from one-shot", d[0], d[1], chunks)
			}
		}
	}
}

// TestStreamingCount feeds odd chunk sizes and checks the running output
// count against ceil(N*out/in) after every call, and each call against
// OutLen: a call writes OutLen(n) or one fewer.
func TestStreamingCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, d := range directions() {
		r := mustNew(t, d[0], d[1])
		buf := make([]int16, r.OutLen(500))
		in := noise(500, 2)
		total, written := 0, 0
		for range 60 {
			n := rng.IntN(500)
			w := r.Process(in[:n], buf)
			if w != r.OutLen(n) && w != r.OutLen(n)-1 {
				t.Fatalf("%d->%d: Process(%d) wrote %d, OutLen %d", d[0], d[1], n, w, r.OutLen(n))
			}
			total += n
			written += w
			if want := ceilDiv(total*d[1], d[0]); written != want {
				t.Fatalf("%d->%d: %d samples in, %d out, want %d", d[0], d[1], total, written, want)
			}
		}
	}
}

// TestHalfSampleFrames streams 11025 Hz, whose 20 ms is 220.5 samples, in
// alternating 220- and 221-sample chunks: every pair of chunks yields
// exactly 40 ms at the output rate. And 20 ms frames into 11025 Hz yield
// 221 and 220 samples alternately.
func TestHalfSampleFrames(t *testing.T) {
	for _, out := range rates {
		r := mustNew(t, 11025, out)
		in := noise(221, 4)
		buf := make([]int16, r.OutLen(221))
		for i := range 50 {
			w := r.Process(in[:220], buf) + r.Process(in, buf)
			if w != out/25 {
				t.Fatalf("11025->%d: chunk pair %d wrote %d samples, want %d", out, i, w, out/25)
			}
		}
	}
	for _, in := range rates {
		if in == 11025 {
			continue // the identity: 20 ms is not a whole input frame
		}
		r := mustNew(t, in, 11025)
		frame := noise(in/50, 4)
		buf := make([]int16, r.OutLen(len(frame)))
		for i := range 50 {
			if w, want := r.Process(frame, buf), 221-i%2; w != want {
				t.Fatalf("%d->11025: frame %d wrote %d samples, want %d", in, i, w, want)
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
	// every half period instead of wrapping around. Half a period is not a
	// whole number of samples at every rate (55.125 at 11025 Hz), so the
	// edges are placed by time and the checks land mid-way by time.
	for _, d := range directions() {
		r := mustNew(t, d[0], d[1])
		in := make([]int16, d[0]/10)
		for i := range in {
			in[i] = 32767
			if (i*200/d[0])%2 == 1 {
				in[i] = -32768
			}
		}
		out := process(t, r, in, []int{d[0] / 50})
		clipped := 0
		for j := 0; ; j++ {
			i := r.Delay() + (2*j+1)*d[1]/400
			if i >= len(out) {
				break
			}
			want := 1 - 2*(j%2)
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
		if a := testing.AllocsPerRun(20, func() { r.Process(in, out) }); a != 0 {
			t.Errorf("%d->%d Process allocates %.1f times per 20 ms frame", d[0], d[1], a)
		}
	}
}

// TestFilterTablesShared checks that Resamplers for one pair share one
// filter table, and that a New after the first for its pair allocates only
// the Resampler and its input history: a few KB, not the table.
func TestFilterTablesShared(t *testing.T) {
	for _, d := range [][2]int{{22050, 8000}, {44100, 8000}, {11025, 32000}, {8000, 48000}} {
		a, b := mustNew(t, d[0], d[1]), mustNew(t, d[0], d[1])
		if &a.taps[0] != &b.taps[0] {
			t.Errorf("%d->%d: two Resamplers hold separate filter tables", d[0], d[1])
		}
		if allocs := testing.AllocsPerRun(20, func() { mustNew(t, d[0], d[1]) }); allocs > 2 {
			t.Errorf("%d->%d: New allocates %.0f times, want 2 (Resampler, history)", d[0], d[1], allocs)
		}
		const n = 100
		var before, after runtime.MemStats
		keep := make([]*Resampler, n)
		runtime.ReadMemStats(&before)
		for i := range keep {
			keep[i] = mustNew(t, d[0], d[1])
		}
		runtime.ReadMemStats(&after)
		per := int(after.TotalAlloc-before.TotalAlloc) / n
		own := 4*len(a.hist) + int(unsafe.Sizeof(*a))
		t.Logf("%d->%d: New allocates %d bytes (history %d B); shared table %d B", d[0], d[1], per, 4*len(a.hist), 4*len(a.taps))
		if per > own+own/4+64 {
			t.Errorf("%d->%d: New allocates %d bytes, want about %d (its own state)", d[0], d[1], per, own)
		}
		runtime.KeepAlive(keep)
	}
}

// TestFilterCacheConcurrent designs one pair from many goroutines at once
// on a fresh cache (run with -race): all get the same table, which is the
// design of that pair.
func TestFilterCacheConcurrent(t *testing.T) {
	var fc filterCache
	i, j := rateIndex(22050), rateIndex(8000)
	got := make([]*prototype, 8)
	var wg sync.WaitGroup
	for g := range got {
		wg.Go(func() { got[g] = fc.get(i, j) })
	}
	wg.Wait()
	for _, p := range got[1:] {
		if p != got[0] {
			t.Fatal("concurrent first calls designed the filter more than once")
		}
	}
	want := design(22050, 160, 441, 8000)
	if got[0].k != want.k || got[0].c != want.c || !slices.Equal(got[0].taps, want.taps) {
		t.Fatal("cached filter differs from its design")
	}
	if fc.get(j, i) == got[0] {
		t.Fatal("8000->22050 shares the 22050->8000 entry")
	}
}

// maxCacheBytes bounds the filter cache with every pair designed, as the
// package documentation states (5.7 MB).
const maxCacheBytes = 6_000_000

// TestFilterTableSizes logs each pair's filter (the figures in
// docs/BENCHMARKS.md) and checks the layout: l phases of k taps, a history
// of 2k samples, a centre tap on the output grid, and the whole cache
// within the documented bound.
func TestFilterTableSizes(t *testing.T) {
	total := 0
	for _, d := range directions() {
		if d[0] == d[1] {
			continue
		}
		r := mustNew(t, d[0], d[1])
		if len(r.taps) != r.l*r.k || len(r.hist) != 2*r.k || r.c%r.m != 0 || 2*r.c+1 > r.l*r.k {
			t.Errorf("%d->%d: %d taps, %d history, centre %d for L/M %d/%d, k %d", d[0], d[1], len(r.taps), len(r.hist), r.c, r.l, r.m, r.k)
		}
		total += 4 * len(r.taps)
		t.Logf("%5d -> %5d | %4d/%-4d | %6d | %3d | %3d (%.3f ms) | %6d | %4d",
			d[0], d[1], r.l, r.m, 2*r.c+1, r.k, r.Delay(), 1000*float64(r.Delay())/float64(d[1]), 4*len(r.taps), 4*len(r.hist))
	}
	t.Logf("all 56 tables: %d bytes", total)
	if total > maxCacheBytes {
		t.Errorf("filter cache holds %d bytes with every pair designed, documented bound %d", total, maxCacheBytes)
	}
}
