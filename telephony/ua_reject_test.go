package telephony_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
)

func TestRejectDispositions(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	for _, tc := range []struct {
		code         int
		reason, want string // want: the cause recorded and sent
		text         string // status line
	}{
		{486, "", "busy", "Busy Here"},
		{486, "queue full", "queue full", "Busy Here"},
		{480, "", "temporarily-unavailable", "Temporarily Unavailable"},
		{480, "closed hours", "closed hours", "Temporarily Unavailable"},
		{603, "", "declined", "Decline"},
		{603, "blocked caller", "blocked caller", "Decline"},
	} {
		t.Run(strconv.Itoa(tc.code)+" "+tc.want, func(t *testing.T) {
			rejected := make(chan error, 1)
			e := startUA(t, telephony.Config{Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
				err := c.Reject(tc.code, tc.reason)
				if err == nil {
					if err2 := c.Answer(ctx); err2 != telephony.ErrCallEnded {
						err = err2
					}
				}
				rejected <- err
			})})
			defer e.stop()
			cli, closeCli := sipClient(t)
			defer closeCli()

			res := invite(t, cli, e.ua.SIPAddr().String(), pcmuOffer)
			if err := <-rejected; err != nil {
				t.Fatalf("Reject: %v", err)
			}
			if res.StatusCode != tc.code || res.Reason != tc.text {
				t.Errorf("response %d %s, want %d %s", res.StatusCode, res.Reason, tc.code, tc.text)
			}
			wantReason := "SIP;cause=" + strconv.Itoa(tc.code) + `;text="` + tc.want + `"`
			if r := res.GetHeader("Reason"); r == nil || r.Value() != wantReason {
				t.Errorf("Reason = %v, want %s", r, wantReason)
			}
			e.waitIdle(t)
			c := e.onlyCall(t)
			if c.Disposition != store.Rejected || c.Cause != tc.want || c.SIPCode != tc.code || !c.Answered.IsZero() {
				t.Errorf("call record %+v, want rejected, cause %q, SIP %d", c, tc.want, tc.code)
			}
			if got, want := e.eventTypes(t, c.ID), "invite,ringing,reject"; got != want {
				t.Errorf("events = %s, want %s", got, want)
			}
		})
	}
}

// TestProgressEarlyMedia: the handler plays audio after 183 and before
// 200; the caller receives RTP before the answer, and the 200 carries the
// SDP of the 183.
func TestProgressEarlyMedia(t *testing.T) {
	defer mediatest.CheckGoroutinesWithin(t, 10*time.Second)()
	answer, answered := make(chan struct{}), make(chan struct{})
	e := startUA(t, telephony.Config{Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
		if err := c.Progress(ctx); err != nil {
			t.Errorf("Progress: %v", err)
			return
		}
		if err := c.Progress(ctx); err != nil {
			t.Errorf("second Progress: %v", err)
		}
		c.Leg().Transmitter().Play(endless(), nil)
		select {
		case <-answer:
		case <-ctx.Done():
			return
		}
		if err := c.Answer(ctx); err != nil {
			t.Errorf("Answer: %v", err)
			return
		}
		if err := c.Progress(ctx); err != telephony.ErrAnswered {
			t.Errorf("Progress after Answer: %v, want ErrAnswered", err)
		}
		close(answered)
		<-ctx.Done()
	})})
	defer e.stop()
	cli, closeCli := sipClient(t)
	defer closeCli()

	rtp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rtp.Close()
	port := rtp.LocalAddr().(*net.UDPAddr).Port
	offer := strings.Replace(offerSDP(1, "127.0.0.1", "sendrecv", "0"), "m=audio 40000", "m=audio "+strconv.Itoa(port), 1)

	var recipient sip.Uri
	if err := sip.ParseUri("sip:parley@"+e.ua.SIPAddr().String(), &recipient); err != nil {
		t.Fatal(err)
	}
	dua := sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "test", Host: "127.0.0.1", Port: 5999}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, err := dua.Invite(ctx, recipient, []byte(offer), sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		t.Fatal(err)
	}
	var early []byte
	earlyRTP := make(chan int, 1)
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
		if res.StatusCode != 183 {
			return nil
		}
		early = res.Body()
		// Count the early media before letting the handler answer.
		buf := make([]byte, 1500)
		n := 0
		_ = rtp.SetReadDeadline(time.Now().Add(2 * time.Second))
		for n < 10 {
			if _, _, err := rtp.ReadFrom(buf); err != nil {
				break
			}
			n++
		}
		earlyRTP <- n
		close(answer)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	if n := <-earlyRTP; n < 10 {
		t.Errorf("%d RTP packets of early media before the answer, want 10", n)
	}
	if len(early) == 0 || string(early) != string(sess.InviteResponse.Body()) {
		t.Errorf("183 SDP\n%s\ndiffers from 200 SDP\n%s", early, sess.InviteResponse.Body())
	}
	select { // a BYE crossing the ACK would end sipgo's wait for it
	case <-answered:
	case <-ctx.Done():
		t.Fatal("call never answered")
	}
	if err := sess.Bye(ctx); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
	c := e.onlyCall(t)
	if got, want := e.eventTypes(t, c.ID), "invite,ringing,progress,answer,bye"; got != want {
		t.Errorf("events = %s, want %s", got, want)
	}
	if c.Disposition != store.Answered {
		t.Errorf("call record %+v", c)
	}
	rec, err := e.st.Recording(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Ended.Sub(c.Answered); rec.Duration < d {
		t.Errorf("recording %v shorter than the answered call %v: early media missing", rec.Duration, d)
	}
}
