package telephony

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media/dtmf"
)

// Digit is a DTMF key the far end pressed.
type Digit struct {
	Key      rune          // '0'-'9', '*', '#', 'A'-'D'
	Duration time.Duration // 0 when the far end did not say
	Via      string        // "rfc4733" (RTP telephone-event) or "info" (SIP INFO)
	At       time.Time
}

// digitBuffer is how many digits wait on Digits before more are dropped.
const digitBuffer = 64

// Digits delivers the keys the far end presses, by RFC 4733 telephone
// events and by SIP INFO (application/dtmf-relay or application/dtmf), in
// order. Digits are kept until read, up to 64; more are dropped (and
// logged). The channel is never closed: select on Done as well.
func (c *Call) Digits() <-chan Digit { return c.digits }

// onRTPDigit takes an RFC 4733 tone from the Receiver; it must not block.
func (c *Call) onRTPDigit(t dtmf.Tone) {
	key, ok := dtmf.DigitOf(t.Code)
	if !ok {
		return
	}
	rate := 8000
	if te := c.Media().Payloads; te != nil {
		for _, cd := range te.Codecs() {
			if cd.IsTelephoneEvent() {
				rate = cd.ClockRate
				break
			}
		}
	}
	c.deliverDigit(Digit{Key: key, Duration: time.Duration(t.Duration) * time.Second / time.Duration(rate), Via: "rfc4733", At: time.Now()})
}

func (c *Call) deliverDigit(d Digit) {
	select {
	case c.digits <- d:
	default:
		c.log.Warn("DTMF digit dropped: nobody reads Digits", "digit", string(d.Key))
		return
	}
	c.eventDetail("dtmf", 0, map[string]any{"digit": string(d.Key), "via": d.Via, "duration_ms": d.Duration.Milliseconds()})
}

// parseDTMFInfo reads the body of a SIP INFO carrying a key press:
// application/dtmf-relay ("Signal=5\r\nDuration=160") or application/dtmf
// (the key alone). Duration is in milliseconds.
func parseDTMFInfo(contentType string, body []byte) (Digit, error) {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	switch ct {
	case "application/dtmf-relay":
		var d Digit
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), "=")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "signal":
				key, err := dtmfKey(v)
				if err != nil {
					return Digit{}, err
				}
				d.Key = key
			case "duration":
				ms, err := strconv.Atoi(v)
				if err != nil || ms < 0 || ms > 60000 {
					return Digit{}, fmt.Errorf("dtmf-relay: bad duration %q", v)
				}
				d.Duration = time.Duration(ms) * time.Millisecond
			}
		}
		if d.Key == 0 {
			return Digit{}, fmt.Errorf("dtmf-relay: no Signal")
		}
		return d, nil
	case "application/dtmf":
		key, err := dtmfKey(strings.TrimSpace(string(body)))
		return Digit{Key: key}, err
	}
	return Digit{}, fmt.Errorf("%w: %s", errNotDTMF, contentType)
}

var errNotDTMF = errors.New("not a DTMF body")

// dtmfKey reads a key: a character, or an RFC 4733 event code 0-15 (some
// phones send Signal=10 for '*' and 11 for '#').
func dtmfKey(v string) (rune, error) {
	if len(v) == 1 {
		k := rune(strings.ToUpper(v)[0])
		if _, ok := dtmf.CodeOf(k); ok {
			return k, nil
		}
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 10 && n <= 15 {
		if k, ok := dtmf.DigitOf(uint8(n)); ok {
			return k, nil
		}
	}
	return 0, fmt.Errorf("dtmf: %q is not a key", v)
}

// onInfo takes a SIP INFO within a call (RFC 6086): a DTMF key press is
// delivered on Digits; other bodies get 415.
func (u *UA) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callOf(req)
	if c == nil {
		respond(req, tx, sip.StatusCallTransactionDoesNotExists)
		return
	}
	if err := c.sd.ReadRequest(req, tx); err != nil {
		respond(req, tx, sip.StatusInternalServerError, sip.NewHeader("Retry-After", "1"), reasonHeader(sip.StatusInternalServerError, "CSeq out of order"))
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	if len(req.Body()) == 0 {
		respond(req, tx, sip.StatusOK) // an empty INFO is a keep-alive
		return
	}
	d, err := parseDTMFInfo(ct, req.Body())
	switch {
	case err == nil:
	case errors.Is(err, errNotDTMF):
		respond(req, tx, sip.StatusUnsupportedMediaType, sip.NewHeader("Accept", "application/dtmf-relay, application/dtmf"), reasonHeader(sip.StatusUnsupportedMediaType, "INFO body is "+ct))
		return
	default:
		respond(req, tx, sip.StatusBadRequest, reasonHeader(sip.StatusBadRequest, err.Error()))
		return
	}
	respond(req, tx, sip.StatusOK)
	d.Via, d.At = "info", time.Now()
	c.deliverDigit(d)
}

// SendDigit sends a key to the far end: as an RFC 4733 event when the
// call negotiated telephone-event, else as SIP INFO
// (application/dtmf-relay). d is the tone's length (default 160 ms).
func (c *Call) SendDigit(ctx context.Context, key rune, d time.Duration) error {
	if d <= 0 {
		d = 160 * time.Millisecond
	}
	if _, ok := dtmf.CodeOf(key); !ok {
		return fmt.Errorf("telephony: %q is not a DTMF key", key)
	}
	c.mu.Lock()
	st, leg, m := c.state, c.leg, c.media
	c.mu.Unlock()
	if st == stateEnded {
		return ErrCallEnded
	}
	if leg != nil && m.Payloads != nil {
		for _, cd := range m.Payloads.Codecs() {
			if cd.IsTelephoneEvent() {
				if tx := leg.Transmitter(); tx != nil {
					return tx.SendDigit(key, d)
				}
			}
		}
	}
	return c.SendInfoDigit(ctx, key, d)
}

// SendInfoDigit sends a key as SIP INFO with application/dtmf-relay, on
// an answered call (an INFO racing the 200 OK would share the dialog's
// state with the answer being written).
func (c *Call) SendInfoDigit(ctx context.Context, key rune, d time.Duration) error {
	if c.sd == nil {
		return ErrCallEnded
	}
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	switch st {
	case stateEnded:
		return ErrCallEnded
	case stateAnswered:
	default:
		return fmt.Errorf("telephony: INFO: %w", ErrNotAnswered)
	}
	req := sip.NewRequest(sip.INFO, c.remoteTarget())
	req.SetBody([]byte(fmt.Sprintf("Signal=%c\r\nDuration=%d\r\n", key, d.Milliseconds())))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	res, err := c.sd.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("telephony: INFO: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("telephony: INFO refused: %d %s", res.StatusCode, res.Reason)
	}
	return nil
}

// remoteTarget is the far end's Contact: where requests within the
// dialog go (RFC 3261 12.1).
func (c *Call) remoteTarget() sip.Uri {
	if c.out != nil {
		if res := c.out.InviteResponse; res != nil {
			if h := res.Contact(); h != nil {
				return *h.Address.Clone()
			}
		}
		return *c.out.InviteRequest.Recipient.Clone()
	}
	if h := c.dlg.InviteRequest.Contact(); h != nil {
		return *h.Address.Clone()
	}
	return *c.dlg.InviteRequest.From().Address.Clone()
}
