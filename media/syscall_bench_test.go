package media

import (
	"net"
	"net/netip"
	"syscall"
	"testing"
)

// BenchmarkKernelFloor measures what the kernel charges per packet on this
// machine, the floor under the load measurement of TestLoadOneCore: one
// UDP send to a loopback socket plus its receive, and a null system call
// for scale. Parley's own per-packet work is measured by
// BenchmarkReceivePath; the rest of a call's CPU is this.
func BenchmarkKernelFloor(b *testing.B) {
	b.Run("udp-send+recv", func(b *testing.B) {
		dst, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		defer dst.Close()
		src, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		defer src.Close()
		to := netip.MustParseAddrPort(dst.LocalAddr().String())
		pkt, buf := make([]byte, 172), make([]byte, 1500)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := src.WriteToUDPAddrPort(pkt, to); err != nil {
				b.Fatal(err)
			}
			if _, _, err := dst.ReadFromUDPAddrPort(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("getpid", func(b *testing.B) {
		for b.Loop() {
			syscall.Getpid()
		}
	})
}
