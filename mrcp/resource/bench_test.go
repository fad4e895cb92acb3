package resource

import (
	"context"
	"testing"

	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
)

// BenchmarkPlayback is one 20 ms frame at 8 kHz through the playback
// ring: the engine's emit, then the output's Next.
func BenchmarkPlayback(b *testing.B) {
	p := newPlayback(8000, 0, false, func() {})
	emit := p.emit(context.Background())
	in := speech.Chunk{PCM: make([]int16, 160)}
	out := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		if err := emit(in); err != nil {
			b.Fatal(err)
		}
		if n, err := p.Next(out); n != 160 || err != nil {
			b.Fatal(n, err)
		}
	}
}

func TestPlaybackAllocs(t *testing.T) {
	p := newPlayback(8000, 0, false, func() {})
	emit := p.emit(context.Background())
	in := speech.Chunk{PCM: make([]int16, 160)}
	out := make([]int16, 160)
	if n := testing.AllocsPerRun(100, func() {
		emit(in)
		p.Next(out)
	}); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

// BenchmarkRecogAudio is Audio's cost to the RTP goroutine: one 20 ms
// frame copied into the input queue.
func BenchmarkRecogAudio(b *testing.B) {
	var q inputQueue
	q.init(8000)
	frame := hiss(8000, 0.02)
	buf := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		q.putAudio(frame)
		q.pop(buf)
	}
}

func TestRecogAudioAllocs(t *testing.T) {
	var q inputQueue
	q.init(8000)
	frame := hiss(8000, 0.02)
	if n := testing.AllocsPerRun(1000, func() { q.putAudio(frame) }); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

// BenchmarkRecogAnalyse is the input goroutine's work per 20 ms frame
// of speech and noise: VAD and pre-roll, at 8 and 16 kHz.
func BenchmarkRecogAnalyse(b *testing.B) {
	for _, rate := range []int{8000, 16000} {
		b.Run(map[int]string{8000: "8kHz", 16000: "16kHz"}[rate], func(b *testing.B) {
			s, r := benchInput(b, rate)
			defer r.Close()
			pcm := mix(voice(rate, 1, 1), hiss(rate, 1))
			fs := rate / 50
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				s.analyse(pcm[i : i+fs])
				if i += fs; i+fs > len(pcm) {
					i = 0
				}
			}
		})
	}
}

func TestRecogAnalyseAllocs(t *testing.T) {
	s, r := benchInput(t, 8000)
	defer r.Close()
	frame := hiss(8000, 0.02)
	if n := testing.AllocsPerRun(200, func() { s.analyse(frame) }); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

// benchInput returns an input state of an idle Recog: frames are
// analysed and kept but go to no engine.
func benchInput(tb testing.TB, rate int) (*inputState, *Recog) {
	r, err := NewRecog(RecogConfig{Channel: recogChannel, Send: &fakeSender{}, Rate: rate, Engines: &fakeEngines{}, Log: quietLog})
	if err != nil {
		tb.Fatal(err)
	}
	det, err := newDetector(rate, defaultSensitivity)
	if err != nil {
		tb.Fatal(err)
	}
	s := &inputState{r: r, det: det, detBits: thresholdBits(det.Config().ThresholdDB),
		frame: make([]int16, 0, det.FrameSize()), pre: make([]int16, rate*prerollMs/1000), samplePs: float64(rate)}
	return s, r
}

// BenchmarkSynthSpeakStop is a SPEAK accepted and stopped: parsing the
// SSML, choosing the voice, starting the engine's goroutine, the
// responses.
func BenchmarkSynthSpeakStop(b *testing.B) {
	s, err := NewSynth(SynthConfig{Channel: synthChannel, Send: SenderFunc(func(*mrcp.Message) error { return nil }),
		Out: &nullOutput{}, Rate: 8000, Engines: &fakeEngines{synth: &fakeSynth{}}, Log: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	body := []byte(`<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">Your balance is <say-as interpret-as="cardinal">42</say-as> dollars.<mark name="m"/></speak>`)
	var id mrcp.RequestID
	b.ReportAllocs()
	for b.Loop() {
		id++
		speak := mrcp.NewRequest(mrcp.MethodSpeak, id, synthChannel)
		speak.SetBody("application/ssml+xml", body)
		s.Handle(speak)
		id++
		s.Handle(mrcp.NewRequest(mrcp.MethodStop, id, synthChannel))
	}
}

// BenchmarkRecogDTMF is a DTMF RECOGNIZE from request to result: the
// builtin grammar, four keys matched, RECOGNITION-COMPLETE with NLSML.
func BenchmarkRecogDTMF(b *testing.B) {
	r, err := NewRecog(RecogConfig{Channel: recogChannel, Send: SenderFunc(func(*mrcp.Message) error { return nil }),
		Rate: 8000, Engines: &fakeEngines{}, Log: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var id mrcp.RequestID
	b.ReportAllocs()
	for b.Loop() {
		id++
		req := mrcp.NewRequest(mrcp.MethodRecognize, id, recogChannel)
		req.SetBody("text/uri-list", []byte("builtin:dtmf/digits?length=4"))
		r.Handle(req)
		r.mu.Lock()
		for _, k := range "1234" {
			r.onDigit(k)
		}
		done := r.active == nil
		r.mu.Unlock()
		if !done {
			b.Fatal("not complete")
		}
	}
}
