package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// FuzzRTPReceive sends arbitrary datagrams from one of a few sources
// through the receive path of a plain session and of a symmetric rtcp-mux
// session. Nothing may panic, every datagram is counted exactly once, and
// a delivered header marshals and parses back to itself.
func FuzzRTPReceive(f *testing.F) {
	for _, e := range loadCorpus(f, "rtp_corpus.txt") {
		f.Add(e.data, uint8(0))
	}
	for _, e := range loadCorpus(f, "rtcp_corpus.txt") {
		f.Add(e.data, uint8(1))
	}
	var last struct {
		hdr     rtp.Header
		payload []byte
		calls   int
	}
	check := HandlerFunc(func(hdr *rtp.Header, payload []byte) {
		last.calls++
		last.hdr = *hdr
		last.payload = payload
	})
	plain, _ := pipeSession(f, Config{MinSequential: 1, Handler: check})
	mux, _ := pipeSession(f, Config{MinSequential: 1, Handler: check, RTCPMux: true, Symmetric: true, RelatchAfter: 2})
	sources := []netip.AddrPort{testAddr, netip.AddrPortFrom(testAddr.Addr().Next(), 9), netip.MustParseAddrPort("[2001:db8::1]:5004")}
	accounted := func(st Stats) uint64 {
		return st.Receive.Packets + st.Receive.Dropped() + st.RTCP.Received + st.RTCP.Malformed + st.RTCP.Foreign
	}
	f.Fuzz(func(t *testing.T, data []byte, src uint8) {
		from := sources[int(src)%len(sources)]
		for _, s := range []*Session{plain, mux} {
			before := accounted(s.Stats())
			last.calls = 0
			s.handleDatagram(data, from, time.Now())
			st := s.Stats()
			if got := accounted(st) - before; got != 1 {
				t.Fatalf("datagram counted %d times", got)
			}
			if last.calls == 0 {
				continue
			}
			b, err := last.hdr.Marshal()
			if err != nil {
				continue // pion cannot re-encode some odd extension layouts
			}
			var back rtp.Header
			if _, err := back.Unmarshal(b); err != nil {
				t.Fatalf("delivered header does not parse back: %v", err)
			}
			if back.PayloadType != last.hdr.PayloadType || back.SequenceNumber != last.hdr.SequenceNumber ||
				back.Timestamp != last.hdr.Timestamp || back.SSRC != last.hdr.SSRC || back.Marker != last.hdr.Marker ||
				len(back.CSRC) != len(last.hdr.CSRC) {
				t.Fatalf("header %+v parses back as %+v", last.hdr, back)
			}
			if s.payloads.Lookup(last.hdr.PayloadType) == nil || len(last.payload) > len(data) {
				t.Fatalf("delivered payload type %d, %d-byte payload of a %d-byte datagram", last.hdr.PayloadType, len(last.payload), len(data))
			}
		}
	})
}
