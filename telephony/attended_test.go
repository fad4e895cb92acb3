package telephony_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// agentPhone is an agent's SIP phone for the attended-transfer test, on
// sipgo over loopback UDP: it auto-answers, places a consultation call,
// sends REFER with Replaces and counts the BYEs and NOTIFYs it gets.
type agentPhone struct {
	t      *testing.T
	addr   string
	rtp    net.PacketConn // sinks the RTP Parley sends
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	cli    *sipgo.Client
	dua    *sipgo.DialogUA
	served chan struct{}

	mu       sync.Mutex
	inbound  []*sipgo.DialogServerSession
	outbound []*sipgo.DialogClientSession
	byes     int
	notifies []string
}

func startAgentPhone(t *testing.T) *agentPhone {
	t.Helper()
	p := &agentPhone{t: t, served: make(chan struct{})}
	var err error
	if p.rtp, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = conn.LocalAddr().String()
	if p.ua, err = sipgo.NewUA(sipgo.WithUserAgent("agent-phone")); err != nil {
		t.Fatal(err)
	}
	if p.srv, err = sipgo.NewServer(p.ua); err != nil {
		t.Fatal(err)
	}
	if p.cli, err = sipgo.NewClient(p.ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientConnectionAddr(p.addr)); err != nil {
		t.Fatal(err)
	}
	host, port, _ := sip.ParseAddr(p.addr)
	p.dua = &sipgo.DialogUA{Client: p.cli, ContactHDR: sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "agentA", Host: host, Port: port}}}
	p.srv.OnInvite(p.onInvite)
	p.srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		if d := p.serverDialog(req); d != nil {
			_ = d.ReadAck(req, tx)
		}
	})
	p.srv.OnBye(p.onBye)
	p.srv.OnNotify(func(req *sip.Request, tx sip.ServerTransaction) {
		p.mu.Lock()
		p.notifies = append(p.notifies, strings.TrimSpace(string(req.Body())))
		p.mu.Unlock()
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	go func() { defer close(p.served); _ = p.srv.ServeUDP(conn) }()
	t.Cleanup(func() {
		_ = p.cli.Close()
		_ = p.srv.Close()
		_ = p.ua.Close()
		_ = conn.Close()
		_ = p.rtp.Close()
		<-p.served
	})
	return p
}

func (p *agentPhone) sdp() []byte {
	port := p.rtp.LocalAddr().(*net.UDPAddr).Port
	return []byte(fmt.Sprintf("v=0\r\no=agent 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n", port))
}

func (p *agentPhone) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	d, err := p.dua.ReadInvite(req, tx)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, err.Error(), nil))
		return
	}
	p.mu.Lock()
	p.inbound = append(p.inbound, d)
	p.mu.Unlock()
	_ = d.RespondSDP(p.sdp()) // returns at the ACK; the transaction ends with the handler
}

func (p *agentPhone) serverDialog(req *sip.Request) *sipgo.DialogServerSession {
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.inbound {
		if d.ID == id {
			return d
		}
	}
	return nil
}

func (p *agentPhone) onBye(req *sip.Request, tx sip.ServerTransaction) {
	p.mu.Lock()
	p.byes++
	outs := append([]*sipgo.DialogClientSession(nil), p.outbound...)
	p.mu.Unlock()
	if d := p.serverDialog(req); d != nil {
		_ = d.ReadBye(req, tx)
		return
	}
	for _, d := range outs {
		if d.ReadBye(req, tx) == nil {
			return
		}
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
}

// consult calls user at Parley and returns the established dialog.
func (p *agentPhone) consult(ctx context.Context, parley netip, user string) *sipgo.DialogClientSession {
	p.t.Helper()
	d, err := p.dua.Invite(ctx, sip.Uri{Scheme: "sip", User: user, Host: parley.host, Port: parley.port}, p.sdp(), sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		p.t.Fatal(err)
	}
	if err := d.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		p.t.Fatal(err)
	}
	if err := d.Ack(ctx); err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.outbound = append(p.outbound, d)
	p.mu.Unlock()
	return d
}

type netip struct {
	host string
	port int
}

// TestAttendedTransferFromAgent: a SIPp caller (440 Hz tone) is bridged
// to agent A's phone; A calls agent B through Parley (a consultation,
// bridged to B, a SIPp endpoint echoing its RTP), then transfers the
// caller to B with REFER and Replaces naming the consultation. Parley
// bridges the caller to B, NOTIFYs A (200) and hangs up both of A's
// calls; B's leg moves into the caller's record and ends with it. The
// caller hears its tone echoed by B at the end of the call.
func TestAttendedTransferFromAgent(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 10*time.Second)) // after the phone's cleanup
	b := startFarEnd(t, "uas_answer.xml", sipptest.Options{RTPEcho: true})
	phone := startAgentPhone(t)
	var e *env
	ready := make(chan struct{})
	e = startUA(t, telephony.Config{
		Trunks: []telephony.Trunk{{Name: "agents", Address: b.Addr.String()}},
		Handler: telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
			<-ready
			if err := c.Answer(ctx); err != nil {
				return
			}
			to := c.To()
			dial := telephony.DialOptions{To: "sip:agentA@" + phone.addr, Parent: c}
			if strings.Contains(to, "agentB@") {
				dial = telephony.DialOptions{To: "agentB", Trunk: "agents", Parent: c}
			}
			leg, err := e.ua.Dial(ctx, dial)
			if err != nil {
				t.Errorf("dial %s: %v", dial.To, err)
				return
			}
			if _, err := e.ua.NewBridge(c, leg); err != nil {
				t.Errorf("bridge: %v", err)
				return
			}
			<-ctx.Done()
		}),
	})
	close(ready)
	defer e.stop()
	parley := netip{host: "127.0.0.1", port: int(e.ua.SIPAddr().Port())}

	caller := make(chan error, 1)
	go func() {
		res, err := sipptest.Run(context.Background(), t, sipptest.Options{
			Scenario: sipptest.Scenario("uac_call_rtp.xml"),
			Target:   e.ua.SIPAddr().String(),
			Duration: 7 * time.Second,
		})
		if err == nil {
			err = res.Err()
		}
		caller <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Wait for Parley's call to agent A, then consult B.
	var d1 *sipgo.DialogServerSession
	for d1 == nil {
		phone.mu.Lock()
		if len(phone.inbound) > 0 && phone.inbound[0].LoadState() == sip.DialogStateConfirmed {
			d1 = phone.inbound[0]
		}
		phone.mu.Unlock()
		if ctx.Err() != nil {
			t.Fatal("Parley never called agent A")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d2 := phone.consult(ctx, parley, "agentB")
	time.Sleep(time.Second)

	// REFER on the caller's dialog, replacing the consultation.
	callID := d2.InviteRequest.CallID().Value()
	fromTag, _ := d2.InviteRequest.From().Params.Get("tag")
	toTag, _ := d2.InviteResponse.To().Params.Get("tag")
	target := sip.Uri{Scheme: "sip", User: "agentB", Host: parley.host, Port: parley.port}
	target.Headers = sip.NewParams()
	target.Headers.Add("Replaces", url.QueryEscape(callID+";to-tag="+toTag+";from-tag="+fromTag))
	refer := sip.NewRequest(sip.REFER, d1.InviteRequest.Contact().Address)
	refer.AppendHeader(&sip.ReferToHeader{Address: target})
	res, err := d1.Do(ctx, refer)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 202 {
		t.Fatalf("REFER answered %d %s", res.StatusCode, res.Reason)
	}
	if err := <-caller; err != nil {
		t.Fatal(err)
	}
	bres, err := b.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := bres.Err(); err != nil {
		t.Errorf("agent B: %v", err)
	}
	e.waitIdle(t)

	phone.mu.Lock()
	byes, notifies := phone.byes, strings.Join(phone.notifies, " | ")
	phone.mu.Unlock()
	if byes != 2 || !strings.Contains(notifies, "SIP/2.0 200") {
		t.Errorf("agent A got %d BYEs (want 2: both calls) and NOTIFYs %q", byes, notifies)
	}
	p, err := e.st.ListCalls(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var rec store.Call
	for _, c := range p.Calls {
		if strings.Contains(c.FromURI, "sipp") {
			rec = c
		}
	}
	if rec.ID == "" {
		t.Fatalf("no record of the caller's call among %+v", p.Calls)
	}
	if ev := e.eventTypes(t, rec.ID); !containsAll(ev, "transfer", "transferred") {
		t.Errorf("caller's events %s", ev)
	}
	legs, err := e.st.Legs(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(legs) != 3 || legs[1].EndReason != "transferred" || legs[2].Role != store.RoleAgent || legs[2].Ended.IsZero() {
		t.Errorf("caller's legs %+v, want caller, agent A (transferred) and agent B (moved in, ended with the caller)", legs)
	}
	r, err := e.st.Recording(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, pcm, err := wav.ReadFile(filepath.Join(e.dataDir, filepath.FromSlash(r.Path)))
	if err != nil {
		t.Fatal(err)
	}
	right := mediatest.Channel(pcm, 1, 2)
	seg := right[len(right)-2*f.SampleRate : len(right)-f.SampleRate/2]
	if p440, p1k := goertzel(seg, 440, f.SampleRate), goertzel(seg, 1000, f.SampleRate); p440 < 100*p1k || rms(seg) < 500 {
		t.Errorf("after the transfer the caller hears 440 Hz %.3g, 1 kHz %.3g, RMS %.0f: not its tone echoed by B", p440, p1k, rms(seg))
	}
}
