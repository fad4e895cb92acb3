package jitter

import (
	"encoding/binary"
	"testing"
	"time"
)

// FuzzJitter drives a Buffer with arbitrary sequences of pushes (in order,
// reordered, duplicated, jumping, with arbitrary timestamps) and pops at
// arbitrary times. It must never panic, never return a packet twice, hand
// out the payload of the packet it names, and keep sequence order between
// resynchronizations.
func FuzzJitter(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 1, 2, 0, 1, 2, 2, 2, 2, 0, 1, 2})
	f.Add([]byte{1, 0, 3, 1, 0xff, 2, 0, 2, 2, 3, 200, 2, 2})
	f.Add([]byte{2, 0x80, 0x12, 0x34, 0x81, 0x12, 0x35, 2, 2, 2, 0x40, 9, 2})
	f.Add([]byte{3, 0, 1, 1, 1, 0, 0xfe, 3, 60, 2, 2, 2, 2, 2, 2, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 {
			return
		}
		cfg := Config{MaxPayload: 16}
		switch ops[0] % 4 {
		case 1:
			cfg.Capacity, cfg.MinDelay, cfg.MaxDelay = 8, 20*ms, 100*ms
		case 2:
			cfg.ClockRate = 48000
		case 3:
			cfg.Silent = func(p []byte) bool { return p[0]%2 == 0 }
		}
		b := mustNew(t, cfg)
		var (
			clock   time.Duration
			seq     uint16
			id      uint32
			seqOf   = map[uint32]uint16{}
			seen    = map[uint32]bool{}
			lastSeq uint16
			haveSeq bool
			resets  uint64
			payload = make([]byte, 8)
			out     = make([]byte, 16)
			frameTS = uint32(b.Config().ClockRate / 50)
		)
		for i := 1; i < len(ops); i++ {
			op := ops[i]
			arg := byte(0)
			if i+1 < len(ops) {
				arg = ops[i+1]
			}
			switch op % 4 {
			case 0, 1:
				switch {
				case op&0x80 != 0 && i+2 < len(ops):
					seq = binary.BigEndian.Uint16(ops[i+1:])
					i += 2
				case op&0x40 != 0:
					seq += uint16(int8(arg))
					i++
				default:
					seq++
				}
				ts := uint32(seq) * frameTS
				if op&0x20 != 0 {
					ts ^= uint32(arg) << 20
				}
				id++
				binary.BigEndian.PutUint32(payload, id)
				seqOf[id] = seq
				b.Push(seq, ts, payload[:4+int(op%5)], t0.Add(clock+time.Duration(op&0x1f)*ms))
			case 2:
				f, err := b.Pop(out, t0.Add(clock))
				if err != nil {
					t.Fatalf("Pop: %v", err)
				}
				clock += 20 * ms
				st := b.Stats()
				if st.Buffered < 0 || st.Buffered > b.Config().Capacity {
					t.Fatalf("%d buffered, capacity %d", st.Buffered, b.Config().Capacity)
				}
				if st.Resets != resets {
					resets, haveSeq = st.Resets, false
				}
				if f.Status != Packet {
					continue
				}
				got := binary.BigEndian.Uint32(out)
				if seen[got] {
					t.Fatalf("packet %d (seq %d) returned twice", got, f.Seq)
				}
				seen[got] = true
				if seqOf[got] != f.Seq {
					t.Fatalf("frame seq %d carries packet %d pushed as seq %d", f.Seq, got, seqOf[got])
				}
				if haveSeq && int16(f.Seq-lastSeq) <= 0 {
					t.Fatalf("seq %d played after %d", f.Seq, lastSeq)
				}
				lastSeq, haveSeq = f.Seq, true
			case 3:
				clock += time.Duration(arg) * ms
				i++
			}
		}
	})
}
