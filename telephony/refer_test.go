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

// TestBlindTransferFromAgent: a SIPp caller (440 Hz tone) is bridged to
// an agent phone (SIPp), which blind-transfers it with REFER to a third
// endpoint (SIPp, echoing). Parley calls the target, bridges the caller
// to it, NOTIFYs the agent (100, then 200) and hangs the agent up; the
// caller then hears its tone echoed by the target, in the recording.
func TestBlindTransferFromAgent(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	target := startFarEnd(t, "uas_answer.xml", sipptest.Options{RTPEcho: true})
	agent := startFarEnd(t, "uas_answer_refer.xml", sipptest.Options{
		Vars: map[string]string{"target": "target@" + target.Addr.String()},
	})
	var e *env
	ready := make(chan struct{}) // e is set
	e = startUA(t, telephony.Config{
		Trunks: []telephony.Trunk{{Name: "agents", Address: agent.Addr.String()}},
		Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
			<-ready
			if err := c.Answer(ctx); err != nil {
				return
			}
			a, err := e.ua.Dial(ctx, telephony.DialOptions{To: "agent7", Trunk: "agents", Parent: c})
			if err != nil {
				t.Errorf("dial agent: %v", err)
				return
			}
			if _, err := e.ua.NewBridge(c, a); err != nil {
				t.Errorf("bridge: %v", err)
				return
			}
			<-ctx.Done()
		}),
	})
	close(ready)
	defer e.stop()

	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_call_rtp.xml"),
		Target:   e.ua.SIPAddr().String(),
		Duration: 7 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*sipptest.Server{"agent": agent, "target": target} {
		r, err := s.Wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Err(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	e.waitIdle(t)
	c := e.onlyCall(t)
	if ev := e.eventTypes(t, c.ID); !containsAll(ev, "bridge", "transfer", "transferred", "unbridge") {
		t.Errorf("events %s", ev)
	}
	legs, err := e.st.Legs(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(legs) != 3 {
		t.Fatalf("legs %+v, want caller, agent and transfer target", legs)
	}
	if legs[1].EndReason != "transferred" || legs[2].Role != store.RoleAgent || legs[2].Answered.IsZero() {
		t.Errorf("legs %+v", legs)
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
	// The last seconds: the caller is bridged to the echoing target.
	seg := right[len(right)-2*f.SampleRate : len(right)-f.SampleRate/2]
	if p440, p1k := goertzel(seg, 440, f.SampleRate), goertzel(seg, 1000, f.SampleRate); p440 < 100*p1k || rms(seg) < 500 {
		t.Errorf("after the transfer the caller hears power at 440 Hz %.3g, 1 kHz %.3g, RMS %.0f: not its echoed tone", p440, p1k, rms(seg))
	}
}
