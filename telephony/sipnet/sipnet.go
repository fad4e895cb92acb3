package sipnet

import (
	"net"
	"net/netip"
	"strconv"
)

// ListenUDPTCP binds UDP and TCP on the same port, as a SIP address serves
// both. With port 0 it retries until one port is free on both.
func ListenUDPTCP(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	for try := 0; ; try++ {
		udp, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err
		}
		p := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		if port != "0" || try == 20 {
			return nil, nil, err
		}
	}
}

// RouteTo returns the local address the host would use to reach host (an
// IP address or name), for SDP and Contact when a socket is bound to every
// interface; a loopback host is its own answer, and 127.0.0.1 is the
// answer when nothing routes.
func RouteTo(host string) netip.Addr {
	if a, err := netip.ParseAddr(host); err == nil && a.IsLoopback() {
		return a.Unmap()
	}
	c, err := net.Dial("udp", net.JoinHostPort(host, "9"))
	if err != nil {
		return netip.MustParseAddr("127.0.0.1")
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
}

// OutboundIP is the address the host would use to reach the outside.
func OutboundIP() netip.Addr { return RouteTo("192.0.2.1") }
