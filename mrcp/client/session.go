package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp"
)

// SessionOptions says what a session needs.
type SessionOptions struct {
	// Resources to allocate, e.g. speechsynth and speechrecog; at least one.
	Resources []mrcp.Resource
	// Rate is the sample rate of the PCM the session's audio uses (what
	// Play sends and OnAudio receives); default 8000.
	Rate int
	// OnAudio receives the audio the server sends (synthesized speech),
	// one frame at a time on the pacing goroutine; it must not block.
	OnAudio func(at time.Duration, pcm []int16)
	// Direction of the audio stream from the client's side; default
	// sendrecv.
	Direction string
	// SendSlack is media.TransmitterConfig.Slack for the audio sent to
	// the server: set it when that audio is a live relay (a caller's
	// voice) whose frames are sent as they arrive with
	// Leg().Transmitter().Kick, so a frame a little late is not replaced
	// by silence.
	SendSlack time.Duration
}

// Session is an open MRCPv2 session on one server.
type Session struct {
	c      *Client
	server int // index in Config.Servers
	opts   SessionOptions
	dlg    *sipgo.DialogClientSession
	log    *slog.Logger
	leg    *media.Leg
	offer  *mrcp.Description

	mu       sync.Mutex
	channels []*Channel // by m= line index, nil for audio
	conns    map[netip.AddrPort]*ctlConn
	err      error
	done     chan struct{}
}

// Open starts a session on the first server that accepts it.
func (c *Client) Open(ctx context.Context, opts SessionOptions) (*Session, error) {
	if len(opts.Resources) == 0 {
		return nil, errors.New("mrcp client: a session needs at least one resource")
	}
	if opts.Rate == 0 {
		opts.Rate = 8000
	}
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	var errs []error
	for _, i := range c.order() {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		s, err := c.open(ctx, i, opts)
		if err == nil {
			c.markUp(i)
			return s, nil
		}
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		errs = append(errs, fmt.Errorf("%s: %w", c.servers[i].String(), err))
		c.markDown(i, err)
	}
	return nil, fmt.Errorf("%w: %w", ErrNoServer, errors.Join(errs...))
}

func (c *Client) open(ctx context.Context, idx int, opts SessionOptions) (*Session, error) {
	// The forced-cancel cause makes WaitAnswer give up at the deadline
	// instead of waiting out Timer B for a server that never answers.
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.SetupTimeout, sipgo.WaitAnswerForceCancelErr)
	defer cancel()
	leg, err := media.OpenLeg(ctx, c.ports, c.pacer, c.log)
	if err != nil {
		return nil, err
	}
	s := &Session{c: c, server: idx, opts: opts, leg: leg, conns: map[netip.AddrPort]*ctlConn{}, done: make(chan struct{}),
		log: c.log.With("server", c.servers[idx].String())}
	s.offer = c.newOffer(leg.LocalPort(), opts)
	for _, r := range opts.Resources {
		s.offer.Streams = append(s.offer.Streams, controlOffer(r, "new"))
	}
	body, err := s.offer.Marshal()
	if err != nil {
		_ = leg.Close()
		return nil, err
	}
	dlg, err := c.dua.Invite(ctx, c.servers[idx], body, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		_ = leg.Close()
		return nil, fmt.Errorf("INVITE: %w", err)
	}
	s.dlg = dlg
	if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		_ = leg.Close()
		_ = dlg.Close()
		return nil, fmt.Errorf("INVITE: %w", err)
	}
	if err := dlg.Ack(ctx); err != nil {
		s.abort(err)
		return nil, fmt.Errorf("ACK: %w", err)
	}
	c.mu.Lock()
	c.sessions[dlg.ID] = s
	c.mu.Unlock()
	answer, err := mrcp.ParseDescription(dlg.InviteResponse.Body())
	if err == nil {
		err = s.apply(ctx, answer, true)
	}
	if err != nil {
		s.abort(err)
		return nil, err
	}
	return s, nil
}

// abort ends a half-open session with BYE.
func (s *Session) abort(err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.dlg.Bye(ctx)
	s.fail(err)
}

func (c *Client) newOffer(rtpPort int, opts SessionOptions) *mrcp.Description {
	d := &mrcp.Description{Addr: c.cfg.LocalIP, SessionID: uint64(time.Now().UnixNano()), Version: 1, Username: "parley"}
	audio := mrcp.Stream{Port: rtpPort, Proto: "RTP/AVP", Mid: "1", Direction: opts.Direction, Ptime: 20 * time.Millisecond}
	if audio.Direction == "" {
		audio.Direction = "sendrecv"
	}
	for _, cd := range c.cfg.Codecs {
		f := mrcp.Format{PayloadType: cd.PayloadType, Name: cd.Name, ClockRate: cd.ClockRate}
		if cd.Channels > 1 {
			f.Channels = cd.Channels
		}
		if cd.IsTelephoneEvent() {
			f.Fmtp = "0-15"
		}
		audio.Formats = append(audio.Formats, f)
	}
	d.Streams = append(d.Streams, audio)
	return d
}

func controlOffer(r mrcp.Resource, connection string) mrcp.Stream {
	return mrcp.Stream{Control: true, Port: 9, Proto: mrcp.ProtoTCP, Setup: "active", Connection: connection, Resource: r, CMID: "1"}
}

// apply reads an answer: starts the audio (first time), binds channels and
// connects their control connections.
func (s *Session) apply(ctx context.Context, answer *mrcp.Description, first bool) error {
	if len(answer.Streams) != len(s.offer.Streams) {
		return fmt.Errorf("%w: answer has %d m= lines, offer %d", mrcp.ErrSDP, len(answer.Streams), len(s.offer.Streams))
	}
	if first {
		if err := s.startAudio(answer); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	channels := make([]*Channel, len(answer.Streams))
	for i, st := range answer.Streams {
		off := s.offer.Streams[i]
		if !off.Control {
			continue
		}
		if i < len(s.channels) && s.channels[i] != nil {
			if st.Port == 0 {
				s.channels[i].end(ErrClosed)
				continue
			}
			channels[i] = s.channels[i]
			continue
		}
		if st.Port == 0 || off.Port == 0 {
			continue
		}
		if st.Channel == "" || st.Channel.Resource() != off.Resource {
			return fmt.Errorf("%w: answer gives channel %q for resource %s", mrcp.ErrSDP, st.Channel, off.Resource)
		}
		addr := st.Addr
		if !addr.IsValid() {
			addr = answer.Addr
		}
		ap := netip.AddrPortFrom(addr, uint16(st.Port))
		cc := s.conns[ap]
		if cc == nil {
			var err error
			if cc, err = s.dial(ctx, ap); err != nil {
				return err
			}
			s.conns[ap] = cc
		}
		ch := &Channel{ID: st.Channel, Resource: off.Resource, s: s, conn: cc, events: make(chan *mrcp.Message, 256)}
		cc.addChannel(ch)
		channels[i] = ch
	}
	s.channels = channels
	return nil
}

func (s *Session) startAudio(answer *mrcp.Description) error {
	var st *mrcp.Stream
	for i := range answer.Streams {
		if !answer.Streams[i].Control {
			st = &answer.Streams[i]
			break
		}
	}
	if st == nil || st.Port == 0 || len(st.Formats) == 0 {
		return fmt.Errorf("%w: the server refused the audio stream", mrcp.ErrSDP)
	}
	var codecs []media.Codec
	for _, f := range st.Formats {
		cd, err := media.NewCodec(f.PayloadType, f.Name, f.ClockRate, f.Channels)
		if err != nil {
			continue
		}
		if cd.Name == media.NameOpus && s.opts.Rate <= 16000 {
			// Code Opus at the session's rate (wideband or narrowband)
			// rather than at 48 kHz and resampling.
			cd.SampleRate = max(s.opts.Rate, 8000)
		}
		codecs = append(codecs, cd)
	}
	pm, err := media.NewPayloadMap(codecs...)
	if err != nil {
		return fmt.Errorf("%w: answered audio formats: %v", mrcp.ErrSDP, err)
	}
	addr := st.Addr
	if !addr.IsValid() {
		addr = answer.Addr
	}
	return s.leg.Start(media.LegConfig{
		Payloads: pm, Remote: netip.AddrPortFrom(addr, uint16(st.Port)), Symmetric: true, Ptime: st.Ptime,
		Receive: s.c.receiveConfig(s.opts),
		Send:    media.TransmitterConfig{Rate: s.opts.Rate, Slack: s.opts.SendSlack},
	})
}

// receiveConfig is the receive path of a session's audio: at the
// session's rate, each packet played as it arrives unless Config sets
// jitter buffer bounds.
func (c *Client) receiveConfig(opts SessionOptions) media.ReceiverConfig {
	return media.ReceiverConfig{
		Rate: opts.Rate, OnAudio: opts.OnAudio,
		JitterMin: c.cfg.JitterMin, JitterMax: c.cfg.JitterMax,
		Immediate: c.cfg.JitterMin == 0 && c.cfg.JitterMax == 0,
	}
}

// Channel returns the session's channel for a resource, nil if none.
func (s *Session) Channel(r mrcp.Resource) *Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.channels {
		if ch != nil && ch.Resource == r {
			return ch
		}
	}
	return nil
}

// Leg returns the session's audio: play caller audio to the recognizer
// with Leg().Transmitter().Play, send DTMF with SendDigit.
func (s *Session) Leg() *media.Leg { return s.leg }

// Done is closed when the session ends, by Close, by the server's BYE or
// by losing the server.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err returns why the session ended, nil while it is open or after a
// clean Close.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// AddResource allocates another resource in the session by re-INVITE
// (RFC 6787 section 4.2, a=connection:existing).
func (s *Session) AddResource(ctx context.Context, r mrcp.Resource) (*Channel, error) {
	if ch := s.Channel(r); ch != nil {
		return ch, nil
	}
	s.mu.Lock()
	next := *s.offer
	next.Streams = append(append([]mrcp.Stream(nil), s.offer.Streams...), controlOffer(r, "existing"))
	next.Version++
	s.mu.Unlock()
	if err := s.reinvite(ctx, &next); err != nil {
		return nil, err
	}
	if ch := s.Channel(r); ch != nil {
		return ch, nil
	}
	return nil, fmt.Errorf("mrcp client: server refused resource %s", r)
}

// RemoveResource deallocates a resource by re-INVITE with its m= line's
// port set to 0.
func (s *Session) RemoveResource(ctx context.Context, r mrcp.Resource) error {
	s.mu.Lock()
	next := *s.offer
	next.Streams = append([]mrcp.Stream(nil), s.offer.Streams...)
	found := false
	for i, ch := range s.channels {
		if ch != nil && ch.Resource == r {
			next.Streams[i].Port = 0
			found = true
		}
	}
	next.Version++
	s.mu.Unlock()
	if !found {
		return fmt.Errorf("mrcp client: no %s channel in the session", r)
	}
	return s.reinvite(ctx, &next)
}

func (s *Session) reinvite(ctx context.Context, offer *mrcp.Description) error {
	ctx, cancel := context.WithTimeout(ctx, s.c.cfg.SetupTimeout)
	defer cancel()
	body, err := offer.Marshal()
	if err != nil {
		return err
	}
	req := sip.NewRequest(sip.INVITE, s.dlg.InviteRequest.Recipient)
	req.SetBody(body)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(&s.c.dua.ContactHDR)
	res, err := s.dlg.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("re-INVITE: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("re-INVITE: %d %s", res.StatusCode, res.Reason)
	}
	ack := sip.NewRequest(sip.ACK, s.dlg.InviteRequest.Recipient)
	ack.AppendHeader(sip.NewHeader("CSeq", strconv.Itoa(int(res.CSeq().SeqNo))+" ACK"))
	if err := s.dlg.WriteRequest(ack); err != nil {
		s.log.Debug("ACK of re-INVITE", "err", err)
	}
	answer, err := mrcp.ParseDescription(res.Body())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.offer = offer
	s.mu.Unlock()
	return s.apply(ctx, answer, false)
}

// Close ends the session: BYE, then the control connections and audio.
func (s *Session) Close(ctx context.Context) error {
	select {
	case <-s.done:
		return nil
	default:
	}
	var err error
	if s.dlg != nil {
		if e := s.dlg.Bye(ctx); e != nil {
			err = fmt.Errorf("BYE: %w", e)
		}
	}
	s.finish(nil)
	return err
}

// fail ends the session with an error.
func (s *Session) fail(err error) { s.finish(err) }

func (s *Session) finish(err error) {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
	}
	s.err = err
	close(s.done)
	conns := s.conns
	s.conns = map[netip.AddrPort]*ctlConn{}
	channels := s.channels
	s.mu.Unlock()
	for _, ch := range channels {
		if ch != nil {
			ch.end(ErrClosed)
		}
	}
	for _, cc := range conns {
		cc.close()
	}
	_ = s.leg.Close()
	if s.dlg != nil {
		s.c.mu.Lock()
		delete(s.c.sessions, s.dlg.ID)
		s.c.mu.Unlock()
		_ = s.dlg.Close()
	}
}

func (s *Session) dial(ctx context.Context, ap netip.AddrPort) (*ctlConn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", ap.String())
	if err != nil {
		return nil, fmt.Errorf("control connection: %w", err)
	}
	cc := newCtlConn(s, ap, nc)
	return cc, nil
}
