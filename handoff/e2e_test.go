package handoff_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/bot"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/baresiptest"
)

// The caller's timeline (seconds from the answer): over the how-can-I-help
// prompt (barge-in on) "I want to speak to a person"; from toneAt on a
// 600 Hz tone, the caller's voice to the agent once bridged, until the
// test hangs up. The tone lasts long enough for the voice loop's wait for
// its output to drain after the transfer prompt, which can take its full
// 30 s while the speech server streams silence (bot/voice Loop.drain).
const (
	askAt     = 7.0
	toneAt    = 12.0
	toneSecs  = 50.0
	callerHz  = 600.0
	agentHz   = 1000.0
	bankEntry = "0800123000"
)

// bankScript copies the bank script with its advisers always on duty, so
// that the test does not depend on the time of day.
func bankScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../scripts/bank/bank.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	if !strings.Contains(src, `mon-sun: "08:00-20:00"`) {
		t.Fatal("the bank script's adviser hours changed: update bankScript")
	}
	src = strings.Replace(src, `mon-sun: "08:00-20:00"`, `mon-sun: "00:00-24:00"`, 1)
	dir := t.TempDir()
	kb, err := filepath.Abs("../scripts/bank/kb")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(kb, filepath.Join(dir, "kb")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bank.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// callerAudio is the caller's microphone at 16 kHz: the request for a
// person (espeak-ng) at askAt, then the tone from toneAt.
func callerAudio(t *testing.T) string {
	t.Helper()
	mediatest.RequireTools(t, "espeak-ng")
	dir := t.TempDir()
	said := filepath.Join(dir, "ask.wav")
	mediatest.Run(t, "espeak-ng", "-s", "150", "-w", said, "I want to speak to a person")
	f, pcm, err := wav.ReadFile(said)
	if err != nil {
		t.Fatal(err)
	}
	pcm = mediatest.Channel(pcm, 0, f.Channels)
	rs, err := resample.New(f.SampleRate, 16000)
	if err != nil {
		t.Fatal(err)
	}
	ask := make([]int16, rs.OutLen(len(pcm)))
	ask = ask[:rs.Process(pcm, ask)]
	out := make([]int16, int((toneAt+toneSecs)*16000))
	copy(out[int(askAt*16000):], ask)
	copy(out[int(toneAt*16000):], mediatest.ToneSamples(callerHz, 16000, 0.3, int(toneSecs*16000)))
	path := filepath.Join(dir, "caller.wav")
	w, err := wav.Create(path, wav.WriterConfig{SampleRate: 16000, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(out); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBaresipAsksForAPerson is the end-to-end test: baresip calls
// the bank bot and asks for a person; the bot transfers to the general
// queue; a second baresip, registered as agent alice's phone, auto-answers
// and hears the whisper summary (PocketSphinx finds its words), then the
// caller and the agent hear each other's tones.
func TestBaresipAsksForAPerson(t *testing.T) {
	t.Parallel()
	mediatest.RequireTools(t, "baresip", "espeak-ng")
	audio := callerAudio(t)
	script := bankScript(t)
	ctx, cancel := context.WithTimeout(context.Background(), 85*time.Second)
	defer cancel()
	p := startParley(t, []acd.QueueConfig{{Name: "general", OfferTimeout: 15 * time.Second}},
		[]acd.AgentConfig{{ID: "alice", Phone: "alice", Skills: map[string]int{"banking": 5}}},
		func(p *parley) telephony.Handler {
			lib := bot.NewLibrary(bot.LibraryConfig{DataDir: p.dataDir})
			t.Cleanup(func() { _ = lib.Close() })
			if err := lib.Add(context.Background(), script); err != nil {
				t.Fatal(err)
			}
			vc := p.voice
			vc.Language, vc.DeadAir = "en-US", 3*time.Second
			svc, err := voice.NewService(voice.ServiceConfig{Lookup: lib.Lookup, Voice: vc, Transferer: p.svc, UA: p.ua})
			if err != nil {
				t.Fatal(err)
			}
			return svc
		})
	agent := baresiptest.Start(t, baresiptest.Config{User: "alice", Registrar: p.ua.SIPAddr(), Password: agentPassword,
		AutoAnswer: true, Audio: toneWAV(t, agentHz, 60), Codecs: []string{"g722"}})
	if err := agent.Registered(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.acd.Login(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := p.acd.SetState(ctx, "alice", acd.StateReady, ""); err != nil {
		t.Fatal(err)
	}
	caller := baresiptest.Start(t, baresiptest.Config{User: "caller", Audio: audio, Tail: 2 * time.Second, Codecs: []string{"g722"}})
	if err := caller.Dial(ctx, "sip:"+bankEntry+"@"+p.ua.SIPAddr().String()); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.WaitEvent(ctx, baresiptest.EventCallEstablish); err != nil {
		t.Fatalf("%v\n%s", err, caller.Log())
	}
	if _, err := agent.WaitEvent(ctx, baresiptest.EventCallEstablish); err != nil {
		t.Fatalf("the agent's phone was not called: %v", err)
	}
	// The whisper, then a few seconds of conversation.
	time.Sleep(p.whisperMax + 4*time.Second)
	if err := caller.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
		t.Fatalf("%v\n%s", err, caller.Log())
	}
	if _, err := agent.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
		t.Fatalf("the agent's call did not end with the caller's: %v", err)
	}
	waitFor(t, ctx, "the call completed", func() bool {
		st, err := p.acd.Stats(ctx, "general")
		return err == nil && st.Answered == 1 && p.ua.Calls() == 0
	})

	// The agent heard the whisper, then the caller's tone.
	aheard, arate := phoneHeard(t, agent)
	onset := toneOnset(aheard, arate, callerHz)
	if onset < 0 {
		t.Fatalf("the agent never heard the caller (%.1fs recorded)", float64(len(aheard))/float64(arate))
	}
	whisper := aheard[:int(onset*float64(arate))]
	text := transcribe(t, whisper, arate)
	t.Logf("agent: %.1fs of whisper heard as %q, then the caller (%.2f at %v Hz)", onset, text,
		toneShare(aheard[int(onset*float64(arate)):], arate, callerHz), callerHz)
	if n := words(text, "general", "call", "called", "about", "agent", "speak", "person", "mood", "neutral"); n < wordsNeeded() {
		t.Errorf("the whisper's words are not in what the agent heard: %q", text)
	}
	if s := toneShare(aheard[int(onset*float64(arate)):], arate, callerHz); s < 0.6 {
		t.Errorf("the agent does not hear the caller steadily (%.2f at %v Hz)", s, callerHz)
	}
	// The caller heard the agent.
	cheard, crate := phoneHeard(t, caller)
	conset := toneOnset(cheard, crate, agentHz)
	if conset < 0 {
		t.Fatalf("the caller never heard the agent")
	}
	end := min(len(cheard), int((conset+3)*float64(crate)))
	if s := toneShare(cheard[int(conset*float64(crate)):end], crate, agentHz); s < 0.6 {
		t.Errorf("the caller does not hear the agent steadily (%.2f at %v Hz)", s, agentHz)
	}
	t.Logf("caller: the agent was bridged in %.1fs after the answer", conset)
}

func phoneHeard(t *testing.T, p *baresiptest.Phone) ([]int16, int) {
	t.Helper()
	files := p.Recordings()
	if len(files) != 1 {
		t.Fatalf("%d recordings %v, want 1", len(files), files)
	}
	f, pcm, err := wav.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return mediatest.Channel(pcm, 0, f.Channels), f.SampleRate
}

// toneOnset is the first second from which a 0.5 s window is mostly freq,
// or -1.
func toneOnset(pcm []int16, rate int, freq float64) float64 {
	for s := 0.0; s+0.5 < float64(len(pcm))/float64(rate); s += 0.1 {
		if toneShare(pcm[int(s*float64(rate)):int((s+0.5)*float64(rate))], rate, freq) > 0.6 {
			return s
		}
	}
	return -1
}
