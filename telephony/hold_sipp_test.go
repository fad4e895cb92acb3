package telephony_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// TestHoldSIPp: a SIPp caller plays a tone, puts the call on hold
// (re-INVITE a=sendonly, answered recvonly), waits, takes it off hold
// (sendrecv) and plays again. The recording runs across the hold: one
// file from answer to hangup, the tone before and after, silence during.
func TestHoldSIPp(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	var mu sync.Mutex
	var live []string
	e := startUA(t, telephony.Config{OnEvent: func(ev telephony.CallEvent) {
		mu.Lock()
		live = append(live, ev.Type)
		mu.Unlock()
	}})
	defer e.stop()
	const part = 2 * time.Second
	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_hold.xml"),
		Target:   e.ua.SIPAddr().String(),
		Duration: part,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
	c := e.onlyCall(t)
	ev := e.eventTypes(t, c.ID)
	if !containsAll(ev, "answer", "hold", "unhold", "bye") {
		t.Errorf("events %s", ev)
	}
	mu.Lock()
	if got := strings.Join(live, ","); got != ev {
		t.Errorf("OnEvent saw %s, the store holds %s", got, ev)
	}
	mu.Unlock()
	rec, err := e.st.Recording(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Duration < 3*part-time.Second {
		t.Errorf("recording lasts %v, want about %v: it must run across the hold", rec.Duration, 3*part)
	}
	f, pcm, err := wav.ReadFile(filepath.Join(e.dataDir, filepath.FromSlash(rec.Path)))
	if err != nil {
		t.Fatal(err)
	}
	left := mediatest.Channel(pcm, 0, 2)
	sec := f.SampleRate
	n := len(left)
	window := func(from, to int) []int16 { return left[from:to] }
	before := window(sec/2, 3*sec/2)
	held := window(n/2-sec/2, n/2+sec/2)
	after := window(n-3*sec/2, n-sec/2)
	for name, seg := range map[string][]int16{"before hold": before, "after unhold": after} {
		if p440, p1k := goertzel(seg, 440, sec), goertzel(seg, 1000, sec); p440 < 100*p1k || rms(seg) < 1000 {
			t.Errorf("%s: no 440 Hz tone (440 Hz %.3g, 1 kHz %.3g, RMS %.0f)", name, p440, p1k, rms(seg))
		}
	}
	if r := rms(held); r > 100 {
		t.Errorf("on hold: RMS %.0f, want silence", r)
	}
}

// TestMalformedSIPp: SIPp sends requests with broken or unacceptable
// SDP, a non-SDP body, and in-dialog requests for no dialog: each gets
// its RFC answer (400, 488, 415, 481) and the UA keeps serving. Nothing
// is left behind.
func TestMalformedSIPp(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	e := startUA(t, telephony.Config{})
	defer e.stop()
	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_malformed.xml"),
		Target:   e.ua.SIPAddr().String(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
}
