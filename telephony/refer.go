package telephony

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/store"
)

// transferTimeout bounds the ringing of a transfer target.
const transferTimeout = 45 * time.Second

// onRefer takes a REFER within a call (RFC 3515): a phone in a bridge
// (an agent) transfers the other party. A Refer-To without Replaces is a
// blind transfer: Parley calls the target (a registered user's phones, or
// the number through TransferTrunk), bridges the other party to it and
// hangs up the referrer. With Replaces (RFC 3891) it is an attended
// transfer: the referrer's consultation call with the target, also
// through Parley, is replaced by a bridge between the other party and the
// target, and both of the referrer's calls end. Progress goes back as
// NOTIFY with message/sipfrag; a failed transfer leaves the referrer's
// bridge as it was.
func (u *UA) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callOf(req)
	if c == nil {
		respond(req, tx, sip.StatusCallTransactionDoesNotExists)
		return
	}
	if err := c.sd.ReadRequest(req, tx); err != nil {
		respond(req, tx, sip.StatusInternalServerError, sip.NewHeader("Retry-After", "1"), reasonHeader(sip.StatusInternalServerError, "CSeq out of order"))
		return
	}
	rt := req.ReferTo()
	if rt == nil || rt.Address.Host == "" {
		respond(req, tx, sip.StatusBadRequest, reasonHeader(sip.StatusBadRequest, "no valid Refer-To"))
		return
	}
	target := rt.Address
	b := c.Bridge()
	var others []*Call
	if b != nil {
		others = b.Others(c)
	}
	if len(others) != 1 {
		c.eventReason("transfer-refused", sip.StatusForbidden, "not bridged to one party")
		respond(req, tx, sip.StatusForbidden, reasonHeader(sip.StatusForbidden, "nothing to transfer: the call is not bridged to one party"))
		return
	}
	transferee := others[0]
	var consult *Call
	if rep, ok := target.Headers.Get("Replaces"); ok {
		if consult = u.callByReplaces(rep); consult == nil || consult == c {
			respond(req, tx, sip.StatusCallTransactionDoesNotExists, reasonHeader(sip.StatusCallTransactionDoesNotExists, "Replaces names no call"))
			return
		}
	}
	respond(req, tx, sip.StatusAccepted)
	c.notifyRefer(sip.StatusTrying, false)

	kind := "blind"
	if consult != nil {
		kind = "attended"
	}
	detail := map[string]any{"type": kind, "target": target.Addr(), "by": string(c.id)}
	transferee.eventDetail("transfer", 0, detail)
	c.log.Info("transfer requested", "type", kind, "target", target.Addr(), "transferee", transferee.id)

	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		var err error
		if consult != nil {
			err = u.attendedTransfer(c, transferee, consult)
		} else {
			err = u.blindTransfer(c, transferee, target)
		}
		status := sip.StatusOK
		if err != nil {
			status = sip.StatusServiceUnavailable
			var de *DialError
			if errors.As(err, &de) && de.Status != 0 {
				status = de.Status
			}
			c.log.Info("transfer failed", "type", kind, "err", err)
			transferee.eventReason("transfer-failed", status, err.Error())
		} else {
			transferee.eventDetail("transferred", sip.StatusOK, detail)
		}
		c.notifyRefer(status, true)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = c.hangup(ctx, store.Answered, "transferred")
		}
	}()
}

// blindTransfer calls target for transferee, on behalf of referrer, and
// moves transferee to a bridge with it.
func (u *UA) blindTransfer(referrer, transferee *Call, target sip.Uri) error {
	ctx, cancel := context.WithTimeout(transferee.ctx, transferTimeout)
	defer cancel()
	o := DialOptions{Parent: transferee, Role: store.RoleAgent}
	var t *Call
	var err error
	switch {
	case u.cfg.Registrar != nil && target.User != "" && len(u.cfg.Registrar.Lookup(target.User)) > 0:
		t, err = u.DialUser(ctx, target.User, o)
	case u.cfg.TransferTrunk != "" && target.User != "" && u.isLocal(target):
		o.To, o.Trunk = target.User, u.cfg.TransferTrunk
		t, err = u.Dial(ctx, o)
	default:
		if u.isLocal(target) {
			return &DialError{Disposition: store.Rejected, Status: sip.StatusNotFound, Reason: "no registered user or transfer trunk for " + target.User}
		}
		o.To = "sip:" + target.Addr()
		t, err = u.Dial(ctx, o)
	}
	if err != nil {
		return err
	}
	if err := u.rebridge(transferee, t); err != nil {
		hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer hcancel()
		_ = t.hangup(hctx, store.Answered, "transfer-failed")
		return err
	}
	return nil
}

// attendedTransfer bridges transferee with the party the referrer's
// consultation call is bridged to, and ends the consultation call.
func (u *UA) attendedTransfer(referrer, transferee, consult *Call) error {
	cb := consult.Bridge()
	if cb == nil {
		return &DialError{Disposition: store.Failed, Status: sip.StatusCallTransactionDoesNotExists, Reason: "the consultation call is not bridged"}
	}
	others := cb.Others(consult)
	if len(others) != 1 {
		return &DialError{Disposition: store.Failed, Status: sip.StatusCallTransactionDoesNotExists, Reason: "the consultation call is not bridged to one party"}
	}
	target := others[0]
	cb.Remove(target)
	target.moveTo(transferee)
	if err := u.rebridge(transferee, target); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = consult.hangup(ctx, store.Answered, "replaced")
	return nil
}

// moveTo makes a leg dialled for another call (the consultation) a leg of
// parent's record: it ends in the old record as transferred and goes on
// in parent's, so that the old call ending no longer ends it. An owner
// keeps its own record.
func (c *Call) moveTo(parent *Call) {
	to := parent.recordID()
	c.mu.Lock()
	from := c.recID
	if c.owner || from == to {
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	now := time.Now()
	c.record("move", func(ctx context.Context, s CallStore) error {
		return s.EndLeg(ctx, store.CallID(from), c.legID, now, "transferred")
	})
	c.mu.Lock()
	c.recID = to
	remote := ""
	if c.out != nil {
		remote = c.out.InviteRequest.Recipient.HostPort()
	}
	c.mu.Unlock()
	role := store.RoleAgent
	c.record("move", func(ctx context.Context, s CallStore) error {
		if err := s.AddLeg(ctx, store.Leg{CallID: store.CallID(to), ID: c.legID, Role: role, Remote: remote, Started: now}); err != nil {
			return err
		}
		return s.AnswerLeg(ctx, store.CallID(to), c.legID, now)
	})
	c.log.Info("leg moved to another call's record", "from", from, "to", to)
}

// rebridge takes a out of its bridge and bridges it with b.
func (u *UA) rebridge(a, b *Call) error {
	if old := a.Bridge(); old != nil {
		old.Remove(a)
	}
	if old := b.Bridge(); old != nil {
		old.Remove(b)
	}
	if _, err := u.NewBridge(a, b); err != nil {
		return fmt.Errorf("telephony: bridging the transfer: %w", err)
	}
	return nil
}

// isLocal reports whether uri points at Parley itself (its SIP address or
// media address), not at a SIP host to call directly.
func (u *UA) isLocal(uri sip.Uri) bool {
	host := strings.Trim(uri.Host, "[]")
	port := uri.Port
	if port == 0 {
		port = 5060
	}
	own := u.SIPAddr()
	return (host == own.Addr().String() || host == u.cfg.MediaIP.String() || own.Addr().IsUnspecified()) && port == int(own.Port()) ||
		!strings.ContainsAny(host, ".:") // a bare name: a local extension
}

// callByReplaces finds the call a Replaces value (RFC 3891 section 6.1:
// "call-id;to-tag=x;from-tag=y", URL-escaped in a Refer-To) names, in
// either orientation of the tags.
func (u *UA) callByReplaces(v string) *Call {
	if un, err := url.PathUnescape(v); err == nil {
		v = un
	}
	parts := strings.Split(v, ";")
	callID := strings.TrimSpace(parts[0])
	var toTag, fromTag string
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "to-tag":
			toTag = val
		case "from-tag":
			fromTag = val
		}
	}
	if callID == "" || toTag == "" || fromTag == "" {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if c := u.byDlg[sip.DialogIDMake(callID, toTag, fromTag)]; c != nil {
		return c
	}
	return u.byDlg[sip.DialogIDMake(callID, fromTag, toTag)]
}

// notifyRefer sends the referrer a NOTIFY for the implicit refer
// subscription (RFC 3515 2.4.4) with the transfer's status as sipfrag.
func (c *Call) notifyRefer(status int, final bool) {
	if c.Ended() {
		return
	}
	req := sip.NewRequest(sip.NOTIFY, c.remoteTarget())
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if final {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte("SIP/2.0 " + strconv.Itoa(status) + " " + statusText(status) + "\r\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.sd.Do(ctx, req); err != nil {
		c.log.Debug("NOTIFY refer", "err", err)
	}
}

// Transfer asks the far end to call target instead (a REFER sent, RFC
// 3515: a blind transfer done by the carrier or PBX that delivered the
// call, which takes Parley out of the call entirely). It waits for the far
// end's final NOTIFY; on success the call ends with cause "transferred".
func (c *Call) Transfer(ctx context.Context, target string) error {
	var uri sip.Uri
	if err := sip.ParseUri(target, &uri); err != nil || uri.Host == "" {
		return fmt.Errorf("%w: transfer target %q is not a SIP URI", ErrInvalidDial, target)
	}
	c.mu.Lock()
	st := c.state
	if st == stateAnswered && c.referResult == nil {
		c.referResult = make(chan int, 4)
	}
	results := c.referResult
	c.mu.Unlock()
	if st != stateAnswered {
		return ErrCallEnded
	}
	req := sip.NewRequest(sip.REFER, c.remoteTarget())
	req.AppendHeader(&sip.ReferToHeader{Address: uri})
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+c.ua.dua.ContactHDR.Address.String()+">"))
	res, err := c.sd.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("telephony: REFER: %w", err)
	}
	if !res.IsSuccess() {
		c.eventReason("refer-refused", res.StatusCode, res.Reason)
		return &DialError{Disposition: dispositionOf(res.StatusCode), Status: res.StatusCode, Reason: "REFER refused: " + res.Reason}
	}
	c.eventDetail("refer", res.StatusCode, map[string]string{"target": target})
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return nil // the far end hung up: the transfer took the call
		case status := <-results:
			switch {
			case status < 200:
				continue
			case status < 300:
				hctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = c.hangup(hctx, store.Answered, "transferred")
				return nil
			default:
				return &DialError{Disposition: dispositionOf(status), Status: status, Reason: "transfer target answered " + strconv.Itoa(status)}
			}
		}
	}
}

// onNotify takes the NOTIFYs of a REFER Parley sent: their sipfrag
// status is the transfer's progress.
func (u *UA) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callOf(req)
	if c == nil {
		respond(req, tx, sip.StatusCallTransactionDoesNotExists)
		return
	}
	if err := c.sd.ReadRequest(req, tx); err != nil {
		respond(req, tx, sip.StatusInternalServerError, sip.NewHeader("Retry-After", "1"))
		return
	}
	ev := req.GetHeader("Event")
	c.mu.Lock()
	results := c.referResult
	c.mu.Unlock()
	if ev == nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ev.Value())), "refer") || results == nil {
		respond(req, tx, 489)
		return
	}
	status, err := parseSipfrag(req.Body())
	if err != nil {
		respond(req, tx, sip.StatusBadRequest, reasonHeader(sip.StatusBadRequest, err.Error()))
		return
	}
	respond(req, tx, sip.StatusOK)
	select {
	case results <- status:
	default:
	}
}

// parseSipfrag reads the status of a message/sipfrag status line
// ("SIP/2.0 200 OK").
func parseSipfrag(body []byte) (int, error) {
	line, _, _ := strings.Cut(string(body), "\n")
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(strings.ToUpper(f[0]), "SIP/") {
		return 0, fmt.Errorf("sipfrag: no status line in %q", line)
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 100 || n > 699 {
		return 0, fmt.Errorf("sipfrag: bad status %q", f[1])
	}
	return n, nil
}
