package mediatest

import (
	"net"
	"net/netip"
	"sync"
)

// ImpairConfig chooses what happens to each datagram written through an
// ImpairedConn. n counts datagrams written, from 0; b is the datagram and
// must not be retained. Nil functions choose nothing.
type ImpairConfig struct {
	// OnWrite observes every datagram before Drop and Hold are applied.
	OnWrite func(n uint64, b []byte)
	// Drop reports whether datagram n is lost.
	Drop func(n uint64, b []byte) bool
	// Hold reports whether datagram n is held back and sent right after
	// the next datagram, swapping the two on the wire.
	Hold func(n uint64, b []byte) bool
}

// ImpairedConn wraps a net.PacketConn and loses or reorders the datagrams
// written through it, deterministically, as its ImpairConfig chooses.
// Reads pass through.
type ImpairedConn struct {
	net.PacketConn
	cfg ImpairConfig

	mu   sync.Mutex
	n    uint64
	held []byte
	to   netip.AddrPort
}

// Impair wraps conn. The wrapper owns conn: closing it closes conn.
func Impair(conn net.PacketConn, cfg ImpairConfig) *ImpairedConn {
	return &ImpairedConn{PacketConn: conn, cfg: cfg}
}

// WriteToUDPAddrPort applies the impairments and writes what is left.
func (c *ImpairedConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n++
	if c.cfg.OnWrite != nil {
		c.cfg.OnWrite(n, b)
	}
	if c.cfg.Drop != nil && c.cfg.Drop(n, b) {
		return len(b), nil
	}
	held, heldTo := c.held, c.to
	c.held = nil
	if c.cfg.Hold != nil && c.cfg.Hold(n, b) && held == nil {
		c.held, c.to = append([]byte(nil), b...), addr
		return len(b), nil
	}
	written, err := c.write(b, addr)
	if held != nil {
		if _, herr := c.write(held, heldTo); err == nil {
			err = herr
		}
	}
	return written, err
}

// write sends b to addr on the wrapped conn.
func (c *ImpairedConn) write(b []byte, addr netip.AddrPort) (int, error) {
	if w, ok := c.PacketConn.(interface {
		WriteToUDPAddrPort([]byte, netip.AddrPort) (int, error)
	}); ok {
		return w.WriteToUDPAddrPort(b, addr)
	}
	return c.PacketConn.WriteTo(b, net.UDPAddrFromAddrPort(addr))
}

// WriteTo applies the impairments to a datagram for a *net.UDPAddr.
func (c *ImpairedConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, &net.OpError{Op: "write", Net: "udp", Addr: addr, Err: net.UnknownNetworkError(addr.Network())}
	}
	return c.WriteToUDPAddrPort(b, ua.AddrPort())
}

// ReadFromUDPAddrPort reads from the wrapped conn without allocating
// when it can.
func (c *ImpairedConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	if r, ok := c.PacketConn.(interface {
		ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error)
	}); ok {
		return r.ReadFromUDPAddrPort(b)
	}
	n, addr, err := c.PacketConn.ReadFrom(b)
	if ua, ok := addr.(*net.UDPAddr); ok {
		return n, ua.AddrPort(), err
	}
	return n, netip.AddrPort{}, err
}

// Written returns the number of datagrams written through c, dropped and
// held ones included.
func (c *ImpairedConn) Written() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
