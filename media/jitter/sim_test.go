package jitter

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"
)

// pkt is one simulated packet: RTP fields and its arrival time from the
// start of the simulation. Its payload carries its index in the packet
// list, so the test can tell which packet a Pop returned.
type pkt struct {
	seq uint16
	ts  uint32
	at  time.Duration
}

// popped is one Pop result, with the index of the packet it returned.
type popped struct {
	Frame
	at  time.Duration
	idx int // packet list index for a Packet, else -1
}

// simulation is the outcome of a simulated stream.
type simulation struct {
	pops     []popped
	pushErrs []error // per packet
	stats    Stats
	stages   []Stats // Stats after every pop
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// simulate pushes pkts at their arrival times and pops every frame
// duration from popStart until popEnd; pushes due at a pop's time go first.
func simulate(t testing.TB, b *Buffer, pkts []pkt, popStart, popEnd time.Duration) simulation {
	t.Helper()
	order := make([]int, len(pkts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, c int) int { return int(pkts[a].at - pkts[c].at) })
	sim := simulation{pushErrs: make([]error, len(pkts))}
	payload := make([]byte, 160)
	out := make([]byte, b.Config().MaxPayload)
	next := 0
	frame := b.Config().FrameDuration
	for now := popStart; now <= popEnd; now += frame {
		for ; next < len(order) && pkts[order[next]].at <= now; next++ {
			i := order[next]
			binary.BigEndian.PutUint32(payload, uint32(i))
			sim.pushErrs[i] = b.Push(pkts[i].seq, pkts[i].ts, payload, t0.Add(pkts[i].at))
		}
		f, err := b.Pop(out, t0.Add(now))
		if err != nil {
			t.Fatalf("Pop at %v: %v", now, err)
		}
		p := popped{Frame: f, at: now, idx: -1}
		if f.Status == Packet {
			if f.N != len(payload) {
				t.Fatalf("Pop at %v returned %d bytes, want %d", now, f.N, len(payload))
			}
			p.idx = int(binary.BigEndian.Uint32(out))
			if q := pkts[p.idx]; q.seq != f.Seq || q.ts != f.TS {
				t.Fatalf("Pop at %v: frame seq %d ts %d carries packet %d (seq %d ts %d)", now, f.Seq, f.TS, p.idx, q.seq, q.ts)
			}
		}
		sim.pops = append(sim.pops, p)
		sim.stages = append(sim.stages, b.Stats())
	}
	sim.stats = b.Stats()
	return sim
}

// stream returns n packets of a 20 ms, 8 kHz stream from (seq, ts), sent
// every 20 ms from time 0, each arriving after its own extra delay.
func stream(n int, seq uint16, ts uint32, delay func(i int) time.Duration) []pkt {
	p := make([]pkt, n)
	for i := range p {
		p[i] = pkt{
			seq: seq + uint16(i),
			ts:  ts + uint32(160*i),
			at:  time.Duration(i)*20*time.Millisecond + delay(i),
		}
	}
	return p
}

func noDelay(int) time.Duration { return 0 }

// played returns the packet indices played, in order.
func (s simulation) played() []int {
	var idx []int
	for _, p := range s.pops {
		if p.Status == Packet {
			idx = append(idx, p.idx)
		}
	}
	return idx
}

// lostSeqs returns the sequence numbers of Lost frames, in order.
func (s simulation) lostSeqs() []uint16 {
	var seqs []uint16
	for _, p := range s.pops {
		if p.Status == Lost {
			seqs = append(seqs, p.Seq)
		}
	}
	return seqs
}

func seqRange(from, to int) []int {
	var r []int
	for i := from; i < to; i++ {
		r = append(r, i)
	}
	return r
}

func without(s []int, drop ...int) []int {
	return slices.DeleteFunc(slices.Clone(s), func(v int) bool { return slices.Contains(drop, v) })
}

func mustNew(t testing.TB, cfg Config) *Buffer {
	t.Helper()
	b, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return b
}
