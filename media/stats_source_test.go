package media

import (
	"math"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// feed runs seqs through a fresh receiver with minSequential and returns
// the per-packet results and the final source state.
func feed(minSequential int, seqs ...uint16) ([]seqResult, *receiver) {
	r := &receiver{minSequential: minSequential, epoch: time.Unix(1000, 0)}
	res := make([]seqResult, len(seqs))
	for i, seq := range seqs {
		hdr := rtp.Header{SSRC: 7, SequenceNumber: seq, Timestamp: uint32(seq) * 160}
		res[i], _ = r.packet(&hdr, r.epoch.Add(time.Duration(i)*20*time.Millisecond), 8000, false)
	}
	return res, r
}

func TestSequenceValidation(t *testing.T) {
	const (
		ok  = seqValid
		pro = seqProbation
		bad = seqBadJump
	)
	tests := []struct {
		name          string
		minSequential int
		seqs          []uint16
		want          []seqResult
		received      uint32
		expected      uint32
		highest       uint32
		lost          int64
	}{
		{"probation then valid", 2, []uint16{100, 101, 102}, []seqResult{pro, ok, ok}, 2, 2, 102, 0},
		{"probation restarts on gap", 2, []uint16{100, 105, 106, 107}, []seqResult{pro, pro, ok, ok}, 2, 2, 107, 0},
		{"three needed", 3, []uint16{10, 11, 12, 13}, []seqResult{pro, pro, ok, ok}, 2, 2, 13, 0},
		{"valid at once", 1, []uint16{5, 6}, []seqResult{ok, ok}, 2, 2, 6, 0},
		{"loss", 1, []uint16{1, 2, 4, 5}, []seqResult{ok, ok, ok, ok}, 4, 5, 5, 1},
		{"duplicate counts negative loss", 1, []uint16{1, 2, 2, 3}, []seqResult{ok, ok, ok, ok}, 4, 3, 3, -1},
		{"reorder is not loss", 1, []uint16{1, 3, 2, 4}, []seqResult{ok, ok, ok, ok}, 4, 4, 4, 0},
		{"wrap 65535 to 0", 1, []uint16{65534, 65535, 0, 1}, []seqResult{ok, ok, ok, ok}, 4, 4, 65536 + 1, 0},
		{"wrap with loss", 1, []uint16{65535, 1}, []seqResult{ok, ok}, 2, 3, 65536 + 1, 1},
		{"reorder across wrap", 1, []uint16{65534, 0, 65535, 1}, []seqResult{ok, ok, ok, ok}, 4, 4, 65536 + 1, 0},
		{"large jump dropped", 1, []uint16{1, 2, 10000, 3}, []seqResult{ok, ok, bad, ok}, 3, 3, 3, 0},
		{"two sequential after jump resync", 1, []uint16{1, 2, 10000, 10001, 10002}, []seqResult{ok, ok, bad, ok, ok}, 2, 2, 10002, 0},
		{"gap just under MAX_DROPOUT", 1, []uint16{1, 3000}, []seqResult{ok, ok}, 2, 3000, 3000, 2998},
		{"gap of MAX_DROPOUT", 1, []uint16{1, 3001}, []seqResult{ok, bad}, 1, 1, 1, 0},
		{"late within MAX_MISORDER", 1, []uint16{1000, 1001, 902}, []seqResult{ok, ok, ok}, 3, 2, 1001, -1},
		{"late beyond MAX_MISORDER", 1, []uint16{1000, 1001, 800}, []seqResult{ok, ok, bad}, 2, 2, 1001, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, r := feed(tc.minSequential, tc.seqs...)
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("packet %d (seq %d): result %d, want %d", i, tc.seqs[i], got[i], tc.want[i])
				}
			}
			s := &r.src
			if s.received != tc.received || s.expected() != tc.expected || s.extendedMax() != tc.highest || s.lost() != tc.lost {
				t.Errorf("received %d expected %d highest %d lost %d, want %d %d %d %d",
					s.received, s.expected(), s.extendedMax(), s.lost(), tc.received, tc.expected, tc.highest, tc.lost)
			}
		})
	}
}

func TestSSRCChangeResetsSource(t *testing.T) {
	r := &receiver{minSequential: 1, epoch: time.Unix(0, 0)}
	now := r.epoch
	for seq := range uint16(10) {
		hdr := rtp.Header{SSRC: 1, SequenceNumber: seq}
		if _, changed := r.packet(&hdr, now, 8000, false); changed {
			t.Fatalf("seq %d: change reported for the same SSRC", seq)
		}
	}
	hdr := rtp.Header{SSRC: 2, SequenceNumber: 5000}
	res, changed := r.packet(&hdr, now, 8000, false)
	if !changed || res != seqValid {
		t.Fatalf("new SSRC: changed %t result %d, want true and valid", changed, res)
	}
	if s := &r.src; s.ssrc != 2 || s.received != 1 || s.expected() != 1 || s.extendedMax() != 5000 {
		t.Errorf("after change: ssrc %d received %d expected %d highest %d", s.ssrc, s.received, s.expected(), s.extendedMax())
	}
}

// arrival is one packet for the jitter tests: RTP timestamp and arrival
// offset from the receiver's epoch.
type arrival struct {
	ts uint32
	at time.Duration
}

// referenceJitter is RFC 3550 section 6.4.1 in floating point:
// J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16, in timestamp units.
func referenceJitter(clock int, pkts []arrival) float64 {
	var j float64
	for i := 1; i < len(pkts); i++ {
		ri := float64(pkts[i].at) * float64(clock) / float64(time.Second)
		rp := float64(pkts[i-1].at) * float64(clock) / float64(time.Second)
		d := (ri - rp) - float64(int32(pkts[i].ts-pkts[i-1].ts))
		j += (math.Abs(d) - j) / 16
	}
	return j
}

func TestJitter(t *testing.T) {
	const frame = 20 * time.Millisecond
	steady := func(n int, ts0 uint32, step uint32, clock int, delay func(i int) time.Duration) []arrival {
		p := make([]arrival, n)
		for i := range p {
			p[i] = arrival{ts: ts0 + uint32(i)*step, at: time.Duration(i)*frame + delay(i)}
		}
		return p
	}
	none := func(int) time.Duration { return 0 }
	tests := []struct {
		name  string
		clock int
		pkts  []arrival
	}{
		{"perfect 8k", 8000, steady(100, 1000, 160, 8000, none)},
		{"perfect across ts wrap", 8000, steady(100, 0xffffffff-160*50, 160, 8000, none)},
		{"alternating 5ms", 8000, steady(200, 7, 160, 8000, func(i int) time.Duration { return time.Duration(i%2) * 5 * time.Millisecond })},
		{"one late packet", 8000, steady(100, 7, 160, 8000, func(i int) time.Duration {
			if i == 50 {
				return 60 * time.Millisecond
			}
			return 0
		})},
		{"ramp 48k across wrap", 48000, steady(150, 0xffffffff-960*70, 960, 48000, func(i int) time.Duration { return time.Duration(i%7) * time.Millisecond })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &receiver{minSequential: 1, epoch: time.Unix(5000, 0)}
			for i, p := range tc.pkts {
				hdr := rtp.Header{SSRC: 9, SequenceNumber: uint16(65500 + i), Timestamp: p.ts}
				if res, _ := r.packet(&hdr, r.epoch.Add(p.at), tc.clock, false); res != seqValid {
					t.Fatalf("packet %d: result %d", i, res)
				}
			}
			var st ReceiveStats
			r.snapshot(&st)
			want := referenceJitter(tc.clock, tc.pkts)
			if math.Abs(float64(st.Jitter)-want) > 1 {
				t.Errorf("jitter %d, reference %.2f", st.Jitter, want)
			}
			if st.Lost != 0 || st.Expected != uint32(len(tc.pkts)) {
				t.Errorf("lost %d expected %d, want 0 and %d", st.Lost, st.Expected, len(tc.pkts))
			}
		})
	}
}

func TestJitterSkipsEventsAndClockChanges(t *testing.T) {
	r := &receiver{minSequential: 1, epoch: time.Unix(0, 0)}
	seq := uint16(0)
	send := func(ts uint32, at time.Duration, clock int, event bool) {
		hdr := rtp.Header{SSRC: 1, SequenceNumber: seq, Timestamp: ts}
		seq++
		r.packet(&hdr, r.epoch.Add(at), clock, event)
	}
	for i := range 10 {
		send(uint32(i*160), time.Duration(i)*20*time.Millisecond, 8000, false)
	}
	// An RFC 4733 event keeps the timestamp of its start for 5 packets.
	for i := 10; i < 15; i++ {
		send(10*160, time.Duration(i)*20*time.Millisecond, 8000, true)
	}
	// A payload type with a 48 kHz clock.
	for i := 15; i < 20; i++ {
		send(uint32(i*960), time.Duration(i)*20*time.Millisecond, 48000, false)
	}
	if j := r.src.jitter >> 4; j != 0 {
		t.Errorf("jitter %d after events and a clock change, want 0", j)
	}
}

func TestReportFraction(t *testing.T) {
	r := &receiver{minSequential: 1, epoch: time.Unix(0, 0)}
	send := func(seqs ...uint16) {
		for _, seq := range seqs {
			hdr := rtp.Header{SSRC: 3, SequenceNumber: seq}
			r.packet(&hdr, r.epoch, 8000, false)
		}
	}
	var seqs []uint16
	for seq := uint16(1); seq <= 20; seq++ {
		if seq != 12 {
			seqs = append(seqs, seq)
		}
	}
	send(seqs...)
	rr, ok := r.reportBlock(r.epoch)
	// RFC 3550 A.3: (lost_interval << 8) / expected_interval = 256/20.
	if !ok || rr.FractionLost != 12 || rr.TotalLost != 1 || rr.LastSequenceNumber != 20 || rr.SSRC != 3 {
		t.Fatalf("first report %+v ok %t, want fraction 12, total 1, highest 20", rr, ok)
	}
	if _, ok := r.reportBlock(r.epoch); ok {
		t.Fatalf("report block without packets since the last report")
	}
	send(21, 22, 22, 23) // a duplicate: negative interval loss reports 0
	if rr, _ := r.reportBlock(r.epoch); rr.FractionLost != 0 || rr.TotalLost != clampLost(0) {
		t.Errorf("second report fraction %d total %d, want 0 and 0", rr.FractionLost, rr.TotalLost)
	}
	send(2024) // a gap of 2000 with one packet received
	if rr, _ := r.reportBlock(r.epoch); rr.FractionLost != 255 {
		t.Errorf("third report fraction %d, want 255", rr.FractionLost)
	}
}

func TestClampLost(t *testing.T) {
	tests := []struct {
		lost int64
		want uint32
	}{
		{0, 0}, {1, 1}, {-1, 0xffffff}, {0x7fffff, 0x7fffff}, {0x800000, 0x7fffff},
		{-0x800000, 0x800000}, {-0x900000, 0x800000}, {1 << 40, 0x7fffff},
	}
	for _, tc := range tests {
		if got := clampLost(tc.lost); got != tc.want {
			t.Errorf("clampLost(%d) = %#x, want %#x", tc.lost, got, tc.want)
		}
	}
}

func TestDurationTicks(t *testing.T) {
	tests := []struct {
		d     time.Duration
		clock int
		want  uint32
	}{
		{20 * time.Millisecond, 8000, 160},
		{20 * time.Millisecond, 48000, 960},
		{time.Second + 500*time.Microsecond, 8000, 8004},
		{100 * time.Hour, 48000, uint32(uint64(100*3600*48000) % (1 << 32))},
	}
	for _, tc := range tests {
		if got := durationTicks(tc.d, tc.clock); got != tc.want {
			t.Errorf("durationTicks(%v, %d) = %d, want %d", tc.d, tc.clock, got, tc.want)
		}
	}
}
