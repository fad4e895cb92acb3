package mix_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parley-cc/parley/media/mix"
)

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  mix.Config
		err  error
	}{
		{"zero value", mix.Config{}, nil},
		{"all fields", mix.Config{SampleRate: 48000, Ceiling: 32767, AttackMs: 0.5, ReleaseDBPerSec: 100}, nil},
		{"rate too low", mix.Config{SampleRate: 100}, mix.ErrConfig},
		{"negative ceiling", mix.Config{Ceiling: -1}, mix.ErrConfig},
		{"ceiling beyond int16", mix.Config{Ceiling: 40000}, mix.ErrConfig},
		{"attack NaN", mix.Config{AttackMs: math.NaN()}, mix.ErrConfig},
		{"attack too long", mix.Config{AttackMs: 1000}, mix.ErrConfig},
		{"release negative", mix.Config{ReleaseDBPerSec: -1}, mix.ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := mix.New(tc.cfg); !errors.Is(err, tc.err) {
				t.Errorf("New(%+v) error = %v, want %v", tc.cfg, err, tc.err)
			}
			if _, err := mix.NewMinusOne(3, tc.cfg); !errors.Is(err, tc.err) {
				t.Errorf("NewMinusOne(3, %+v) error = %v, want %v", tc.cfg, err, tc.err)
			}
		})
	}
	m, err := mix.New(mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := mix.Config{SampleRate: 8000, Ceiling: 29205, AttackMs: 1, HoldMs: 20, ReleaseDBPerSec: 40}
	if got := m.Config(); got != want {
		t.Errorf("Config() = %+v, want %+v", got, want)
	}
	if got := m.String(); got != "Mix(8000)" {
		t.Errorf("String() = %q", got)
	}
}

func TestMixErrors(t *testing.T) {
	m, err := mix.New(mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]int16, 160)
	if err := m.Mix(dst); !errors.Is(err, mix.ErrNoSources) {
		t.Errorf("Mix(dst) error = %v, want ErrNoSources", err)
	}
	if err := m.Mix(dst, make([]int16, 160), make([]int16, 159)); !errors.Is(err, mix.ErrLength) {
		t.Errorf("Mix with a short source: error = %v, want ErrLength", err)
	}
	if err := m.Mix(dst, make([]int16, 160), []int16{}); !errors.Is(err, mix.ErrLength) {
		t.Errorf("Mix with an empty non-nil source: error = %v, want ErrLength", err)
	}
}

// frame returns n samples of noise uniformly within +-peak.
func frame(rng *rand.Rand, n int, peak int) []int16 {
	f := make([]int16, n)
	for i := range f {
		f[i] = int16(rng.IntN(2*peak+1) - peak)
	}
	return f
}

func TestMixExactWithoutOverload(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 4, 7} {
		m, err := mix.New(mix.Config{})
		if err != nil {
			t.Fatal(err)
		}
		peak := mix.DefaultCeiling / n // the sum never exceeds the ceiling
		for range 50 {
			srcs := make([][]int16, n)
			for i := range srcs {
				srcs[i] = frame(rng, 160, peak)
			}
			srcs = append(srcs, nil) // a silent participant changes nothing
			dst := make([]int16, 160)
			if err := m.Mix(dst, srcs...); err != nil {
				t.Fatal(err)
			}
			for k := range dst {
				var want int32
				for _, s := range srcs[:n] {
					want += int32(s[k])
				}
				if int32(dst[k]) != want {
					t.Fatalf("%d sources, sample %d = %d, want the exact sum %d", n, k, dst[k], want)
				}
			}
		}
		if m.Gain() != 1 || m.Limited() != 0 {
			t.Errorf("%d sources: Gain() = %g, Limited() = %d, want 1 and 0", n, m.Gain(), m.Limited())
		}
	}
}

func TestMixInPlace(t *testing.T) {
	m, err := mix.New(mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := []int16{1, -2, 300}, []int16{10, 20, -30}
	if err := m.Mix(a, a, b); err != nil {
		t.Fatal(err)
	}
	if want := []int16{11, 18, 270}; !equal(a, want) {
		t.Errorf("in place: %v, want %v", a, want)
	}
}

func TestMixAllSilent(t *testing.T) {
	m, err := mix.New(mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	dst := []int16{5, 6, 7}
	if err := m.Mix(dst, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !equal(dst, []int16{0, 0, 0}) {
		t.Errorf("all-nil sources: %v, want silence", dst)
	}
}

func equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNoWrapAround drives full-scale inputs of every phase relation and
// checks that the output never has the opposite sign of the sum and never
// leaves the int16 range (it cannot, being int16: a wrap shows as a sign
// flip).
func TestNoWrapAround(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		name string
		srcs func(n int) [][]int16
	}{
		{"three full-scale squares in phase", func(n int) [][]int16 {
			return [][]int16{square(n, 32767), square(n, 32767), square(n, 32767)}
		}},
		{"two negative full scale", func(n int) [][]int16 {
			return [][]int16{fill(n, -32768), fill(n, -32768)}
		}},
		{"full-scale noise, five sources", func(n int) [][]int16 {
			return [][]int16{frame(rng, n, 32767), frame(rng, n, 32767), frame(rng, n, 32767), frame(rng, n, 32767), frame(rng, n, 32767)}
		}},
		{"full-scale sines", func(n int) [][]int16 {
			return [][]int16{sine(n, 8000, 440, 32767), sine(n, 8000, 660, 32767)}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := mix.New(mix.Config{})
			if err != nil {
				t.Fatal(err)
			}
			const n = 8000
			srcs := tc.srcs(n)
			dst := make([]int16, n)
			for off := 0; off < n; off += 160 {
				frames := make([][]int16, len(srcs))
				for i, s := range srcs {
					frames[i] = s[off : off+160]
				}
				if err := m.Mix(dst[off:off+160], frames...); err != nil {
					t.Fatal(err)
				}
			}
			for k, out := range dst {
				var sum int32
				for _, s := range srcs {
					sum += int32(s[k])
				}
				if sum > 0 && out < 0 || sum < 0 && out > 0 {
					t.Fatalf("sample %d: sum %d gave %d: wrapped around", k, sum, out)
				}
				if abs(sum) >= abs(int32(out)) == false {
					t.Fatalf("sample %d: |out| %d above |sum| %d", k, out, sum)
				}
			}
			if m.Limited() == 0 || m.Gain() >= 1 {
				t.Errorf("Limited() = %d, Gain() = %g: the limiter never engaged", m.Limited(), m.Gain())
			}
		})
	}
}

func abs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

func fill(n int, v int16) []int16 {
	f := make([]int16, n)
	for i := range f {
		f[i] = v
	}
	return f
}

func square(n int, peak int16) []int16 {
	f := make([]int16, n)
	for i := range f {
		if i/20%2 == 0 {
			f[i] = peak
		} else {
			f[i] = -peak
		}
	}
	return f
}

func sine(n, rate int, hz, peak float64) []int16 {
	f := make([]int16, n)
	for i := range f {
		f[i] = int16(math.Round(peak * math.Sin(2*math.Pi*hz*float64(i)/float64(rate))))
	}
	return f
}

// TestLimiterHoldsCeiling checks the soft limiting of a steady overload:
// once the attack has settled, peaks sit at the ceiling and the waveform is
// the sum scaled by one gain, not clipped.
func TestLimiterHoldsCeiling(t *testing.T) {
	m, err := mix.New(mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8000
	a, b := sine(n, 8000, 300, 25000), sine(n, 8000, 300, 25000) // sum peaks at 50000
	dst := make([]int16, n)
	for off := 0; off < n; off += 160 {
		if err := m.Mix(dst[off:off+160], a[off:off+160], b[off:off+160]); err != nil {
			t.Fatal(err)
		}
	}
	// After 100 ms the gain is steady near ceiling/peak.
	want := float64(mix.DefaultCeiling) / 50000
	if g := m.Gain(); math.Abs(g-want) > 0.02 {
		t.Errorf("Gain() = %.3f, want about %.3f", g, want)
	}
	var peak, firstPeak int16
	saturated := 0
	for k, v := range dst {
		if v == 32767 || v == -32768 {
			saturated++
		}
		if k < 160 {
			firstPeak = max(firstPeak, v, -v)
		}
	}
	for k := 800; k < n; k++ {
		peak = max(peak, dst[k], -dst[k])
		// Scaled, not clipped: the output follows the sum within the
		// gain's ripple.
		sum := float64(a[k]) + float64(b[k])
		if d := math.Abs(float64(dst[k]) - want*sum); d > 0.03*50000*want {
			t.Fatalf("sample %d = %d, want about %.0f (scaled sum)", k, dst[k], want*sum)
		}
	}
	if peak > mix.DefaultCeiling+300 || peak < mix.DefaultCeiling-1500 {
		t.Errorf("steady peak %d, want about the ceiling %d", peak, mix.DefaultCeiling)
	}
	t.Logf("2 x 300 Hz at 25000 peak (sum 50000): gain %.4f (ceiling/peak %.4f), first 20 ms peak %d, steady peak %d, %d of %d samples saturated",
		m.Gain(), want, firstPeak, peak, saturated, n)
}

// TestLimiterRecovers checks that after an overload the gain returns to
// exactly 1 within the release time and the output is the exact sum again.
func TestLimiterRecovers(t *testing.T) {
	m, err := mix.New(mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	const frameLen = 160
	loud := square(frameLen, 30000)
	quiet := sine(frameLen, 8000, 400, 3000)
	dst := make([]int16, frameLen)
	for range 10 { // 200 ms of a 2x overload: gain about -6.3 dB
		if err := m.Mix(dst, loud, loud); err != nil {
			t.Fatal(err)
		}
	}
	low := m.Gain()
	if low > 0.5 {
		t.Fatalf("Gain() = %.3f during a 2x overload, want below 0.5", low)
	}
	// The gain holds for 20 ms (one frame), then rises at 40 dB/s:
	// -20*log10(low) dB take that / 40 seconds.
	releaseFrames := 1 + int(math.Ceil(-20*math.Log10(low)/40*8000/frameLen))
	for f := 0; ; f++ {
		if err := m.Mix(dst, quiet, quiet); err != nil {
			t.Fatal(err)
		}
		if m.Gain() == 1 {
			t.Logf("2x square overload: gain %.4f (%.1f dB); exactly 1 again %d frames (%d ms) after the overload, bound %d frames",
				low, 20*math.Log10(low), f+1, (f+1)*20, releaseFrames)
			if f > releaseFrames {
				t.Errorf("gain recovered after %d frames, want within %d", f, releaseFrames)
			}
			break
		}
		if f > 10*releaseFrames {
			t.Fatalf("gain %.6f still below 1 after %d frames", m.Gain(), f)
		}
	}
	if err := m.Mix(dst, quiet, quiet); err != nil {
		t.Fatal(err)
	}
	for k := range dst {
		if want := 2 * quiet[k]; dst[k] != want {
			t.Fatalf("after recovery sample %d = %d, want the exact sum %d", k, dst[k], want)
		}
	}
	m.Reset()
	if m.Gain() != 1 || m.Limited() != 0 {
		t.Errorf("after Reset: Gain() %g, Limited() %d", m.Gain(), m.Limited())
	}
}

func TestMixAllocatesNothing(t *testing.T) {
	m, err := mix.New(mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	a, b, c, d := frame(rng, 160, 20000), frame(rng, 160, 20000), frame(rng, 160, 20000), frame(rng, 160, 20000)
	dst := make([]int16, 160)
	for name, f := range map[string]func(){
		"2 sources":    func() { _ = m.Mix(dst, a, b) },
		"3 sources":    func() { _ = m.Mix(dst, a, b, c) },
		"4 sources":    func() { _ = m.Mix(dst, a, b, c, d) },
		"with silence": func() { _ = m.Mix(dst, a, nil, c) },
	} {
		if allocs := testing.AllocsPerRun(100, f); allocs != 0 {
			t.Errorf("Mix with %s allocates %.1f times, want 0", name, allocs)
		}
	}
}
