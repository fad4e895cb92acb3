package jitter

import (
	"errors"
	"slices"
	"testing"
	"time"
)

const ms = time.Millisecond

// scenario is one simulated stream and what must come out of it.
type scenario struct {
	name     string
	cfg      Config
	pkts     []pkt
	popStart time.Duration // first Pop; Pops follow every frame
	popEnd   time.Duration
	check    func(t *testing.T, pkts []pkt, s simulation)
	dropPush []int // packet indices never pushed (lost in the network)
}

func scenarios() []scenario {
	return []scenario{
		{
			name: "in order",
			pkts: stream(100, 1000, 5000, noDelay), popStart: 5 * ms, popEnd: 2500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, seqRange(0, 100))
				wantStats(t, s.stats, Stats{Pushed: 100, Popped: 100, Talkspurts: 1})
				// First Pop whose delay reaches 40-10 ms: 45 ms.
				wantDelay(t, s.stats, 45*ms, 40*ms)
			},
		},
		{
			name: "reordered pairs",
			pkts: stream(100, 7, 0, func(i int) time.Duration {
				if i%2 == 0 {
					return 25 * ms // each even packet lands after the odd one after it
				}
				return 0
			}),
			popStart: 5 * ms, popEnd: 2500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, seqRange(0, 100))
				wantStats(t, s.stats, Stats{Pushed: 100, Popped: 100, Talkspurts: 1})
				// 25 ms of excess transit: a target of 2 frames + 1.
				if s.stats.Target != 60*ms {
					t.Errorf("target %v, want 60ms", s.stats.Target)
				}
			},
		},
		{
			name: "duplicates",
			pkts: func() []pkt {
				p := stream(60, 100, 0, noDelay)
				for i := range 60 {
					d := p[i]
					d.at += ms // straight after: still buffered
					p = append(p, d)
				}
				for i := range 10 {
					d := p[i]
					d.at += 500 * ms // long after: already played
					p = append(p, d)
				}
				return p
			}(),
			popStart: 5 * ms, popEnd: 1500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, seqRange(0, 60))
				wantStats(t, s.stats, Stats{Pushed: 130, Popped: 60, Duplicate: 70, Talkspurts: 1})
				for i := 60; i < 130; i++ {
					if !errors.Is(s.pushErrs[i], ErrDuplicate) {
						t.Errorf("push %d: %v, want ErrDuplicate", i, s.pushErrs[i])
					}
				}
			},
		},
		{
			name:     "loss bursts",
			cfg:      Config{MinDelay: 120 * ms},
			pkts:     stream(100, 65000, 0, noDelay),
			dropPush: []int{10, 20, 21, 22, 50, 51, 52, 53, 54},
			popStart: 5 * ms, popEnd: 2500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, without(seqRange(0, 100), 10, 20, 21, 22, 50, 51, 52, 53, 54))
				// A 120 ms delay covers every burst: each missing packet
				// is a Lost frame in its own interval.
				var want []uint16
				for _, i := range []int{10, 20, 21, 22, 50, 51, 52, 53, 54} {
					want = append(want, pkts[i].seq)
				}
				if got := s.lostSeqs(); !slices.Equal(got, want) {
					t.Errorf("lost frames %v, want %v", got, want)
				}
				for _, p := range s.pops {
					if p.Status == Lost && p.TS != uint32(160*(p.Seq-65000)) {
						t.Errorf("lost seq %d: TS %d, want %d", p.Seq, p.TS, 160*(p.Seq-65000))
					}
				}
				wantStats(t, s.stats, Stats{Pushed: 91, Popped: 91, Lost: 9, Talkspurts: 1})
				wantNoGaps(t, s, 100)
			},
		},
		{
			name:     "loss bursts longer than the delay",
			pkts:     stream(100, 0, 0, noDelay),
			dropPush: []int{20, 21, 22, 50, 51, 52, 53, 54},
			popStart: 5 * ms, popEnd: 2500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, without(seqRange(0, 100), 20, 21, 22, 50, 51, 52, 53, 54))
				// With 45 ms of delay the buffer runs dry before the next
				// packet shows the loss: those intervals are Empty, the
				// frames still due when it comes are Lost, and every
				// frame keeps its interval.
				if got, want := s.lostSeqs(), []uint16{21, 22, 53, 54}; !slices.Equal(got, want) {
					t.Errorf("lost frames %v, want %v", got, want)
				}
				for _, p := range s.pops {
					if p.Status != Empty && p.at != 45*ms+time.Duration(p.Seq)*20*ms {
						t.Errorf("%v frame %d at %v, want %v", p.Status, p.Seq, p.at, 45*ms+time.Duration(p.Seq)*20*ms)
					}
				}
				wantStats(t, s.stats, Stats{Pushed: 92, Popped: 92, Lost: 8, Talkspurts: 1})
			},
		},
		{
			name: "late packet",
			pkts: stream(150, 0, 0, func(i int) time.Duration {
				if i == 30 {
					return 150 * ms
				}
				return 0
			}),
			popStart: 5 * ms, popEnd: 3500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				if !errors.Is(s.pushErrs[30], ErrLate) {
					t.Errorf("push of the late packet: %v, want ErrLate", s.pushErrs[30])
				}
				if got := s.lostSeqs(); !slices.Equal(got, []uint16{30}) {
					t.Errorf("lost %v, want [30]", got)
				}
				// Everything else plays, in order, but for the frames
				// dropped to shrink the delay again as the target decays.
				got := s.played()
				if !slices.IsSorted(got) || slices.Contains(got, 30) || len(got) != 149-int(s.stats.Dropped) {
					t.Errorf("played %v", got)
				}
				if s.stats.Late != 1 || s.stats.Lost != 1 {
					t.Errorf("late %d lost %d, want 1 and 1", s.stats.Late, s.stats.Lost)
				}
				// The late packet raised the target to 150 ms -> 8 frames
				// + 1 = 180 ms, and the delay grew towards it by inserts.
				peak, peakDelay := time.Duration(0), time.Duration(0)
				for _, st := range s.stages {
					peak, peakDelay = max(peak, st.Target), max(peakDelay, st.Delay)
				}
				if peak != 180*ms || s.stats.Inserted == 0 || peakDelay < 160*ms {
					t.Errorf("target peaked at %v, delay at %v, %d inserted; want 180ms, >= 160ms and inserts",
						peak, peakDelay, s.stats.Inserted)
				}
			},
		},
		{
			name:     "wrap at 65535",
			pkts:     stream(200, 65436, 1<<32-160*100, noDelay),
			popStart: 5 * ms, popEnd: 4500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, seqRange(0, 200))
				wantStats(t, s.stats, Stats{Pushed: 200, Popped: 200, Talkspurts: 1})
			},
		},
		{
			name: "talkspurts",
			pkts: func() []pkt {
				p := stream(50, 10, 0, noDelay)
				// Silence suppressed for one second: the sequence numbers
				// continue, the timestamps jump by the silence.
				q := stream(50, 60, 160*50+8000, noDelay)
				for i := range q {
					q[i].at += 2 * time.Second
				}
				// The first packet of the second talkspurt comes after the
				// second: it must still play first.
				q[0].at += 25 * ms
				return append(p, q...)
			}(),
			popStart: 5 * ms, popEnd: 3500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, seqRange(0, 100))
				wantStats(t, s.stats, Stats{Pushed: 100, Popped: 100, Talkspurts: 2})
				// Silence is Empty, never Lost.
				for _, p := range s.pops {
					if p.Status == Lost {
						t.Fatalf("lost frame %d during silence", p.Seq)
					}
				}
			},
		},
		{
			name: "jitter spike raises the target, then it decays",
			pkts: stream(1500, 0, 0, func(i int) time.Duration {
				// A 120 ms stall at packet 100: packets 100..105 arrive
				// together.
				if i >= 100 && i < 106 {
					return time.Duration(120-20*(i-100)) * ms
				}
				return 0
			}),
			popStart: 5 * ms, popEnd: 30100 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				// Right after the spike the target covers it.
				peak := time.Duration(0)
				for _, st := range s.stages[100:140] {
					peak = max(peak, st.Target)
				}
				if peak < 140*ms {
					t.Errorf("target after a 120 ms spike peaked at %v, want >= 140ms", peak)
				}
				// 24 s later it is back at the minimum, and so is the delay.
				wantStats(t, s.stats, Stats{Pushed: 1500, Popped: s.stats.Popped, Lost: s.stats.Lost,
					Late: s.stats.Late, Stretched: s.stats.Stretched, Dropped: s.stats.Dropped, Talkspurts: 1})
				if s.stats.Target != 40*ms {
					t.Errorf("target %v 24 s after the spike, want 40ms", s.stats.Target)
				}
				if s.stats.Dropped == 0 {
					t.Error("the delay never shrank")
				}
				wantDelay(t, s.stats, 40*ms, 20*ms)
				if lost := s.stats.Lost + s.stats.Late; lost > 6 {
					t.Errorf("%d packets lost or late to one spike", lost)
				}
			},
		},
		{
			name: "source restart",
			pkts: func() []pkt {
				p := stream(50, 100, 0, noDelay)
				q := stream(50, 40000, 123456789, noDelay)
				for i := range q {
					q[i].at += time.Second
				}
				return append(p, q...)
			}(),
			popStart: 5 * ms, popEnd: 2500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				// The first packet after the jump is held on probation
				// and dropped; the second confirms the restart.
				if !errors.Is(s.pushErrs[50], ErrSequenceJump) {
					t.Errorf("first packet after the jump: %v, want ErrSequenceJump", s.pushErrs[50])
				}
				// The restart drops what the old source left buffered.
				wantPlayed(t, s, without(seqRange(0, 100), 49, 50))
				wantStats(t, s.stats, Stats{Pushed: 100, Popped: 98, Jumps: 1, Resets: 1, Dropped: 1, Talkspurts: 2})
			},
		},
		{
			name: "stray packet",
			pkts: func() []pkt {
				p := stream(100, 100, 0, noDelay)
				p = append(p, pkt{seq: 30000, ts: 99, at: 505 * ms})
				return p
			}(),
			popStart: 5 * ms, popEnd: 2500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, seqRange(0, 100))
				wantStats(t, s.stats, Stats{Pushed: 101, Popped: 100, Jumps: 1, Talkspurts: 1})
			},
		},
		{
			name:     "gap wider than the buffer",
			pkts:     stream(150, 0, 0, noDelay),
			dropPush: seqRange(50, 100), // a one second outage
			popStart: 5 * ms, popEnd: 3500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, append(seqRange(0, 50), seqRange(100, 150)...))
				wantStats(t, s.stats, Stats{Pushed: 100, Popped: 100, Resets: 1, Talkspurts: 2})
			},
		},
		{
			name: "overflow",
			pkts: stream(100, 0, 0, noDelay),
			// Playout stalls for the first two seconds.
			popStart: 2000 * ms, popEnd: 4000 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				// 32 slots: the 68 oldest packets were dropped; of the
				// rest, those older than MaxDelay are dropped at once.
				if s.stats.Overflow != 68 {
					t.Errorf("overflow %d, want 68", s.stats.Overflow)
				}
				got := s.played()
				if !slices.IsSorted(got) || len(got) == 0 || got[len(got)-1] != 99 {
					t.Errorf("played %v, want an increasing run ending at 99", got)
				}
				if s.stages[0].Delay > 300*ms {
					t.Errorf("delay after the first Pop %v, want within MaxDelay", s.stages[0].Delay)
				}
			},
		},
		{
			name: "timestamp jump",
			pkts: func() []pkt {
				p := stream(100, 0, 1_000_000, noDelay)
				for i := 50; i < 100; i++ {
					p[i].ts -= 10 * 8000 * 60 // back ten minutes
				}
				return p
			}(),
			popStart: 5 * ms, popEnd: 2500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				// Rebased onto the arrival times, the new timestamps
				// continue the old ones seamlessly.
				wantPlayed(t, s, seqRange(0, 100))
				wantStats(t, s.stats, Stats{Pushed: 100, Popped: 100, Resets: 1, Talkspurts: 1})
				wantNoGaps(t, s, 100)
			},
		},
		{
			name: "48 kHz",
			cfg:  Config{ClockRate: 48000},
			pkts: func() []pkt {
				p := stream(100, 9, 0, func(i int) time.Duration { return time.Duration(i%3) * 7 * ms })
				for i := range p {
					p[i].ts = uint32(960 * i)
				}
				return p
			}(),
			popStart: 5 * ms, popEnd: 2500 * ms,
			check: func(t *testing.T, pkts []pkt, s simulation) {
				wantPlayed(t, s, seqRange(0, 100))
				wantStats(t, s.stats, Stats{Pushed: 100, Popped: 100, Talkspurts: 1})
			},
		},
	}
}

func TestScenarios(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			b := mustNew(t, sc.cfg)
			pkts := sc.pkts
			if len(sc.dropPush) > 0 {
				pkts = nil
				for i, p := range sc.pkts {
					if !slices.Contains(sc.dropPush, i) {
						pkts = append(pkts, p)
					}
				}
			}
			s := simulate(t, b, pkts, sc.popStart, sc.popEnd)
			if len(sc.dropPush) > 0 {
				// Map indices back to the full list for the checks.
				var keep []int
				for i := range sc.pkts {
					if !slices.Contains(sc.dropPush, i) {
						keep = append(keep, i)
					}
				}
				for i := range s.pops {
					if s.pops[i].idx >= 0 {
						s.pops[i].idx = keep[s.pops[i].idx]
					}
				}
			}
			sc.check(t, sc.pkts, s)
		})
	}
}

func wantPlayed(t *testing.T, s simulation, want []int) {
	t.Helper()
	if got := s.played(); !slices.Equal(got, want) {
		t.Errorf("played packets\n%v\nwant\n%v", got, want)
	}
}

// wantStats compares the counters, ignoring the delays.
func wantStats(t *testing.T, got, want Stats) {
	t.Helper()
	got.Delay, got.Target, got.Jitter, got.Buffered = 0, 0, 0, 0
	if got != want {
		t.Errorf("stats\n%+v\nwant\n%+v", got, want)
	}
}

// wantNoGaps checks that every interval from the first frame until n
// frames have been handed out got a Packet or Lost frame.
func wantNoGaps(t *testing.T, s simulation, n int) {
	t.Helper()
	first := slices.IndexFunc(s.pops, func(p popped) bool { return p.Status != Empty })
	if first < 0 || first+n > len(s.pops) {
		t.Fatalf("only %d pops, first frame at %d", len(s.pops), first)
	}
	for i, p := range s.pops[first : first+n] {
		if p.Status == Empty {
			t.Fatalf("pop %d empty in mid-stream", first+i)
		}
	}
}

func wantDelay(t *testing.T, s Stats, want, tolerance time.Duration) {
	t.Helper()
	if s.Delay < want-tolerance || s.Delay > want+tolerance {
		t.Errorf("delay %v, want %v +/- %v (target %v)", s.Delay, want, tolerance, s.Target)
	}
}
