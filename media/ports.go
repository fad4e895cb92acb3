package media

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// Default RTP port range, as in common SIP servers' RTP configuration.
const (
	DefaultMinPort = 10000
	DefaultMaxPort = 20000
)

// PortConfig configures a PortAllocator. The zero value binds the
// unspecified IPv4 address over DefaultMinPort..DefaultMaxPort.
type PortConfig struct {
	// IP is the local address the sockets are bound to; the zero Addr
	// means 0.0.0.0.
	IP netip.Addr
	// Min and Max bound the port range, inclusive. RTP takes even ports
	// and RTCP the odd port above (RFC 3550 section 11). Zero means the
	// default.
	Min, Max int
}

// PortAllocator hands out pairs of bound UDP sockets on an even RTP port
// and the odd RTCP port above it, from a fixed range on one IP. It walks
// the range round-robin so a port just released is reused last, and skips
// ports another process holds. It is safe for concurrent use.
type PortAllocator struct {
	ip       netip.Addr
	min, max int // even min, last usable even port

	mu    sync.Mutex
	inUse map[int]bool // RTP ports of pairs handed out
	next  int          // RTP port to try first
}

// NewPortAllocator checks cfg and returns an allocator. It binds nothing
// until Allocate.
func NewPortAllocator(cfg PortConfig) (*PortAllocator, error) {
	if !cfg.IP.IsValid() {
		cfg.IP = netip.IPv4Unspecified()
	}
	if cfg.Min == 0 {
		cfg.Min = DefaultMinPort
	}
	if cfg.Max == 0 {
		cfg.Max = DefaultMaxPort
	}
	lo := cfg.Min + cfg.Min%2 // first even port
	hi := cfg.Max - 1         // the RTCP port hi+1 must fit
	hi -= hi % 2
	if cfg.Min < 1 || cfg.Max > 65535 || lo > hi {
		return nil, fmt.Errorf("%w: port range %d-%d holds no even/odd pair", ErrInvalidConfig, cfg.Min, cfg.Max)
	}
	return &PortAllocator{ip: cfg.IP.Unmap(), min: lo, max: hi, next: lo, inUse: map[int]bool{}}, nil
}

// PortPair is an RTP socket on an even port and the RTCP socket on the
// port above. Closing either socket returns its pair to the allocator
// once both are closed; Release closes both.
type PortPair struct {
	RTP, RTCP *PortConn
}

// PortConn is a UDP socket from a PortAllocator. It is a *net.UDPConn
// whose Close also gives its port back.
type PortConn struct {
	*net.UDPConn
	release func()
	once    sync.Once
}

// Close closes the socket and returns the port to its allocator.
func (c *PortConn) Close() error {
	err := c.UDPConn.Close()
	c.once.Do(c.release)
	return err
}

// Port returns the socket's local port.
func (c *PortConn) Port() int { return int(c.UDPConn.LocalAddr().(*net.UDPAddr).AddrPort().Port()) }

// Allocate binds the next free pair. It fails with ErrPortsExhausted when
// every pair in the range is handed out or held by another process, and
// with ctx's error when ctx ends first.
func (a *PortAllocator) Allocate(ctx context.Context) (*PortPair, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	pairs := (a.max-a.min)/2 + 1
	for range pairs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("allocate rtp ports: %w", err)
		}
		port := a.next
		if a.next += 2; a.next > a.max {
			a.next = a.min
		}
		if a.inUse[port] {
			continue
		}
		p, err := a.bind(port)
		if err != nil {
			continue // held by another process, or not bindable
		}
		a.inUse[port] = true
		return p, nil
	}
	return nil, fmt.Errorf("%w: %s ports %d-%d", ErrPortsExhausted, a.ip, a.min, a.max+1)
}

// bind binds port and port+1 on the allocator's IP.
func (a *PortAllocator) bind(port int) (*PortPair, error) {
	network := "udp6"
	if a.ip.Is4() {
		network = "udp4"
	}
	rtpConn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(a.ip, uint16(port))))
	if err != nil {
		return nil, err
	}
	rtcpConn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(a.ip, uint16(port+1))))
	if err != nil {
		return nil, errors.Join(err, rtpConn.Close())
	}
	var mu sync.Mutex
	open := 2
	release := func() {
		mu.Lock()
		defer mu.Unlock()
		if open--; open == 0 {
			a.free(port)
		}
	}
	return &PortPair{
		RTP:  &PortConn{UDPConn: rtpConn, release: release},
		RTCP: &PortConn{UDPConn: rtcpConn, release: release},
	}, nil
}

// free marks the pair at port free again.
func (a *PortAllocator) free(port int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.inUse, port)
}

// Release closes both sockets of p, which returns the pair to the
// allocator. Releasing a pair twice, or after a Session closed its
// sockets, does nothing more.
func (a *PortAllocator) Release(p *PortPair) error {
	if p == nil {
		return nil
	}
	return errors.Join(ignoreClosed(p.RTP.Close()), ignoreClosed(p.RTCP.Close()))
}

// ignoreClosed drops the error of closing an already closed socket.
func ignoreClosed(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// InUse returns the number of pairs handed out and not yet released.
func (a *PortAllocator) InUse() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.inUse)
}
