package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/parley-cc/parley/mrcp"
)

// ctlConn is one TCP control connection and the channels it carries. It
// reconnects when the connection drops.
type ctlConn struct {
	s  *Session
	ap netip.AddrPort

	mu       sync.Mutex
	nc       net.Conn
	w        *mrcp.Writer
	pending  map[mrcp.RequestID]chan *mrcp.Message
	channels map[mrcp.ChannelID]*Channel
	closed   bool
	wg       sync.WaitGroup
}

func newCtlConn(s *Session, ap netip.AddrPort, nc net.Conn) *ctlConn {
	cc := &ctlConn{s: s, ap: ap, nc: nc, w: mrcp.NewWriter(nc),
		pending: map[mrcp.RequestID]chan *mrcp.Message{}, channels: map[mrcp.ChannelID]*Channel{}}
	cc.wg.Add(1)
	go cc.run(nc)
	return cc
}

func (cc *ctlConn) addChannel(ch *Channel) {
	cc.mu.Lock()
	cc.channels[ch.ID] = ch
	cc.mu.Unlock()
}

// run reads messages until the connection drops, then reconnects.
func (cc *ctlConn) run(nc net.Conn) {
	defer cc.wg.Done()
	for {
		err := cc.read(nc)
		cc.mu.Lock()
		closed := cc.closed
		for id, p := range cc.pending {
			close(p)
			delete(cc.pending, id)
		}
		cc.mu.Unlock()
		if closed {
			return
		}
		cc.s.log.Warn("control connection lost; reconnecting", "addr", cc.ap, "err", err)
		if nc = cc.redial(); nc == nil {
			cc.s.fail(fmt.Errorf("%w: %v", ErrConnectionLost, err))
			return
		}
	}
}

func (cc *ctlConn) read(nc net.Conn) error {
	rd := mrcp.NewReader(nc, mrcp.ReaderConfig{})
	for {
		m := new(mrcp.Message)
		if err := rd.ReadMessage(m); err != nil {
			var se *mrcp.StatusError
			if errors.As(err, &se) || errors.Is(err, mrcp.ErrMessageTooLarge) {
				cc.s.log.Warn("bad message from server", "err", err)
				continue
			}
			return err
		}
		id, _ := m.Channel()
		cc.mu.Lock()
		switch m.Kind {
		case mrcp.KindResponse:
			p := cc.pending[m.RequestID]
			delete(cc.pending, m.RequestID)
			cc.mu.Unlock()
			if p != nil {
				p <- m
			} else {
				cc.s.log.Debug("response to no pending request", "request_id", m.RequestID)
			}
		case mrcp.KindEvent:
			ch := cc.channels[id]
			cc.mu.Unlock()
			if ch != nil {
				ch.deliver(m)
			}
		default:
			cc.mu.Unlock()
		}
	}
}

// redial reconnects (connection:existing semantics: the server keeps the
// channels) and re-binds every channel with an empty GET-PARAMS.
func (cc *ctlConn) redial() net.Conn {
	for i, wait := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, time.Second} {
		select {
		case <-cc.s.done:
			return nil
		case <-time.After(wait):
		}
		ctx, cancel := context.WithTimeout(context.Background(), cc.s.c.cfg.SetupTimeout)
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", cc.ap.String())
		cancel()
		if err != nil {
			cc.s.log.Debug("reconnect", "try", i+1, "err", err)
			continue
		}
		cc.mu.Lock()
		if cc.closed {
			cc.mu.Unlock()
			_ = nc.Close()
			return nil
		}
		cc.nc, cc.w = nc, mrcp.NewWriter(nc)
		var chans []*Channel
		for _, ch := range cc.channels {
			chans = append(chans, ch)
		}
		cc.mu.Unlock()
		go func() {
			for _, ch := range chans {
				ctx, cancel := context.WithTimeout(context.Background(), cc.s.c.cfg.RequestTimeout)
				_, _ = ch.Do(ctx, ch.NewRequest(mrcp.MethodGetParams))
				cancel()
			}
		}()
		return nc
	}
	return nil
}

// roundTrip sends req and waits for its response.
func (cc *ctlConn) roundTrip(ctx context.Context, req *mrcp.Message) (*mrcp.Message, error) {
	p := make(chan *mrcp.Message, 1)
	cc.mu.Lock()
	if cc.closed {
		cc.mu.Unlock()
		return nil, ErrClosed
	}
	cc.pending[req.RequestID] = p
	nc, w := cc.nc, cc.w
	cc.mu.Unlock()
	forget := func() {
		cc.mu.Lock()
		delete(cc.pending, req.RequestID)
		cc.mu.Unlock()
	}
	_ = nc.SetWriteDeadline(time.Now().Add(cc.s.c.cfg.RequestTimeout))
	if err := w.WriteMessage(req); err != nil {
		forget()
		_ = nc.Close() // the reader sees it and reconnects
		return nil, fmt.Errorf("%w: %v", ErrConnectionLost, err)
	}
	t := time.NewTimer(cc.s.c.cfg.RequestTimeout)
	defer t.Stop()
	select {
	case res, ok := <-p:
		if !ok {
			return nil, ErrConnectionLost
		}
		return res, nil
	case <-t.C:
		forget()
		return nil, fmt.Errorf("%w: %s %d after %v", ErrTimeout, req.Method, req.RequestID, cc.s.c.cfg.RequestTimeout)
	case <-ctx.Done():
		forget()
		return nil, ctx.Err()
	}
}

func (cc *ctlConn) close() {
	cc.mu.Lock()
	if cc.closed {
		cc.mu.Unlock()
		return
	}
	cc.closed = true
	nc := cc.nc
	cc.mu.Unlock()
	_ = nc.Close()
	cc.wg.Wait()
}

// Channel is one allocated resource of a session.
type Channel struct {
	// ID is the Channel-Identifier the server allocated.
	ID mrcp.ChannelID
	// Resource is the resource type.
	Resource mrcp.Resource

	s      *Session
	conn   *ctlConn
	events chan *mrcp.Message

	mu    sync.Mutex
	ended bool
}

// NewRequest returns a request for the channel; Do sets its request-id.
func (ch *Channel) NewRequest(method mrcp.Method) *mrcp.Message {
	return mrcp.NewRequest(method, 0, ch.ID)
}

// Do sends req on the channel and returns the server's response. It sets
// the request-id and Channel-Identifier. A response arrives within
// Config.RequestTimeout or Do fails with ErrTimeout.
func (ch *Channel) Do(ctx context.Context, req *mrcp.Message) (*mrcp.Message, error) {
	ch.mu.Lock()
	ended := ch.ended
	ch.mu.Unlock()
	if ended {
		return nil, ErrClosed
	}
	req.RequestID = ch.s.c.nextRequestID()
	req.SetChannel(ch.ID)
	return ch.conn.roundTrip(ctx, req)
}

// Events delivers the channel's events in order; it is closed when the
// channel or session ends. Events that find it full (256 waiting) are
// dropped and logged: read it promptly.
func (ch *Channel) Events() <-chan *mrcp.Message { return ch.events }

func (ch *Channel) deliver(m *mrcp.Message) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.ended {
		return
	}
	select {
	case ch.events <- m:
	default:
		ch.s.log.Warn("event dropped: channel's event queue is full", "channel", ch.ID, "event", m.Event)
	}
}

func (ch *Channel) end(error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if !ch.ended {
		ch.ended = true
		close(ch.events)
	}
	ch.conn.mu.Lock()
	delete(ch.conn.channels, ch.ID)
	ch.conn.mu.Unlock()
}
