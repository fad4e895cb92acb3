package telephony_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
)

// sipClient sends requests to the UA with sipgo.
func sipClient(t *testing.T) (*sipgo.Client, func()) {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test"))
	if err != nil {
		t.Fatal(err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	return cli, func() { _ = cli.Close(); _ = ua.Close() }
}

// invite sends an INVITE with body and returns its final response.
func invite(t *testing.T, cli *sipgo.Client, target string, body string) *sip.Response {
	t.Helper()
	recipient := sip.Uri{Scheme: "sip", User: "parley"}
	if err := sip.ParseUri("sip:parley@"+target, &recipient); err != nil {
		t.Fatal(err)
	}
	req := sip.NewRequest(sip.INVITE, recipient)
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "test", Host: "127.0.0.1", Port: 5999}})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody([]byte(body))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := cli.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

const g729Offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"

func TestInviteBadOffer(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	e := startUA(t, telephony.Config{})
	defer e.stop()
	cli, closeCli := sipClient(t)
	defer closeCli()

	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"garbage", "this is not SDP", 400},
		{"no audio codec in common", g729Offer, 488},
		{"no body", "", 488},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := invite(t, cli, e.ua.SIPAddr().String(), tc.body)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d %s, want %d", res.StatusCode, res.Reason, tc.status)
			}
			r := res.GetHeader("Reason")
			if r == nil || !strings.HasPrefix(r.Value(), "SIP;cause="+itoa(tc.status)+`;text="`) {
				t.Errorf("Reason header %v, want SIP;cause=%d;text=...", r, tc.status)
			}
		})
	}
	e.waitIdle(t)
	p, err := e.st.ListCalls(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Calls) != 3 {
		t.Fatalf("%d call records, want 3", len(p.Calls))
	}
	for _, c := range p.Calls {
		if c.Disposition != store.Rejected || (c.SIPCode != 400 && c.SIPCode != 488) || c.Ended.IsZero() {
			t.Errorf("call record %+v, want rejected with 400 or 488", c)
		}
	}
	if n := countFiles(t, e.recDir); n != 0 {
		t.Errorf("%d recording files for rejected calls", n)
	}
}

func itoa(n int) string {
	return strings.TrimLeft(string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)}), "0")
}

func TestOptions(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	e := startUA(t, telephony.Config{})
	defer e.stop()
	cli, closeCli := sipClient(t)
	defer closeCli()

	var recipient sip.Uri
	if err := sip.ParseUri("sip:parley@"+e.ua.SIPAddr().String(), &recipient); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := cli.Do(ctx, sip.NewRequest(sip.OPTIONS, recipient))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("OPTIONS: %d %s", res.StatusCode, res.Reason)
	}
	allow := res.GetHeader("Allow")
	if allow == nil || !strings.Contains(allow.Value(), "INVITE") || !strings.Contains(allow.Value(), "BYE") {
		t.Errorf("Allow = %v", allow)
	}
	if a := res.GetHeader("Accept"); a == nil || a.Value() != "application/sdp" {
		t.Errorf("Accept = %v", a)
	}
}

func TestMaxCalls(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	e := startUA(t, telephony.Config{MaxCalls: 1, Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
		<-ctx.Done() // never answers: the first call holds the only slot
	})})
	defer e.stop()
	cli, closeCli := sipClient(t)
	defer closeCli()

	first := make(chan *sip.Response, 1)
	go func() {
		// Ends with 503 when the UA shuts down.
		first <- invite(t, cli, e.ua.SIPAddr().String(), pcmuOffer)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for e.ua.Calls() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("first call never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	res := invite(t, cli, e.ua.SIPAddr().String(), pcmuOffer)
	if res.StatusCode != 503 || res.GetHeader("Retry-After") == nil {
		t.Errorf("second call: %d %s (Retry-After %v), want 503 with Retry-After", res.StatusCode, res.Reason, res.GetHeader("Retry-After"))
	}
	_ = e.ua.Close()
	if r := <-first; r.StatusCode != 503 {
		t.Errorf("ringing call at shutdown: %d, want 503", r.StatusCode)
	}
}

const pcmuOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
