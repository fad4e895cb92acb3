package server

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/mrcp"
)

// conn is one MRCPv2 control connection (RFC 6787 section 4.2).
type conn struct {
	srv *Server
	nc  net.Conn
	rd  *mrcp.Reader
	w   *mrcp.Writer

	wmu      sync.Mutex // write deadline and write together
	bound    atomic.Int32
	closeOne sync.Once
}

func (s *Server) acceptControl(ctx context.Context) {
	go func() {
		<-ctx.Done()
		_ = s.ctl.Close()
	}()
	for {
		nc, err := s.ctl.Accept()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				s.log.Warn("control accept", "err", err)
				time.Sleep(50 * time.Millisecond)
				continue
			}
			return
		}
		c := &conn{srv: s, nc: nc}
		c.rd = mrcp.NewReader(deadlineReader{c}, mrcp.ReaderConfig{})
		c.w = mrcp.NewWriter(nc)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
		}()
	}
}

// deadlineReader sets the read deadline for each read: MessageTimeout
// while a message is partly read, ConnIdleTimeout while the connection
// carries no channel, none otherwise (a channel may rightly be quiet for
// a whole call).
type deadlineReader struct{ c *conn }

func (d deadlineReader) Read(p []byte) (int, error) {
	c := d.c
	var dl time.Time
	switch {
	case c.rd.Buffered() > 0:
		dl = time.Now().Add(c.srv.cfg.MessageTimeout)
	case c.bound.Load() == 0:
		dl = time.Now().Add(c.srv.cfg.ConnIdleTimeout)
	}
	_ = c.nc.SetReadDeadline(dl)
	return c.nc.Read(p)
}

func (c *conn) serve() {
	log := c.srv.log.With("conn", c.nc.RemoteAddr().String())
	defer c.close()
	for {
		m := new(mrcp.Message)
		err := c.rd.ReadMessage(m)
		if err != nil {
			var se *mrcp.StatusError
			switch {
			case errors.As(err, &se):
				log.Info("bad request", "err", err)
				if se.Response() != nil {
					if c.send(se.Response()) != nil {
						return
					}
				}
				continue
			case errors.Is(err, mrcp.ErrMessageTooLarge):
				log.Info("message too large", "err", err)
				continue
			case errors.Is(err, io.EOF):
				return
			default:
				log.Info("control connection closed", "err", err)
				return
			}
		}
		if m.Kind != mrcp.KindRequest {
			log.Debug("ignoring non-request from client", "message", m.Kind)
			continue
		}
		id, _ := m.Channel()
		c.srv.mu.Lock()
		ch := c.srv.channels[id]
		c.srv.mu.Unlock()
		if ch == nil {
			res := mrcp.NewResponse(m, mrcp.StatusResourceNotAllocated, mrcp.StateComplete)
			if c.send(res) != nil {
				return
			}
			continue
		}
		if old := ch.conn.Swap(c); old != c {
			c.bound.Add(1)
			if old != nil {
				old.unbind()
			}
		}
		ch.handle(m)
	}
}

func (c *conn) unbind() { c.bound.Add(-1) }

func (c *conn) send(m *mrcp.Message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.srv.cfg.WriteTimeout))
	if err := c.w.WriteMessage(m); err != nil {
		go c.close()
		return err
	}
	return nil
}

func (c *conn) close() {
	c.closeOne.Do(func() {
		_ = c.nc.Close()
		c.srv.mu.Lock()
		delete(c.srv.conns, c)
		for _, ch := range c.srv.channels {
			ch.conn.CompareAndSwap(c, nil)
		}
		c.srv.mu.Unlock()
	})
}
