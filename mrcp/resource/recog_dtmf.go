package resource

import (
	"time"

	"github.com/parley-cc/parley/mrcp"
)

// dtmfKey returns the canonical key for r, or 0.
func dtmfKey(r rune) rune {
	switch {
	case r >= '0' && r <= '9', r == '*', r == '#', r >= 'A' && r <= 'D':
		return r
	case r >= 'a' && r <= 'd':
		return r - 'a' + 'A'
	}
	return 0
}

// bufferedDigit is a key typed ahead of a RECOGNIZE.
type bufferedDigit struct {
	key     rune
	expires time.Time
}

// onDigit routes a key: to the active RECOGNIZE when it has DTMF
// grammars, else to the type-ahead buffer (DTMF-Buffer-Time).
func (r *Recog) onDigit(key rune) {
	if r.ch.closed {
		return
	}
	if j := r.active; j != nil && !j.done && len(j.gs.dtmf) > 0 {
		r.dtmfInput(j, key)
		return
	}
	now := time.Now()
	keep := millis(r.ch.param(mrcp.HeaderDTMFBufferTime))
	buf := r.typeAhead[:0]
	for _, d := range r.typeAhead {
		if now.Before(d.expires) {
			buf = append(buf, d)
		}
	}
	if len(buf) == maxTypeAhead {
		buf = append(buf[:0], buf[1:]...)
	}
	r.typeAhead = append(buf, bufferedDigit{key: key, expires: now.Add(keep)})
}

// dtmfInput adds a key to j's input (RFC 6787 sections 9.4.17-9.4.20):
// the first key sends START-OF-INPUT and stops listening to speech; the
// DTMF-Term-Char ends the input; input that completes a DTMF grammar and
// cannot grow ends at once (or after DTMF-Term-Timeout when a term char
// is set), input that can still grow waits DTMF-Interdigit-Timeout, and
// input that matches nothing ends as no-match.
func (r *Recog) dtmfInput(j *recogJob, key rune) {
	if !j.dtmfMode {
		j.dtmfMode = true
		j.speechOff.Store(true)
		j.capturing.Store(false)
		j.recogT.stop()
		j.endT.stop()
		if j.speechCancel != nil {
			j.speechCancel()
		}
		if !j.inputStarted || j.hotword {
			j.inputStarted = true
			j.noInputT.stop()
			r.startOfInput(j, "dtmf")
		}
	}
	if j.termChar != 0 && key == j.termChar {
		r.finishDTMF(j)
		return
	}
	j.digits = append(j.digits, key)
	if len(j.digits) >= maxDigits {
		r.finishDTMF(j)
		return
	}
	complete, viable := j.gs.prefixDTMF(string(j.digits))
	switch {
	case !viable && !complete:
		r.finishDTMF(j)
	case !viable:
		if j.termChar != 0 && j.termTimeout > 0 {
			r.arm(j, &j.dtmfT, j.termTimeout, func() { r.finishDTMF(j) })
			return
		}
		r.finishDTMF(j)
	default:
		r.arm(j, &j.dtmfT, j.interdigit, func() { r.finishDTMF(j) })
	}
}

// finishDTMF ends j with the keys entered.
func (r *Recog) finishDTMF(j *recogJob) {
	o := &recogOutcome{job: j, dtmf: true, keys: string(j.digits)}
	cause := mrcp.RecogNoMatch
	if _, ok := dtmfResult(j.gs, o.keys); ok {
		cause = mrcp.RecogSuccess
	}
	r.finish(j, cause, o)
}
