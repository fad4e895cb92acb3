package telephony_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// startFarEnd runs a SIPp UAS scenario as the far end of outbound calls.
func startFarEnd(t *testing.T, scenario string, opts sipptest.Options) *sipptest.Server {
	t.Helper()
	opts.Scenario = sipptest.Scenario(scenario)
	if opts.Calls == 0 {
		opts.Calls = 1
	}
	srv, err := sipptest.Start(context.Background(), t, opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func trunkTo(srv *sipptest.Server, user, password string) telephony.Trunk {
	return telephony.Trunk{
		Name: "carrier", Address: srv.Addr.String(), Username: user, Password: password,
		CallerID: "+442079460000", StripPrefix: "+", DialPrefix: "00",
	}
}

func TestDialThroughAuthenticatingTrunk(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	srv := startFarEnd(t, "uas_auth_answer.xml", sipptest.Options{
		RTPEcho: true, Vars: map[string]string{"user": "parley", "password": "s3cret"},
	})
	e := startUA(t, telephony.Config{Trunks: []telephony.Trunk{trunkTo(srv, "parley", "s3cret")}})
	defer e.stop()

	var progress []int
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := e.ua.Dial(ctx, telephony.DialOptions{
		To: "+15551230000", Trunk: "carrier",
		OnProgress: func(s int) { progress = append(progress, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Direction() != store.Outbound || c.Trunk() != "carrier" {
		t.Errorf("direction %v trunk %q", c.Direction(), c.Trunk())
	}
	// Play a tone; SIPp echoes it, so the caller channel of the
	// recording (what the far end sent) must hold it.
	tone := mediatest.NewTone(1000, 8000, 0.3)
	c.Leg().Transmitter().Play(media.SourceFunc(func(pcm []int16) (int, error) { return tone.Read(pcm), nil }), nil)
	time.Sleep(2 * time.Second)
	if got, ok := e.ua.Call(c.ID()); !ok || got != c {
		t.Errorf("UA.Call(%s) = %v, %v during the call", c.ID(), got, ok)
	}
	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("hangup: %v", err)
	}
	res, err := srv.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
	if _, ok := e.ua.Call(c.ID()); ok {
		t.Errorf("UA.Call(%s) finds the call after it ended", c.ID())
	}
	if len(progress) == 0 || progress[0] != 180 {
		t.Errorf("progress %v, want 180", progress)
	}
	rec := e.onlyCall(t)
	if rec.Direction != store.Outbound || rec.Disposition != store.Answered || rec.Trunk != "carrier" ||
		rec.ToNumber != "0015551230000" || rec.FromNumber != "+442079460000" || rec.Cause != "parley-hangup" {
		t.Errorf("record %+v", rec)
	}
	r, err := e.st.Recording(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, pcm, err := wav.ReadFile(filepath.Join(e.dataDir, filepath.FromSlash(r.Path)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Channels != 2 {
		t.Fatalf("recording format %+v, want stereo", f)
	}
	left, right := mediatest.Channel(pcm, 0, 2), mediatest.Channel(pcm, 1, 2)
	mid := len(left) / 2
	// Parley's tone on the right; SIPp echoed it back on the left.
	for name, ch := range map[string][]int16{"left (far end)": left, "right (Parley)": right} {
		seg := ch[mid-4000 : mid+4000]
		if p1k, p440 := goertzel(seg, 1000, f.SampleRate), goertzel(seg, 440, f.SampleRate); p1k < 100*p440 || rms(seg) < 1000 {
			t.Errorf("%s channel: power at 1 kHz %.3g, at 440 Hz %.3g, RMS %.0f: no 1 kHz tone", name, p1k, p440, rms(seg))
		}
	}
}

func TestDialDispositions(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	cases := []struct {
		scenario string
		ring     time.Duration
		want     store.Disposition
		status   int
	}{
		{"uas_busy.xml", 0, store.Busy, 486},
		{"uas_ring_noanswer.xml", time.Second, store.NoAnswer, 487},
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			srv := startFarEnd(t, tc.scenario, sipptest.Options{})
			e := startUA(t, telephony.Config{Trunks: []telephony.Trunk{trunkTo(srv, "", "")}})
			defer e.stop()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := e.ua.Dial(ctx, telephony.DialOptions{To: "5551230000", Trunk: "carrier", RingTimeout: tc.ring})
			var de *telephony.DialError
			if !errors.As(err, &de) {
				t.Fatalf("Dial: %v, want a DialError", err)
			}
			if de.Disposition != tc.want {
				t.Errorf("disposition %v (%v), want %v", de.Disposition, de, tc.want)
			}
			if tc.status == 486 && de.Status != 486 {
				t.Errorf("status %d, want 486", de.Status)
			}
			res, err := srv.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Err(); err != nil {
				t.Fatal(err)
			}
			e.waitIdle(t)
			rec := e.onlyCall(t)
			if rec.Disposition != tc.want || !rec.Answered.IsZero() {
				t.Errorf("record %+v", rec)
			}
		})
	}
}

func TestDialInvalid(t *testing.T) {
	e := startUA(t, telephony.Config{Trunks: []telephony.Trunk{{Name: "t", Address: "127.0.0.1:5099"}}})
	defer e.stop()
	for _, o := range []telephony.DialOptions{
		{To: "123", Trunk: "nope"},
		{To: "123"},
		{To: "12 3", Trunk: "t"},
		{To: "sip:", Trunk: "t"},
	} {
		if _, err := e.ua.Dial(context.Background(), o); !errors.Is(err, telephony.ErrInvalidDial) {
			t.Errorf("Dial(%+v) = %v, want ErrInvalidDial", o, err)
		}
	}
	if e.ua.Calls() != 0 {
		t.Errorf("%d calls after refused dials", e.ua.Calls())
	}
}

func TestTrunkConfigErrors(t *testing.T) {
	for _, tr := range []telephony.Trunk{
		{Name: "", Address: "127.0.0.1"},
		{Name: "a"},
		{Name: "a", Address: "127.0.0.1", Transport: "sctp"},
		{Name: "a", Address: "127.0.0.1:99999"},
		{Name: "a", Address: "127.0.0.1", Codecs: []string{"G729"}},
		{Name: "a", Address: "127.0.0.1", CallerID: "<sip:x>"},
	} {
		if _, err := telephony.NewUA(telephony.Config{Trunks: []telephony.Trunk{tr}}); !errors.Is(err, telephony.ErrInvalidConfig) {
			t.Errorf("trunk %+v: %v, want ErrInvalidConfig", tr, err)
		}
	}
}
