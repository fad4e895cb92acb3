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
	"github.com/parley-cc/parley/telephony/sipptest"
)

// TestBridgeCallerToAgent answers a SIPp caller playing a 440 Hz tone,
// dials a second SIPp endpoint (the "agent", echoing its RTP) and bridges
// the two: the tone crosses to the agent and comes back, so the caller's
// recording holds it on both channels: the caller's own on the left and,
// through the bridge, the agent's on the right.
func TestBridgeCallerToAgent(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	agent := startFarEnd(t, "uas_answer.xml", sipptest.Options{RTPEcho: true})
	bridged := make(chan error, 1)
	var e *env
	ready := make(chan struct{}) // e is set
	e = startUA(t, telephony.Config{
		Trunks: []telephony.Trunk{{Name: "agents", Address: agent.Addr.String()}},
		// The caller is SIPp on loopback, as is the trunk: allowed.
		Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
			<-ready
			if err := c.Answer(ctx); err != nil {
				bridged <- err
				return
			}
			a, err := e.ua.Dial(ctx, telephony.DialOptions{To: "agent7", Trunk: "agents", Parent: c})
			if err != nil {
				bridged <- err
				return
			}
			b, err := e.ua.NewBridge(c, a)
			bridged <- err
			if err != nil {
				return
			}
			defer b.Close()
			<-ctx.Done()
			hctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = a.Hangup(hctx)
		}),
	})
	close(ready)
	defer e.stop()

	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_call_rtp.xml"),
		Target:   e.ua.SIPAddr().String(),
		Duration: 4 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if err := <-bridged; err != nil {
		t.Fatalf("bridging: %v", err)
	}
	ares, err := agent.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := ares.Err(); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)

	c := e.onlyCall(t)
	legs, err := e.st.Legs(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(legs) != 2 || legs[1].Role != store.RoleAgent || legs[1].Answered.IsZero() || legs[1].Ended.IsZero() {
		t.Errorf("legs %+v, want the caller's and an answered agent leg", legs)
	}
	if ev := e.eventTypes(t, c.ID); !containsAll(ev, "invite", "answer", "bridge", "unbridge") {
		t.Errorf("events %s", ev)
	}
	rec, err := e.st.Recording(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, pcm, err := wav.ReadFile(filepath.Join(e.dataDir, filepath.FromSlash(rec.Path)))
	if err != nil {
		t.Fatal(err)
	}
	left, right := mediatest.Channel(pcm, 0, 2), mediatest.Channel(pcm, 1, 2)
	mid := len(left) / 2
	for name, ch := range map[string][]int16{"caller (left)": left, "agent via bridge (right)": right} {
		seg := ch[mid-4000 : mid+4000]
		if p440, p1k := goertzel(seg, 440, f.SampleRate), goertzel(seg, 1000, f.SampleRate); p440 < 100*p1k || rms(seg) < 500 {
			t.Errorf("%s: power at 440 Hz %.3g, at 1 kHz %.3g, RMS %.0f: no 440 Hz tone", name, p440, p1k, rms(seg))
		}
	}
}

func containsAll(csv string, want ...string) bool {
	have := map[string]bool{}
	start := 0
	for i := 0; i <= len(csv); i++ {
		if i == len(csv) || csv[i] == ',' {
			have[csv[start:i]] = true
			start = i + 1
		}
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}

// TestThreeWayCall bridges a SIPp caller (440 Hz tone) with two dialled
// legs (an agent and a supervisor, both SIPp endpoints echoing what they
// hear) in one bridge: the mixer gives each the other two, so the
// caller's recording holds the tone echoed back on the Parley channel and
// the record holds three legs.
func TestThreeWayCall(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	agent := startFarEnd(t, "uas_answer.xml", sipptest.Options{RTPEcho: true})
	super := startFarEnd(t, "uas_answer.xml", sipptest.Options{RTPEcho: true})
	var e *env
	ready := make(chan struct{})
	e = startUA(t, telephony.Config{
		Trunks: []telephony.Trunk{{Name: "agent", Address: agent.Addr.String()}, {Name: "super", Address: super.Addr.String()}},
		Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
			<-ready
			if err := c.Answer(ctx); err != nil {
				return
			}
			b, err := e.ua.NewBridge(c)
			if err != nil {
				t.Errorf("bridge: %v", err)
				return
			}
			defer b.Close()
			for _, trunk := range []string{"agent", "super"} {
				leg, err := e.ua.Dial(ctx, telephony.DialOptions{To: trunk, Trunk: trunk, Parent: c})
				if err != nil {
					t.Errorf("dial %s: %v", trunk, err)
					return
				}
				if err := b.Add(leg); err != nil {
					t.Errorf("add %s: %v", trunk, err)
				}
			}
			if n := len(b.Calls()); n != 3 {
				t.Errorf("bridge holds %d calls, want 3", n)
			}
			<-ctx.Done()
		}),
	})
	close(ready)
	defer e.stop()
	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_call_rtp.xml"), Target: e.ua.SIPAddr().String(), Duration: 4 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*sipptest.Server{agent, super} {
		r, err := s.Wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Err(); err != nil {
			t.Error(err)
		}
	}
	e.waitIdle(t)
	c := e.onlyCall(t)
	legs, err := e.st.Legs(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(legs) != 3 {
		t.Errorf("%d legs, want 3", len(legs))
	}
	rec, err := e.st.Recording(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, pcm, err := wav.ReadFile(filepath.Join(e.dataDir, filepath.FromSlash(rec.Path)))
	if err != nil {
		t.Fatal(err)
	}
	right := mediatest.Channel(pcm, 1, 2)
	seg := right[len(right)/2-4000 : len(right)/2+4000]
	if p440, p1k := goertzel(seg, 440, f.SampleRate), goertzel(seg, 1000, f.SampleRate); p440 < 100*p1k || rms(seg) < 500 {
		t.Errorf("caller hears 440 Hz %.3g, 1 kHz %.3g, RMS %.0f: no tone through the three-way mix", p440, p1k, rms(seg))
	}
}
