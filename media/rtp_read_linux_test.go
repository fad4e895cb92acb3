//go:build linux

package media

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-cc/parley/media/mediatest"
)

// TestBatchReader checks the recvmmsg reader on a real socket: a backlog
// larger than one batch is delivered whole and in order, an oversize
// datagram is dropped and counted, and Close ends the reader.
func TestBatchReader(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var got []uint16
	var n atomic.Int64
	s, err := NewSession(Config{Conn: conn, Payloads: testPayloads(t), MinSequential: 1, Log: quietLog,
		Handler: HandlerFunc(func(h *rtp.Header, _ []byte) {
			got = append(got, h.SequenceNumber)
			n.Add(1)
		})})
	if err != nil {
		t.Fatal(err)
	}
	if newBatchReader(conn, nil, nil) == nil {
		t.Fatal("no batch reader for a UDP socket")
	}
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	to := netip.MustParseAddrPort(conn.LocalAddr().String())
	// Queued before the reader starts: 3*readBatch+1 packets, then one
	// too large for the reader's buffers.
	const backlog = 3*readBatch + 1
	for i := range backlog {
		if _, err := peer.WriteToUDPAddrPort(packet(0, uint16(100+i), uint32(i*160), 9, false, make([]byte, 160)), to); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := peer.WriteToUDPAddrPort(packet(0, 200, 0, 9, false, make([]byte, 3000)), to); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().Receive.Oversize == 0 || n.Load() < backlog {
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of %d, oversize %d", n.Load(), backlog, s.Stats().Receive.Oversize)
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for i, seq := range got {
		if seq != uint16(100+i) {
			t.Fatalf("packet %d has seq %d: order lost", i, seq)
		}
	}
}
