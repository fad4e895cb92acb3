package play

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
)

// tone returns n samples of a sweep, different at every sample, so any
// misplaced sample shows.
func tone(n, rate int) []int16 {
	out := make([]int16, n)
	for i := range out {
		t := float64(i) / float64(rate)
		out[i] = int16(9000*math.Sin(2*math.Pi*(150*t+400*t*t)) + float64(i%7))
	}
	return out
}

// drain calls Next until io.EOF (or frames calls) and returns the audio
// samples, checking every frame's contract.
func drain(t *testing.T, p *Player, frames int) ([]int16, error) {
	t.Helper()
	var out []int16
	buf := make([]int16, p.FrameSize()+5)
	for range frames {
		for i := range buf {
			buf[i] = 12345
		}
		n, err := p.Next(buf)
		if err != nil {
			if n != 0 {
				t.Fatalf("Next = %d, %v", n, err)
			}
			return out, err
		}
		for _, s := range buf[n:p.FrameSize()] {
			if s != 0 {
				t.Fatalf("frame padding not silent: %v", buf[n:p.FrameSize()])
			}
		}
		if buf[p.FrameSize()] != 12345 {
			t.Fatal("Next wrote past FrameSize")
		}
		if n < p.FrameSize() && len(out) > 0 && len(out)%p.FrameSize() != 0 {
			t.Fatal("short frame before the last")
		}
		out = append(out, buf[:n]...)
	}
	return out, nil
}

// reference resamples the whole of in (followed by silence) with one
// Resampler, drops its delay and keeps ceil(len(in)*out/in) samples.
func reference(t *testing.T, in []int16, inRate, outRate int, loop bool, n int) []int16 {
	t.Helper()
	if inRate == outRate {
		if loop {
			var out []int16
			for len(out) < n {
				out = append(out, in...)
			}
			return out[:n]
		}
		return in
	}
	rs, err := resample.New(inRate, outRate)
	if err != nil {
		t.Fatal(err)
	}
	src := append([]int16(nil), in...)
	if loop {
		for len(src)*outRate < (n+rs.Delay())*inRate+inRate {
			src = append(src, in...)
		}
	} else {
		src = append(src, make([]int16, 2*rs.Delay()*inRate/outRate+inRate/50)...)
	}
	out := make([]int16, rs.OutLen(len(src)))
	out = out[rs.Delay():rs.Process(src, out)]
	if loop {
		return out[:n]
	}
	return out[:(len(in)*outRate+inRate-1)/inRate]
}

// clipRates are the rates prompts come at: the call-side rates and those of
// CD audio and speech synthesizers.
var clipRates = []int{8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000}

func TestClipPlayback(t *testing.T) {
	for _, in := range clipRates {
		for _, out := range []int{8000, 16000, 48000} {
			for _, n := range []int{0, 1, 159, 4321} {
				t.Run(fmt.Sprintf("%d-%d-%d", in, out, n), func(t *testing.T) {
					pcm := tone(n*in/8000, in)
					c, err := NewClip("tone", in, pcm)
					if err != nil {
						t.Fatal(err)
					}
					p, err := NewPlayer(c, Config{Rate: out})
					if err != nil {
						t.Fatal(err)
					}
					got, err := drain(t, p, 1000)
					if err != io.EOF {
						t.Fatalf("end: %v, want io.EOF", err)
					}
					want := reference(t, pcm, in, out, false, 0)
					if !equal(got, want) {
						t.Fatalf("%d samples, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
					}
					if _, err := p.Next(make([]int16, p.FrameSize())); err != io.EOF {
						t.Fatalf("Next after the end: %v", err)
					}
				})
			}
		}
	}
}

func TestLoop(t *testing.T) {
	for _, tc := range []struct{ in, out, n int }{
		{8000, 8000, 1234}, {8000, 8000, 1}, {16000, 8000, 3333}, {8000, 16000, 777}, {48000, 8000, 9999}, {8000, 48000, 500},
		{22050, 8000, 4417}, {11025, 16000, 1234}, {44100, 48000, 5000}, {11025, 8000, 221},
	} {
		t.Run(fmt.Sprintf("%d-%d-%d", tc.in, tc.out, tc.n), func(t *testing.T) {
			pcm := tone(tc.n, tc.in)
			c, _ := NewClip("hold", tc.in, pcm)
			p, err := NewPlayer(c, Config{Rate: tc.out, Loop: true})
			if err != nil {
				t.Fatal(err)
			}
			frames := 5*tc.n*tc.out/tc.in/p.FrameSize() + 3 // five loops and some
			got, err := drain(t, p, frames)
			if err != nil || len(got) != frames*p.FrameSize() {
				t.Fatalf("%d samples, %v; want %d full frames", len(got), err, frames)
			}
			want := reference(t, pcm, tc.in, tc.out, true, len(got))
			if !equal(got, want) {
				t.Fatalf("loop differs from the clip repeated at sample %d", firstDiff(got, want))
			}
		})
	}
	c, _ := NewClip("empty", 8000, nil)
	p, _ := NewPlayer(c, Config{Rate: 8000, Loop: true})
	if _, err := drain(t, p, 3); err != io.EOF {
		t.Fatalf("looping an empty clip: %v, want io.EOF", err)
	}
}

func TestRewind(t *testing.T) {
	c, _ := NewClip("x", 16000, tone(1000, 16000))
	p, _ := NewPlayer(c, Config{Rate: 8000})
	first, _ := drain(t, p, 2)
	if err := p.Rewind(); err != nil {
		t.Fatal(err)
	}
	again, _ := drain(t, p, 2)
	if !equal(first, again) {
		t.Fatal("Rewind does not restart identically")
	}
}

// writeWAV writes interleaved samples to a 16-bit WAV file.
func writeWAV(t *testing.T, path string, rate, ch int, pcm []int16) {
	t.Helper()
	w, err := wav.Create(path, wav.WriterConfig{SampleRate: rate, Channels: ch})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(pcm); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenMatchesClip streams stereo and mono files and checks the frames
// equal those of the same file loaded as a Clip, looping too.
func TestOpenMatchesClip(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		rate, ch int
		loop     bool
	}{{48000, 2, false}, {16000, 1, true}, {8000, 2, true}, {22050, 1, false}, {44100, 2, true}, {11025, 1, true}} {
		t.Run(fmt.Sprintf("%d-%d-%v", tc.rate, tc.ch, tc.loop), func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("p%d%d.wav", tc.rate, tc.ch))
			pcm := tone(tc.rate*tc.ch*7/10+tc.ch, tc.rate) // 0.35 s stereo, 0.7 s mono
			writeWAV(t, path, tc.rate, tc.ch, pcm)
			fp, err := Open(path, Config{Rate: 8000, Loop: tc.loop})
			if err != nil {
				t.Fatal(err)
			}
			defer fp.Close()
			clip, err := LoadClip(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.ch == 2 && (clip.Len() != len(pcm)/2 || clip.pcm[3] != int16((int(pcm[6])+int(pcm[7]))/2)) {
				t.Fatalf("downmix: %d samples, [3] = %d", clip.Len(), clip.pcm[3])
			}
			cp, _ := NewPlayer(clip, Config{Rate: 8000, Loop: tc.loop})
			got, err1 := drain(t, fp, 200)
			want, err2 := drain(t, cp, 200)
			if err1 != err2 || !equal(got, want) {
				t.Fatalf("file: %d samples, %v; clip: %d samples, %v; differ at %d", len(got), err1, len(want), err2, firstDiff(got, want))
			}
			if s := fp.String(); s != fmt.Sprintf("Play(%s %d->8000%s)", path, tc.rate, map[bool]string{true: " loop"}[tc.loop]) {
				t.Fatalf("String = %q", s)
			}
		})
	}
}

// minSoxCorrelation is the least normalized correlation, at lag 0,
// between a spoken prompt played at the call's rate and sox's own
// conversion of the same file.
const minSoxCorrelation = 0.9999

// TestSpokenPrompt plays a prompt made by espeak-ng at its native
// 22050 Hz, opened as a file and loaded as a clip, at 8 and 16 kHz: the
// output lasts exactly as long as the prompt, and matches sox's rate
// conversion of the same file sample for sample, with no time shift.
func TestSpokenPrompt(t *testing.T) {
	mediatest.RequireTools(t, "espeak-ng", "sox")
	dir := t.TempDir()
	prompt := filepath.Join(dir, "prompt.wav")
	if out, err := exec.Command("espeak-ng", "-w", prompt, "Please hold, an agent will be with you shortly.").CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, out)
	}
	clip, err := LoadClip(prompt)
	if err != nil {
		t.Fatal(err)
	}
	if clip.Rate() != 22050 {
		t.Fatalf("espeak-ng wrote %d Hz, want 22050 Hz", clip.Rate())
	}
	if d := clip.Duration(); d < time.Second || d > 5*time.Second {
		t.Fatalf("prompt lasts %v", d)
	}
	for _, rate := range []int{8000, 16000} {
		ref := filepath.Join(dir, fmt.Sprintf("sox-%d.wav", rate))
		if out, err := exec.Command("sox", "-D", prompt, "-r", fmt.Sprint(rate), ref).CombinedOutput(); err != nil {
			t.Fatalf("sox: %v: %s", err, out)
		}
		_, want, err := wav.ReadFile(ref)
		if err != nil {
			t.Fatal(err)
		}
		fp, err := Open(prompt, Config{Rate: rate})
		if err != nil {
			t.Fatal(err)
		}
		got, err := drain(t, fp, 1000)
		fp.Close()
		n := (clip.Len()*rate + 22050 - 1) / 22050
		if err != io.EOF || len(got) != n {
			t.Fatalf("at %d Hz: %d samples, %v; want %d (%v)", rate, len(got), err, n, clip.Duration())
		}
		if d := len(got) - len(want); d < -1 || d > 1 {
			t.Fatalf("at %d Hz: %d samples, sox made %d", rate, len(got), len(want))
		}
		cp, _ := NewPlayer(clip, Config{Rate: rate})
		if fromClip, _ := drain(t, cp, 1000); !equal(fromClip, got) {
			t.Fatalf("at %d Hz: clip and file differ at %d", rate, firstDiff(fromClip, got))
		}
		best, bestLag := 0.0, 0
		for lag := -3; lag <= 3; lag++ {
			if c := correlation(got, want, lag); c > best {
				best, bestLag = c, lag
			}
		}
		c := correlation(got, want, 0)
		t.Logf("22050 -> %d Hz: %d samples (sox %d), correlation with sox %.6f", rate, len(got), len(want), c)
		if bestLag != 0 || c < minSoxCorrelation {
			t.Fatalf("at %d Hz: correlation with sox %.6f at lag 0, best %.6f at lag %d; want >= %.3f at lag 0",
				rate, c, best, bestLag, minSoxCorrelation)
		}
	}
}

// correlation returns the normalized correlation of a[i] with b[i+lag]
// over the samples both have.
func correlation(a, b []int16, lag int) float64 {
	var ab, aa, bb float64
	for i := range a {
		j := i + lag
		if j < 0 || j >= len(b) {
			continue
		}
		x, y := float64(a[i]), float64(b[j])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	return ab / math.Sqrt(aa*bb)
}

// TestTruncatedFile plays what a cut file holds, then reports the cut.
func TestTruncatedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.wav")
	writeWAV(t, path, 8000, 1, tone(500, 8000))
	// Claim more data than there is.
	if err := truncateData(path, 1200); err != nil {
		t.Fatal(err)
	}
	for _, rate := range []int{8000, 16000} {
		p, err := Open(path, Config{Rate: rate})
		if err != nil {
			t.Fatal(err)
		}
		got, err := drain(t, p, 100)
		if !errors.Is(err, wav.ErrTruncated) || len(got) != 500*rate/8000 {
			t.Fatalf("at %d Hz: %d samples, %v; want %d then ErrTruncated", rate, len(got), err, 500*rate/8000)
		}
		p.Close()
	}
}

func TestPlayerErrors(t *testing.T) {
	c, _ := NewClip("x", 8000, tone(100, 8000))
	for _, cfg := range []Config{{}, {Rate: 8000, Frame: 1100 * time.Microsecond}, {Rate: 8000, Frame: 2 * time.Second}, {Rate: 44000}} {
		if _, err := NewPlayer(c, cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewPlayer(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	// 12 kHz is a valid WAV rate that media/resample does not convert.
	odd := filepath.Join(t.TempDir(), "12k.wav")
	writeWAV(t, odd, 12000, 1, tone(1200, 12000))
	if _, err := Open(odd, Config{Rate: 8000}); !errors.Is(err, ErrInvalidConfig) || !errors.Is(err, resample.ErrRate) {
		t.Errorf("Open(12000 Hz file) = %v, want ErrInvalidConfig wrapping resample.ErrRate", err)
	}
	if _, err := NewClip("x", 0, nil); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("NewClip(rate 0) = %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.wav"), Config{Rate: 8000}); err == nil {
		t.Error("Open(missing) succeeded")
	}
	if _, err := LoadClip(filepath.Join(t.TempDir(), "missing.wav")); err == nil {
		t.Error("LoadClip(missing) succeeded")
	}
	p, _ := NewPlayer(c, Config{Rate: 8000, Frame: 10 * time.Millisecond})
	if p.FrameSize() != 80 || p.Rate() != 8000 {
		t.Fatalf("FrameSize %d Rate %d", p.FrameSize(), p.Rate())
	}
	if _, err := p.Next(make([]int16, 79)); !errors.Is(err, ErrShortBuffer) {
		t.Errorf("Next(79) = %v, want ErrShortBuffer", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Next(make([]int16, 80)); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close = %v", err)
	}
	if err := p.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v", err)
	}
	if c.String() != "x(8000 Hz, 12.5ms)" {
		t.Errorf("Clip.String = %q", c.String())
	}
}

// TestSharedClip plays one clip from many goroutines at once (run with
// -race): every Player gets the whole clip and the clip is unchanged.
func TestSharedClip(t *testing.T) {
	pcm := tone(16000, 16000)
	c, _ := NewClip("shared", 16000, pcm)
	want := reference(t, pcm, 16000, 8000, false, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			p, err := NewPlayer(c, Config{Rate: 8000})
			if err != nil {
				errs <- err
				return
			}
			var got []int16
			buf := make([]int16, p.FrameSize())
			for {
				n, err := p.Next(buf)
				if err == io.EOF {
					break
				}
				got = append(got, buf[:n]...)
			}
			if !equal(got, want) {
				errs <- errors.New("a concurrent player got different audio")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if !equal(c.pcm, tone(16000, 16000)) {
		t.Fatal("clip modified by players")
	}
}

func TestNextAllocs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.wav")
	writeWAV(t, path, 48000, 2, tone(96000, 48000))
	c, _ := NewClip("x", 16000, tone(16000, 16000))
	direct, _ := NewPlayer(c, Config{Rate: 16000, Loop: true})
	resampled, _ := NewPlayer(c, Config{Rate: 8000, Loop: true})
	c22, _ := NewClip("x", 22050, tone(22050, 22050))
	from22, _ := NewPlayer(c22, Config{Rate: 8000, Loop: true})
	c11, _ := NewClip("x", 11025, tone(11025, 11025))
	from11, _ := NewPlayer(c11, Config{Rate: 16000, Loop: true})
	file, err := Open(path, Config{Rate: 8000, Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	players := map[string]*Player{"direct": direct, "resampled": resampled, "22050-8000": from22, "11025-16000": from11, "file": file}
	for name, p := range players {
		buf := make([]int16, p.FrameSize())
		if n := testing.AllocsPerRun(500, func() { p.Next(buf) }); n != 0 {
			t.Errorf("%s: Next allocates %v times per frame", name, n)
		}
	}
}

// TestPlayersShareFilter starts many Players of a 22050 Hz prompt at
// 8 kHz: each holds its own cursor, buffers and filter history, a few KB,
// while the 180 KB filter table is designed once and shared.
func TestPlayersShareFilter(t *testing.T) {
	c, _ := NewClip("prompt", 22050, tone(22050, 22050))
	if _, err := NewPlayer(c, Config{Rate: 8000}); err != nil {
		t.Fatal(err)
	}
	const n = 1000
	players := make([]*Player, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range players {
		players[i], _ = NewPlayer(c, Config{Rate: 8000})
	}
	runtime.ReadMemStats(&after)
	per := (after.TotalAlloc - before.TotalAlloc) / n
	t.Logf("NewPlayer(22050 Hz clip at 8000 Hz) allocates %d bytes per Player", per)
	if per > 8<<10 {
		t.Fatalf("each Player allocates %d bytes, want < 8 KB: is the filter table copied?", per)
	}
	runtime.KeepAlive(players)
}

func BenchmarkNext20ms(b *testing.B) {
	path := filepath.Join(b.TempDir(), "s.wav")
	w, _ := wav.Create(path, wav.WriterConfig{SampleRate: 48000, Channels: 2})
	w.Write(tone(96000, 48000))
	w.Close()
	path22 := filepath.Join(b.TempDir(), "s22.wav")
	w, _ = wav.Create(path22, wav.WriterConfig{SampleRate: 22050, Channels: 1})
	w.Write(tone(22050, 22050))
	w.Close()
	for _, tc := range []struct {
		name       string
		clipRate   int
		rate       int
		file       bool
		wantFrames int
	}{
		{"clip-8k-to-8k", 8000, 8000, false, 0},
		{"clip-16k-to-8k", 16000, 8000, false, 0},
		{"clip-48k-to-8k", 48000, 8000, false, 0},
		{"clip-8k-to-16k", 8000, 16000, false, 0},
		{"file-48k-stereo-to-8k", 48000, 8000, true, 0},
		{"clip-11025-to-8k", 11025, 8000, false, 0},
		{"clip-22050-to-8k", 22050, 8000, false, 0},
		{"clip-44100-to-8k", 44100, 8000, false, 0},
		{"clip-22050-to-16k", 22050, 16000, false, 0},
		{"file-22050-mono-to-8k", 22050, 8000, true, 0},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var p *Player
			var err error
			switch {
			case tc.file && tc.clipRate == 22050:
				p, err = Open(path22, Config{Rate: tc.rate, Loop: true})
			case tc.file:
				p, err = Open(path, Config{Rate: tc.rate, Loop: true})
			default:
				c, _ := NewClip("x", tc.clipRate, tone(tc.clipRate, tc.clipRate))
				p, err = NewPlayer(c, Config{Rate: tc.rate, Loop: true})
			}
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			buf := make([]int16, p.FrameSize())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Next(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func equal(a, b []int16) bool {
	return firstDiff(a, b) < 0
}

func firstDiff(a, b []int16) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}
