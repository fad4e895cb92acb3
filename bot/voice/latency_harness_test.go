package voice_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-cc/parley/bot"
	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/g722"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/mrcp/client"
	mrcpserver "github.com/parley-cc/parley/mrcp/server"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/flite"
	"github.com/parley-cc/parley/mrcp/speech/sphinx"
	"github.com/parley-cc/parley/telephony"
)

// This file is the harness of the latency benchmark and the barge-in
// noise test: the bot of testdata/latency/latency.yaml on a Parley UA, the
// in-process speech server (flite, PocketSphinx) behind engine timers, and
// a caller that is a second telephony UA dialling it over G.722 on
// loopback, with timestamps on its own RTP packets.

// speechCompleteTimeout is the recognizer's configured end-of-speech
// silence (Speech-Complete-Timeout, the server's default: the voice loop
// sets none).
const speechCompleteTimeout = 500 * time.Millisecond

// frameLoud is the level above which a 20 ms frame counts as speech, for
// the caller's timestamps: -45 dBFS RMS.
const frameLoudDB = -45.0

func levelDB(pcm []int16) float64 {
	var e float64
	for _, s := range pcm {
		e += float64(s) * float64(s)
	}
	return 10 * math.Log10(e/float64(max(len(pcm), 1))/(32768*32768)+1e-12)
}

// --- engine timers ---

// timedRecognizer times a recognizer at its boundary: for each stream
// the final Write before End and End itself (the decode after the end of
// speech, on the critical path).
type timedRecognizer struct {
	speech.Recognizer
	mu   sync.Mutex
	recs []recogTiming
}

type recogTiming struct {
	text      string        // the best hypothesis
	endCalled time.Time     // End was called
	decode    time.Duration // the last Write (when End followed it at once) + End
}

func (r *timedRecognizer) Start(ctx context.Context, req speech.RecogRequest) (speech.Stream, error) {
	s, err := r.Recognizer.Start(ctx, req)
	if err != nil {
		return nil, err
	}
	return &timedStream{Stream: s, r: r}, nil
}

type timedStream struct {
	speech.Stream
	r                  *timedRecognizer
	lastWrite, wroteAt time.Time
}

func (s *timedStream) Write(pcm []int16) error {
	t0 := time.Now()
	err := s.Stream.Write(pcm)
	s.lastWrite, s.wroteAt = t0, time.Now()
	return err
}

func (s *timedStream) End(ctx context.Context) ([]speech.Hypothesis, error) {
	t0 := time.Now()
	hyps, err := s.Stream.End(ctx)
	t1 := time.Now()
	start := t0
	if !s.wroteAt.IsZero() && t0.Sub(s.wroteAt) < time.Millisecond {
		start = s.lastWrite // written in the same step as the end
	}
	s.r.mu.Lock()
	rec := recogTiming{endCalled: t0, decode: t1.Sub(start)}
	if len(hyps) > 0 {
		rec.text = hyps[0].Text
	}
	s.r.recs = append(s.r.recs, rec)
	s.r.mu.Unlock()
	return hyps, err
}

// firstEndAfter is the first End called after t.
func (r *timedRecognizer) firstEndAfter(t time.Time) (recogTiming, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.recs {
		if rec.endCalled.After(t) {
			return rec, true
		}
	}
	return recogTiming{}, false
}

// timedSynthesizer times a synthesizer at its boundary: Synthesize called
// -> first chunk with audio, and the quiet at the start of that audio
// (the engine's output, heard as silence before the first word).
type timedSynthesizer struct {
	speech.Synthesizer
	mu   sync.Mutex
	recs []synthTiming
}

type synthTiming struct {
	called     time.Time
	firstChunk time.Duration
	lead       time.Duration // quiet before the first loud frame of the audio
}

func (s *timedSynthesizer) Synthesize(ctx context.Context, req speech.SynthRequest, emit func(speech.Chunk) error) error {
	t0 := time.Now()
	rec := synthTiming{called: t0, firstChunk: -1}
	quiet, found := 0, false
	done := func() {
		if req.Rate > 0 {
			rec.lead = time.Duration(quiet) * time.Second / time.Duration(req.Rate)
		}
		s.mu.Lock()
		s.recs = append(s.recs, rec)
		s.mu.Unlock()
	}
	err := s.Synthesizer.Synthesize(ctx, req, func(c speech.Chunk) error {
		if len(c.PCM) > 0 && rec.firstChunk < 0 {
			rec.firstChunk = time.Since(t0)
		}
		if !found {
			fs := max(req.Rate/50, 1)
			for i := 0; i < len(c.PCM) && !found; i += fs {
				if levelDB(c.PCM[i:min(i+fs, len(c.PCM))]) > frameLoudDB {
					found = true
					done()
				} else {
					quiet += min(fs, len(c.PCM)-i)
				}
			}
		}
		return emit(c)
	})
	if !found {
		done()
	}
	return err
}

// firstAfter is the first Synthesize called after t.
func (s *timedSynthesizer) firstAfter(t time.Time) (synthTiming, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range s.recs {
		if rec.called.After(t) && rec.firstChunk >= 0 {
			return rec, true
		}
	}
	return synthTiming{}, false
}

// --- the caller ---

// utterance is caller speech in 20 ms frames at 16 kHz.
type utterance struct {
	frames [][]int16
}

// benchCaller is the caller's side: a media.Source that plays utterances
// (and background noise) and an RTP handler that timestamps the bot's
// packets as they arrive, decoded to tell speech from silence.
type benchCaller struct {
	mu    sync.Mutex
	queue [][]int16
	onset time.Time // first loud frame of the current utterance handed to the transmitter
	end   time.Time // last loud frame so far
	noise float64   // background noise amplitude (0: none)
	seed  uint32
	pkts  []rxPacket
	dec   *g722.Decoder
	pcm   []int16
	inner media.Handler
}

type rxPacket struct {
	at   time.Time
	loud bool
}

func (c *benchCaller) Next(pcm []int16) (int, error) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) > 0 {
		f := c.queue[0]
		c.queue = c.queue[1:]
		n := copy(pcm, f)
		c.addNoise(pcm[:n])
		if levelDB(f) > frameLoudDB {
			if c.onset.IsZero() {
				c.onset = now
			}
			c.end = now
		}
		return n, nil
	}
	if c.noise == 0 {
		return 0, nil
	}
	clear(pcm)
	c.addNoise(pcm)
	return len(pcm), nil
}

// setNoise sets the background noise's amplitude (0: none).
func (c *benchCaller) setNoise(a float64) {
	c.mu.Lock()
	c.noise = a
	c.mu.Unlock()
}

func (c *benchCaller) addNoise(pcm []int16) {
	if c.noise == 0 {
		return
	}
	for i := range pcm {
		c.seed = c.seed*1664525 + 1013904223
		v := float64(pcm[i]) + c.noise*(float64(c.seed>>16)/32768-1)
		pcm[i] = int16(max(min(v, 32767), -32768))
	}
}

// say queues u; it returns once u has been sent, with the times of its
// first and last loud frames.
func (c *benchCaller) say(ctx context.Context, u utterance) (onset, end time.Time, err error) {
	c.mu.Lock()
	c.onset, c.end = time.Time{}, time.Time{}
	c.queue = append(c.queue, u.frames...)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		left := len(c.queue)
		onset, end = c.onset, c.end
		c.mu.Unlock()
		if left == 0 {
			return onset, end, nil
		}
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return onset, end, err
		}
	}
}

func (c *benchCaller) HandleRTP(hdr *rtp.Header, payload []byte) {
	now := time.Now()
	c.mu.Lock()
	if hdr.PayloadType == 9 && 2*len(payload) <= len(c.pcm) {
		n, err := c.dec.Decode(payload, c.pcm)
		if err == nil {
			c.pkts = append(c.pkts, rxPacket{at: now, loud: levelDB(c.pcm[:n]) > frameLoudDB})
		}
	}
	c.mu.Unlock()
	c.inner.HandleRTP(hdr, payload)
}

// firstLoudAfter is the arrival of the first loud packet after t.
func (c *benchCaller) firstLoudAfter(t time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, _ := slices.BinarySearchFunc(c.pkts, t, func(p rxPacket, t time.Time) int { return p.at.Compare(t) })
	for ; i < len(c.pkts); i++ {
		if c.pkts[i].loud && c.pkts[i].at.After(t) {
			return c.pkts[i].at, true
		}
	}
	return time.Time{}, false
}

// lastLoudIn is the arrival of the last loud packet in (from, to].
func (c *benchCaller) lastLoudIn(from, to time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var last time.Time
	for _, p := range c.pkts {
		if p.loud && p.at.After(from) && !p.at.After(to) {
			last = p.at
		}
	}
	return last, !last.IsZero()
}

// loudFraction is the share of packets in [from, to) that are loud.
func (c *benchCaller) loudFraction(from, to time.Time) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, loud := 0, 0
	for _, p := range c.pkts {
		if !p.at.Before(from) && p.at.Before(to) {
			n++
			if p.loud {
				loud++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(loud) / float64(n)
}

// waitFirstLoudAfter waits for a loud packet after t.
func (c *benchCaller) waitFirstLoudAfter(ctx context.Context, t time.Time, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if at, ok := c.firstLoudAfter(t); ok {
			return at, nil
		}
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return time.Time{}, err
		}
	}
	return time.Time{}, errors.New("the bot said nothing")
}

// waitQuiet waits until the bot has said something after t and then been
// quiet for quiet.
func (c *benchCaller) waitQuiet(ctx context.Context, t time.Time, quiet, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if last, ok := c.lastLoudIn(t, time.Now()); ok && time.Since(last) >= quiet {
			return nil
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	return errors.New("the bot did not finish speaking")
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// loopLog logs the voice loop's decisions (debug: each barge-in and what
// triggered it) when PARLEY_VOICE_DEBUG is set.
var loopLog = func() *slog.Logger {
	if os.Getenv("PARLEY_VOICE_DEBUG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}()

// --- the whole setup ---

type latencyEnv struct {
	caller *benchCaller
	call   *telephony.Call
	asr    *timedRecognizer
	tts    *timedSynthesizer
	result chan voice.Result
	red    utterance
}

// speak renders text with espeak-ng at 16 kHz and trims it to its speech.
func speak(tb testing.TB, dir, name, text string) utterance {
	tb.Helper()
	raw, out := filepath.Join(dir, name+".raw.wav"), filepath.Join(dir, name+".wav")
	mediatest.Run(tb, "espeak-ng", "-s", "160", "-w", raw, text)
	mediatest.Run(tb, "sox", raw, "-r", "16000", "-c", "1", "-b", "16", out)
	_, pcm, err := wav.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	var u utterance
	for i := 0; i+320 <= len(pcm); i += 320 {
		u.frames = append(u.frames, pcm[i:i+320])
	}
	first := slices.IndexFunc(u.frames, func(f []int16) bool { return levelDB(f) > frameLoudDB })
	last := len(u.frames) - 1
	for last > first && levelDB(u.frames[last]) <= frameLoudDB {
		last--
	}
	if first < 0 {
		tb.Fatalf("espeak-ng rendered %q silent", text)
	}
	u.frames = u.frames[first : last+1]
	return u
}

// startLatency starts the bot (Parley UA, voice loop, speech server with
// timed flite and PocketSphinx) and a caller UA, and places the call.
func startLatency(tb testing.TB) *latencyEnv {
	tb.Helper()
	mediatest.RequireTools(tb, "espeak-ng", "sox")
	dir := tb.TempDir()
	e := &latencyEnv{result: make(chan voice.Result, 1)}
	e.red = speak(tb, dir, "red", "red")

	fl, err := flite.New(flite.Config{})
	if err != nil {
		tb.Fatalf("flite: %v", err)
	}
	sp, err := sphinx.New(sphinx.Config{MaxDecoders: 2})
	if err != nil {
		tb.Fatalf("pocketsphinx: %v", err)
	}
	e.asr, e.tts = &timedRecognizer{Recognizer: sp}, &timedSynthesizer{Synthesizer: fl}
	reg := speech.NewRegistry()
	reg.AddSynthesizer(e.tts)
	reg.AddRecognizer(e.asr)

	ctx, cancel := context.WithCancel(context.Background())
	srv, err := mrcpserver.New(mrcpserver.Config{Engines: reg})
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Serve(ctx) }()
	l16, _ := media.NewCodec(96, media.NameL16, 16000, 1)
	cli, err := client.New(client.Config{Servers: []string{srv.URI()}, Codecs: []media.Codec{l16, media.PCMU()}})
	if err != nil {
		tb.Fatal(err)
	}
	lib := bot.NewLibrary(bot.LibraryConfig{DataDir: filepath.Join(dir, "data")})
	if err := lib.Add(ctx, "testdata/latency/latency.yaml"); err != nil {
		tb.Fatal(err)
	}
	handler := telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
		b, ok := lib.Lookup(voice.DialledNumber(c.To()))
		if !ok {
			_ = c.Reject(480, "no script")
			return
		}
		if err := c.Answer(ctx); err != nil {
			return
		}
		res, _ := voice.Run(ctx, c, b.NewDialogue(runtime.Config{CallID: string(c.ID())}),
			voice.Config{Client: cli, Language: "en-US", DeadAir: 3 * time.Second, Log: loopLog})
		e.result <- res
		_ = c.Hangup(context.WithoutCancel(ctx))
	})
	botUA, err := telephony.NewUA(telephony.Config{SIPAddr: "127.0.0.1:0", Handler: handler})
	if err != nil {
		tb.Fatal(err)
	}
	g722only := telephony.DefaultCapabilities()
	g722only.Codecs = []media.Codec{media.G722()}
	callerUA, err := telephony.NewUA(telephony.Config{SIPAddr: "127.0.0.1:0", Capabilities: &g722only})
	if err != nil {
		tb.Fatal(err)
	}
	for _, ua := range []*telephony.UA{botUA, callerUA} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = ua.Serve(ctx) }()
	}
	tb.Cleanup(func() {
		_ = callerUA.Close()
		_ = botUA.Close()
		_ = cli.Close()
		cancel()
		wg.Wait()
		_ = lib.Close()
	})
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	defer dcancel()
	e.call, err = callerUA.Dial(dctx, telephony.DialOptions{To: "sip:5000@" + botUA.SIPAddr().String()})
	if err != nil {
		tb.Fatalf("dial the bot: %v", err)
	}
	leg := e.call.Leg()
	if r := leg.Transmitter().Rate(); r != 16000 {
		tb.Fatalf("caller transmits at %d Hz, want G.722's 16000", r)
	}
	dec, err := g722.NewDecoder(g722.Mode1)
	if err != nil {
		tb.Fatal(err)
	}
	e.caller = &benchCaller{dec: dec, pcm: make([]int16, 4096), inner: leg.Receiver(), seed: 1}
	leg.Session().SetHandler(e.caller)
	leg.Transmitter().Play(e.caller, nil)
	return e
}

// hangup ends the call and returns the bot's Result.
func (e *latencyEnv) hangup(tb testing.TB) voice.Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = e.call.Hangup(ctx)
	select {
	case res := <-e.result:
		return res
	case <-ctx.Done():
		tb.Fatal("the bot did not finish after the hangup")
		return voice.Result{}
	}
}

// turnTiming is one caller turn measured on both sides of the real path.
type turnTiming struct {
	first  time.Time     // the bot's first speech packet of its answer arrived
	total  time.Duration // caller's last speech packet sent -> first bot speech packet received
	asr    time.Duration // recognizer decode after the end of speech (engine)
	tts    time.Duration // synthesizer call -> first audio chunk (engine)
	lead   time.Duration // quiet at the start of the synthesized audio (engine output)
	parley time.Duration // total - Speech-Complete-Timeout - asr - tts - lead
}

// errMisrecognized marks a turn the recognizer did not get right: its
// timing is not a sample (a no-match waits Speech-Incomplete-Timeout).
var errMisrecognized = errors.New("misrecognized")

// turn says u (the bot being quiet) and measures the turn.
func (e *latencyEnv) turn(ctx context.Context, u utterance) (turnTiming, error) {
	_, end, err := e.caller.say(ctx, u)
	if err != nil {
		return turnTiming{}, err
	}
	return e.measure(ctx, end, end)
}

// measure times the turn whose speech ended at end: the answer is the
// first loud packet after from.
func (e *latencyEnv) measure(ctx context.Context, end, from time.Time) (turnTiming, error) {
	first, err := e.caller.waitFirstLoudAfter(ctx, from, 10*time.Second)
	if err != nil {
		return turnTiming{}, fmt.Errorf("turn: %w", err)
	}
	a, ok := e.asr.firstEndAfter(end)
	if !ok {
		return turnTiming{}, errors.New("turn: no recognition after the speech")
	}
	if a.text != "red" {
		return turnTiming{first: first}, fmt.Errorf("%w: heard %q", errMisrecognized, a.text)
	}
	s, ok := e.tts.firstAfter(end)
	if !ok {
		return turnTiming{}, errors.New("turn: no synthesis after the speech")
	}
	tt := turnTiming{first: first, total: first.Sub(end), asr: a.decode, tts: s.firstChunk, lead: s.lead}
	tt.parley = tt.total - speechCompleteTimeout - tt.asr - tt.tts - tt.lead
	return tt, nil
}

// bargeIn says u over the long prompt, at after from its first audio, and
// returns speech onset (first loud frame sent) -> the last prompt packet
// the caller receives.
func (e *latencyEnv) bargeIn(ctx context.Context, promptStart time.Time, after time.Duration, u utterance) (d time.Duration, end, horizon time.Time, err error) {
	if err := sleep(ctx, time.Until(promptStart.Add(after))); err != nil {
		return 0, end, horizon, err
	}
	onset, end, err := e.caller.say(ctx, u)
	if err != nil {
		return 0, end, horizon, err
	}
	// The answer cannot start before Speech-Complete-Timeout after the
	// end of speech: every loud packet until then is the prompt's.
	horizon = end.Add(speechCompleteTimeout - 100*time.Millisecond)
	if err := sleep(ctx, time.Until(horizon)+50*time.Millisecond); err != nil {
		return 0, end, horizon, err
	}
	if f := e.caller.loudFraction(promptStart, onset); f < 0.4 {
		return 0, end, horizon, fmt.Errorf("the long prompt was not playing before the onset (%.2f loud)", f)
	}
	last, ok := e.caller.lastLoudIn(onset, horizon)
	if !ok {
		return 0, end, horizon, nil // stopped before the onset's first packet arrived
	}
	// A prompt still playing at the horizon is a barge-in at least this
	// slow: it counts as measured.
	return last.Sub(onset), end, horizon, nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
