package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/ogg"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
)

// refRecorder is a straightforward model of the Recorder, the reference
// for TestGolden: each channel's whole timeline in one growing slice, no
// ring, each frame resampled in one call. Audio before base is final; a
// sample placed before base is late; base follows the head Skew behind.
type refRecorder struct {
	rate, skew, tol int64 // rate in Hz, skew and tol in frames
	maxDur          time.Duration
	line            [2][]int16
	base, head      int64
	ch              [2]refChannel
	stats           Stats
}

type refChannel struct {
	rs     *resample.Resampler
	delay  int64
	next   int64 // -1 before the first frame
	primed bool
	zeros  []int16
}

func newRef(rate int, cfg Config) *refRecorder {
	r := &refRecorder{rate: int64(rate), maxDur: cfg.MaxDuration}
	if r.maxDur == 0 {
		r.maxDur = DefaultMaxDuration
	}
	r.skew, r.tol = r.frames(orDefault(cfg.Skew, DefaultSkew)), r.frames(orDefault(cfg.Tolerance, DefaultTolerance))
	for ch, in := range [2]int{cfg.CallerRate, cfg.AgentRate} {
		c := &r.ch[ch]
		c.next = -1
		if in != 0 && in != rate {
			c.rs, _ = resample.New(in, rate)
			c.delay = int64(c.rs.Delay())
			c.zeros = make([]int16, (int(c.delay)*in+rate-1)/rate+1)
		}
	}
	return r
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// frames rounds d to the nearest frame (the Recorder's rule, including
// truncation toward zero of negative times).
func (r *refRecorder) frames(d time.Duration) int64 {
	return int64(d/time.Second)*r.rate + (int64(d%time.Second)*r.rate+int64(time.Second)/2)/int64(time.Second)
}

func (r *refRecorder) write(ch Channel, at time.Duration, pcm []int16) error {
	if len(pcm) == 0 {
		return nil
	}
	if at > r.maxDur {
		return ErrTooLong
	}
	c := &r.ch[ch]
	pos := r.frames(at)
	if c.next >= 0 {
		if d := pos - c.next; d >= -r.tol && d <= r.tol {
			pos = c.next
		} else {
			r.stats.Discontinuities[ch]++
			r.flushTail(ch)
		}
	}
	r.stats.Samples[ch] += int64(len(pcm))
	out := pcm
	if c.rs != nil {
		out = make([]int16, c.rs.OutLen(len(pcm)))
		out = out[:c.rs.Process(pcm, out)]
		c.primed = true
	}
	r.place(ch, pos-c.delay, out)
	c.next = pos + int64(len(out))
	return nil
}

func (r *refRecorder) flushTail(ch Channel) {
	c := &r.ch[ch]
	if c.rs == nil || !c.primed {
		return
	}
	out := make([]int16, c.rs.OutLen(len(c.zeros)))
	n := c.rs.Process(c.zeros, out)
	c.rs.Reset()
	c.primed = false
	r.place(ch, c.next-c.delay, out[:min(int64(n), c.delay)])
}

func (r *refRecorder) place(ch Channel, p int64, s []int16) {
	if p < r.base {
		d := min(r.base-p, int64(len(s)))
		if late := min(r.base, p+d) - max(p, 0); late > 0 {
			r.stats.Late[ch] += late
		}
		s, p = s[d:], p+d
	}
	if len(s) == 0 {
		return
	}
	end := p + int64(len(s))
	if n := end - int64(len(r.line[ch])); n > 0 {
		r.line[ch] = append(r.line[ch], make([]int16, n)...)
	}
	copy(r.line[ch][p:], s)
	r.head = max(r.head, end)
	r.base = max(r.base, r.head-r.skew)
}

// close ends the model like Close (end < 0) or CloseAt(end) and returns
// the file's interleaved samples.
func (r *refRecorder) close(end time.Duration) []int16 {
	r.flushTail(Caller)
	r.flushTail(Agent)
	n := r.head
	if end >= 0 {
		n = r.frames(min(end, r.maxDur))
	}
	n = max(n, r.base)
	out := make([]int16, 2*n)
	for ch, line := range r.line {
		for p := range min(n, int64(len(line))) {
			out[2*p+int64(ch)] = line[p]
		}
	}
	r.stats.Frames = n
	r.stats.Duration = time.Duration(n * int64(time.Second) / r.rate)
	return out
}

// wavFile is the canonical 16-bit stereo WAV of pcm, built field by field.
func wavFile(rate int, pcm []int16) []byte {
	le := binary.LittleEndian
	b := []byte("RIFF")
	b = le.AppendUint32(b, uint32(36+2*len(pcm)))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1) // PCM
	b = le.AppendUint16(b, 2)
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(4*rate))
	b = le.AppendUint16(b, 4)
	b = le.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(2*len(pcm)))
	for _, v := range pcm {
		b = le.AppendUint16(b, uint16(v))
	}
	return b
}

// step is one Write of a randomized call.
type step struct {
	ch  Channel
	at  time.Duration
	pcm []int16
}

// randomCall is a call of about n frames per side at the given input
// rates: mostly continuing 20 ms frames with jitter within tol, and gaps
// (lost packets, hold), jumps, odd and empty lengths, full-scale samples,
// and one-off reordered frames (overlapping, or late beyond Skew, or
// around the start) that do not move the side's clock.
func randomCall(rng *rand.Rand, n int, rates [2]int, tol time.Duration) []step {
	var steps []step
	var next [2]time.Duration
	for range 2 * n {
		ch := Channel(rng.IntN(2))
		size := rates[ch] / 50
		at, oneOff := next[ch], false
		switch k := rng.IntN(1000); {
		case k < 780: // continues, with jitter
			at += time.Duration(rng.Int64N(int64(2*tol)+1)) - tol
		case k < 880: // gap of lost packets or hold
			at += time.Duration(1+rng.IntN(20)) * frame
		case k < 900: // jump ahead
			at += time.Duration(1+rng.IntN(3)) * time.Second
		case k < 930: // odd length
			size = rng.IntN(3 * size)
		case k < 965: // overlap
			at -= time.Duration(rng.Int64N(int64(300 * time.Millisecond)))
			oneOff = true
		case k < 995: // late, beyond Skew
			at -= time.Duration(400+rng.IntN(800)) * time.Millisecond
			oneOff = true
		default: // around the start
			at = time.Duration(rng.IntN(60)-40) * time.Millisecond
			oneOff = true
		}
		pcm := make([]int16, size)
		for i := range pcm {
			switch rng.IntN(20) {
			case 0:
				pcm[i] = -32768
			case 1:
				pcm[i] = 32767
			default:
				pcm[i] = int16(rng.Uint32())
			}
		}
		steps = append(steps, step{ch, at, pcm})
		if size > 0 && !oneOff {
			next[ch] = at + time.Duration(size)*time.Second/time.Duration(rates[ch])
		}
	}
	return steps
}

// TestGolden plays randomized calls into WAV files and a memory sink and
// compares every byte with refRecorder's file, and the Stats.
func TestGolden(t *testing.T) {
	for i, tc := range []struct {
		rate int
		cfg  Config
		wav  wav.WriterConfig // BufferSize and HeaderInterval; zero for Create
		// closeAt ends with CloseAt at the end of the furthest frame plus
		// end (cutting within Skew, before what is committed, or padding),
		// else with Close.
		closeAt bool
		end     time.Duration
	}{
		{rate: 8000},
		{rate: 8000, closeAt: true, end: -300 * time.Millisecond},
		{rate: 8000, cfg: Config{Skew: 20 * time.Millisecond}, wav: wav.WriterConfig{BufferSize: 1000, HeaderInterval: 30 * time.Millisecond}},
		{rate: 16000, cfg: Config{Skew: 100 * time.Millisecond, Tolerance: 2 * time.Millisecond}, wav: wav.WriterConfig{BufferSize: 4100}, closeAt: true, end: -2 * time.Second},
		{rate: 16000, cfg: Config{CallerRate: 8000, AgentRate: 48000}},
		{rate: 8000, cfg: Config{CallerRate: 16000, Skew: 300 * time.Millisecond}, wav: wav.WriterConfig{BufferSize: 640}, closeAt: true, end: 3 * time.Second},
		{rate: 48000, cfg: Config{AgentRate: 8000, MaxDuration: 30 * time.Second}},
	} {
		t.Run(fmt.Sprintf("%d-%d", i, tc.rate), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			rates := [2]int{cmpRate(tc.cfg.CallerRate, tc.rate), cmpRate(tc.cfg.AgentRate, tc.rate)}
			steps := randomCall(rng, 600, rates, orDefault(tc.cfg.Tolerance, DefaultTolerance))

			path := filepath.Join(t.TempDir(), "call.wav")
			var r *Recorder
			var err error
			if tc.wav == (wav.WriterConfig{}) {
				r, err = Create(path, tc.rate, tc.cfg)
			} else {
				tc.wav.SampleRate = tc.rate
				var sink Sink
				if sink, err = NewWAVSink(path, tc.wav); err == nil {
					r, err = New(sink, tc.cfg)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			mem := &memSink{rate: tc.rate}
			rm, err := New(mem, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			ref := newRef(tc.rate, tc.cfg)
			for k, s := range steps {
				want := ref.write(s.ch, s.at, s.pcm)
				for _, rec := range []*Recorder{r, rm} {
					if err := rec.Write(s.ch, s.at, s.pcm); !errors.Is(err, want) {
						t.Fatalf("step %d: Write(%v, %v, %d samples) = %v, want %v", k, s.ch, s.at, len(s.pcm), err, want)
					}
				}
			}
			end := time.Duration(-1)
			if tc.closeAt {
				end = max(time.Duration(ref.head)*time.Second/time.Duration(tc.rate)+tc.end, 0)
			}
			for _, rec := range []*Recorder{r, rm} {
				if end < 0 {
					err = rec.Close()
				} else {
					err = rec.CloseAt(end)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			want := ref.close(end)
			if st := r.Stats(); st != ref.stats || rm.Stats() != ref.stats {
				t.Fatalf("Stats %+v (memory sink %+v), want %+v", st, rm.Stats(), ref.stats)
			}
			if i := firstDiff(mem.pcm, want); i >= 0 {
				t.Fatalf("memory sink: %d samples, want %d; first difference at sample %d", len(mem.pcm), len(want), i)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if wantFile := wavFile(tc.rate, want); !bytes.Equal(got, wantFile) {
				t.Fatalf("file: %d bytes, want %d; first difference at byte %d", len(got), len(wantFile), firstDiff(got, wantFile))
			}
			t.Logf("%d writes, %v (furthest frame %v), late %v, discontinuities %v", len(steps), ref.stats.Duration,
				time.Duration(ref.head)*time.Second/time.Duration(tc.rate), ref.stats.Late, ref.stats.Discontinuities)
		})
	}
}

func cmpRate(in, rate int) int {
	if in == 0 {
		return rate
	}
	return in
}

// firstDiff returns the first index where a and b differ (including one
// ending early), or -1.
func firstDiff[T comparable](a, b []T) int {
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

// TestOpusSinkWriteStereo checks that the planar path the Recorder uses
// encodes exactly what Write of the same samples interleaved encodes.
func TestOpusSinkWriteStereo(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	left, right := chirps(8000, 8000, 1), chirps(8000, 8000, 2)
	var paths [2]string
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%d.opus", i))
		s, err := NewOpusSink(paths[i], OpusConfig{Rate: 8000})
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(left); {
			n := min(len(left)-off, rng.IntN(500))
			l, r := left[off:off+n], right[off:off+n]
			if i == 0 {
				err = s.writeStereo(l, r)
			} else {
				stereo := make([]int16, 0, 2*n)
				for k := range l {
					stereo = append(stereo, l[k], r[k])
				}
				err = s.Write(stereo)
			}
			if err != nil {
				t.Fatal(err)
			}
			off += n
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.writeStereo(left[:1], right[:1]); !errors.Is(err, ErrClosed) {
			t.Fatalf("writeStereo after Close = %v, want ErrClosed", err)
		}
	}
	a, b := opusPackets(t, paths[0]), opusPackets(t, paths[1])
	if len(a) < 50 || !slices.Equal(a, b) {
		t.Fatalf("writeStereo made %d packets, Write %d; they differ", len(a), len(b))
	}
}

// opusPackets returns the packets of an Ogg Opus file with their
// granules, ignoring the random serial number.
func opusPackets(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr := ogg.NewPacketReader(f)
	var out []string
	for {
		p, err := pr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %x", p.Granule, p.Data))
	}
}

// FuzzRecorderGolden drives a Recorder and refRecorder with the frame
// sequences of FuzzRecorderTimeline (an 8 kHz caller resampled into a
// 16 kHz file, a 100 ms Skew) and requires the same samples and Stats.
func FuzzRecorderGolden(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 0, 0, 160, 0, 1, 0, 0, 160, 0, 0, 20, 0, 160, 0, 1, 20, 0, 160, 0},
		{0, 0, 0, 160, 0, 0, 208, 7, 160, 0, 1, 226, 255, 244, 1, 1, 10, 0, 160, 0},
		{1, 136, 19, 232, 3, 0, 0, 0, 160, 0, 0, 122, 19, 255, 255},
		{0, 20, 0, 161, 0, 0, 40, 0, 159, 0, 0, 41, 0, 3, 0, 1, 0, 0, 0, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		cfg := Config{CallerRate: 8000, Skew: 100 * time.Millisecond, MaxDuration: 20 * time.Second}
		sink := &memSink{rate: 16000}
		r, err := New(sink, cfg)
		if err != nil {
			t.Fatal(err)
		}
		ref := newRef(16000, cfg)
		pcm := make([]int16, 4000)
		for i := range pcm {
			pcm[i] = int16(i + 1)
		}
		for ; len(ops) >= 5; ops = ops[5:] {
			ch := Channel(ops[0] & 1)
			at := time.Duration(int16(binary.LittleEndian.Uint16(ops[1:]))) * time.Millisecond
			n := int(binary.LittleEndian.Uint16(ops[3:])) % len(pcm)
			want := ref.write(ch, at, pcm[:n])
			if err := r.Write(ch, at, pcm[:n]); !errors.Is(err, want) {
				t.Fatalf("Write(%v, %v, %d) = %v, want %v", ch, at, n, err, want)
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		want := ref.close(-1)
		if st := r.Stats(); st != ref.stats {
			t.Fatalf("Stats %+v, want %+v", st, ref.stats)
		}
		if i := firstDiff(sink.pcm, want); i >= 0 {
			t.Fatalf("%d samples, want %d; first difference at sample %d", len(sink.pcm), len(want), i)
		}
	})
}
