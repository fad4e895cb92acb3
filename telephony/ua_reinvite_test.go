package telephony_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
)

// offerSDP is a caller's offer of version v with the given audio formats,
// connection address and direction.
func offerSDP(v int, addr, dir string, pts ...string) string {
	names := map[string]string{"0": "PCMU/8000", "8": "PCMA/8000"}
	s := "v=0\r\no=- 1 " + strconv.Itoa(v) + " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 " + addr + "\r\nt=0 0\r\nm=audio 40000 RTP/AVP " + strings.Join(pts, " ") + "\r\n"
	for _, pt := range pts {
		s += "a=rtpmap:" + pt + " " + names[pt] + "\r\n"
	}
	return s + "a=" + dir + "\r\n"
}

// dialog is a caller's established call to the UA, made with sipgo.
type dialog struct {
	t    *testing.T
	sess *sipgo.DialogClientSession
}

func dial(t *testing.T, cli *sipgo.Client, target, body string) *dialog {
	t.Helper()
	var recipient sip.Uri
	if err := sip.ParseUri("sip:parley@"+target, &recipient); err != nil {
		t.Fatal(err)
	}
	dua := sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "test", Host: "127.0.0.1", Port: 5999}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, err := dua.Invite(ctx, recipient, []byte(body), sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	return &dialog{t: t, sess: sess}
}

// request sends method in the dialog with body (none when empty), ACKs a
// 2xx to INVITE, and returns the final response.
func (d *dialog) request(method sip.RequestMethod, body string) *sip.Response {
	d.t.Helper()
	target := d.sess.InviteRequest.Recipient
	if c := d.sess.InviteResponse.Contact(); c != nil {
		target = c.Address
	}
	req := sip.NewRequest(method, target)
	if body != "" {
		req.SetBody([]byte(body))
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "test", Host: "127.0.0.1", Port: 5999}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := d.sess.Do(ctx, req)
	if err != nil {
		d.t.Fatalf("%s: %v", method, err)
	}
	if method == sip.INVITE && res.IsSuccess() {
		ack := sip.NewRequest(sip.ACK, target)
		ack.AppendHeader(sip.NewHeader("CSeq", strconv.Itoa(int(res.CSeq().SeqNo))+" ACK"))
		if err := d.sess.WriteRequest(ack); err != nil {
			d.t.Fatalf("ACK: %v", err)
		}
	}
	return res
}

// endless is a source that never ends: a 440 Hz tone.
func endless() media.Source {
	var n int
	return media.SourceFunc(func(pcm []int16) (int, error) {
		for i := range pcm {
			pcm[i] = int16(8000 * sinApprox(n))
			n++
		}
		return len(pcm), nil
	})
}

func sinApprox(n int) float64 {
	// A triangle wave is enough to be audio.
	p := float64(n%18) / 18
	if p < 0.5 {
		return 4*p - 1
	}
	return 3 - 4*p
}

func TestReInviteHoldUnholdRefresh(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	calls := make(chan *telephony.Call, 1)
	e := startUA(t, telephony.Config{Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
		if err := c.Answer(ctx); err != nil {
			t.Errorf("Answer: %v", err)
			return
		}
		c.Leg().Transmitter().Play(endless(), nil)
		calls <- c
		<-ctx.Done()
	})})
	defer e.stop()
	cli, closeCli := sipClient(t)
	defer closeCli()

	d := dial(t, cli, e.ua.SIPAddr().String(), offerSDP(1, "127.0.0.1", "sendrecv", "0", "8"))
	call := <-calls
	last := string(d.sess.InviteResponse.Body())
	for i, tc := range []struct {
		name    string
		method  sip.RequestMethod
		body    string
		status  int
		dir     string // a= direction in the answer, "" for no body
		hold    bool
		playing bool
		same    bool // the answer is the previous one, byte for byte
	}{
		{"refresh with the same offer", sip.INVITE, offerSDP(1, "127.0.0.1", "sendrecv", "0", "8"), 200, "sendrecv", false, true, true},
		{"refresh without an offer", sip.INVITE, "", 200, "sendrecv", false, true, true},
		{"hold sendonly", sip.INVITE, offerSDP(2, "127.0.0.1", "sendonly", "0", "8"), 200, "recvonly", true, false, false},
		{"hold inactive", sip.INVITE, offerSDP(3, "127.0.0.1", "inactive", "0", "8"), 200, "inactive", true, false, false},
		{"unhold", sip.INVITE, offerSDP(4, "127.0.0.1", "sendrecv", "0", "8"), 200, "sendrecv", false, false, false},
		{"hold c=0.0.0.0", sip.INVITE, offerSDP(5, "0.0.0.0", "sendrecv", "0", "8"), 200, "recvonly", true, false, false},
		{"unhold by UPDATE", sip.UPDATE, offerSDP(6, "127.0.0.1", "sendrecv", "8", "0"), 200, "sendrecv", false, false, false},
		{"UPDATE without offer", sip.UPDATE, "", 200, "", false, false, false},
		{"codec change refused", sip.INVITE, offerSDP(7, "127.0.0.1", "sendrecv", "8"), 488, "", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := d.request(tc.method, tc.body)
			if res.StatusCode != tc.status {
				t.Fatalf("step %d: %d %s, want %d", i, res.StatusCode, res.Reason, tc.status)
			}
			body := string(res.Body())
			if tc.status != 200 {
				if r := res.GetHeader("Reason"); r == nil || !strings.Contains(r.Value(), "cause=488") {
					t.Errorf("Reason = %v", r)
				}
				return
			}
			switch {
			case tc.dir == "" && body != "":
				t.Errorf("200 to offerless UPDATE has a body:\n%s", body)
			case tc.dir != "" && !strings.Contains(body, "a="+tc.dir+"\r\n"):
				t.Errorf("answer lacks a=%s:\n%s", tc.dir, body)
			case tc.dir != "" && !tc.same && !strings.Contains(body, " RTP/AVP 0\r\n"):
				t.Errorf("answer does not keep PCMU alone (payload 0):\n%s", body)
			}
			if tc.same && body != last {
				t.Errorf("refresh answer changed:\n%s\nwas\n%s", body, last)
			}
			if !tc.same && tc.dir != "" && body == last {
				t.Errorf("changed session answered with the previous SDP (o= version not raised)")
			}
			if body != "" {
				last = body
			}
			if got := call.OnHold(); got != tc.hold {
				t.Errorf("OnHold = %v, want %v", got, tc.hold)
			}
			if got := call.Leg().Transmitter().Muted(); got != tc.hold {
				t.Errorf("Transmitter muted = %v, want %v (nothing is sent on hold)", got, tc.hold)
			}
			if got := call.Leg().Transmitter().Playing(); got != tc.playing {
				t.Errorf("Transmitter playing = %v, want %v", got, tc.playing)
			}
		})
	}
	if res := d.request(sip.BYE, ""); res.StatusCode != 200 {
		t.Errorf("BYE: %d", res.StatusCode)
	}
	e.waitIdle(t)

	c := e.onlyCall(t)
	want := "invite,ringing,answer,refresh,refresh,hold,hold,unhold,hold,unhold,refresh,reoffer-refused,bye"
	if got := e.eventTypes(t, c.ID); got != want {
		t.Errorf("events =\n%s, want\n%s", got, want)
	}
	evs, err := e.st.Events(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, ev := range evs {
		var d struct{ Reason string }
		if len(ev.Detail) > 0 {
			if err := json.Unmarshal(ev.Detail, &d); err != nil {
				t.Errorf("event %s detail %s: %v", ev.Type, ev.Detail, err)
			}
			reasons[ev.Type] = d.Reason
		}
	}
	for typ, want := range map[string]string{"hold": "c=0.0.0.0", "unhold": "sendrecv", "reoffer-refused": "codec change from PCMU not supported mid-call"} {
		if reasons[typ] != want {
			t.Errorf("%s reason %q, want %q", typ, reasons[typ], want)
		}
	}
	if c.Disposition != store.Answered || c.Cause != "caller-hangup" {
		t.Errorf("call record %+v", c)
	}
}
