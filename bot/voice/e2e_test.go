package voice_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/parley-cc/parley/bot"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/mrcp/client"
	mrcpserver "github.com/parley-cc/parley/mrcp/server"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/flite"
	"github.com/parley-cc/parley/mrcp/speech/sphinx"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/baresiptest"
)

// The bank script's entry point.
const bankNumber = "0800123000"

// The caller's timeline (seconds from the answer): the greeting (barge-in
// off) and the long how-can-I-help prompt (barge-in on) are playing when
// the caller says "I lost my card"; then, once the bot has asked which
// card, "my debit card".
const (
	lostCardAt = 9.0
	debitAt    = lostCardAt + 8.0
	tailSecs   = 5.0
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

// callerWAV renders the caller's side with espeak-ng and sox: silence,
// "I lost my card", silence, "my debit card" (then baresiptest's tail).
func callerWAV(t *testing.T) string {
	t.Helper()
	mediatest.RequireTools(t, "espeak-ng", "sox")
	dir := t.TempDir()
	u1 := filepath.Join(dir, "u1.wav")
	mediatest.Run(t, "espeak-ng", "-s", "150", "-w", filepath.Join(dir, "r1.wav"), "I lost my card")
	mediatest.Run(t, "espeak-ng", "-s", "150", "-w", filepath.Join(dir, "r2.wav"), "debit card")
	mediatest.Run(t, "sox", filepath.Join(dir, "r1.wav"), "-r", "16000", "-c", "1", "-b", "16", u1, "pad", fmt.Sprint(lostCardAt))
	f, pcm, err := wav.ReadFile(u1)
	if err != nil {
		t.Fatal(err)
	}
	gap := debitAt - float64(len(pcm))/float64(f.SampleRate)
	out := filepath.Join(dir, "caller.wav")
	mediatest.Run(t, "sox", u1, "|sox "+filepath.Join(dir, "r2.wav")+" -r 16000 -c 1 -b 16 -p pad "+fmt.Sprintf("%.3f", gap), out)
	return out
}

type env struct {
	ua      *telephony.UA
	st      *store.SQLite
	reg     *prometheus.Registry
	dataDir string
}

// startParley starts what `parley serve` runs for a call: the call store,
// the in-process speech server reached over MRCPv2, the script library
// with the bank script, and a SIP UA whose handler is the bot.
func startParley(t *testing.T) *env {
	t.Helper()
	reg, _ := engines(t)
	e := &env{dataDir: t.TempDir(), reg: prometheus.NewRegistry()}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(e.dataDir, "calls.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	srv, err := mrcpserver.New(mrcpserver.Config{Engines: reg})
	if err != nil {
		t.Fatal(err)
	}
	sctx, stopSrv := context.WithCancel(ctx)
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.Serve(sctx) }()
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
	lib := bot.NewLibrary(bot.LibraryConfig{DataDir: e.dataDir})
	if err := lib.Add(ctx, "../../scripts/bank/bank.yaml"); err != nil {
		t.Fatal(err)
	}
	m, err := voice.NewMetrics(e.reg)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := voice.NewService(voice.ServiceConfig{Lookup: lib.Lookup, Store: st,
		Voice: voice.Config{Client: cli, NarrowbandClient: nb, Language: "en-US", DeadAir: 3 * time.Second, Metrics: m}})
	if err != nil {
		t.Fatal(err)
	}
	ua, err := telephony.NewUA(telephony.Config{SIPAddr: "127.0.0.1:0", Handler: svc, Store: st, DataDir: e.dataDir,
		RecordingDir: filepath.Join(e.dataDir, "recordings")})
	if err != nil {
		t.Fatal(err)
	}
	e.ua = ua
	uaDone := make(chan error, 1)
	go func() { uaDone <- ua.Serve(ctx) }()
	t.Cleanup(func() {
		_ = ua.Close()
		if err := <-uaDone; err != nil && !errors.Is(err, telephony.ErrClosed) {
			t.Errorf("UA: %v", err)
		}
		_ = cli.Close()
		_ = nb.Close()
		stopSrv()
		if err := <-srvDone; err != nil {
			t.Errorf("speech server: %v", err)
		}
		_ = lib.Close()
		_ = st.Close()
	})
	return e
}

// transcribe runs PocketSphinx (free transcription) on pcm.
func transcribe(t *testing.T, pcm []int16, rate int) string {
	t.Helper()
	_, eng := engines(t)
	if rate != 16000 && rate != 8000 {
		rs, err := resample.New(rate, 16000)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]int16, rs.OutLen(len(pcm)))
		pcm, rate = out[:rs.Process(pcm, out)], 16000
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

func segment(pcm []int16, rate int, from, to float64) []int16 {
	a, b := int(from*float64(rate)), int(to*float64(rate))
	a, b = max(0, min(a, len(pcm))), max(0, min(b, len(pcm)))
	return pcm[a:b]
}

// loudFraction is the share of 20 ms frames above -35 dBFS.
func loudFraction(pcm []int16, rate int) float64 {
	n := rate / 50
	frames, loud := 0, 0
	for i := 0; i+n <= len(pcm); i += n {
		var e float64
		for _, s := range pcm[i : i+n] {
			e += float64(s) * float64(s)
		}
		frames++
		if 10*math.Log10(e/float64(n)/(32768*32768)+1e-12) > -35 {
			loud++
		}
	}
	if frames == 0 {
		return 0
	}
	return float64(loud) / float64(frames)
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

func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			var sum float64
			for _, m := range mf.GetMetric() {
				sum += metricValue(m)
			}
			return sum
		}
	}
	return 0
}

func metricValue(m *dto.Metric) float64 {
	if c := m.GetCounter(); c != nil {
		return c.GetValue()
	}
	if h := m.GetHistogram(); h != nil {
		return float64(h.GetSampleCount())
	}
	return 0
}

// baresip calls the bank script over G.722 (wideband) and PCMU: the
// greeting is heard, "I lost my card" said over the long prompt stops it
// and is understood over SIP/RTP/MRCP, the bot asks which card, and "my
// debit card" is confirmed; checked from what baresip heard (PocketSphinx)
// and from the stored transcript.
func TestBaresipCallsTheBankBot(t *testing.T) {
	mediatest.RequireTools(t, "baresip", "espeak-ng", "sox")
	audio := callerWAV(t)
	for _, codec := range []string{"g722", "g711"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			e := startParley(t)
			phone := baresiptest.Start(t, baresiptest.Config{User: "caller", Audio: audio, Tail: tailSecs * time.Second, Codecs: []string{codec}})
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
			defer cancel()
			if err := phone.Dial(ctx, "sip:"+bankNumber+"@"+e.ua.SIPAddr().String()); err != nil {
				t.Fatal(err)
			}
			if _, err := phone.WaitEvent(ctx, baresiptest.EventCallEstablish); err != nil {
				t.Fatalf("%v\n%s", err, phone.Log())
			}
			if _, err := phone.WaitEvent(ctx, baresiptest.EventCallClosed); err != nil {
				t.Fatalf("%v\n%s", err, phone.Log())
			}
			deadline := time.Now().Add(10 * time.Second)
			for e.ua.Calls() != 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			calls, err := e.st.ListCalls(ctx, store.Filter{})
			if err != nil || len(calls.Calls) != 1 {
				t.Fatalf("calls: %+v, %v", calls, err)
			}
			tr, err := e.st.Transcript(ctx, calls.Calls[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			// Over G.722 the recognizer gets wideband audio and must
			// understand both utterances; over PCMU the 16 kHz model hears
			// narrowband speech and understands little (docs/voice.md): the
			// bot must still answer, never leave the caller in silence.
			wide := codec == "g722"
			checkTranscript(t, tr, wide)

			heard, rate := recording(t, phone)
			greeting := transcribe(t, segment(heard, rate, 0, 5.5), rate)
			t.Logf("%s: greeting heard as %q", codec, greeting)
			if words(greeting, "welcome", "bank", "calls", "recorded", "training", "quality", "purposes") < 2 {
				t.Errorf("%s: the greeting's words are not in what the caller heard: %q", codec, greeting)
			}
			answer := segment(heard, rate, lostCardAt+1.5, debitAt)
			if wide {
				text := transcribe(t, answer, rate)
				t.Logf("%s: answer to 'I lost my card' heard as %q", codec, text)
				if words(text, "debit", "credit", "card", "sorry") < 2 {
					t.Errorf("%s: the answer to the lost card is not in what the caller heard: %q", codec, text)
				}
			} else if f := loudFraction(answer, rate); f < 0.2 {
				t.Errorf("%s: the bot did not answer the caller (%.2f loud)", codec, f)
			}
			// Barge-in: the long prompt was playing before the caller
			// spoke and stopped within a few hundred milliseconds.
			before := loudFraction(segment(heard, rate, lostCardAt-1.2, lostCardAt-0.2), rate)
			after := loudFraction(segment(heard, rate, lostCardAt+0.6, lostCardAt+1.3), rate)
			bargeIns := counter(t, e.reg, "parley_bot_barge_ins_total")
			t.Logf("%s: bot audio before the caller spoke %.2f loud, after %.2f; barge-ins %v; latency %+v",
				codec, before, after, bargeIns, tr.Latency)
			if before < 0.3 {
				t.Errorf("%s: the prompt was not playing when the caller spoke (%.2f loud)", codec, before)
			}
			if after > 0.15 || bargeIns < 1 {
				t.Errorf("%s: barge-in did not stop the prompt (%.2f loud after)", codec, after)
			}
		})
	}
}

func recording(t *testing.T, p *baresiptest.Phone) ([]int16, int) {
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

func checkTranscript(t *testing.T, tr store.Transcript, understood bool) {
	t.Helper()
	var lines []string
	lost, debit := false, false
	for _, tu := range tr.Turns {
		lines = append(lines, fmt.Sprintf("%s [%s] %q intent=%s %.2f slots=%v asr=%.2f", tu.Speaker, tu.Step, tu.Text+tu.DTMF, tu.Intent, tu.IntentConfidence, tu.Slots, tu.ASRConfidence))
		if tu.Speaker == "caller" && tu.Intent == "lost_card" {
			lost = true
		}
		if tu.Speaker == "bot" && strings.Contains(tu.Text, "Your debit card") {
			debit = true
		}
	}
	t.Logf("transcript (%s, path %v):\n%s", tr.Outcome, tr.Path, strings.Join(lines, "\n"))
	if understood && !lost {
		t.Errorf("no caller turn recognised as lost_card")
	}
	if understood && !debit {
		t.Errorf("the bot did not confirm the debit card")
	}
	if len(tr.Turns) < 4 || tr.Turns[0].Speaker != "bot" || !strings.Contains(tr.Turns[0].Text, "Welcome") {
		t.Errorf("transcript does not start with the greeting")
	}
	if len(tr.Latency) == 0 {
		t.Errorf("no turn latency stored")
	}
}
