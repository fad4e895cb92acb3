package render

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// markAt is a mark and the number of samples emitted before it.
type markAt struct {
	name string
	at   int
}

// recorder collects what an Output emits.
type recorder struct {
	pcm    []int16
	chunks []int // sizes of the audio chunks
	marks  []markAt
	err    error // what emit returns
	emits  int
}

func (r *recorder) emit(c speech.Chunk) error {
	r.emits++
	if c.Mark != "" {
		r.marks = append(r.marks, markAt{c.Mark, len(r.pcm)})
	}
	if len(c.PCM) > 0 {
		r.pcm = append(r.pcm, c.PCM...)
		r.chunks = append(r.chunks, len(c.PCM))
	}
	return r.err
}

func newOutput(t *testing.T, ctx context.Context, rate int) (*Output, *recorder) {
	t.Helper()
	r := &recorder{}
	o, err := NewOutput(ctx, rate, r.emit)
	if err != nil {
		t.Fatal(err)
	}
	return o, r
}

// segment writes pcm as one segment at inRate, in writes of at most step
// samples.
func segment(t *testing.T, o *Output, inRate int, pcm []int16, step int) {
	t.Helper()
	if err := o.Begin(inRate); err != nil {
		t.Fatal(err)
	}
	if !o.Open() {
		t.Fatal("no segment open after Begin")
	}
	for len(pcm) > 0 {
		k := min(step, len(pcm))
		if err := o.Write(pcm[:k]); err != nil {
			t.Fatal(err)
		}
		pcm = pcm[k:]
	}
	if err := o.End(); err != nil {
		t.Fatal(err)
	}
	if o.Open() {
		t.Fatal("segment open after End")
	}
}

func TestUnsupportedRates(t *testing.T) {
	if o, err := NewOutput(context.Background(), 12345, (&recorder{}).emit); !errors.Is(err, resample.ErrRate) || o != nil {
		t.Errorf("NewOutput(12345) = %v, %v; want resample.ErrRate", o, err)
	}
	o, _ := newOutput(t, context.Background(), 8000)
	if err := o.Begin(12345); !errors.Is(err, speech.ErrEngine) || !errors.Is(err, resample.ErrRate) {
		t.Errorf("Begin(12345) = %v, want speech.ErrEngine and resample.ErrRate", err)
	}
	if o.Open() {
		t.Error("segment open after a failed Begin")
	}
	if err := o.End(); err != nil {
		t.Errorf("End without a segment: %v", err)
	}
}

// TestSegmentLength checks that a segment of N native samples yields
// ceil(N*rate/inRate) samples however it is written, in chunks of at most
// 100 ms.
func TestSegmentLength(t *testing.T) {
	for _, tc := range []struct {
		name         string
		inRate, rate int
	}{
		{"22050 to 8000", 22050, 8000},
		{"22050 to 16000", 22050, 16000},
		{"16000 to 8000", 16000, 8000},
		{"8000 to 16000", 8000, 16000},
		{"8000 to 48000", 8000, 48000},
		{"16000 to 16000", 16000, 16000},
	} {
		for _, n := range []int{0, 1, 7, 441, 1000, 22050, 40000} {
			for _, step := range []int{1, 320, 1 << 20} {
				if step == 1 && n > 1000 {
					continue
				}
				o, r := newOutput(t, context.Background(), tc.rate)
				segment(t, o, tc.inRate, tone(n, tc.inRate), step)
				want := (n*tc.rate + tc.inRate - 1) / tc.inRate
				if len(r.pcm) != want {
					t.Errorf("%s: %d samples in writes of %d: got %d samples, want %d", tc.name, n, step, len(r.pcm), want)
				}
				if m := slices.Max(append(r.chunks, 0)); m > tc.rate/10 {
					t.Errorf("%s: a chunk of %d samples, over 100 ms", tc.name, m)
				}
			}
		}
	}
}

// tone returns n samples of a 440 Hz square wave at rate.
func tone(n, rate int) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = 8000
		if i*880/rate%2 == 1 {
			pcm[i] = -8000
		}
	}
	return pcm
}

// TestSegmentAligned checks that the filter delay is dropped: a step in
// the native audio appears at the same time in the output, in each of two
// segments in a row.
func TestSegmentAligned(t *testing.T) {
	for _, tc := range []struct{ inRate, rate int }{{22050, 8000}, {16000, 8000}, {8000, 16000}, {16000, 48000}} {
		const ms = 100 // where the step is
		native := make([]int16, tc.inRate*3/10)
		for i := tc.inRate * ms / 1000; i < len(native); i++ {
			native[i] = 10000
		}
		o, r := newOutput(t, context.Background(), tc.rate)
		segment(t, o, tc.inRate, native, 320)
		first := len(r.pcm)
		segment(t, o, tc.inRate, native, 320)
		for seg, start := range []int{0, first} {
			got := slices.IndexFunc(r.pcm[start:], func(v int16) bool { return v >= 5000 })
			if want := tc.rate * ms / 1000; got < want-2 || got > want+2 {
				t.Errorf("%d to %d Hz, segment %d: step at output sample %d, want %d", tc.inRate, tc.rate, seg, got, want)
			}
		}
	}
}

func TestGain(t *testing.T) {
	o, r := newOutput(t, context.Background(), 8000)
	in := []int16{1000, -1000, 20000, -20000, 3, 0}
	segment(t, o, 8000, slices.Clone(in), 100)
	o.SetGain(2.5)
	segment(t, o, 8000, slices.Clone(in), 100)
	o.SetGain(0)
	segment(t, o, 8000, slices.Clone(in), 100)
	want := slices.Concat(in, []int16{2500, -2500, 32767, -32768, 8, 0}, make([]int16, len(in)))
	if !slices.Equal(r.pcm, want) {
		t.Errorf("got %v\nwant %v", r.pcm, want)
	}
}

func TestSilence(t *testing.T) {
	for _, tc := range []struct {
		rate   int
		d      time.Duration
		chunks []int
	}{
		{8000, 800 * time.Millisecond, []int{800, 800, 800, 800, 800, 800, 800, 800}},
		{48000, 250 * time.Millisecond, []int{4800, 4800, 2400}},
		{16000, 1234567 * time.Nanosecond, []int{19}}, // 1234 us
		{44100, 22676 * time.Nanosecond, nil},         // 22 us: 0.97 samples
		{8000, 0, nil},
		{8000, -time.Second, nil},
	} {
		o, _ := newOutput(t, context.Background(), tc.rate)
		var chunks []int
		o.emit = func(c speech.Chunk) error {
			chunks = append(chunks, len(c.PCM))
			for i, v := range c.PCM {
				if v != 0 {
					t.Fatalf("%v at %d Hz: sample %d is %d", tc.d, tc.rate, i, v)
				}
				c.PCM[i] = 1 // a receiver scribbling must not change later silence
			}
			return nil
		}
		if err := o.Silence(tc.d); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(chunks, tc.chunks) {
			t.Errorf("Silence(%v) at %d Hz: chunks %v, want %v", tc.d, tc.rate, chunks, tc.chunks)
		}
	}
}

func TestItems(t *testing.T) {
	o, r := newOutput(t, context.Background(), 8000)
	var said []markAt
	items := []ssml.Item{
		{Kind: ssml.Text, Text: "a"},
		{Kind: ssml.Break, Break: 100 * time.Millisecond},
		{Kind: ssml.Mark, Name: "m"},
		{Kind: ssml.Audio, Text: "b"},
		{Kind: ssml.Break},
		{Kind: ssml.Kind(99), Text: "unknown kind"},
		{Kind: ssml.Text, Text: "c"},
	}
	err := o.Items(items, func(it ssml.Item) error {
		said = append(said, markAt{it.Text, len(r.pcm)})
		return o.Silence(10 * time.Millisecond)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []markAt{{"a", 0}, {"b", 880}, {"c", 960}}; !slices.Equal(said, want) {
		t.Errorf("said %v, want %v", said, want)
	}
	if want := []markAt{{"m", 880}}; !slices.Equal(r.marks, want) {
		t.Errorf("marks %v, want %v", r.marks, want)
	}
	if len(r.pcm) != 1040 {
		t.Errorf("%d samples, want 1040", len(r.pcm))
	}
}

// TestErrors checks that an error from emit or say is returned as is and
// ends Items, and that nothing is emitted once the context has ended.
func TestErrors(t *testing.T) {
	errStop := errors.New("stop")
	items := []ssml.Item{{Kind: ssml.Text, Text: "a"}, {Kind: ssml.Mark, Name: "m"}, {Kind: ssml.Text, Text: "b"}}
	t.Run("emit", func(t *testing.T) {
		o, r := newOutput(t, context.Background(), 8000)
		r.err = errStop
		if err := o.Mark("m"); err != errStop {
			t.Errorf("Mark: %v", err)
		}
		if err := o.Silence(time.Second); err != errStop || r.emits != 2 {
			t.Errorf("Silence: %v after %d emits", err, r.emits)
		}
		o.Begin(22050)
		if err := o.Write(tone(22050, 22050)); err != errStop || r.emits != 3 {
			t.Errorf("Write: %v after %d emits", err, r.emits)
		}
		n := 0
		if err := o.Items(items, func(ssml.Item) error { n++; return nil }); err != errStop || n != 1 {
			t.Errorf("Items: %v after %d items said", err, n)
		}
	})
	t.Run("say", func(t *testing.T) {
		o, r := newOutput(t, context.Background(), 8000)
		if err := o.Items(items, func(ssml.Item) error { return errStop }); err != errStop || r.emits != 0 {
			t.Errorf("Items: %v after %d emits", err, r.emits)
		}
	})
	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		o, r := newOutput(t, ctx, 8000)
		o.Begin(16000)
		cancel()
		for name, err := range map[string]error{
			"Mark":    o.Mark("m"),
			"Silence": o.Silence(time.Second),
			"Write":   o.Write(tone(16000, 16000)),
			"Items":   o.Items(items, func(ssml.Item) error { t.Error("say called"); return nil }),
		} {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s: %v, want context.Canceled", name, err)
			}
		}
		if r.emits != 0 {
			t.Errorf("%d emits after the context ended", r.emits)
		}
	})
}

// TestAllocs checks that audio and silence allocate nothing once the
// buffers have grown.
func TestAllocs(t *testing.T) {
	o, err := NewOutput(context.Background(), 8000, func(speech.Chunk) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Begin(22050); err != nil {
		t.Fatal(err)
	}
	pcm := tone(441, 22050)
	o.SetGain(0.5)
	if n := testing.AllocsPerRun(100, func() { o.Write(pcm) }); n != 0 {
		t.Errorf("Write: %v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() { o.Silence(250 * time.Millisecond) }); n != 0 {
		t.Errorf("Silence: %v allocations", n)
	}
}
