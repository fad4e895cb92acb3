package telephony_test

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// env is a served UA with a real store and recording directory.
type env struct {
	ua      *telephony.UA
	st      *store.SQLite
	dataDir string
	recDir  string
	stop    func()
}

// startUA serves a UA; stop closes it and the store and waits for Serve.
func startUA(t *testing.T, cfg telephony.Config) *env {
	t.Helper()
	e := &env{dataDir: t.TempDir()}
	e.recDir = filepath.Join(e.dataDir, "recordings")
	st, err := store.Open(context.Background(), filepath.Join(e.dataDir, "calls.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	cfg.Store, cfg.DataDir, cfg.RecordingDir = st, e.dataDir, e.recDir
	ua, err := telephony.NewUA(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.ua = ua
	served := make(chan error, 1)
	go func() { served <- ua.Serve(context.Background()) }()
	e.stop = func() {
		_ = ua.Close()
		if err := <-served; err != nil && !errors.Is(err, telephony.ErrClosed) {
			t.Errorf("Serve: %v", err)
		}
		if n := ua.RTPPortsInUse(); n != 0 {
			t.Errorf("%d RTP port pairs still in use", n)
		}
		if err := st.Close(); err != nil {
			t.Errorf("store close: %v", err)
		}
	}
	return e
}

// waitIdle waits for every call to have ended and its record written.
func (e *env) waitIdle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.ua.Calls() != 0 || e.ua.RTPPortsInUse() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls, %d RTP ports still in use", e.ua.Calls(), e.ua.RTPPortsInUse())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// onlyCall returns the single call record in the store.
func (e *env) onlyCall(t *testing.T) store.Call {
	t.Helper()
	p, err := e.st.ListCalls(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Calls) != 1 {
		t.Fatalf("store has %d calls, want 1: %+v", len(p.Calls), p.Calls)
	}
	return p.Calls[0]
}

func (e *env) eventTypes(t *testing.T, id store.CallID) string {
	t.Helper()
	evs, err := e.st.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	return strings.Join(types, ",")
}

func TestInboundCallRecordsCallerTone(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	e := startUA(t, telephony.Config{})
	defer e.stop()

	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_call_rtp.xml"),
		Target:   e.ua.SIPAddr().String(),
		Duration: 3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)

	c := e.onlyCall(t)
	if c.Disposition != store.Answered || c.Answered.IsZero() || c.Ended.IsZero() || c.Cause != "caller-hangup" {
		t.Errorf("call record = %+v, want answered and ended by caller-hangup", c)
	}
	if got, want := e.eventTypes(t, c.ID), "invite,ringing,answer,bye"; got != want {
		t.Errorf("events = %s, want %s", got, want)
	}
	rec, err := e.st.Recording(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Format != store.FormatWAV || rec.Channels != store.ChannelsCallerLeft || filepath.IsAbs(rec.Path) {
		t.Errorf("recording = %+v", rec)
	}
	if rec.Duration < 2500*time.Millisecond || rec.Duration > 6*time.Second {
		t.Errorf("recording lasts %v, want about 3 s", rec.Duration)
	}
	path := filepath.Join(e.dataDir, filepath.FromSlash(rec.Path))
	if fi, err := os.Stat(path); err != nil || fi.Size() != rec.Bytes {
		t.Errorf("recording file %s: %v, indexed %d bytes", path, err, rec.Bytes)
	}
	f, pcm, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Channels != 2 || f.SampleRate != 8000 {
		t.Fatalf("recording format %+v, want stereo 8 kHz", f)
	}
	left, right := mediatest.Channel(pcm, 0, 2), mediatest.Channel(pcm, 1, 2)
	// The middle second of the call: the caller's tone is on the left,
	// Parley sent silence on the right.
	mid := len(left) / 2
	seg := left[mid-4000 : mid+4000]
	want := mediatest.ToneSamples(440, 8000, 0.5, len(seg))
	_, corr := mediatest.BestLag(want, seg, 20)
	if corr < 0.9 {
		t.Errorf("left channel correlates %.3f with a 440 Hz tone, want > 0.9", corr)
	}
	if p440, p1k := goertzel(seg, 440, 8000), goertzel(seg, 1000, 8000); p440 < 100*p1k {
		t.Errorf("left channel power at 440 Hz %.3g, at 1 kHz %.3g: no 440 Hz tone", p440, p1k)
	}
	if r := rms(right[mid-4000 : mid+4000]); r > 50 {
		t.Errorf("right channel RMS %.1f, want silence", r)
	}
}

func goertzel(x []int16, freq float64, rate int) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}

func rms(x []int16) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(x)))
}

func TestInboundCallCancelled(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	// A handler that never answers: the caller gives up.
	e := startUA(t, telephony.Config{Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
		<-ctx.Done()
	})})
	defer e.stop()

	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_cancel.xml"),
		Target:   e.ua.SIPAddr().String(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
	c := e.onlyCall(t)
	if c.Disposition != store.Cancelled || !c.Answered.IsZero() || c.SIPCode != 487 {
		t.Errorf("call record = %+v, want cancelled with 487, never answered", c)
	}
	if got, want := e.eventTypes(t, c.ID), "invite,ringing,cancel"; got != want {
		t.Errorf("events = %s, want %s", got, want)
	}
	if _, err := e.st.Recording(context.Background(), c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("recording of a cancelled call: %v, want ErrNotFound", err)
	}
	if n := countFiles(t, e.recDir); n != 0 {
		t.Errorf("%d recording files for a cancelled call", n)
	}
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInboundCallParleyHangsUp(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	e := startUA(t, telephony.Config{Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
		if err := c.Answer(ctx); err != nil {
			t.Errorf("Answer: %v", err)
			return
		}
		select {
		case <-time.After(700 * time.Millisecond):
		case <-ctx.Done():
			t.Error("call ended before Parley hung up")
			return
		}
		if err := c.Hangup(ctx); err != nil {
			t.Errorf("Hangup: %v", err)
		}
		<-c.Done()
	})})
	defer e.stop()

	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_remote_bye.xml"),
		Target:   e.ua.SIPAddr().String(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
	c := e.onlyCall(t)
	if c.Disposition != store.Answered || c.Cause != "parley-hangup" {
		t.Errorf("call record = %+v, want answered, parley-hangup", c)
	}
	if d := c.Ended.Sub(c.Answered); d < 600*time.Millisecond {
		t.Errorf("call lasted %v after answer, want about 700 ms", d)
	}
	if _, err := e.st.Recording(context.Background(), c.ID); err != nil {
		t.Errorf("answered call has no recording: %v", err)
	}
}

func TestRTPTimeoutHangsUp(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	// uac_remote_bye sends no RTP: the default handler's call must end
	// with BYE after RTPTimeout.
	e := startUA(t, telephony.Config{RTPTimeout: time.Second})
	defer e.stop()
	start := time.Now()
	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_remote_bye.xml"),
		Target:   e.ua.SIPAddr().String(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("RTP time-out took %v", d)
	}
	c := e.onlyCall(t)
	if c.Disposition != store.Answered || c.Cause != "rtp-timeout" {
		t.Errorf("call record = %+v, want answered, rtp-timeout", c)
	}
	if d := c.Ended.Sub(c.Answered); d < time.Second || d > 3*time.Second {
		t.Errorf("call lasted %v after answer, want the 1 s RTP time-out", d)
	}
}
