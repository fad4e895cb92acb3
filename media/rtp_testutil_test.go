package media

import (
	"bufio"
	"encoding/hex"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/pion/rtp"
)

// corpusEntry is one line of a testdata corpus: name, expectation, bytes.
type corpusEntry struct {
	name, expect string
	data         []byte
}

// loadCorpus reads testdata/<file>.
func loadCorpus(t testing.TB, file string) []corpusEntry {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var entries []corpusEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("%s: bad line %q", file, line)
		}
		var data []byte
		if fields[2] != "-" {
			if data, err = hex.DecodeString(fields[2]); err != nil {
				t.Fatalf("%s: %s: %v", file, fields[0], err)
			}
		}
		entries = append(entries, corpusEntry{fields[0], fields[1], data})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return entries
}

// quietLog discards session logs in tests.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// pipeSession returns an unstarted session on one end of a pipe, with cfg
// defaults for tests, and the other end. Both are closed at cleanup.
func pipeSession(t testing.TB, cfg Config) (*Session, *mediatest.PipeConn) {
	t.Helper()
	a, b := mediatest.NewPipe(mediatest.PipeConfig{Queue: 16})
	cfg.Conn = a
	if cfg.Payloads == nil {
		cfg.Payloads = testPayloads(t)
	}
	if cfg.Log == nil {
		cfg.Log = quietLog
	}
	if !cfg.Remote.IsValid() && !cfg.Symmetric {
		cfg.Remote = b.AddrPort()
	}
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		b.Close()
	})
	return s, b
}

// packet marshals an RTP packet.
func packet(pt uint8, seq uint16, ts, ssrc uint32, marker bool, payload []byte) []byte {
	h := rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc, Marker: marker}
	b, err := h.Marshal()
	if err != nil {
		panic(err)
	}
	return append(b, payload...)
}

// received is a packet a recorder kept.
type received struct {
	hdr     rtp.Header
	payload []byte
}

// recorder is a Handler that keeps copies of what it receives and
// signals each packet on ch when it is not nil.
type recorder struct {
	mu   sync.Mutex
	pkts []received
	ch   chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1024)} }

func (r *recorder) HandleRTP(hdr *rtp.Header, payload []byte) {
	r.mu.Lock()
	h := *hdr
	h.CSRC = append([]uint32(nil), hdr.CSRC...)
	r.pkts = append(r.pkts, received{hdr: h, payload: append([]byte(nil), payload...)})
	r.mu.Unlock()
	if r.ch != nil {
		r.ch <- struct{}{}
	}
}

func (r *recorder) packets() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.pkts...)
}

// wait waits for n more packets or fails t after timeout.
func (r *recorder) wait(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for i := range n {
		select {
		case <-r.ch:
		case <-timer.C:
			t.Fatalf("received %d of %d packets within %v", i, n, timeout)
		}
	}
}

// testAddr is a remote address for direct handleDatagram calls.
var testAddr = netip.MustParseAddrPort("198.51.100.7:30000")

// eventually polls cond until it holds, failing t with what after timeout.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", timeout, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// set moves a fakeClock to t.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
