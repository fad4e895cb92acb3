package sipnet

import (
	"net"
	"net/netip"
	"testing"
)

func TestListenUDPTCPSamePort(t *testing.T) {
	udp, tcp, err := ListenUDPTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	defer tcp.Close()
	if u, p := udp.LocalAddr().(*net.UDPAddr).Port, tcp.Addr().(*net.TCPAddr).Port; u != p || u == 0 {
		t.Fatalf("udp port %d, tcp port %d", u, p)
	}
	// A fixed port that is taken is an error, not a retry elsewhere.
	if _, _, err := ListenUDPTCP(udp.LocalAddr().String()); err == nil {
		t.Fatal("bound a port already in use")
	}
	if _, _, err := ListenUDPTCP("no-port"); err == nil {
		t.Fatal("accepted an address without a port")
	}
}

func TestRouteTo(t *testing.T) {
	if got := RouteTo("127.0.0.5"); got != netip.MustParseAddr("127.0.0.5") {
		t.Fatalf("RouteTo(loopback) = %v", got)
	}
	if got := OutboundIP(); !got.IsValid() || got.IsUnspecified() {
		t.Fatalf("OutboundIP() = %v", got)
	}
}
