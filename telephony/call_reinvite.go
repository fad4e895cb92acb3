package telephony

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/sdp/v3"

	"github.com/parley-cc/parley/store"
)

// session is what an answered call's offer/answer settled, the input of a
// new offer in the dialog.
type session struct {
	media  Media
	answer []byte // the SDP Parley last answered with
	origin Origin // its o= line; the version grows with each change
	local  netip.AddrPort
	held   bool
}

// reoffer is the decision on an offer received in an established dialog
// (re-INVITE, RFC 3261 14.2; UPDATE, RFC 3311).
type reoffer struct {
	status int // 200, or the 4xx the offer is refused with
	reason string
	event  string // "hold", "unhold", "refresh" or "update" on 200
	next   session
}

// decideReoffer answers offer (empty for an offerless re-INVITE or UPDATE)
// given the current session. It never fails: the result is 200 with the
// session to apply, or 400/415/488 with a reason, the session unchanged.
//
// Parley's Leg cannot change codec or payload type mid-call, so the
// answer keeps the codec in use when the offer still lists it (an answerer
// may pick any offered format, RFC 3264 6.1) and refuses with 488 an offer
// that drops it. Hold (a=sendonly, a=inactive, or c=0.0.0.0, RFC 3264 8.4)
// is answered recvonly or inactive (event "hold", again when the hold
// changes from one to the other); unhold sendrecv; an offer that changes
// nothing is a session refresh answered with the current SDP, unchanged
// (RFC 3264 8: same o= version).
func decideReoffer(cur session, offer []byte, caps Capabilities) reoffer {
	if len(bytes.TrimSpace(offer)) == 0 {
		return reoffer{status: sip.StatusOK, reason: "no offer", event: "refresh", next: cur}
	}
	refuse := func(err error) reoffer {
		var se *SDPError
		if errors.As(err, &se) {
			return reoffer{status: se.Status, reason: se.Reason, next: cur}
		}
		return reoffer{status: sip.StatusBadRequest, reason: err.Error(), next: cur}
	}
	discard := netip.AddrPortFrom(cur.local.Addr(), 9)
	if _, _, err := Answer(offer, caps, discard, Origin{}); err != nil {
		return refuse(err)
	}
	origin := Origin{SessionID: cur.origin.SessionID, SessionVersion: cur.origin.SessionVersion + 1}
	answer, m, err := Answer(offer, sameCodec(caps, cur.media), cur.local, origin)
	if err != nil {
		return reoffer{status: sip.StatusNotAcceptableHere, next: cur,
			reason: "codec change from " + cur.media.Send.Name + " not supported mid-call"}
	}
	if m.Send.PayloadType != cur.media.Send.PayloadType {
		return reoffer{status: sip.StatusNotAcceptableHere, next: cur,
			reason: "payload type of " + cur.media.Send.Name + " renumbered mid-call"}
	}
	held := m.OnHold()
	if held && m.Direction.Sends() {
		// RFC 2543 hold, c=0.0.0.0 with sendrecv: the far end receives
		// nothing, so Parley answers recvonly.
		m.Direction = RecvOnly
		if answer, err = setDirection(answer, RecvOnly); err != nil {
			return refuse(err)
		}
	}
	if held == cur.held && m.Direction == cur.media.Direction && m.Remote == cur.media.Remote {
		return reoffer{status: sip.StatusOK, reason: "same session", event: "refresh", next: cur}
	}
	m.Payloads, m.Ptime = cur.media.Payloads, cur.media.Ptime // the Leg keeps its own
	next := session{media: m, answer: answer, origin: origin, local: cur.local, held: held}
	switch {
	case held:
		return reoffer{status: sip.StatusOK, reason: holdReason(m), event: "hold", next: next}
	case !held && cur.held:
		return reoffer{status: sip.StatusOK, reason: "sendrecv", event: "unhold", next: next}
	}
	return reoffer{status: sip.StatusOK, reason: "media changed", event: "update", next: next}
}

// sameCodec restricts caps to the codec in use (and the telephone-events).
func sameCodec(caps Capabilities, m Media) Capabilities {
	out := Capabilities{Events: caps.Events, Ptime: caps.Ptime, RTCPMux: caps.RTCPMux}
	for _, c := range caps.Codecs {
		if strings.EqualFold(c.Name, m.Send.Name) && c.ClockRate == m.Send.ClockRate {
			out.Codecs = append(out.Codecs, c)
		}
	}
	return out
}

// holdReason says how the far end asked for hold.
func holdReason(m Media) string {
	if !m.Remote.Addr().IsValid() || m.Remote.Addr().IsUnspecified() {
		return "c=0.0.0.0"
	}
	return m.Direction.Reverse().String()
}

// setDirection rewrites the direction of the live audio stream of an SDP
// Parley made.
func setDirection(desc []byte, dir Direction) ([]byte, error) {
	var d sdp.SessionDescription
	if err := d.Unmarshal(desc); err != nil {
		return nil, err
	}
	for _, md := range d.MediaDescriptions {
		if md.MediaName.Port.Value == 0 {
			continue
		}
		for i, a := range md.Attributes {
			switch a.Key {
			case "sendrecv", "sendonly", "recvonly", "inactive":
				md.Attributes[i] = sdp.Attribute{Key: dir.String()}
			}
		}
	}
	return d.Marshal()
}

// onReInvite handles an INVITE within an established dialog: hold,
// unhold, session refresh (RFC 3261 14.2, RFC 3264 8).
func (u *UA) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	u.reoffered(req, tx, true)
}

// onUpdate handles UPDATE (RFC 3311) within an established dialog as a
// re-INVITE. An UPDATE without an offer (a session timer refresh) is
// answered 200 without a body: RFC 3311 5.2 allows no offer in its
// response.
func (u *UA) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	u.reoffered(req, tx, false)
}

func (u *UA) reoffered(req *sip.Request, tx sip.ServerTransaction, invite bool) {
	c := u.callOf(req)
	if c == nil {
		respond(req, tx, sip.StatusCallTransactionDoesNotExists)
		return
	}
	c.reMu.Lock()
	defer c.reMu.Unlock()
	c.mu.Lock()
	st, cur := c.state, c.session
	c.mu.Unlock()
	switch st {
	case stateEnded:
		respond(req, tx, sip.StatusCallTransactionDoesNotExists)
		return
	case stateRinging, stateAnswering:
		// RFC 3261 14.2: an INVITE crossing the unanswered or unacknowledged
		// first one gets 500 with Retry-After.
		respond(req, tx, sip.StatusInternalServerError, sip.NewHeader("Retry-After", "1"), reasonHeader(sip.StatusInternalServerError, "session not established"))
		return
	}
	if err := c.sd.ReadRequest(req, tx); err != nil {
		respond(req, tx, sip.StatusInternalServerError, sip.NewHeader("Retry-After", "1"), reasonHeader(sip.StatusInternalServerError, "CSeq out of order"))
		return
	}
	if ct := req.ContentType(); ct != nil && len(req.Body()) > 0 && !strings.EqualFold(strings.TrimSpace(strings.SplitN(ct.Value(), ";", 2)[0]), "application/sdp") {
		respond(req, tx, sip.StatusUnsupportedMediaType, sip.NewHeader("Accept", "application/sdp"), reasonHeader(sip.StatusUnsupportedMediaType, "body is "+ct.Value()))
		return
	}
	d := decideReoffer(cur, req.Body(), *u.cfg.Capabilities)
	if d.status != sip.StatusOK {
		c.log.Info("re-offer refused", "method", req.Method, "status", d.status, "reason", d.reason)
		c.eventReason("reoffer-refused", d.status, d.reason)
		respond(req, tx, d.status, reasonHeader(d.status, d.reason))
		return
	}
	c.apply(d)
	var body []byte
	if invite || len(req.Body()) > 0 {
		body = d.next.answer
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", body)
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	res.AppendHeader(&u.dua.ContactHDR)
	if err := tx.Respond(res); err != nil {
		c.log.Debug("200 to re-offer", "method", req.Method, "err", err)
	}
}

// apply makes an accepted re-offer the call's session: on hold the
// Transmitter's playback is stopped and it sends nothing until unhold; the
// remote address follows the offer unless it is 0.0.0.0.
func (c *Call) apply(d reoffer) {
	c.mu.Lock()
	prev := c.session
	c.session = d.next
	c.media = d.next.media
	if prev.held && !d.next.held {
		c.unheld = time.Now()
	}
	leg := c.leg
	c.mu.Unlock()
	c.log.Info("session "+d.event, "reason", d.reason, "direction", d.next.media.Direction)
	c.eventReason(d.event, sip.StatusOK, d.reason)
	if leg == nil || d.event == "refresh" {
		return
	}
	c.mu.Lock()
	part := c.part
	c.mu.Unlock()
	if tx := leg.Transmitter(); tx != nil {
		// On hold the far end asked not to receive (sendonly, inactive,
		// or c=0.0.0.0): stop what plays and send nothing, not even
		// silence, until unhold. A bridged call stays in its bridge,
		// muted there (its hold music is not for the others).
		if d.next.held && part == nil {
			tx.Stop()
		}
		tx.Mute(d.next.held)
	}
	if part != nil {
		part.Mute(d.next.held)
	}
	m := d.next.media
	if s := leg.Session(); s != nil && m.Remote.Addr().IsValid() && !m.Remote.Addr().IsUnspecified() && m.Remote != prev.media.Remote {
		s.SetRemote(m.Remote, m.RemoteRTCP)
	}
}

// OnHold reports whether the caller has put the call on hold.
func (c *Call) OnHold() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session.held
}

// eventReason adds a call event with a SIP code and a reason, kept in the
// event's detail as {"reason": ...}.
func (c *Call) eventReason(typ string, code int, reason string) {
	c.eventDetail(typ, code, map[string]string{"reason": reason})
}

// eventDetail adds a call event whose detail is v as JSON.
func (c *Call) eventDetail(typ string, code int, v any) {
	detail, err := json.Marshal(v)
	if err != nil {
		detail = nil
	}
	c.addEvent(store.Event{LegID: c.legID, At: time.Now(), Type: typ, Code: code, Detail: detail})
}
