package handoff_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/handoff"
	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/mrcp/client"
	mrcpserver "github.com/parley-cc/parley/mrcp/server"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/flite"
	"github.com/parley-cc/parley/mrcp/speech/sphinx"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/baresiptest"
)

var (
	engOnce sync.Once
	engs    *speech.Registry
	asr     *sphinx.Engine
	engErr  error
)

// engines are those `parley serve` embeds: flite and PocketSphinx.
func engines(t *testing.T) (*speech.Registry, *sphinx.Engine) {
	t.Helper()
	engOnce.Do(func() {
		tts, err := flite.New(flite.Config{})
		if err != nil {
			engErr = err
			return
		}
		if asr, err = sphinx.New(sphinx.Config{MaxDecoders: 4}); err != nil {
			engErr = err
			return
		}
		engs = speech.NewRegistry()
		engs.AddSynthesizer(tts)
		engs.AddRecognizer(asr)
	})
	if engErr != nil {
		t.Fatalf("speech engines: %v", engErr)
	}
	return engs, asr
}

const agentPassword = "agent-secret"

// parley is what `parley serve` runs for a transfer: the speech server
// over MRCPv2, a UA with a registrar for the agents' phones, the ACD and
// the handoff Service.
type parley struct {
	ua    *telephony.UA
	acd   *acd.ACD
	svc   *handoff.Service
	voice voice.Config
	// handler serves inbound calls; set before the UA serves.
	handler    telephony.Handler
	dataDir    string
	whisperMax time.Duration
}

// transferAll answers each inbound call and gives it to the handoff with
// transfer, as the bot would.
func transferAll(transfer *runtime.Transfer) func(p *parley) telephony.Handler {
	return func(p *parley) telephony.Handler {
		return telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
			if err := c.Answer(ctx); err != nil {
				return
			}
			vc := p.voice
			vc.CallID = string(c.ID())
			loop, err := voice.Open(ctx, c, vc)
			if err != nil {
				_ = c.Hangup(ctx)
				return
			}
			p.svc.Transfer(ctx, voice.TransferRequest{Call: c, Loop: loop, Transfer: transfer, Script: "test"})
		})
	}
}

// startParley starts it; handler serves the inbound calls.
func startParley(t *testing.T, queues []acd.QueueConfig, agents []acd.AgentConfig, handler func(p *parley) telephony.Handler, opts ...func(*handoff.Config, *acd.Config)) *parley {
	t.Helper()
	reg, _ := engines(t)
	dataDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	srv, err := mrcpserver.New(mrcpserver.Config{Engines: reg})
	if err != nil {
		t.Fatal(err)
	}
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Serve(ctx) }()
	l16, _ := media.NewCodec(96, media.NameL16, 16000, 1)
	te, _ := media.NewCodec(101, media.NameTelephoneEvent, 8000, 0)
	cli, err := client.New(client.Config{Servers: []string{srv.URI()}, Codecs: []media.Codec{l16, media.PCMU(), te}})
	if err != nil {
		t.Fatal(err)
	}
	nb, err := client.New(client.Config{Servers: []string{srv.URI()}})
	if err != nil {
		t.Fatal(err)
	}
	p := &parley{voice: voice.Config{Client: cli, NarrowbandClient: nb, MessageDir: filepath.Join(dataDir, "messages")}, dataDir: dataDir}
	users := telephony.StaticUsers{}
	for _, a := range agents {
		users[a.Phone] = agentPassword
	}
	registrar, err := telephony.NewRegistrar(telephony.RegistrarConfig{Users: users, Algorithms: []string{telephony.AlgorithmMD5}})
	if err != nil {
		t.Fatal(err)
	}
	hc := handoff.Config{Node: "node-1", Voice: p.voice, WhisperMax: 6 * time.Second}
	ac := acd.Config{Node: "node-1", Queues: queues, Agents: agents, Tick: 50 * time.Millisecond}
	for _, o := range opts {
		o(&hc, &ac)
	}
	if p.acd, err = acd.New(ac); err != nil {
		t.Fatal(err)
	}
	var h telephony.Handler = telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) { p.handler.HandleCall(ctx, c) })
	p.ua, err = telephony.NewUA(telephony.Config{SIPAddr: "127.0.0.1:0", Handler: h, Registrar: registrar,
		DataDir: dataDir, RecordingDir: filepath.Join(dataDir, "recordings")})
	if err != nil {
		t.Fatal(err)
	}
	hc.ACD, hc.UA = p.acd, p.ua
	p.whisperMax = hc.WhisperMax
	if p.svc, err = handoff.New(hc); err != nil {
		t.Fatal(err)
	}
	p.handler = handler(p)
	uaDone := make(chan error, 1)
	go func() { uaDone <- p.ua.Serve(context.Background()) }()
	wg.Add(2)
	go func() { defer wg.Done(); _ = p.acd.Run(ctx) }()
	go func() { defer wg.Done(); _ = p.svc.Run(ctx) }()
	t.Cleanup(func() {
		_ = p.ua.Close()
		if err := <-uaDone; err != nil && !errors.Is(err, telephony.ErrClosed) {
			t.Errorf("UA: %v", err)
		}
		_ = cli.Close()
		_ = nb.Close()
		_ = registrar.Close()
	})
	return p
}

// caller is a caller's phone: a UA of its own that dials Parley, sends
// a tone and keeps what it hears.
type caller struct {
	call *telephony.Call
	rate int
	mu   sync.Mutex
	pcm  []int16
	t0   time.Time
}

func dial(t *testing.T, ctx context.Context, p *parley, tone float64) *caller {
	t.Helper()
	return dialFrom(t, ctx, p, tone, "+15550001111")
}

func dialFrom(t *testing.T, ctx context.Context, p *parley, tone float64, number string) *caller {
	t.Helper()
	ua, err := telephony.NewUA(telephony.Config{SIPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ua.Serve(context.Background()) }()
	t.Cleanup(func() { _ = ua.Close(); <-done })
	c, err := ua.Dial(ctx, telephony.DialOptions{To: "sip:help@" + p.ua.SIPAddr().String(), CallerID: number})
	if err != nil {
		t.Fatal(err)
	}
	cl := &caller{call: c, rate: c.Leg().Receiver().Rate(), t0: time.Now()}
	c.Leg().Receiver().AddListener(func(_ time.Duration, pcm []int16) {
		cl.mu.Lock()
		cl.pcm = append(cl.pcm, pcm...)
		cl.mu.Unlock()
	})
	tx := c.Leg().Transmitter()
	src := mediatest.NewTone(tone, tx.Rate(), 0.3)
	tx.Play(media.SourceFunc(func(pcm []int16) (int, error) { return src.Read(pcm), nil }), nil)
	return cl
}

// heard returns what the caller heard between from and to seconds after
// the answer.
func (c *caller) heard(from, to float64) []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, b := int(from*float64(c.rate)), int(to*float64(c.rate))
	a, b = max(0, min(a, len(c.pcm))), max(0, min(b, len(c.pcm)))
	return append([]int16(nil), c.pcm[a:b]...)
}

func (c *caller) now() float64 { return time.Since(c.t0).Seconds() }

// toneShare is the share of pcm's energy at freq (Goertzel over 50 ms
// blocks, summed).
func toneShare(pcm []int16, rate int, freq float64) float64 {
	n := rate / 20
	var at, total float64
	for i := 0; i+n <= len(pcm); i += n {
		blk := pcm[i : i+n]
		w := 2 * math.Pi * freq / float64(rate)
		coeff := 2 * math.Cos(w)
		var s1, s2, e float64
		for _, x := range blk {
			v := float64(x)
			s0 := v + coeff*s1 - s2
			s2, s1 = s1, s0
			e += v * v
		}
		p := s1*s1 + s2*s2 - coeff*s1*s2
		at += 2 * p / float64(n)
		total += e
	}
	if total == 0 {
		return 0
	}
	return at / total
}

// loudFraction is the share of 20 ms frames above -40 dBFS.
func loudFraction(pcm []int16, rate int) float64 {
	n := rate / 50
	frames, loud := 0, 0
	for i := 0; i+n <= len(pcm); i += n {
		var e float64
		for _, s := range pcm[i : i+n] {
			e += float64(s) * float64(s)
		}
		frames++
		if 10*math.Log10(e/float64(n)/(32768*32768)+1e-12) > -40 {
			loud++
		}
	}
	if frames == 0 {
		return 0
	}
	return float64(loud) / float64(frames)
}

// bestHold is the highest share of the hold music's notes in 1 s windows
// of what the caller heard from from to to seconds.
func bestHold(c *caller, from, to float64) float64 {
	best := 0.0
	for s := from; s+1 <= to; s += 0.25 {
		best = max(best, holdShare(c.heard(s, s+1), c.rate))
	}
	return best
}

func holdShare(pcm []int16, rate int) float64 {
	return toneShare(pcm, rate, 523.25) + toneShare(pcm, rate, 659.25) + toneShare(pcm, rate, 783.99)
}

// toneWAV writes secs of a tone at 16 kHz for a baresip microphone.
func toneWAV(t *testing.T, freq, secs float64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tone.wav")
	pcm := mediatest.ToneSamples(freq, 16000, 0.3, int(secs*16000))
	w, err := wav.Create(path, wav.WriterConfig{SampleRate: 16000, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(pcm); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func waitFor(t *testing.T, ctx context.Context, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func agentState(t *testing.T, a *acd.ACD, id string) acd.Agent {
	t.Helper()
	ag, err := a.Agent(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

var testTransfer = &runtime.Transfer{Queue: "general", Reason: "caller asked for an agent",
	Context: runtime.Handoff{Summary: "The caller lost a debit card.", Intents: []string{"lost_card", "agent"}}}

// TestWarmTransfer: a caller queued with no agent ready hears an
// announcement and then hold music; an agent becomes ready, their
// registered phone (baresip) rings and answers, hears the whisper, then
// the bridge carries the caller's tone to the agent and the agent's tone
// to the caller. The console hangs up (Service.Hangup): both legs end and
// the ACD completes the call.
func TestWarmTransfer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startParley(t, []acd.QueueConfig{{Name: "general", OfferTimeout: 10 * time.Second}},
		[]acd.AgentConfig{{ID: "alice", Phone: "alice"}}, transferAll(testTransfer))
	phone := baresiptest.Start(t, baresiptest.Config{User: "alice", Registrar: p.ua.SIPAddr(), Password: agentPassword,
		AutoAnswer: true, Audio: toneWAV(t, 1000, 40), Codecs: []string{"g711"}})
	if err := phone.Registered(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.acd.Login(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	cl := dial(t, ctx, p, 440)
	waitFor(t, ctx, "the call to be queued", func() bool {
		st, err := p.acd.Stats(ctx, "general")
		return err == nil && st.Waiting == 1
	})
	queued := cl.now()
	// Announcement, then hold music, before anyone is ready.
	time.Sleep(7 * time.Second)
	ann := cl.heard(queued, queued+3)
	music := bestHold(cl, queued+3, cl.now())
	t.Logf("queued at %.1fs: announcement %.2f loud (%.2f at the music's notes); hold music %.2f at its notes", queued,
		loudFraction(ann, cl.rate), holdShare(ann, cl.rate), music)
	if loudFraction(ann, cl.rate) < 0.4 || holdShare(ann, cl.rate) > 0.3 {
		t.Errorf("the caller heard no announcement (%.2f loud)", loudFraction(ann, cl.rate))
	}
	if music < 0.5 {
		t.Errorf("the caller heard no hold music after the announcement (%.2f at its notes)", music)
	}
	if err := p.acd.SetState(ctx, "alice", acd.StateReady, ""); err != nil {
		t.Fatal(err)
	}
	ready := cl.now()
	if _, err := phone.WaitEvent(ctx, baresiptest.EventCallEstablish); err != nil {
		t.Fatalf("agent phone: %v\n%s", err, phone.Log())
	}
	waitFor(t, ctx, "the agent on the call", func() bool { return agentState(t, p.acd, "alice").State == acd.StateOnCall })
	// The bridge: the caller hears the agent's 1 kHz tone.
	waitFor(t, ctx, "the agent's voice at the caller", func() bool {
		now := cl.now()
		return toneShare(cl.heard(now-0.5, now), cl.rate, 1000) > 0.5
	})
	bridged := cl.now()
	t.Logf("agent ready at %.1fs, caller bridged at %.1fs", ready, bridged)
	if bridged-ready < 1.5 {
		t.Errorf("the caller was bridged %.1fs after the agent became ready: no time for a whisper", bridged-ready)
	}
	// Hold music under the offer, until the bridge.
	if s := bestHold(cl, ready, bridged-1); s < 0.3 {
		t.Errorf("the caller did not hear hold music while the agent's phone rang (%.2f)", s)
	}
	time.Sleep(3 * time.Second)
	if s := toneShare(cl.heard(bridged+0.5, bridged+2.5), cl.rate, 1000); s < 0.7 {
		t.Errorf("the caller does not hear the agent steadily (%.2f at 1 kHz)", s)
	}
	// The console hangs up (handoff.Service.Hangup, console.CallControl).
	if err := p.svc.Hangup(ctx, "no-such-call"); !errors.Is(err, acd.ErrUnknownCall) {
		t.Errorf("Hangup of an unknown call: %v", err)
	}
	calls := agentState(t, p.acd, "alice").Calls
	if len(calls) != 1 {
		t.Fatalf("agent's calls %v", calls)
	}
	if err := p.svc.Hangup(ctx, calls[0]); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cl.call.Done():
	case <-ctx.Done():
		t.Fatal("the caller's call did not end")
	}
	if _, err := phone.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
		t.Fatalf("agent phone: %v", err)
	}
	waitFor(t, ctx, "the call completed", func() bool {
		st, err := p.acd.Stats(ctx, "general")
		return err == nil && st.Answered == 1 && agentState(t, p.acd, "alice").State != acd.StateOnCall
	})
	// What the agent heard: the whisper (speech, not the caller's tone),
	// then the caller's 440 Hz tone.
	files := phone.Recordings()
	if len(files) != 1 {
		t.Fatalf("agent recordings %v", files)
	}
	f, pcm, err := wav.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	heard, rate := mediatest.Channel(pcm, 0, f.Channels), f.SampleRate
	onset := -1.0
	for s := 0.0; s+0.5 < float64(len(heard))/float64(rate); s += 0.1 {
		if toneShare(heard[int(s*float64(rate)):int((s+0.5)*float64(rate))], rate, 440) > 0.6 {
			onset = s
			break
		}
	}
	if onset < 0 {
		t.Fatalf("the agent never heard the caller (%.1fs recorded)", float64(len(heard))/float64(rate))
	}
	whisper := heard[:int(onset*float64(rate))]
	t.Logf("agent heard %.1fs of whisper (%.2f loud, %.2f at 440 Hz), then the caller", onset, loudFraction(whisper, rate), toneShare(whisper, rate, 440))
	if onset < 1 || loudFraction(whisper, rate) < 0.3 || toneShare(whisper, rate, 440) > 0.1 {
		t.Errorf("no whisper before the caller was bridged in")
	}
	if text := transcribe(t, whisper, rate); words(text, "general", "call", "caller", "lost", "debit", "card") < wordsNeeded() {
		t.Errorf("the whisper's words are not in what the agent heard: %q", text)
	} else {
		t.Logf("whisper heard as %q", text)
	}
}

// TestMissedOfferAndAbandon: the agent's phone rings and nobody answers:
// the offer is missed, the agent goes not-ready, the call waits on at
// its place with hold music; the caller hangs up and the call is
// abandoned.
func TestMissedOfferAndAbandon(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startParley(t, []acd.QueueConfig{{Name: "general", OfferTimeout: 3 * time.Second}},
		[]acd.AgentConfig{{ID: "bob", Phone: "bob"}}, transferAll(testTransfer))
	phone := baresiptest.Start(t, baresiptest.Config{User: "bob", Registrar: p.ua.SIPAddr(), Password: agentPassword, Codecs: []string{"g711"}})
	if err := phone.Registered(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.acd.Login(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := p.acd.SetState(ctx, "bob", acd.StateReady, ""); err != nil {
		t.Fatal(err)
	}
	cl := dial(t, ctx, p, 440)
	if _, err := phone.WaitEvent(ctx, baresiptest.EventCallIncoming); err != nil {
		t.Fatalf("agent phone did not ring: %v", err)
	}
	if _, err := phone.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
		t.Fatalf("the ringing did not stop: %v", err)
	}
	waitFor(t, ctx, "the agent paused", func() bool {
		ag := agentState(t, p.acd, "bob")
		return ag.State == acd.StateNotReady && ag.Reason == "missed-offer"
	})
	waitFor(t, ctx, "the call back in the queue", func() bool {
		st, err := p.acd.Stats(ctx, "general")
		return err == nil && st.Waiting == 1
	})
	time.Sleep(5 * time.Second)
	now := cl.now()
	if s := bestHold(cl, now-4, now); s < 0.5 {
		t.Errorf("the caller does not hear hold music after the missed offer (%.2f)", s)
	}
	if err := cl.call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the call abandoned", func() bool {
		st, err := p.acd.Stats(ctx, "general")
		return err == nil && st.Waiting == 0 && st.Abandoned == 1
	})
	waitFor(t, ctx, "Parley's calls to end", func() bool { return p.ua.Calls() == 0 && p.svc.Waiting() == 0 })
}

// transcribe runs PocketSphinx (free transcription) on pcm.
func transcribe(t *testing.T, pcm []int16, rate int) string {
	t.Helper()
	_, eng := engines(t)
	if rate != 16000 && rate != 8000 {
		t.Fatalf("transcribe at %d Hz", rate)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := eng.Start(ctx, speech.RecogRequest{Language: "en-US", Rate: rate, Transcribe: true, NBest: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < len(pcm); i += 320 {
		if err := s.Write(pcm[i:min(i+320, len(pcm))]); err != nil {
			t.Fatal(err)
		}
	}
	hyps, err := s.End(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hyps) == 0 {
		return ""
	}
	return hyps[0].Text
}

// wordsNeeded is how many of a whisper's words PocketSphinx must find.
func wordsNeeded() int {
	if raceEnabled {
		return 1
	}
	return 2
}

// spoken is how many seconds of the last secs the caller heard were loud
// and not hold music (speech), by 100 ms blocks.
func spoken(c *caller, secs float64) float64 {
	now := c.now()
	pcm := c.heard(now-secs, now)
	n := c.rate / 10
	speech := 0.0
	for i := 0; i+n <= len(pcm); i += n {
		blk := pcm[i : i+n]
		if loudFraction(blk, c.rate) > 0.5 && holdShare(blk, c.rate) < 0.5 {
			speech += 0.1
		}
	}
	return speech
}

func words(text string, want ...string) int {
	n := 0
	for _, w := range want {
		if strings.Contains(" "+text+" ", " "+w+" ") {
			n++
		}
	}
	return n
}

// TestDeclineStopsRinging: the agent declines the offer on the desktop
// while the phone rings: the ringing stops at once, the agent goes
// not-ready, and the caller waits on at their place.
func TestDeclineStopsRinging(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	p := startParley(t, []acd.QueueConfig{{Name: "general", OfferTimeout: 20 * time.Second}},
		[]acd.AgentConfig{{ID: "erin", Phone: "erin"}}, transferAll(testTransfer))
	phone := baresiptest.Start(t, baresiptest.Config{User: "erin", Registrar: p.ua.SIPAddr(), Password: agentPassword, Codecs: []string{"g711"}})
	if err := phone.Registered(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.acd.Login(ctx, "erin"); err != nil {
		t.Fatal(err)
	}
	if err := p.acd.SetState(ctx, "erin", acd.StateReady, ""); err != nil {
		t.Fatal(err)
	}
	cl := dial(t, ctx, p, 440)
	if _, err := phone.WaitEvent(ctx, baresiptest.EventCallIncoming); err != nil {
		t.Fatalf("agent phone did not ring: %v", err)
	}
	o, ok, err := p.acd.CurrentOffer(ctx, "erin")
	if err != nil || !ok {
		t.Fatalf("no current offer: %v", err)
	}
	declined := time.Now()
	if err := p.acd.Decline(ctx, o.ID, "busy with paperwork"); err != nil {
		t.Fatal(err)
	}
	if _, err := phone.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
		t.Fatalf("the ringing did not stop: %v", err)
	}
	if d := time.Since(declined); d > 3*time.Second {
		t.Errorf("the phone rang on %v after the decline", d)
	}
	if ag := agentState(t, p.acd, "erin"); ag.State != acd.StateNotReady {
		t.Errorf("agent %s %q after declining, want not-ready", ag.State, ag.Reason)
	}
	st, err := p.acd.Stats(ctx, "general")
	if err != nil || st.Waiting != 1 {
		t.Errorf("the call is not waiting again: %+v, %v", st, err)
	}
	if cl.call.Ended() {
		t.Error("the caller's call ended")
	}
}
