package telephony

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/parley-cc/parley/store"
)

// The fuzz driver's bounds. Each operation gets fzOpTimeout of its own
// and the driver waits fzOpWait for it before the next one (so that
// operations interleave); a whole input, hang-up included, must finish
// within fzInputLimit, or the call state machine deadlocked.
const (
	fzOpWait     = 60 * time.Millisecond
	fzOpTimeout  = 3 * time.Second
	fzInputLimit = 12 * time.Second
	fzSettle     = 2 * time.Second // for Calls, ports and goroutines to come back
	fzMaxOps     = 20
	// fzGoroutineSlack is how many goroutines above the idle count are
	// tolerated after an input: the fuzzing engine's own come and go.
	fzGoroutineSlack = 4
)

// FuzzCallStateMachine drives one real inbound call per input: a sipgo
// caller over loopback UDP (INVITE, ACK, CANCEL, BYE, re-INVITE, UPDATE,
// INFO, REFER, NOTIFY, RTP) and the Handler's calls on the *Call (Answer,
// Progress, Reject, Hangup, SendDigit, Transfer, the getters, Digits),
// interleaved as the input says. Whatever the order: no panic, every
// request the caller sends gets a sensible final response, the input ends
// within seconds, and once both sides have hung up the UA holds no call,
// no RTP port and no goroutine more than before.
func FuzzCallStateMachine(f *testing.F) {
	for _, s := range fzSeeds() {
		f.Add(s)
	}
	h := newFzHarness(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		h.run(t, data)
	})
}

// Operation codes: the byte after an operation's code holds its argument.
const (
	opFarAck = iota
	opFarBye
	opFarCancel
	opFarReInvite
	opFarUpdate
	opFarInfo
	opFarRefer
	opFarNotify
	opFarRTP
	opAnswer
	opProgress
	opReject
	opHangup
	opSendDigit
	opTransfer
	opRead
	opHandlerReturn
	opSleep
	opCount
)

// Initial offers, by the input's first byte.
const (
	offerFull     = iota // PCMU, PCMA, telephone-event
	offerPCMUOnly        // no telephone-event: SendDigit goes as INFO
	offerSendOnly        // on hold from the start
	offerGarbage         // 400 before the Handler
	offerNoCodec         // 488 before the Handler
	offerCount
)

func fzSeeds() [][]byte {
	sdp := func(kind byte) []byte { return []byte{kind} }
	return [][]byte{
		// answer, ACK, caller's BYE
		{offerFull, opAnswer, 0, opFarAck, 0, opFarBye, 0},
		// progress, answer, hold, unhold, BYE
		{offerFull, opProgress, 0, opFarRTP, 3, opAnswer, 0, opFarAck, 0, opFarReInvite, 1, opRead, 0, opFarReInvite, 0, opRead, 0, opFarBye, 0},
		// reject 486
		{offerFull, opReject, 1},
		// cancel while ringing
		{offerFull, opFarCancel, 0, opRead, 0},
		// cancel while early media
		{offerFull, opProgress, 0, opFarCancel, 0},
		// re-INVITE before the ACK (500), then ACK
		{offerFull, opAnswer, 0, opFarAck, 1, opFarReInvite, 0, opFarAck, 0, opFarBye, 0},
		// INFO digits, read, then Parley hangs up
		{offerFull, opAnswer, 0, opFarAck, 0, opFarInfo, 0, opFarInfo, 1, opFarInfo, 2, opFarInfo, 3, opRead, 0, opHangup, 0},
		// REFER while not bridged: 403
		{offerFull, opAnswer, 0, opFarAck, 0, opFarRefer, 5, 's', 'i', 'p', ':', '7', opRead, 0},
		// garbage SDP re-INVITE and UPDATE
		append(append([]byte{offerFull, opAnswer, 0, opFarAck, 0, opFarReInvite, 7, 8}, "v=0\r\nm=x"...), opFarUpdate, 6, opFarBye, 0),
		// hangup twice
		{offerFull, opAnswer, 0, opFarAck, 0, opHangup, 0, opHangup, 0, opFarBye, 0},
		// hangup while ringing, twice
		{offerFull, opHangup, 0, opHangup, 0, opAnswer, 0},
		// SendDigit over RTP and over INFO, Transfer accepted then NOTIFY 200
		{offerFull, opAnswer, 0, opFarAck, 0, opSendDigit, 5, opTransfer, 0, opFarNotify, 0, opFarNotify, 1},
		{offerPCMUOnly, opAnswer, 0, opFarAck, 0, opSendDigit, 11, opFarRTP, 4, opSleep, 10},
		// Transfer refused by the far end
		{offerFull, opAnswer, 0, opFarAck, 0, opTransfer, 1, opFarBye, 0},
		// held from the start; RTP time-out hangs up
		{offerSendOnly, opAnswer, 0, opFarAck, 0, opFarReInvite, 0, opSleep, 30},
		// unreadable offer, offer with no common codec
		sdp(offerGarbage),
		{offerNoCodec, opAnswer, 0},
		// the Handler returns while ringing (480), and once answered
		{offerFull, opHandlerReturn, 0},
		{offerFull, opAnswer, 0, opFarAck, 0, opHandlerReturn, 0, opFarBye, 0},
		// answer crossing CANCEL; reject after answer
		{offerFull, opAnswer, 0, opFarCancel, 0, opReject, 2, opFarAck, 0},
	}
}

// fzHarness is the UA under test and the far end, reused by every input
// of one fuzzing process; each input leaves them idle.
type fzHarness struct {
	ua     *UA
	served chan error
	calls  chan *fzHandled
	far    *fzFarEnd
	idle   int // goroutines between inputs
	tb     testing.TB
}

// fzHandled is a call the Handler holds until released.
type fzHandled struct {
	call    *Call
	release chan struct{}
}

func newFzHarness(f *testing.F) *fzHarness {
	dir := f.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "calls.db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	h := &fzHarness{calls: make(chan *fzHandled, 1), served: make(chan error, 1), tb: f}
	ua, err := NewUA(Config{
		Store: st, DataDir: dir, RecordingDir: filepath.Join(dir, "rec"),
		RTPTimeout: 400 * time.Millisecond,
		Log:        slog.New(slog.DiscardHandler),
		Handler:    HandlerFunc(h.handle),
	})
	if err != nil {
		f.Fatal(err)
	}
	h.ua = ua
	go func() { h.served <- ua.Serve(context.Background()) }()
	h.far = newFzFarEnd(f)
	f.Cleanup(func() {
		h.far.close()
		_ = ua.Close()
		<-h.served
		_ = st.Close()
	})
	// One call first: what the first call starts once (sipgo's
	// connections) is part of the idle count.
	h.run(f, fzSeeds()[0])
	time.Sleep(100 * time.Millisecond)
	h.idle = countGoroutines()
	return h
}

func (h *fzHarness) handle(ctx context.Context, c *Call) {
	hc := &fzHandled{call: c, release: make(chan struct{})}
	select {
	case h.calls <- hc:
	case <-ctx.Done():
		return
	}
	select {
	case <-hc.release:
	case <-ctx.Done():
	}
}

// fzRun is one input's call.
type fzRun struct {
	t    testing.TB
	h    *fzHarness
	in   fzInput
	far  *fzFarEnd
	call *fzHandled

	farMu    sync.Mutex // the caller does one thing at a time
	sess     *sipgo.DialogClientSession
	waCancel context.CancelFunc
	waDone   chan struct{} // closed once WaitAnswer returned
	waErr    error
	acked    bool
	released bool
	ops      sync.WaitGroup
}

func (h *fzHarness) run(t testing.TB, data []byte) {
	if n, p := h.ua.Calls(), h.ua.RTPPortsInUse(); n != 0 || p != 0 {
		t.Fatalf("before the input: %d calls, %d RTP ports in use", n, p)
	}
	start := time.Now()
	r := &fzRun{t: t, h: h, in: fzInput{b: data}, far: h.far, waDone: make(chan struct{})}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		r.drive()
	}()
	select {
	case <-finished:
	case <-time.After(fzInputLimit):
		t.Fatalf("input %q still running after %v (deadlock?)\n%s", data, fzInputLimit, allStacks())
	}
	r.checkIdle(start)
}

func (r *fzRun) drive() {
	if !r.invite() {
		return
	}
	for n := 0; n < fzMaxOps && r.in.more(); n++ {
		r.step(r.in.next() % opCount)
	}
	r.hangUpAll()
}

// invite sends the INVITE and waits for the Handler's call (or the
// INVITE's refusal). It reports whether there is a call to drive.
func (r *fzRun) invite() bool {
	kind := r.in.next() % offerCount
	ctx, cancel := context.WithTimeout(context.Background(), fzOpTimeout)
	defer cancel()
	sess, err := r.far.dua.Invite(ctx, r.far.uaURI(r.h.ua), fzOffer(kind, r.far.rtpPort()), sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		r.t.Errorf("INVITE: %v", err)
		return false
	}
	r.sess = sess
	r.far.setSession(sess)
	waCtx, waCancel := context.WithCancel(context.Background())
	r.waCancel = waCancel
	go func() {
		defer close(r.waDone)
		r.waErr = sess.WaitAnswer(waCtx, sipgo.AnswerOptions{})
	}()
	select {
	case hc := <-r.h.calls:
		r.call = hc
		return true
	case <-r.waDone:
		waCancel()
		if kind != offerGarbage && kind != offerNoCodec {
			r.t.Errorf("offer %d refused before the Handler: %v", kind, r.waErr)
		}
		var de *sipgo.ErrDialogResponse
		if !errors.As(r.waErr, &de) || de.Res.StatusCode < 400 {
			r.t.Errorf("offer %d: %v, want a 4xx", kind, r.waErr)
		}
		return false
	case <-time.After(fzOpTimeout):
		r.t.Errorf("no call reached the Handler in %v", fzOpTimeout)
		waCancel()
		return false
	}
}

// async runs op on its own goroutine with fzOpTimeout and waits fzOpWait
// for it.
func (r *fzRun) async(op func(ctx context.Context)) {
	done := make(chan struct{})
	r.ops.Add(1)
	go func() {
		defer r.ops.Done()
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), fzOpTimeout)
		defer cancel()
		op(ctx)
	}()
	select {
	case <-done:
	case <-time.After(fzOpWait):
	}
}

// farAsync is async for the caller's operations, one at a time and only
// once the INVITE has its final response (sipgo's dialog is not safe
// before).
func (r *fzRun) farAsync(op func(ctx context.Context, s *sipgo.DialogClientSession)) {
	select {
	case <-r.waDone:
	case <-time.After(fzOpWait):
		return // still ringing: the request would have no dialog
	}
	r.async(func(ctx context.Context) {
		r.farMu.Lock()
		defer r.farMu.Unlock()
		op(ctx, r.sess)
	})
}

func (r *fzRun) step(op byte) {
	c := r.call.call
	arg := r.in.next()
	switch op {
	case opFarAck:
		if arg%2 == 1 {
			return // not yet: leaves the 200 unacknowledged a while
		}
		r.farAsync(func(ctx context.Context, s *sipgo.DialogClientSession) { r.ack(ctx) })
	case opFarBye:
		r.farAsync(func(ctx context.Context, s *sipgo.DialogClientSession) { r.farBye(ctx) })
	case opFarCancel:
		r.waCancel()
	case opFarReInvite, opFarUpdate:
		method := sip.INVITE
		if op == opFarUpdate {
			method = sip.UPDATE
		}
		ct, body := r.in.sdp(arg, r.far.rtpPort())
		r.farAsync(func(ctx context.Context, s *sipgo.DialogClientSession) {
			r.request(ctx, method, ct, body, nil, 200, 400, 415, 481, 488, 500)
		})
	case opFarInfo:
		ct, body := r.in.info(arg)
		r.farAsync(func(ctx context.Context, s *sipgo.DialogClientSession) {
			r.request(ctx, sip.INFO, ct, body, nil, 200, 400, 415, 481, 500)
		})
	case opFarRefer:
		target := r.in.text(int(arg) % 40)
		if arg%7 == 0 {
			target = "sip:" + target + "@127.0.0.1"
		}
		hdrs := []sip.Header{sip.NewHeader("Refer-To", target)}
		var uri sip.Uri
		if sip.ParseUri(target, &uri) != nil {
			// sipgo's transport drops a request whose Refer-To is not a
			// URI (parse error, logged), so it gets no response at all:
			// send it, but expect nothing (seed 7c1e7c90cad7d720).
			r.farAsync(func(ctx context.Context, s *sipgo.DialogClientSession) {
				ctx, cancel := context.WithTimeout(ctx, 2*fzOpWait)
				defer cancel()
				r.request(ctx, sip.REFER, "", nil, hdrs, 0)
			})
			return
		}
		r.farAsync(func(ctx context.Context, s *sipgo.DialogClientSession) {
			r.request(ctx, sip.REFER, "", nil, hdrs, 400, 403, 481, 500)
		})
	case opFarNotify:
		body := []byte("SIP/2.0 " + strconv.Itoa([]int{200, 100, 486, 603, 0, 999}[int(arg)%6]) + " X\r\n")
		if arg >= 128 {
			body = []byte(r.in.text(int(arg) % 16))
		}
		hdrs := []sip.Header{sip.NewHeader("Event", []string{"refer", "dialog", "refer;id=1"}[int(arg)%3])}
		r.farAsync(func(ctx context.Context, s *sipgo.DialogClientSession) {
			r.request(ctx, sip.NOTIFY, "message/sipfrag;version=2.0", body, hdrs, 200, 400, 481, 489, 500)
		})
	case opFarRTP:
		r.farAsync(func(ctx context.Context, s *sipgo.DialogClientSession) { r.far.sendRTP(s, arg) })
	case opAnswer:
		r.async(func(ctx context.Context) { _ = c.Answer(ctx) })
	case opProgress:
		r.async(func(ctx context.Context) { _ = c.Progress(ctx) })
	case opReject:
		code := []int{486, 480, 603, 404, 0, 200, 999, 302, 699, 700}[int(arg)%10]
		r.async(func(ctx context.Context) { _ = c.Reject(code, r.in.textAt(arg)) })
	case opHangup:
		r.async(func(ctx context.Context) {
			err := c.Hangup(ctx)
			if err != nil && !errors.Is(err, ErrCallEnded) && ctx.Err() == nil && c.Ended() == false {
				r.t.Errorf("Hangup: %v, and the call is up", err)
			}
		})
	case opSendDigit:
		key := rune("0123456789*#ABCDx"[int(arg)%17])
		r.async(func(ctx context.Context) { _ = c.SendDigit(ctx, key, time.Duration(arg)*time.Millisecond) })
	case opTransfer:
		r.far.setReferStatus([]int{202, 403, 501}[int(arg)%3])
		target := "sip:other@127.0.0.1"
		if arg >= 128 {
			target = r.in.text(int(arg) % 24)
		}
		r.async(func(ctx context.Context) { _ = c.Transfer(ctx, target) })
	case opRead:
		r.read(c)
	case opHandlerReturn:
		r.release()
	case opSleep:
		time.Sleep(time.Duration(arg%32) * 10 * time.Millisecond)
	}
}

// read calls the getters, from the driver, while the call goes on.
func (r *fzRun) read(c *Call) {
	_, _, _ = c.OnHold(), c.Media(), c.Leg()
	if d, _ := c.End(); c.Ended() && d == store.DispositionUnknown {
		r.t.Errorf("ended call without a disposition")
	}
	for {
		select {
		case d := <-c.Digits():
			if !strings.ContainsRune("0123456789*#ABCD", d.Key) {
				r.t.Errorf("digit %q delivered", d.Key)
			}
		default:
			return
		}
	}
}

func (r *fzRun) release() {
	if !r.released {
		r.released = true
		close(r.call.release)
	}
}

// ack acknowledges a 2xx to the INVITE, once.
func (r *fzRun) ack(ctx context.Context) {
	res := r.sess.InviteResponse
	if r.acked || res == nil || !res.IsSuccess() {
		return
	}
	if err := r.sess.Ack(ctx); err != nil {
		r.t.Errorf("ACK: %v", err)
	}
	r.acked = true
}

func (r *fzRun) farBye(ctx context.Context) {
	if !r.acked || r.sess.LoadState() == sip.DialogStateEnded {
		return
	}
	if err := r.sess.Bye(ctx); err != nil {
		var de sipgo.ErrDialogResponse
		if !errors.As(err, &de) || de.Res.StatusCode != sip.StatusCallTransactionDoesNotExists {
			r.t.Errorf("caller's BYE: %v", err)
		}
	}
}

// request sends method in the dialog and checks its final status is one
// of want.
func (r *fzRun) request(ctx context.Context, method sip.RequestMethod, ct string, body []byte, hdrs []sip.Header, want ...int) {
	if r.sess.InviteResponse == nil || !r.sess.InviteResponse.IsSuccess() {
		return
	}
	target := r.sess.InviteRequest.Recipient
	if c := r.sess.InviteResponse.Contact(); c != nil {
		target = c.Address
	}
	req := sip.NewRequest(method, target)
	if body != nil {
		req.SetBody(body)
	}
	if ct != "" {
		req.AppendHeader(sip.NewHeader("Content-Type", ct))
	}
	for _, h := range hdrs {
		req.AppendHeader(h)
	}
	res, err := r.sess.Do(ctx, req)
	if len(want) == 1 && want[0] == 0 {
		return // a request the far end's parser drops: any outcome
	}
	if err != nil {
		r.t.Errorf("%s got no final response: %v", method, err)
		return
	}
	if method == sip.INVITE && res.IsSuccess() {
		ack := sip.NewRequest(sip.ACK, target)
		ack.AppendHeader(sip.NewHeader("CSeq", strconv.Itoa(int(res.CSeq().SeqNo))+" ACK"))
		if err := r.sess.WriteRequest(ack); err != nil {
			r.t.Errorf("ACK of the re-INVITE: %v", err)
		}
	}
	for _, w := range want {
		if res.StatusCode == w {
			return
		}
	}
	r.t.Errorf("%s answered %d %s, want one of %v", method, res.StatusCode, res.Reason, want)
}

// hangUpAll ends the input: the caller cancels or hangs up, then the
// Handler hangs up and returns.
func (r *fzRun) hangUpAll() {
	select {
	case <-r.waDone:
	case <-time.After(fzOpWait):
		r.waCancel() // still ringing: the caller gives up
	}
	select {
	case <-r.waDone:
	case <-time.After(fzOpTimeout):
		r.t.Errorf("the INVITE has no final response %v after CANCEL", fzOpTimeout)
	}
	r.waCancel()
	r.farMu.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), fzOpTimeout)
	r.ack(ctx)
	r.farBye(ctx)
	cancel()
	r.farMu.Unlock()
	c := r.call.call
	select {
	case <-c.Done():
	case <-time.After(fzOpWait):
	}
	ctx, cancel = context.WithTimeout(context.Background(), fzOpTimeout)
	_ = c.Hangup(ctx)
	cancel()
	r.release()
	r.ops.Wait()
	select {
	case <-c.Done():
	case <-time.After(fzSettle):
		r.t.Errorf("call still up after both sides hung up")
	}
	if d, _ := c.End(); d == store.DispositionUnknown {
		r.t.Errorf("ended call without a disposition")
	}
	r.far.setSession(nil)
}

// checkIdle waits for the UA to hold no call, no RTP port and no
// goroutine more than when idle.
func (r *fzRun) checkIdle(start time.Time) {
	deadline := time.Now().Add(fzSettle)
	for {
		calls, ports, gs := r.h.ua.Calls(), r.h.ua.RTPPortsInUse(), countGoroutines()
		if calls == 0 && ports == 0 && (r.h.idle == 0 || gs <= r.h.idle+fzGoroutineSlack) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%v after the input (%v): %d calls, %d RTP ports, %d goroutines (idle %d)\n%s",
				fzSettle, time.Since(start).Round(time.Millisecond), calls, ports, gs, r.h.idle, allStacks())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countGoroutines counts the running goroutines but sipgo's ACK
// hand-offs: an ACK nobody takes from its INVITE transaction waits on a
// goroutine of its own until the transaction ends (Timer L, 32 s), a
// bounded linger of sipgo's, not a leak of Parley's.
func countGoroutines() int {
	n := 0
	for _, g := range strings.Split(allStacks(), "\n\n") {
		if !strings.Contains(g, "sip.(*ServerTx).ackSend(") {
			n++
		}
	}
	return n
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// fzInput reads an input's bytes; past the end it reads zeros.
type fzInput struct {
	b []byte
	i int
}

func (in *fzInput) more() bool { return in.i < len(in.b) }

func (in *fzInput) next() byte {
	if in.i >= len(in.b) {
		return 0
	}
	in.i++
	return in.b[in.i-1]
}

// text takes n bytes as a header-safe string (no CR, LF or NUL).
func (in *fzInput) text(n int) string {
	var sb strings.Builder
	for range n {
		ch := in.next()
		if ch < 0x20 || ch == 0x7f {
			ch = 'a' + ch%26
		}
		sb.WriteByte(ch)
	}
	return sb.String()
}

// textAt is a reason text for arg: empty or a few bytes.
func (in *fzInput) textAt(arg byte) string {
	if arg < 100 {
		return ""
	}
	return in.text(int(arg) % 12)
}

// sdp is a re-offer's content type and body chosen by arg.
func (in *fzInput) sdp(arg byte, port int) (string, []byte) {
	dirs := []string{"sendrecv", "sendonly", "recvonly", "inactive"}
	switch arg % 10 {
	case 0, 1, 2, 3:
		return "application/sdp", fzSDP(2+int(arg), "127.0.0.1", port, dirs[arg%4], "0", "8", "101")
	case 4:
		return "application/sdp", fzSDP(2+int(arg), "0.0.0.0", port, "sendrecv", "0", "8", "101")
	case 5:
		return "application/sdp", fzSDP(2+int(arg), "127.0.0.1", port, "sendrecv", "8")
	case 6:
		return "", nil // offerless
	case 7:
		return "application/sdp", []byte(in.text(int(in.next()) % 64))
	case 8:
		return "text/plain", []byte("hello")
	}
	return "application/sdp", fzSDP(1, "127.0.0.1", port+2, dirs[arg/10%4], "0", "101")
}

// info is an INFO's content type and body chosen by arg.
func (in *fzInput) info(arg byte) (string, []byte) {
	keys := "0123456789*#ABCD"
	switch arg % 6 {
	case 0:
		return "application/dtmf-relay", []byte("Signal=" + string(keys[int(arg/6)%16]) + "\r\nDuration=" + strconv.Itoa(int(arg)*10) + "\r\n")
	case 1:
		return "application/dtmf", []byte{keys[int(arg/6)%16]}
	case 2:
		return "application/dtmf-relay", []byte(in.text(int(in.next()) % 32))
	case 3:
		return "", nil // keep-alive
	case 4:
		return "application/json", []byte("{}")
	}
	return "application/dtmf-relay", []byte("Signal=" + strconv.Itoa(int(arg)%20) + "\r\nDuration=-1\r\n")
}

// fzSDP is a caller's offer.
func fzSDP(version int, addr string, port int, dir string, pts ...string) []byte {
	names := map[string]string{"0": "PCMU/8000", "8": "PCMA/8000", "101": "telephone-event/8000", "99": "nothing/8000"}
	s := "v=0\r\no=- 1 " + strconv.Itoa(version) + " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 " + addr + "\r\nt=0 0\r\nm=audio " + strconv.Itoa(port) + " RTP/AVP " + strings.Join(pts, " ") + "\r\n"
	for _, pt := range pts {
		s += "a=rtpmap:" + pt + " " + names[pt] + "\r\n"
	}
	return []byte(s + "a=" + dir + "\r\n")
}

func fzOffer(kind byte, port int) []byte {
	switch kind {
	case offerPCMUOnly:
		return fzSDP(1, "127.0.0.1", port, "sendrecv", "0")
	case offerSendOnly:
		return fzSDP(1, "127.0.0.1", port, "sendonly", "0", "8", "101")
	case offerGarbage:
		return []byte("v=0\r\nthis is not SDP")
	case offerNoCodec:
		return fzSDP(1, "127.0.0.1", port, "sendrecv", "99")
	}
	return fzSDP(1, "127.0.0.1", port, "sendrecv", "0", "8", "101")
}

// fzFarEnd is the caller: a sipgo user agent serving its own UDP socket
// (so that Parley's BYE, INFO, REFER and NOTIFY reach it) and an RTP
// socket.
type fzFarEnd struct {
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	dua    *sipgo.DialogUA
	conn   net.PacketConn
	rtp    *net.UDPConn
	served chan error

	mu          sync.Mutex
	sess        *sipgo.DialogClientSession
	referStatus int
	seq         uint16
}

func newFzFarEnd(tb testing.TB) *fzFarEnd {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	rtpConn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	fe := &fzFarEnd{conn: conn, rtp: rtpConn, served: make(chan error, 1), referStatus: 202}
	if fe.ua, err = sipgo.NewUA(sipgo.WithUserAgent("fuzz-caller")); err != nil {
		tb.Fatal(err)
	}
	if fe.srv, err = sipgo.NewServer(fe.ua, sipgo.WithServerLogger(slog.New(slog.DiscardHandler))); err != nil {
		tb.Fatal(err)
	}
	addr := conn.LocalAddr().(*net.UDPAddr)
	cli, err := sipgo.NewClient(fe.ua, sipgo.WithClientHostname("127.0.0.1"),
		sipgo.WithClientConnectionAddr(addr.String()), sipgo.WithClientLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		tb.Fatal(err)
	}
	fe.dua = &sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: "caller", Host: "127.0.0.1", Port: addr.Port}}}
	fe.srv.OnBye(fe.onBye)
	fe.srv.OnInfo(func(req *sip.Request, tx sip.ServerTransaction) { respond(req, tx, sip.StatusOK) })
	fe.srv.OnNotify(func(req *sip.Request, tx sip.ServerTransaction) { respond(req, tx, sip.StatusOK) })
	fe.srv.OnRefer(func(req *sip.Request, tx sip.ServerTransaction) {
		fe.mu.Lock()
		st := fe.referStatus
		fe.mu.Unlock()
		respond(req, tx, st)
	})
	fe.srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) { respond(req, tx, sip.StatusNotImplemented) })
	fe.srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {})
	go func() { fe.served <- fe.srv.ServeUDP(conn) }()
	// Requests leave from the served socket once the transport holds it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if c, err := fe.ua.TransportLayer().GetConnection("udp", addr.String()); err == nil && c != nil {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatal("the fuzz caller's SIP socket is not served")
		}
		time.Sleep(time.Millisecond)
	}
	return fe
}

func (fe *fzFarEnd) close() {
	_ = fe.conn.Close()
	_ = fe.rtp.Close()
	_ = fe.srv.Close()
	_ = fe.dua.Client.Close()
	_ = fe.ua.Close()
	<-fe.served
}

func (fe *fzFarEnd) rtpPort() int { return fe.rtp.LocalAddr().(*net.UDPAddr).Port }

func (fe *fzFarEnd) uaURI(u *UA) sip.Uri {
	a := u.SIPAddr()
	return sip.Uri{Scheme: "sip", User: "parley", Host: a.Addr().String(), Port: int(a.Port())}
}

func (fe *fzFarEnd) setSession(s *sipgo.DialogClientSession) {
	fe.mu.Lock()
	fe.sess = s
	fe.mu.Unlock()
}

func (fe *fzFarEnd) setReferStatus(st int) {
	fe.mu.Lock()
	fe.referStatus = st
	fe.mu.Unlock()
}

// onBye answers Parley's BYE for the current call, 481 for another.
func (fe *fzFarEnd) onBye(req *sip.Request, tx sip.ServerTransaction) {
	fe.mu.Lock()
	s := fe.sess
	fe.mu.Unlock()
	if s == nil || sipCallID(req) != sipCallID(s.InviteRequest) {
		respond(req, tx, sip.StatusCallTransactionDoesNotExists)
		return
	}
	_ = s.ReadBye(req, tx)
}

// sendRTP sends a few packets to the media address Parley answered:
// PCMU silence, or a telephone-event for a key (arg odd).
func (fe *fzFarEnd) sendRTP(s *sipgo.DialogClientSession, arg byte) {
	if s.InviteResponse == nil || !s.InviteResponse.IsSuccess() && s.InviteResponse.StatusCode != sip.StatusSessionInProgress {
		return
	}
	m, err := ParseAnswer(s.InviteResponse.Body(), DefaultCapabilities())
	if err != nil || !m.Remote.IsValid() {
		return
	}
	dst := net.UDPAddrFromAddrPort(m.Remote)
	fe.mu.Lock()
	defer fe.mu.Unlock()
	for i := range int(arg%8) + 1 {
		fe.seq++
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: fe.seq, Timestamp: uint32(fe.seq) * 160, SSRC: 0x1234}, Payload: make([]byte, 160)}
		if arg%2 == 1 {
			// RFC 4733 event: code, E bit on the last, volume, duration.
			end := byte(0)
			if i == int(arg%8) {
				end = 0x80
			}
			p.PayloadType, p.Timestamp = 101, 1000
			p.Payload = []byte{arg / 8 % 16, end | 10, 0, byte(160 * (i + 1))}
		}
		b, err := p.Marshal()
		if err != nil {
			return
		}
		_, _ = fe.rtp.WriteToUDP(b, dst)
	}
}
