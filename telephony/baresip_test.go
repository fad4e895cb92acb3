package telephony_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/baresiptest"
)

// speechWAV renders a sentence with espeak-ng and converts it with sox
// to 16 kHz mono.
func speechWAV(t *testing.T, sentence string) (path string, pcm []int16, rate int) {
	t.Helper()
	dir := t.TempDir()
	raw, path := filepath.Join(dir, "espeak.wav"), filepath.Join(dir, "speech.wav")
	mediatest.Run(t, "espeak-ng", "-w", raw, sentence)
	mediatest.Run(t, "sox", raw, "-r", "16000", "-c", "1", "-b", "16", path)
	f, pcm, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, pcm, f.SampleRate
}

// Sentences the phones say.
const (
	sentence1 = "Hello, I would like to check the status of my order, number four two seven."
	sentence2 = "Good morning, this is Dana from billing. How can I help you today?"
)

// minCallerCorrelation is the least correlation accepted between the WAV
// baresip played and where Parley or a phone recorded it. Measured on
// this machine: PCMU 1.000, G.722 1.000, Opus 0.999 (see the test log);
// unrelated audio stays below 0.3 (mediatest's tests). It was 0.90 for
// PCMU and PCMU-to-G.722 while baresip resampled the microphone itself
// (baresiptest's doc).
const minCallerCorrelation = 0.95

// baresip calls Parley and plays speech; the caller channel of the
// recording Parley indexed holds that speech.
func TestBaresipCallRecordsCallerAudio(t *testing.T) {
	speech, ref, refRate := speechWAV(t, sentence1)
	for _, codec := range []string{"g711", "g722", "opus"} {
		t.Run(codec, func(t *testing.T) {
			e := startUA(t, telephony.Config{})
			defer e.stop()
			phone := baresiptest.Start(t, baresiptest.Config{User: "caller", Audio: speech, Tail: 5 * time.Second, Codecs: []string{codec}})
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := phone.Dial(ctx, "sip:parley@"+e.ua.SIPAddr().String()); err != nil {
				t.Fatal(err)
			}
			if _, err := phone.WaitEvent(ctx, baresiptest.EventCallEstablish); err != nil {
				t.Fatalf("%v\n%s", err, phone.Log())
			}
			time.Sleep(time.Duration(len(ref))*time.Second/time.Duration(refRate) + 700*time.Millisecond)
			if err := phone.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := phone.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
				t.Fatal(err)
			}
			e.waitIdle(t)
			c := e.onlyCall(t)
			rec, err := e.st.Recording(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			f, pcm, err := wav.ReadFile(filepath.Join(e.dataDir, filepath.FromSlash(rec.Path)))
			if err != nil {
				t.Fatal(err)
			}
			if f.Channels != 2 {
				t.Fatalf("recording format %+v, want stereo", f)
			}
			caller := mediatest.Channel(pcm, 0, 2)
			m, err := mediatest.Correlate(ref, refRate, caller, f.SampleRate, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: recording %v at %d Hz; caller channel: %v", codec, rec.Duration, f.SampleRate, m)
			if m.Peak < minCallerCorrelation || m.Lag < 0 || m.Lag > 2*time.Second {
				t.Errorf("caller channel %v, want peak >= %.2f at a lag in [0, 2 s]", m, minCallerCorrelation)
			}
			// The other channel is what Parley sent: silence.
			other, err := mediatest.Correlate(ref, refRate, mediatest.Channel(pcm, 1, 2), f.SampleRate, 2*time.Second)
			if err == nil && other.Peak > 0.3 {
				t.Errorf("Parley's channel correlates with the caller's speech: %v", other)
			}
		})
	}
}

// TestBaresipAgentRegistersAndAnswers: a baresip agent phone registers
// with Parley's Registrar (digest) and auto-answers; Parley calls the
// agent with DialUser and the call is answered.
func TestBaresipAgentRegistersAndAnswers(t *testing.T) {
	reg, err := telephony.NewRegistrar(telephony.RegistrarConfig{
		Users: telephony.StaticUsers{"agent7": "s3cret"},
		// baresip 1.0 (libre 1.x) fails on a SHA-256 challenge.
		Algorithms: []string{telephony.AlgorithmMD5},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	e := startUA(t, telephony.Config{Registrar: reg})
	defer e.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	agent := baresiptest.Start(t, baresiptest.Config{
		User: "agent7", Password: "s3cret", Registrar: e.ua.SIPAddr(), AutoAnswer: true, Tail: 10 * time.Second,
	})
	if err := agent.Registered(ctx); err != nil {
		t.Fatalf("%v\n%s", err, agent.Log())
	}
	if n := len(reg.Lookup("agent7")); n != 1 {
		t.Fatalf("registrar has %d bindings for agent7, want 1", n)
	}
	c, err := e.ua.DialUser(ctx, "agent7", telephony.DialOptions{})
	if err != nil {
		t.Fatalf("DialUser: %v\n%s", err, agent.Log())
	}
	if _, err := agent.WaitEvent(ctx, baresiptest.EventCallEstablish); err != nil {
		t.Fatal(err)
	}
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
	if d, _ := c.End(); d != store.Answered {
		t.Errorf("disposition %v, want answered", d)
	}
}
