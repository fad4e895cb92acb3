package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/dtmf"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/resource"
)

// session is one SIP dialog: its channels and its audio leg.
type session struct {
	srv *Server
	id  string // SIP dialog id
	log *slog.Logger
	dlg *sipgo.DialogServerSession

	mu       sync.Mutex
	leg      *media.Leg
	audio    mrcp.Stream // the answered audio stream
	rate     int         // PCM rate of the resources
	version  uint64      // SDP o= version of our answers
	channels []*channel  // by m= line index; nil for non-control lines
	closed   bool

	recog atomic.Pointer[resource.Recog] // where caller audio goes
}

// channel is one allocated MRCPv2 channel.
type channel struct {
	id    mrcp.ChannelID
	sess  *session
	synth *resource.Synth
	recog *resource.Recog
	conn  atomic.Pointer[conn] // the connection answers go to
}

// Send writes m on the connection that last carried a request for the
// channel.
func (ch *channel) Send(m *mrcp.Message) error {
	c := ch.conn.Load()
	if c == nil {
		return fmt.Errorf("channel %s: no control connection", ch.id)
	}
	return c.send(m)
}

func (ch *channel) handle(req *mrcp.Message) {
	switch {
	case ch.synth != nil:
		ch.synth.Handle(req)
	case ch.recog != nil:
		ch.recog.Handle(req)
	}
}

func (ch *channel) close() {
	if ch.synth != nil {
		ch.synth.Close()
	}
	if ch.recog != nil {
		ch.recog.Close()
	}
	if c := ch.conn.Swap(nil); c != nil {
		c.unbind()
	}
}

// supportedResource tells whether the server runs a resource type.
func supportedResource(r mrcp.Resource) bool {
	return r == mrcp.ResourceSpeechSynth || r == mrcp.ResourceSpeechRecog
}

// offerError is a failed offer with the SIP status to answer.
type offerError struct {
	status int
	reason string
	err    error
}

func (e *offerError) Error() string { return fmt.Sprintf("%d %s: %v", e.status, e.reason, e.err) }

func notAcceptable(format string, args ...any) error {
	return &offerError{status: sip.StatusNotAcceptableHere, reason: "Not Acceptable Here", err: fmt.Errorf(format, args...)}
}

// negotiate answers an offer: the first offer opens the audio leg, a
// re-offer keeps it and adds or removes channels. It returns the answer
// and the channels it released (to close after the answer is sent).
func (ss *session) negotiate(ctx context.Context, offer *mrcp.Description) ([]byte, []*channel, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return nil, nil, errors.New("session ended")
	}
	first := ss.leg == nil
	if !first && len(offer.Streams) < len(ss.channels) {
		return nil, nil, notAcceptable("re-offer has %d m= lines, fewer than the %d before (RFC 3264 section 8)", len(offer.Streams), len(ss.channels))
	}
	ctlPort := int(ss.srv.ControlAddr().Port())
	answer := &mrcp.Description{Addr: ss.srv.cfg.MediaIP, SessionID: ss.version + 1, Version: ss.version + 1, Username: "parley"}
	if ss.version == 0 {
		answer.SessionID = uint64(time.Now().Unix())
	}

	// The audio stream first: the channels need its rate and transmitter.
	audioIdx := -1
	for i, st := range offer.Streams {
		if !st.Control && st.Port != 0 && strings.HasPrefix(st.Proto, "RTP/") && audioIdx < 0 && len(st.Formats) > 0 {
			audioIdx = i
		}
	}
	if audioIdx < 0 {
		return nil, nil, notAcceptable("no audio stream offered")
	}
	offAudio := offer.Streams[audioIdx]
	if first {
		if err := ss.openAudio(ctx, offer, offAudio); err != nil {
			return nil, nil, err
		}
	}

	var fresh, released []*channel
	channels := make([]*channel, len(offer.Streams))
	accepted := 0
	for i, st := range offer.Streams {
		var old *channel
		if i < len(ss.channels) {
			old = ss.channels[i]
		}
		switch {
		case i == audioIdx:
			a := ss.audio
			a.Mid = st.Mid
			answer.Streams = append(answer.Streams, a)
			continue
		case !st.Control:
			answer.Streams = append(answer.Streams, rejectStream(st))
			continue
		case st.Port == 0 || !strings.EqualFold(st.Proto, mrcp.ProtoTCP) || !supportedResource(st.Resource) && old == nil:
			if old != nil {
				released = append(released, old)
			}
			answer.Streams = append(answer.Streams, rejectStream(st))
			continue
		}
		ch := old
		if ch == nil {
			var err error
			if ch, err = ss.newChannel(st.Resource); err != nil {
				for _, c := range fresh {
					c.close()
				}
				return nil, nil, err
			}
			fresh = append(fresh, ch)
		}
		channels[i] = ch
		accepted++
		conn := "new"
		if st.Connection == "existing" {
			conn = "existing"
		}
		answer.Streams = append(answer.Streams, mrcp.Stream{
			Control: true, Port: ctlPort, Proto: mrcp.ProtoTCP, Setup: "passive", Connection: conn,
			Channel: ch.id, CMID: st.CMID,
		})
	}
	if accepted == 0 {
		return nil, nil, notAcceptable("no MRCPv2 resource this server offers (speechsynth, speechrecog) in the offer")
	}
	body, err := answer.Marshal()
	if err != nil {
		for _, c := range fresh {
			c.close()
		}
		return nil, nil, err
	}
	// Commit: register new channels, forget released ones.
	ss.srv.mu.Lock()
	for _, c := range fresh {
		ss.srv.channels[c.id] = c
	}
	for _, c := range released {
		delete(ss.srv.channels, c.id)
	}
	ss.srv.mu.Unlock()
	for _, c := range released {
		if c.recog != nil {
			ss.recog.CompareAndSwap(c.recog, nil)
		}
	}
	for _, c := range fresh {
		if c.recog != nil {
			ss.recog.Store(c.recog)
		}
	}
	ss.channels = channels
	ss.version = answer.Version
	return body, released, nil
}

func rejectStream(st mrcp.Stream) mrcp.Stream {
	r := mrcp.Stream{Control: st.Control, Port: 0, Proto: st.Proto, Mid: st.Mid}
	if !st.Control {
		r.Formats = st.Formats
		if len(r.Formats) > 1 {
			r.Formats = r.Formats[:1]
		}
	}
	return r
}

// openAudio picks the codec, opens and starts the leg.
func (ss *session) openAudio(ctx context.Context, offer *mrcp.Description, st mrcp.Stream) error {
	var audio *media.Codec
	var event *media.Codec
	var formats []mrcp.Format
	for _, f := range st.Formats {
		if strings.EqualFold(f.Name, media.NameTelephoneEvent) {
			continue
		}
		c, err := media.NewCodec(f.PayloadType, f.Name, f.ClockRate, f.Channels)
		if err != nil {
			continue
		}
		if c.Name == media.NameOpus {
			// Speech engines work at 16 kHz at most: code Opus there
			// (wideband) rather than at 48 kHz and resampling.
			c.SampleRate = 16000
		}
		audio = &c
		formats = append(formats, f)
		break
	}
	if audio == nil {
		return notAcceptable("no supported codec among the offered audio formats")
	}
	for _, f := range st.Formats {
		if strings.EqualFold(f.Name, media.NameTelephoneEvent) && f.ClockRate == audio.ClockRate {
			if c, err := media.NewCodec(f.PayloadType, f.Name, f.ClockRate, 0); err == nil {
				event = &c
				formats = append(formats, f)
				break
			}
		}
	}
	codecs := []media.Codec{*audio}
	if event != nil {
		codecs = append(codecs, *event)
	}
	pm, err := media.NewPayloadMap(codecs...)
	if err != nil {
		return notAcceptable("%v", err)
	}
	addr := st.Addr
	if !addr.IsValid() {
		addr = offer.Addr
	}
	rate := 8000
	if audio.SampleRate >= 16000 {
		rate = 16000
	}
	// A client on this host (Parley's own voice loop) gets the audio as
	// it arrives and the prompts without silence in between, each
	// prompt's first frame sent the moment it is ready: on one machine a
	// jitter buffer or a continuous stream only adds delay.
	local := addr.Unmap().IsLoopback()
	leg, err := media.OpenLeg(ctx, ss.srv.ports, ss.srv.pacer, ss.log)
	if err != nil {
		return &offerError{status: sip.StatusServiceUnavailable, reason: "Service Unavailable", err: err}
	}
	err = leg.Start(media.LegConfig{
		Payloads:  pm,
		Remote:    netip.AddrPortFrom(addr, uint16(st.Port)),
		Symmetric: true,
		Ptime:     st.Ptime,
		Receive: media.ReceiverConfig{
			Rate:      rate,
			JitterMin: ss.srv.cfg.JitterMin,
			JitterMax: ss.srv.cfg.JitterMax,
			Immediate: ss.srv.cfg.ImmediateAudio || local,
			OnAudio: func(at time.Duration, pcm []int16) {
				if r := ss.recog.Load(); r != nil {
					r.Audio(at, pcm)
				}
			},
			OnDigit: func(t dtmf.Tone) {
				if d, ok := t.Digit(); ok {
					if r := ss.recog.Load(); r != nil {
						r.Digit(d)
					}
				}
			},
		},
		Send: media.TransmitterConfig{Rate: rate, DTX: local},
	})
	if err != nil {
		_ = leg.Close()
		return notAcceptable("%v", err)
	}
	ss.leg, ss.rate = leg, rate
	ss.audio = mrcp.Stream{Port: leg.LocalPort(), Proto: st.Proto, Formats: formats, Ptime: st.Ptime}
	if st.Direction != "" { // no attribute offered, none answered (sendrecv)
		ss.audio.Direction = mrcp.ReverseDirection(st.Direction)
	}
	return nil
}

func (ss *session) newChannel(r mrcp.Resource) (*channel, error) {
	ch := &channel{id: newChannelID(r), sess: ss}
	log := ss.log.With("channel", string(ch.id))
	var err error
	switch r {
	case mrcp.ResourceSpeechSynth:
		ch.synth, err = resource.NewSynth(resource.SynthConfig{
			Channel: ch.id, Send: ch, Out: ss.leg.Transmitter(), Rate: ss.rate, Engines: ss.srv.cfg.Engines, Log: log,
		})
	case mrcp.ResourceSpeechRecog:
		ch.recog, err = resource.NewRecog(resource.RecogConfig{
			Channel: ch.id, Send: ch, Rate: ss.rate, Engines: ss.srv.cfg.Engines, Log: log,
		})
	default:
		err = fmt.Errorf("resource %q not offered", r)
	}
	if err != nil {
		return nil, &offerError{status: sip.StatusInternalServerError, reason: "Server Internal Error", err: err}
	}
	return ch, nil
}

// end releases everything the session holds; it does not send BYE.
func (ss *session) end() {
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return
	}
	ss.closed = true
	channels := ss.channels
	ss.channels = nil
	leg := ss.leg
	ss.mu.Unlock()

	ss.recog.Store(nil)
	ss.srv.mu.Lock()
	delete(ss.srv.sessions, ss.id)
	for _, c := range channels {
		if c != nil {
			delete(ss.srv.channels, c.id)
		}
	}
	ss.srv.mu.Unlock()
	for _, c := range channels {
		if c != nil {
			c.close()
		}
	}
	if leg != nil {
		if err := leg.Close(); err != nil {
			ss.log.Warn("closing audio leg", "err", err)
		}
	}
	ss.log.Debug("session ended")
}

// hangup sends BYE and ends the session.
func (ss *session) hangup(ctx context.Context) {
	if ss.dlg != nil {
		if err := ss.dlg.Bye(ctx); err != nil {
			ss.log.Debug("BYE", "err", err)
		}
	}
	ss.end()
}
