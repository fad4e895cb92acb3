package telephony

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/store"
)

const allowed = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, REFER, NOTIFY"

// onOptions answers OPTIONS (RFC 3261 11.2) with what the UA supports.
func (u *UA) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	allow := allowed
	if u.cfg.Registrar != nil {
		allow += ", REGISTER"
	}
	res.AppendHeader(sip.NewHeader("Allow", allow))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	_ = tx.Respond(res)
}

func respond(req *sip.Request, tx sip.ServerTransaction, status int, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, status, statusText(status), nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

func sipCallID(req *sip.Request) string {
	if h := req.CallID(); h != nil {
		return h.Value()
	}
	return ""
}

func (u *UA) callOf(req *sip.Request) *Call {
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.byDlg[id]
}

func (u *UA) forget(c *Call) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.calls, c.id)
	if c.dlgID != "" && u.byDlg[c.dlgID] == c {
		delete(u.byDlg, c.dlgID)
	}
}

// endLegsOf hangs up the legs dialled on behalf of a call that ended (its
// agent, a transfer target): a B2BUA's other side ends with the caller.
func (u *UA) endLegsOf(id CallID) {
	u.mu.Lock()
	var legs []*Call
	for _, c := range u.calls {
		if c.recordID() == id && !c.owner {
			legs = append(legs, c)
		}
	}
	if len(legs) > 0 {
		u.wg.Add(len(legs))
	}
	u.mu.Unlock()
	for _, l := range legs {
		go func() {
			defer u.wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = l.hangup(ctx, store.Answered, "caller-ended")
		}()
	}
}

// onInvite takes a new call (RFC 3261 13.3.1) and keeps the INVITE's
// transaction until its final response, which the Handler decides.
func (u *UA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		u.onReInvite(req, tx)
		return
	}
	tr := u.trunkFrom(req.Source())
	if tr == nil && !u.sourceAllowed(req.Source()) {
		u.log.Info("INVITE from an unknown source refused", "source", req.Source(), "from", userOf(req.From()))
		respond(req, tx, sip.StatusForbidden, reasonHeader(sip.StatusForbidden, "source not allowed"))
		return
	}
	dlg, err := u.dua.ReadInvite(req, tx)
	if err != nil {
		respond(req, tx, sip.StatusBadRequest, reasonHeader(sip.StatusBadRequest, err.Error()))
		return
	}
	c := u.newCall(req)
	c.dlg, c.sd, c.dlgID = dlg, dlg, dlg.ID
	if tr != nil {
		c.trunk = tr.Name
	}
	c.log.Debug("INVITE", "from", c.from, "to", c.to)
	c.createRecord(req)

	u.mu.Lock()
	full, closed := len(u.calls) >= u.cfg.MaxCalls, u.closed
	if !full && !closed {
		u.calls[c.id] = c
		u.byDlg[c.dlgID] = c
	}
	u.mu.Unlock()
	switch {
	case closed:
		_ = c.reject(sip.StatusServiceUnavailable, "shutdown", store.Failed)
		return
	case full:
		_ = c.reject(sip.StatusServiceUnavailable, "max-calls", store.Failed, sip.NewHeader("Retry-After", "5"))
		return
	}
	if err := c.checkOffer(req); err != nil {
		var se *SDPError
		if !errors.As(err, &se) {
			se = &SDPError{Status: sip.StatusBadRequest, Reason: err.Error()}
		}
		c.log.Info("offer refused", "status", se.Status, "reason", se.Reason)
		_ = c.reject(se.Status, se.Reason, store.Rejected)
		return
	}
	if err := dlg.Respond(sip.StatusTrying, "Trying", nil); err != nil {
		c.log.Debug("100 Trying", "err", err)
	}
	c.event("ringing", sip.StatusRinging)
	if err := dlg.Respond(sip.StatusRinging, "Ringing", nil); err != nil {
		c.log.Debug("180 Ringing", "err", err)
	}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		u.cfg.Handler.HandleCall(c.ctx, c)
		c.afterHandler()
	}()
	select {
	case <-c.final:
	case <-dlg.Context().Done():
		if errors.Is(context.Cause(dlg.Context()), sip.ErrTransactionCanceled) {
			c.cancelled()
		}
		<-c.final
	}
}

// afterHandler finishes a call its Handler returned from.
func (c *Call) afterHandler() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	if st != stateEnded {
		_ = c.hangup(ctx, store.Answered, "parley-hangup")
	}
}

func (u *UA) newCall(req *sip.Request) *Call {
	id := newCallID()
	c := &Call{
		ua: u, id: id, offer: req.Body(),
		log:  u.log.With("call_id", string(id), "sip_call_id", sipCallID(req)),
		done: make(chan struct{}), final: make(chan struct{}),
		digits: make(chan Digit, digitBuffer),
		dir:    store.Inbound, recID: id, legID: callerLeg, owner: true,
	}
	if f := req.From(); f != nil {
		c.from = f.Address.String()
	}
	if t := req.To(); t != nil {
		c.to = t.Address.String()
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// createRecord writes the call and its caller leg, created at the INVITE.
func (c *Call) createRecord(req *sip.Request) {
	now := time.Now()
	c.record("create", func(ctx context.Context, s CallStore) error {
		err := s.CreateCall(ctx, store.Call{
			ID: store.CallID(c.id), Direction: c.dir, FromURI: c.from, ToURI: c.to,
			FromNumber: c.ua.trunks[c.trunk].normalizeCaller(userOf(req.From())), ToNumber: req.Recipient.User,
			Trunk: c.trunk, Started: now,
		})
		if err != nil {
			return err
		}
		return s.AddLeg(ctx, store.Leg{
			CallID: store.CallID(c.id), ID: callerLeg, Role: store.RoleCaller,
			SIPCallID: sipCallID(req), Remote: req.Source(), Started: now,
		})
	})
	c.event("invite", 0)
}

// sourceAllowed reports whether an INVITE from src, from no trunk, may be
// taken: any source when no trunk is configured or AcceptAnySource is set,
// else only the address of a registered phone.
func (u *UA) sourceAllowed(src string) bool {
	if u.cfg.AcceptAnySource || len(u.trunkList) == 0 {
		return true
	}
	ap, err := netip.ParseAddrPort(src)
	if err != nil {
		return false
	}
	return u.cfg.Registrar != nil && u.cfg.Registrar.KnownSource(ap.Addr())
}

func userOf(h *sip.FromHeader) string {
	if h == nil {
		return ""
	}
	return h.Address.User
}

// checkOffer validates the INVITE's SDP offer before ringing: an
// unreadable one is a 400, one sharing nothing with Parley a 488.
func (c *Call) checkOffer(req *sip.Request) error {
	if ct := req.ContentType(); ct != nil && !strings.EqualFold(strings.TrimSpace(strings.SplitN(ct.Value(), ";", 2)[0]), "application/sdp") {
		return &SDPError{Status: sip.StatusUnsupportedMediaType, Reason: "body is " + ct.Value() + ", not application/sdp"}
	}
	if len(c.offer) == 0 {
		return &SDPError{Status: sip.StatusNotAcceptableHere, Reason: "no SDP offer (offerless INVITE not supported)"}
	}
	discard := netip.AddrPortFrom(c.ua.cfg.MediaIP, 9)
	_, _, err := Answer(c.offer, *c.ua.cfg.Capabilities, discard, Origin{})
	return err
}

func (u *UA) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if c := u.callOf(req); c != nil && c.dlg != nil {
		_ = c.dlg.ReadAck(req, tx)
	}
}

// onBye ends a call the caller hung up (RFC 3261 15.1.2).
func (u *UA) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callOf(req)
	if c == nil {
		respond(req, tx, sip.StatusCallTransactionDoesNotExists)
		return
	}
	if err := c.sd.ReadBye(req, tx); err != nil {
		respond(req, tx, sip.StatusOK)
	}
	c.event("bye", sip.StatusOK)
	c.finish(store.Answered, c.remoteHangupCause(), sip.StatusOK)
}

// reasonHeader is a Reason header (RFC 3326) for a SIP status.
func reasonHeader(code int, text string) sip.Header {
	return sip.NewHeader("Reason", formatReason(code, text))
}

// formatReason formats a Reason header value, with text made safe for a
// quoted string and at most 200 bytes.
func formatReason(code int, text string) string {
	b := []byte(text)
	if len(b) > 200 {
		b = b[:200]
	}
	for i, ch := range b {
		if ch < 0x20 || ch == '"' || ch == '\\' || ch >= 0x7f {
			b[i] = ' '
		}
	}
	return "SIP;cause=" + itoa(code) + `;text="` + string(b) + `"`
}

func itoa(n int) string {
	if n < 0 || n > 999 {
		return "0"
	}
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

func statusText(code int) string {
	switch code {
	case 100:
		return "Trying"
	case 180:
		return "Ringing"
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 202:
		return "Accepted"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 489:
		return "Bad Event"
	case 415:
		return "Unsupported Media Type"
	case 480:
		return "Temporarily Unavailable"
	case 481:
		return "Call/Transaction Does Not Exist"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 500:
		return "Server Internal Error"
	case 503:
		return "Service Unavailable"
	case 603:
		return "Decline"
	}
	switch code / 100 {
	case 4:
		return "Request Failure"
	case 5:
		return "Server Failure"
	case 6:
		return "Global Failure"
	}
	return "Unknown"
}
