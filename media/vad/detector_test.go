package vad_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parley-cc/parley/media/vad"
)

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  vad.Config
		err  error
		size int // FrameSize when err is nil
	}{
		{"zero value is 8 kHz 20 ms", vad.Config{}, nil, 160},
		{"16 kHz 10 ms", vad.Config{SampleRate: 16000, FrameMs: 10}, nil, 160},
		{"48 kHz 30 ms", vad.Config{SampleRate: 48000, FrameMs: 30}, nil, 1440},
		{"all fields", vad.Config{SampleRate: 8000, FrameMs: 20, StartMs: 60, HangoverMs: 800, ThresholdDB: 4, MinLevelDB: -60}, nil, 160},
		{"rate 44100", vad.Config{SampleRate: 44100}, vad.ErrSampleRate, 0},
		{"negative rate", vad.Config{SampleRate: -8000}, vad.ErrSampleRate, 0},
		{"frame 25 ms", vad.Config{FrameMs: 25}, vad.ErrFrameMs, 0},
		{"StartMs too long", vad.Config{StartMs: 5000}, vad.ErrConfig, 0},
		{"negative StartMs", vad.Config{StartMs: -1}, vad.ErrConfig, 0},
		{"HangoverMs too short", vad.Config{HangoverMs: 5}, vad.ErrConfig, 0},
		{"threshold too low", vad.Config{ThresholdDB: 0.1}, vad.ErrConfig, 0},
		{"threshold NaN", vad.Config{ThresholdDB: math.NaN()}, vad.ErrConfig, 0},
		{"min level above -10 dBFS", vad.Config{MinLevelDB: -3}, vad.ErrConfig, 0},
		{"min level infinite", vad.Config{MinLevelDB: math.Inf(-1)}, vad.ErrConfig, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := vad.New(tc.cfg)
			if !errors.Is(err, tc.err) {
				t.Fatalf("New(%+v) error = %v, want %v", tc.cfg, err, tc.err)
			}
			if err != nil {
				return
			}
			if got := d.FrameSize(); got != tc.size {
				t.Errorf("FrameSize() = %d, want %d", got, tc.size)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	d, err := vad.New(vad.Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := vad.Config{
		SampleRate: vad.DefaultSampleRate, FrameMs: vad.DefaultFrameMs,
		StartMs: vad.DefaultStartMs, HangoverMs: vad.DefaultHangoverMs,
		ThresholdDB: vad.DefaultThresholdDB, MinLevelDB: vad.DefaultMinLevelDB,
	}
	if got := d.Config(); got != want {
		t.Errorf("Config() = %+v, want %+v", got, want)
	}
	if got := d.String(); got != "VAD(8000 Hz, 20 ms)" {
		t.Errorf("String() = %q", got)
	}
}

func TestEventString(t *testing.T) {
	for e, want := range map[vad.Event]string{
		vad.None: "None", vad.SpeechStart: "SpeechStart", vad.SpeechEnd: "SpeechEnd", 7: "Event(7)",
	} {
		if got := e.String(); got != want {
			t.Errorf("Event(%d).String() = %q, want %q", e, got, want)
		}
	}
}

// signal builds deterministic test audio at a sample rate.
type signal struct {
	rate int
	rng  *rand.Rand
	pcm  []float64
}

func newSignal(rate int) *signal {
	return &signal{rate: rate, rng: rand.New(rand.NewPCG(7, 11))}
}

// noise appends secs of white noise at db dBFS.
func (s *signal) noise(secs, db float64) *signal {
	a := math.Pow(10, db/20)
	for range int(secs * float64(s.rate)) {
		s.pcm = append(s.pcm, a*s.rng.NormFloat64())
	}
	return s
}

// vowel appends secs of a synthetic vowel at db dBFS: harmonics of a
// 120 Hz voice under formants at 700, 1200 and 2600 Hz, modulated at a
// syllabic 4 Hz.
func (s *signal) vowel(secs, db float64) *signal {
	formants := [...]float64{700, 1200, 2600}
	var amp [30]float64
	var power float64
	for k := range amp {
		f := 120 * float64(k+1)
		for _, fm := range formants {
			amp[k] += 1 / (1 + math.Pow((f-fm)/120, 2))
		}
		power += amp[k] * amp[k] / 2
	}
	g := math.Pow(10, db/20) / math.Sqrt(power)
	for i := range int(secs * float64(s.rate)) {
		t := float64(i) / float64(s.rate)
		var v float64
		for k, a := range amp {
			if f := 120 * float64(k+1); f < float64(s.rate)/2 {
				v += a * math.Sin(2*math.Pi*f*t)
			}
		}
		s.pcm = append(s.pcm, g*v*(0.6+0.4*math.Sin(2*math.Pi*4*t)))
	}
	return s
}

// add mixes white noise at db dBFS over everything so far.
func (s *signal) add(db float64) *signal {
	a := math.Pow(10, db/20)
	for i := range s.pcm {
		s.pcm[i] += a * s.rng.NormFloat64()
	}
	return s
}

// tone appends secs of a sine at f Hz and db dBFS (-3 dBFS is full scale).
func (s *signal) tone(secs, f, db float64) *signal {
	a := math.Pow(10, (db+3)/20)
	for i := range int(secs * float64(s.rate)) {
		s.pcm = append(s.pcm, a*math.Sin(2*math.Pi*f*float64(i)/float64(s.rate)))
	}
	return s
}

func (s *signal) int16s() []int16 {
	out := make([]int16, len(s.pcm))
	for i, v := range s.pcm {
		out[i] = int16(max(-32768, min(32767, math.Round(v*32768))))
	}
	return out
}

// record is one event and the detector's offsets when it was returned.
type record struct {
	event              vad.Event
	at, start, end     int64
	speakingAfterEvent bool
}

func feed(t *testing.T, d *vad.Detector, pcm []int16) []record {
	t.Helper()
	var out []record
	n := d.FrameSize()
	for i := 0; i+n <= len(pcm); i += n {
		if e := d.Process(pcm[i : i+n]); e != vad.None {
			out = append(out, record{e, d.Offset(), d.StartOffset(), d.EndOffset(), d.Speaking()})
		}
	}
	return out
}

func TestEndpointing(t *testing.T) {
	for _, tc := range []struct {
		rate, frameMs, startMs, hangoverMs int
	}{
		{8000, 20, 0, 0},
		{8000, 10, 60, 500},
		{16000, 20, 100, 800},
		{16000, 30, 0, 0},
		{48000, 20, 0, 700},
		{48000, 10, 0, 0},
	} {
		cfg := vad.Config{SampleRate: tc.rate, FrameMs: tc.frameMs, StartMs: tc.startMs, HangoverMs: tc.hangoverMs}
		d, err := vad.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg = d.Config()
		t.Run(d.String(), func(t *testing.T) {
			// 1.5 s of line noise, a 1 s vowel at 20 dB SNR, 2 s of noise.
			sig := newSignal(tc.rate).noise(1.5, -46).vowel(1, -26).noise(2, -46)
			sig.add(-80) // dither, so the vowel is never digitally clean
			rec := feed(t, d, sig.int16s())
			if len(rec) != 2 || rec[0].event != vad.SpeechStart || rec[1].event != vad.SpeechEnd {
				t.Fatalf("events = %+v, want SpeechStart then SpeechEnd", rec)
			}
			ms := func(samples int64) float64 { return float64(samples) * 1000 / float64(tc.rate) }
			onset, end := 1500.0, 2500.0
			frame := float64(cfg.FrameMs)
			if got := ms(rec[0].at) - onset; got < float64(cfg.StartMs)-frame || got > float64(cfg.StartMs)+2*frame {
				t.Errorf("SpeechStart %.0f ms after the onset, want about StartMs %d", got, cfg.StartMs)
			}
			if got := ms(rec[0].start) - onset; math.Abs(got) > 2*frame {
				t.Errorf("StartOffset %.0f ms from the onset, want within two frames", got)
			}
			if got := ms(rec[1].end) - end; math.Abs(got) > 2*frame {
				t.Errorf("EndOffset %.0f ms from the end, want within two frames", got)
			}
			if got := ms(rec[1].at - rec[1].end); got < float64(cfg.HangoverMs) || got > float64(cfg.HangoverMs)+frame {
				t.Errorf("SpeechEnd %.0f ms after the last speech, want HangoverMs %d", got, cfg.HangoverMs)
			}
			if !rec[0].speakingAfterEvent || rec[1].speakingAfterEvent {
				t.Errorf("Speaking() after the events = %v, %v, want true, false", rec[0].speakingAfterEvent, rec[1].speakingAfterEvent)
			}
			// White noise at -46 dBFS has 3500 Hz of its rate/2 in band.
			want := -46 + 10*math.Log10(3500/(float64(tc.rate)/2))
			if got := d.NoiseFloorDB(); math.Abs(got-want) > 1.5 {
				t.Errorf("NoiseFloorDB() = %.1f, want %.1f (in-band share of -46 dBFS white noise)", got, want)
			}
		})
	}
}

func TestSteadySignalsNeverStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  *signal
	}{
		{"digital silence", newSignal(8000).tone(5, 1000, -200)},
		{"white noise at -20 dBFS", newSignal(8000).noise(5, -20)},
		{"in-band 1 kHz tone at -10 dBFS", newSignal(8000).tone(5, 1000, -10)},
		{"vowel below the minimum level", newSignal(8000).noise(1, -90).vowel(2, -70).noise(1, -90)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := vad.New(vad.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if rec := feed(t, d, tc.sig.int16s()); len(rec) != 0 {
				t.Errorf("events = %+v, want none", rec)
			}
		})
	}
}

// TestToneOnsetEnds checks that a tone that appears and stays is taken for
// speech at first, then absorbed into the noise floor within the minimum
// search window (at most 1.6 s), so the utterance ends.
func TestToneOnsetEnds(t *testing.T) {
	d, err := vad.New(vad.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sig := newSignal(8000).noise(1, -50).tone(6, 1000, -20)
	sig.add(-50)
	rec := feed(t, d, sig.int16s())
	if len(rec) != 2 || rec[1].event != vad.SpeechEnd {
		t.Fatalf("events = %+v, want SpeechStart then SpeechEnd", rec)
	}
	if got := float64(rec[1].at) / 8000; got > 4 {
		t.Errorf("SpeechEnd at %.2f s, want before 4 s (tone from 1 s)", got)
	}
}

func TestRejectsWrongFrameLength(t *testing.T) {
	d, err := vad.New(vad.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 159, 161, 320} {
		if e := d.Process(make([]int16, n)); e != vad.None {
			t.Errorf("Process(%d samples) = %v, want None", n, e)
		}
	}
	if d.Process(nil) != vad.None || d.Offset() != 0 {
		t.Errorf("Offset() = %d after rejected frames, want 0", d.Offset())
	}
	if got := d.Rejected(); got != 6 {
		t.Errorf("Rejected() = %d, want 6", got)
	}
}

func TestReset(t *testing.T) {
	d, err := vad.New(vad.Config{})
	if err != nil {
		t.Fatal(err)
	}
	pcm := newSignal(8000).noise(1, -46).vowel(0.5, -26).int16s()
	first := feed(t, d, pcm)
	if len(first) != 1 || !d.Speaking() {
		t.Fatalf("events = %+v, want one SpeechStart", first)
	}
	d.Process(make([]int16, 3))
	d.Reset()
	if d.Speaking() || d.Offset() != 0 || d.StartOffset() != 0 || d.EndOffset() != 0 || d.Rejected() != 0 {
		t.Errorf("after Reset: speaking %v offset %d start %d end %d rejected %d, want all zero",
			d.Speaking(), d.Offset(), d.StartOffset(), d.EndOffset(), d.Rejected())
	}
	if got := d.NoiseFloorDB(); got != -120 {
		t.Errorf("NoiseFloorDB() after Reset = %g, want -120", got)
	}
	// The same audio gives the same events after Reset.
	if again := feed(t, d, pcm); len(again) != 1 || again[0] != first[0] {
		t.Errorf("events after Reset = %+v, want %+v", again, first)
	}
}

func TestProcessAllocatesNothing(t *testing.T) {
	for _, cfg := range []vad.Config{
		{SampleRate: 8000, FrameMs: 20},
		{SampleRate: 16000, FrameMs: 10},
		{SampleRate: 48000, FrameMs: 30},
	} {
		d, err := vad.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		pcm := newSignal(cfg.SampleRate).noise(0.5, -46).vowel(0.5, -26).int16s()
		n := d.FrameSize()
		i := 0
		allocs := testing.AllocsPerRun(200, func() {
			d.Process(pcm[i : i+n])
			i = (i + n) % (len(pcm) - n)
		})
		if allocs != 0 {
			t.Errorf("%v: Process allocates %.1f times per frame, want 0", d, allocs)
		}
	}
}
