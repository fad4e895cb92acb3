package telephony

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/store"
)

// DialOptions describes an outbound call.
type DialOptions struct {
	// To is whom to call: a number or user name sent through Trunk, or a
	// SIP URI ("sip:agent@192.0.2.7:5062") dialled directly.
	To string
	// Trunk names the configured trunk that carries a number; required
	// unless To is a SIP URI.
	Trunk string
	// CallerID is the number presented (From user); default the trunk's
	// CallerID, else "parley". "anonymous" withholds it.
	CallerID string
	// DisplayName is the From display name; empty sends none.
	DisplayName string
	// RingTimeout is how long the call may ring unanswered before it is
	// cancelled (disposition no-answer); default the UA's RingTimeout.
	RingTimeout time.Duration
	// Headers are added to the INVITE.
	Headers []sip.Header
	// Parent makes the call a leg of another call (an agent answering a
	// caller, a transfer target): it writes no call record or recording of
	// its own; its leg and events go into the parent's record, whose
	// recording holds what is bridged to it.
	Parent *Call
	// Role is the leg's role in the record; default store.RoleCaller for
	// a call of its own, store.RoleAgent for a leg of a Parent.
	Role store.Role
	// OnProgress is called with each provisional status (180, 183) the
	// far end sends while the call rings.
	OnProgress func(status int)

	dest string // host:port to send the INVITE to, overriding the URI's
}

// DialError is why an outbound call was not answered.
type DialError struct {
	Disposition store.Disposition // Busy, NoAnswer, Rejected, Failed or Cancelled
	Status      int               // the final SIP status, 0 when none came
	Reason      string
}

func (e *DialError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("telephony: call %s: %d %s", e.Disposition, e.Status, e.Reason)
	}
	return fmt.Sprintf("telephony: call %s: %s", e.Disposition, e.Reason)
}

// dispositionOf maps a final failure status of an outbound INVITE to a
// disposition (RFC 3261 21.4-21.6).
func dispositionOf(status int) store.Disposition {
	switch status {
	case sip.StatusBusyHere, sip.StatusGlobalBusyEverywhere:
		return store.Busy
	case sip.StatusRequestTimeout, sip.StatusTemporarilyUnavailable, sip.StatusRequestTerminated:
		return store.NoAnswer
	case sip.StatusForbidden, sip.StatusNotFound, sip.StatusGone, sip.StatusAddressIncomplete,
		sip.StatusAmbiguous, sip.StatusGlobalDecline, sip.StatusGlobalDoesNotExistAnywhere,
		sip.StatusNotAcceptable, sip.StatusNotAcceptableHere, sip.StatusGlobalNotAcceptable:
		return store.Rejected
	}
	return store.Failed
}

// Dial places an outbound call and returns it once answered and
// acknowledged. It rings for at most RingTimeout, cancelling the INVITE
// after; ctx ending cancels it too. A call that is not answered returns a
// *DialError with the disposition (busy, no-answer, rejected, failed,
// cancelled) and the SIP status. Digest challenges from a trunk are
// answered with its credentials. An answered call is recorded and
// stored as inbound calls are, unless it is a Parent's leg.
func (u *UA) Dial(ctx context.Context, o DialOptions) (*Call, error) {
	recipient, tr, err := u.dialTarget(o)
	if err != nil {
		return nil, err
	}
	if err := u.waitReady(ctx); err != nil {
		return nil, &DialError{Disposition: store.Failed, Reason: err.Error()}
	}
	caps := *u.cfg.Capabilities
	if tr != nil {
		caps = tr.caps
	}
	c := u.newOutCall(o, recipient, tr)
	if err := u.admit(c); err != nil {
		return nil, err
	}
	ringFor := o.RingTimeout
	if ringFor <= 0 {
		ringFor = u.cfg.RingTimeout
	}
	ringCtx, cancel := context.WithTimeout(ctx, ringFor)
	defer cancel()
	c.mu.Lock()
	c.dialCancel = cancel
	c.mu.Unlock()

	leg, err := media.OpenLeg(ringCtx, u.ports, u.pacer, c.log)
	if err != nil {
		c.finish(store.Failed, "no-rtp-port", 0)
		return nil, &DialError{Disposition: store.Failed, Reason: err.Error()}
	}
	c.mu.Lock()
	c.leg = leg
	c.mu.Unlock()
	local := netip.AddrPortFrom(u.cfg.MediaIP, uint16(leg.LocalPort()))
	origin := Origin{SessionID: uint64(time.Now().UnixNano()), SessionVersion: 1}
	offer, err := Offer(caps, local, origin, SendRecv)
	if err != nil {
		c.finish(store.Failed, "sdp-offer", 0)
		return nil, &DialError{Disposition: store.Failed, Reason: err.Error()}
	}
	req := u.newInvite(c, o, recipient, tr, offer)
	c.createOutRecord(req)

	dlg, err := u.dua.WriteInvite(ringCtx, req)
	if err != nil {
		return nil, c.dialFailed(ctx, ringCtx, &DialError{Disposition: store.Failed, Reason: "sending INVITE: " + err.Error()})
	}
	c.mu.Lock()
	c.out, c.sd = dlg, dlg
	c.mu.Unlock()
	defer func() {
		if c.Ended() {
			_ = dlg.Close()
		}
	}()
	opts := sipgo.AnswerOptions{
		OnResponse: func(res *sip.Response) error {
			if res.StatusCode > 100 && res.StatusCode < 200 {
				c.event("progress", res.StatusCode)
				if o.OnProgress != nil {
					o.OnProgress(res.StatusCode)
				}
			}
			return nil
		},
	}
	if tr != nil && tr.Password != "" {
		opts.Username, opts.Password = tr.Username, tr.Password
	}
	if err := dlg.WaitAnswer(ringCtx, opts); err != nil {
		var de *sipgo.ErrDialogResponse
		if errors.As(err, &de) {
			return nil, c.dialFailed(ctx, ringCtx, &DialError{Disposition: dispositionOf(de.Res.StatusCode), Status: de.Res.StatusCode, Reason: responseReason(de.Res)})
		}
		return nil, c.dialFailed(ctx, ringCtx, &DialError{Disposition: store.Failed, Reason: err.Error()})
	}
	res := dlg.InviteResponse
	m, err := ParseAnswer(res.Body(), caps)
	if err == nil {
		err = c.startLeg(leg, m, session{media: m, origin: origin, local: local, held: m.OnHold()})
	}
	ackCtx, ackCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer ackCancel()
	if aerr := dlg.Ack(ackCtx); aerr != nil && err == nil {
		err = fmt.Errorf("ACK: %w", aerr)
	}
	if err != nil {
		c.log.Info("answer unusable", "err", err)
		_ = dlg.Bye(ackCtx)
		c.finish(store.Failed, "bad-answer", 0)
		return nil, &DialError{Disposition: store.Failed, Status: res.StatusCode, Reason: "answer unusable: " + err.Error()}
	}
	c.mu.Lock()
	c.dlgID = outDialogID(res)
	c.session.answer = offer
	c.mu.Unlock()
	u.mu.Lock()
	if c.dlgID != "" {
		u.byDlg[c.dlgID] = c
	}
	u.mu.Unlock()
	c.answeredNow(res.StatusCode)
	return c, nil
}

// dialFailed ends a call that was not answered and returns why. The
// caller's ctx ending is a cancel, the ring time-out a no-answer.
func (c *Call) dialFailed(ctx, ringCtx context.Context, de *DialError) error {
	if de.Status == 0 || de.Status == sip.StatusRequestTerminated {
		switch {
		case ctx.Err() != nil:
			de.Disposition, de.Reason = store.Cancelled, "cancelled"
		case ringCtx.Err() != nil:
			de.Disposition, de.Reason = store.NoAnswer, "ring-timeout"
		}
	}
	cause := de.Reason
	if de.Status != 0 {
		cause = fmt.Sprintf("%d %s", de.Status, de.Reason)
	}
	c.event("dial-failed", de.Status)
	c.finish(de.Disposition, cause, de.Status)
	c.log.Info("outbound call not answered", "disposition", de.Disposition, "status", de.Status, "reason", de.Reason)
	return de
}

// responseReason is a failure's Reason header text, else its status line.
func responseReason(res *sip.Response) string {
	if h := res.GetHeader("Reason"); h != nil {
		if _, text, ok := strings.Cut(h.Value(), `text="`); ok {
			return strings.TrimSuffix(text, `"`)
		}
	}
	return res.Reason
}

// outDialogID is an outbound dialog's id in the form DialogIDFromRequestUAS
// gives for the far end's requests in it: local (From) tag first.
func outDialogID(res *sip.Response) string {
	cid, from, to := res.CallID(), res.From(), res.To()
	if cid == nil || from == nil || to == nil {
		return ""
	}
	ft, _ := from.Params.Get("tag")
	tt, _ := to.Params.Get("tag")
	return sip.DialogIDMake(cid.Value(), ft, tt)
}

// dialTarget is the Request-URI of o and the trunk carrying it.
func (u *UA) dialTarget(o DialOptions) (sip.Uri, *trunk, error) {
	var tr *trunk
	if o.Trunk != "" {
		if tr = u.trunks[o.Trunk]; tr == nil {
			return sip.Uri{}, nil, fmt.Errorf("%w: no trunk %q", ErrInvalidDial, o.Trunk)
		}
	}
	to := strings.TrimSpace(o.To)
	if strings.HasPrefix(strings.ToLower(to), "sip:") || strings.HasPrefix(strings.ToLower(to), "sips:") {
		var uri sip.Uri
		if err := sip.ParseUri(to, &uri); err != nil || uri.Host == "" {
			return sip.Uri{}, nil, fmt.Errorf("%w: %q is not a SIP URI", ErrInvalidDial, o.To)
		}
		return uri, tr, nil
	}
	if tr == nil {
		return sip.Uri{}, nil, fmt.Errorf("%w: %q needs a trunk", ErrInvalidDial, o.To)
	}
	if to == "" || strings.ContainsAny(to, " <>;@:\"\\") {
		return sip.Uri{}, nil, fmt.Errorf("%w: %q is not a number", ErrInvalidDial, o.To)
	}
	return tr.recipient(to), tr, nil
}

// newOutCall is an outbound call before its INVITE.
func (u *UA) newOutCall(o DialOptions, recipient sip.Uri, tr *trunk) *Call {
	id := newCallID()
	c := &Call{
		ua: u, id: id, to: recipient.String(),
		log:  u.log.With("call_id", string(id), "direction", "outbound"),
		done: make(chan struct{}), final: make(chan struct{}),
		digits: make(chan Digit, digitBuffer),
		dir:    store.Outbound, recID: id, legID: callerLeg, owner: true,
		state: stateDialing,
	}
	if tr != nil {
		c.trunk = tr.Name
	}
	if o.Parent != nil {
		c.recID, c.owner = o.Parent.recordID(), false
		role := o.Role
		if role == store.RoleUnknown {
			role = store.RoleAgent
		}
		c.legID = store.LegID(role.String() + "-" + string(id[:8]))
		c.log = c.log.With("parent_call_id", string(o.Parent.recordID()))
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// admit counts c among the UA's calls, unless the UA is closed or full.
func (u *UA) admit(c *Call) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case u.closed:
		return ErrClosed
	case len(u.calls) >= u.cfg.MaxCalls:
		return &DialError{Disposition: store.Failed, Reason: "max-calls"}
	}
	u.calls[c.id] = c
	return nil
}

// newInvite builds the INVITE of an outbound call.
func (u *UA) newInvite(c *Call, o DialOptions, recipient sip.Uri, tr *trunk, offer []byte) *sip.Request {
	req := sip.NewRequest(sip.INVITE, recipient)
	req.SetBody(offer)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	callerID := o.CallerID
	if callerID == "" && tr != nil {
		callerID = tr.CallerID
	}
	if callerID == "" {
		callerID = "parley"
	}
	fromHost := u.cfg.MediaIP.String()
	if tr != nil {
		fromHost = tr.host
		if tr.FromDomain != "" {
			fromHost = tr.FromDomain
		}
	}
	from := &sip.FromHeader{DisplayName: o.DisplayName, Address: sip.Uri{Scheme: "sip", User: callerID, Host: fromHost}, Params: sip.NewParams()}
	if strings.EqualFold(callerID, "anonymous") {
		from.DisplayName, from.Address.User, from.Address.Host = "Anonymous", "anonymous", "anonymous.invalid"
		req.AppendHeader(sip.NewHeader("Privacy", "id"))
	}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: recipient.Scheme, User: recipient.User, Host: recipient.Host, Port: recipient.Port}, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	if tr != nil && tr.transport != "udp" {
		req.SetTransport(strings.ToUpper(tr.transport))
	}
	for _, h := range o.Headers {
		req.AppendHeader(h)
	}
	if o.dest != "" {
		req.SetDestination(o.dest)
	}
	c.from = from.Address.String()
	return req
}

// createOutRecord writes an outbound call and its leg, at the INVITE: a
// call of its own, or a leg of its parent's.
func (c *Call) createOutRecord(req *sip.Request) {
	now := time.Now()
	role := store.RoleCaller
	if !c.owner {
		role = store.Role(0)
		if r, _, ok := strings.Cut(string(c.legID), "-"); ok {
			role, _ = store.ParseRole(r)
		}
	}
	c.record("create", func(ctx context.Context, s CallStore) error {
		if c.owner {
			err := s.CreateCall(ctx, store.Call{
				ID: store.CallID(c.id), Direction: store.Outbound, FromURI: c.from, ToURI: c.to,
				FromNumber: userOf(req.From()), ToNumber: req.Recipient.User, Trunk: c.trunk, Started: now,
			})
			if err != nil {
				return err
			}
		}
		return s.AddLeg(ctx, store.Leg{
			CallID: store.CallID(c.recordID()), ID: c.legID, Role: role,
			SIPCallID: sipCallID(req), Remote: req.Recipient.HostPort(), Started: now,
		})
	})
	c.event("invite", 0)
}
