package mediatest

import (
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Default pipe endpoint addresses, from TEST-NET-1 (RFC 5737).
var (
	DefaultAddrA = netip.MustParseAddrPort("192.0.2.1:4000")
	DefaultAddrB = netip.MustParseAddrPort("192.0.2.2:5000")
)

// defaultQueue is the per-direction datagram capacity of a pipe.
const defaultQueue = 256

// PipeConfig configures a pipe. The zero value is a lossless pipe without
// latency between DefaultAddrA and DefaultAddrB.
type PipeConfig struct {
	// Delay is the one-way latency of each datagram.
	Delay time.Duration
	// Queue is how many datagrams each direction buffers; writes beyond
	// it are dropped, like a full socket buffer. Zero means 256.
	Queue int
	// AddrA and AddrB are the endpoints' local addresses.
	AddrA, AddrB netip.AddrPort
}

// NewPipe returns the two ends of an in-memory datagram link. Each end
// delivers what is written to the other end's address and silently drops
// datagrams addressed elsewhere, as UDP would. Close each end when done.
func NewPipe(cfg PipeConfig) (a, b *PipeConn) {
	if cfg.Queue <= 0 {
		cfg.Queue = defaultQueue
	}
	if !cfg.AddrA.IsValid() {
		cfg.AddrA = DefaultAddrA
	}
	if !cfg.AddrB.IsValid() {
		cfg.AddrB = DefaultAddrB
	}
	a, b = newPipeConn(cfg.AddrA, cfg), newPipeConn(cfg.AddrB, cfg)
	a.peer, b.peer = b, a
	return a, b
}

func newPipeConn(local netip.AddrPort, cfg PipeConfig) *PipeConn {
	c := &PipeConn{
		local:  local,
		delay:  cfg.Delay,
		in:     make(chan *datagram, cfg.Queue),
		free:   make(chan *datagram, cfg.Queue),
		closed: make(chan struct{}),
	}
	for range cfg.Queue {
		c.free <- &datagram{buf: make([]byte, 0, 2048)}
	}
	return c
}

// datagram is one queued datagram, recycled through the receiver's pool.
type datagram struct {
	buf  []byte
	from netip.AddrPort
	due  time.Time
}

// PipeConn is one end of a pipe. It implements net.PacketConn and, like
// *net.UDPConn, ReadFromUDPAddrPort and WriteToUDPAddrPort, which do not
// allocate.
type PipeConn struct {
	local netip.AddrPort
	peer  *PipeConn
	delay time.Duration

	in   chan *datagram // datagrams delivered to this end
	free chan *datagram // empty datagrams for writers to this end

	closeOnce sync.Once
	closed    chan struct{}

	mu           sync.Mutex
	readDeadline time.Time

	dropped atomic.Uint64
}

// WriteToUDPAddrPort sends b to addr. It never blocks: a datagram to an
// address other than the peer's, to a closed peer or beyond the queue is
// dropped and counted, and the write still succeeds.
func (c *PipeConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	if addr != c.peer.local {
		c.dropped.Add(1)
		return len(b), nil
	}
	c.peer.deliver(b, c.local)
	return len(b), nil
}

// Inject delivers b to this end as if a datagram arrived from from, to
// simulate third parties.
func (c *PipeConn) Inject(b []byte, from netip.AddrPort) { c.deliver(b, from) }

// deliver queues a copy of b from from on this end.
func (c *PipeConn) deliver(b []byte, from netip.AddrPort) {
	select {
	case <-c.closed:
		c.dropped.Add(1)
		return
	default:
	}
	var d *datagram
	select {
	case d = <-c.free:
	default:
		c.dropped.Add(1)
		return
	}
	d.buf = append(d.buf[:0], b...)
	d.from = from
	if c.delay > 0 {
		d.due = time.Now().Add(c.delay)
	}
	c.in <- d // never blocks: in holds as many as free
}

// WriteTo sends b to addr, which must be a *net.UDPAddr.
func (c *PipeConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, &net.OpError{Op: "write", Net: "udp", Addr: addr, Err: net.UnknownNetworkError(addr.Network())}
	}
	return c.WriteToUDPAddrPort(b, ua.AddrPort())
}

// ReadFromUDPAddrPort reads the next datagram into b, truncating it to
// len(b) as UDP does, and returns its source. It waits out the pipe's
// delay. A read deadline set before the call applies to it.
func (c *PipeConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	var timeout <-chan time.Time
	c.mu.Lock()
	deadline := c.readDeadline
	c.mu.Unlock()
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timeout = t.C
	}
	var d *datagram
	select {
	case d = <-c.in:
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	case <-timeout:
		return 0, netip.AddrPort{}, os.ErrDeadlineExceeded
	}
	if wait := time.Until(d.due); c.delay > 0 && wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.closed:
			t.Stop()
			return 0, netip.AddrPort{}, net.ErrClosed
		}
	}
	n := copy(b, d.buf)
	from := d.from
	c.free <- d
	return n, from, nil
}

// ReadFrom reads the next datagram; see ReadFromUDPAddrPort.
func (c *PipeConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.ReadFromUDPAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// Close closes this end; blocked reads return net.ErrClosed. It is
// idempotent.
func (c *PipeConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

// LocalAddr returns this end's address as a *net.UDPAddr.
func (c *PipeConn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.local) }

// AddrPort returns this end's address.
func (c *PipeConn) AddrPort() netip.AddrPort { return c.local }

// SetDeadline sets the read deadline; writes never block.
func (c *PipeConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

// SetReadDeadline sets the deadline for reads that start after it.
func (c *PipeConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readDeadline = t
	return nil
}

// SetWriteDeadline does nothing: writes never block.
func (c *PipeConn) SetWriteDeadline(time.Time) error { return nil }

// Dropped returns how many datagrams were dropped on the way to or from
// this end: misaddressed, to a closed end, or beyond the queue.
func (c *PipeConn) Dropped() uint64 { return c.dropped.Load() }
