package media

import (
	"time"
)

// maxArrivalGap is the longest run of lost packets an arrival listener is
// given silence for; after a longer gap (a far end that paused sending)
// the timeline simply goes on.
const maxArrivalGap = 5

// AddArrivalListener adds fn to the functions called with the audio of
// each packet as it arrives: decoded on the session's reader goroutine by
// decoders of its own, ahead of the jitter buffer, in arrival order. It is
// for a consumer that wants the far end's audio at once rather than
// smooth: a speech recognizer fed live, a barge-in detector. The jitter
// buffer's playout delay (40 ms or more) is not paid, at the cost of a
// second decode per packet while any arrival listener is registered.
//
// A packet older than the last one delivered (reordered or repeated) is
// dropped. For a gap in the sequence numbers of up to five packets, fn is
// first given a frame of silence per lost packet, so a recognizer's
// timeline stays whole; nothing is concealed. at counts the frames
// delivered since the first. pcm is at Rate, one Ptime per call, and valid
// only during the call; fn runs on the reader goroutine and must not
// block. RFC 4733 tones are not audio: they still arrive on OnDigit.
//
// AddArrivalListener and the returned remove are safe from any goroutine,
// and remove is idempotent. Calling fn allocates nothing once the first
// packet of each payload type has been decoded.
func (r *Receiver) AddArrivalListener(fn func(at time.Duration, pcm []int16)) (remove func()) {
	return r.addListener(&r.arrivals, fn)
}

// arrivalPath is the reader goroutine's state for arrival listeners.
type arrivalPath struct {
	have    bool // seq is the last packet delivered
	seq     uint16
	frames  int64
	stages  [128]*decodeStage
	decoded []int16 // decoder output, at the codec's rate
	pcm     []int16 // the packet's audio at the Receiver's rate
	silence []int16
}

// handle decodes one packet (payload type byte first) and hands its
// frames to ls.
func (a *arrivalPath) handle(r *Receiver, ls []*audioListener, seq uint16, buf []byte) {
	if a.have {
		d := int16(seq - a.seq)
		if d <= 0 {
			return // reordered or repeated
		}
		if d > 1 && d <= maxArrivalGap+1 {
			if a.silence == nil {
				a.silence = make([]int16, r.frameN)
			}
			for range d - 1 {
				a.deliver(ls, r.frameDur, a.silence)
			}
		}
	}
	a.have, a.seq = true, seq
	pcm, ok := a.decode(r, buf)
	if !ok {
		return
	}
	// A packet may carry several frames (a far end sending a longer
	// ptime than negotiated): each is delivered on its own.
	for len(pcm) >= r.frameN {
		a.deliver(ls, r.frameDur, pcm[:r.frameN])
		pcm = pcm[r.frameN:]
	}
}

func (a *arrivalPath) deliver(ls []*audioListener, frameDur time.Duration, pcm []int16) {
	at := time.Duration(a.frames) * frameDur
	a.frames++
	for _, l := range ls {
		l.fn(at, pcm)
	}
}

// decode turns buf into audio at the Receiver's rate.
func (a *arrivalPath) decode(r *Receiver, buf []byte) ([]int16, bool) {
	if len(buf) < 2 || buf[0] >= 128 {
		return nil, false
	}
	st := a.stages[buf[0]]
	if st == nil {
		var err error
		if st, err = r.newStage(buf[0]); err != nil {
			return nil, false
		}
		a.stages[buf[0]] = st
		if a.decoded == nil {
			a.decoded = make([]int16, maxFrameSamples(r.frameDur))
			// The most one packet can hold, at the Receiver's rate.
			a.pcm = make([]int16, len(a.decoded)*r.rate/8000+r.frameN)
		}
	}
	n, err := st.dec.Decode(buf[1:], a.decoded)
	if err != nil || n == 0 {
		return nil, false
	}
	if st.rs == nil {
		return a.decoded[:n], true
	}
	if st.rs.OutLen(n) > len(a.pcm) {
		return nil, false
	}
	return a.pcm[:st.rs.Process(a.decoded[:n], a.pcm)], true
}
