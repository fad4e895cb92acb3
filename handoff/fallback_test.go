package handoff_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/handoff"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/telephony/baresiptest"
)

// ended waits for Parley to hang the caller up.
func ended(t *testing.T, ctx context.Context, cl *caller) {
	t.Helper()
	select {
	case <-cl.call.Done():
	case <-ctx.Done():
		t.Fatal("Parley did not end the call")
	}
}

// TestFallbacks: with no agent, a queue's max wait ends in its fallback;
// a blacklisted caller is refused before queuing. Each is spoken to the
// caller, then Parley hangs up.
func TestFallbacks(t *testing.T) {
	t.Parallel()
	t.Run("goodbye", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		p := startParley(t, []acd.QueueConfig{{Name: "general", MaxWait: 2 * time.Second, Fallback: acd.FallbackGoodbye}}, nil, transferAll(testTransfer))
		cl := dial(t, ctx, p, 440)
		waitFor(t, ctx, "the call queued", func() bool { st, err := p.acd.Stats(ctx, "general"); return err == nil && st.Waiting == 1 })
		ended(t, ctx, cl)
		if s := spoken(cl, 15); s < 2 {
			t.Errorf("no goodbye before the hangup (%.1fs of speech)", s)
		}
		st, _ := p.acd.Stats(ctx, "general")
		if st.Waiting != 0 {
			t.Errorf("%d calls still waiting", st.Waiting)
		}
	})
	t.Run("voicemail", func(t *testing.T) {
		t.Parallel()
		// Long: the voice loop's LeaveMessage first waits for its output
		// to drain, up to 30 s while the speech server streams silence.
		ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
		defer cancel()
		p := startParley(t, []acd.QueueConfig{{Name: "general", MaxWait: 2 * time.Second, Fallback: acd.FallbackVoicemail}}, nil,
			transferAll(testTransfer), func(hc *handoff.Config, _ *acd.Config) { hc.MessageMax = 3 * time.Second })
		cl := dial(t, ctx, p, 440)
		ended(t, ctx, cl)
		files, _ := filepath.Glob(filepath.Join(p.dataDir, "messages", "general-*.wav"))
		if len(files) != 1 {
			t.Fatalf("messages %v, want one for the general queue", files)
		}
		f, pcm, err := wav.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		secs := float64(len(pcm)) / float64(f.SampleRate)
		t.Logf("message of %.1fs, %.2f at the caller's 440 Hz", secs, toneShare(pcm, f.SampleRate, 440))
		if secs < 2 || secs > 4 || toneShare(pcm, f.SampleRate, 440) < 0.6 {
			t.Errorf("the message (%.1fs) does not hold the caller's voice for message_max", secs)
		}
	})
	t.Run("blacklisted", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		p := startParley(t, []acd.QueueConfig{{Name: "general"}}, []acd.AgentConfig{{ID: "carol", Phone: "carol"}},
			transferAll(testTransfer), func(_ *handoff.Config, ac *acd.Config) { ac.Blacklist = []string{"+15550001111"} })
		cl := dial(t, ctx, p, 440)
		ended(t, ctx, cl)
		at := cl.now()
		if f := loudFraction(cl.heard(0, at), cl.rate); f < 0.3 {
			t.Errorf("the caller was not told (%.2f loud)", f)
		}
		st, _ := p.acd.Stats(ctx, "general")
		if st.Waiting != 0 || st.Offered != 0 {
			t.Errorf("a blacklisted call reached the queue: %+v", st)
		}
		if _, err := os.Stat(filepath.Join(p.dataDir, "messages")); err == nil {
			t.Error("a message was recorded")
		}
	})
	t.Run("callback", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
		defer cancel()
		p := startParley(t, []acd.QueueConfig{{Name: "general", MaxWait: 2 * time.Second, Fallback: acd.FallbackCallback, OfferTimeout: 15 * time.Second}},
			[]acd.AgentConfig{{ID: "dave", Phone: "dave"}, {ID: "cust7", Phone: "cust7"}}, transferAll(testTransfer))
		agent := baresiptest.Start(t, baresiptest.Config{User: "dave", Registrar: p.ua.SIPAddr(), Password: agentPassword,
			AutoAnswer: true, Audio: toneWAV(t, 1000, 60), Codecs: []string{"g711"}})
		customer := baresiptest.Start(t, baresiptest.Config{User: "cust7", Registrar: p.ua.SIPAddr(), Password: agentPassword,
			AutoAnswer: true, Audio: toneWAV(t, 440, 60), Codecs: []string{"g711"}})
		for _, ph := range []*baresiptest.Phone{agent, customer} {
			if err := ph.Registered(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// The caller (cust7, from a phone of its own) waits, gets the
		// callback promise and is hung up on.
		cl := dialFrom(t, ctx, p, 440, "cust7")
		ended(t, ctx, cl)
		if s := spoken(cl, 15); s < 2 {
			t.Errorf("the caller was not told about the callback (%.1fs of speech)", s)
		}
		st, err := p.acd.Stats(ctx, "general")
		if err != nil || st.Waiting != 1 {
			t.Fatalf("the callback request is not queued: %+v, %v", st, err)
		}
		// Dave becomes ready: his phone rings, he hears who to call back,
		// then the customer's phone rings and they talk.
		if err := p.acd.Login(ctx, "dave"); err != nil {
			t.Fatal(err)
		}
		if err := p.acd.SetState(ctx, "dave", acd.StateReady, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := agent.WaitEvent(ctx, baresiptest.EventCallEstablish); err != nil {
			t.Fatalf("the agent was not called: %v", err)
		}
		if _, err := customer.WaitEvent(ctx, baresiptest.EventCallEstablish); err != nil {
			t.Fatalf("the customer was not called back: %v", err)
		}
		time.Sleep(3 * time.Second)
		if err := customer.Hangup(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := agent.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
			t.Fatalf("the agent's call did not end: %v", err)
		}
		waitFor(t, ctx, "the callback completed", func() bool {
			st, err := p.acd.Stats(ctx, "general")
			return err == nil && st.Waiting == 0 && st.Answered == 1 && p.svc.Waiting() == 0
		})
		heard, rate := phoneHeard(t, agent)
		onset := toneOnset(heard, rate, 440)
		if onset < 1 {
			t.Fatalf("the agent heard no whisper, or never the customer (onset %.1fs)", onset)
		}
		text := transcribe(t, heard[:int(onset*float64(rate))], rate)
		t.Logf("agent heard %q, then the customer from %.1fs", text, onset)
		if words(text, "callback", "call", "back", "to", "general", "lost", "debit", "card") < wordsNeeded() {
			t.Errorf("the callback whisper's words are not in what the agent heard: %q", text)
		}
	})
}
