package jitter

import "time"

// Pop returns what to play for the playout interval starting at now, and
// copies a packet's payload into out. Call it once per FrameDuration. It
// fails with ErrShortBuffer, changing nothing, if out is shorter than a
// buffered payload; MaxPayload bytes always suffice.
func (b *Buffer) Pop(out []byte, now time.Time) (Frame, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.count > 0 && len(out) < b.cfg.MaxPayload && len(out) < b.largest() {
		return Frame{}, ErrShortBuffer
	}
	nowNs := b.nanos(now)
	b.sinceAdjust++
	target := b.target()
	half := b.frameTS / 2
	for {
		h := b.head()
		if h == nil {
			b.tick()
			return Frame{}, nil
		}
		ref, _ := b.est.reference()
		cont := b.started && !b.discont &&
			abs(h.ts-b.lastTS-(h.seq-b.lastSeq)*b.frameTS) <= half
		if !cont {
			// A talkspurt or the stream starts: play when the delay
			// from the fastest path reaches the target. Packets missing
			// before it may still come until then.
			d := nowNs - ref - b.ticksToNs(h.ts)
			if d < target-b.frameNs/2 {
				b.tick()
				return Frame{}, nil
			}
			if d > b.maxNs && b.count > 1 {
				// Stale (after an overflow or a stall): start later.
				b.skip(h.seq)
				b.discard(h)
				b.discont = true
				b.st.Dropped++
				continue
			}
			b.skip(h.seq)
			b.started, b.discont = true, false
			b.playTS = h.ts
			b.sinceAdjust = 0
			b.st.Talkspurts++
			return b.play(h, out, nowNs, ref), nil
		}
		if h.seq > b.next {
			// Missing packets whose time passed while the buffer was
			// empty are lost without a frame; one due now is a Lost
			// frame.
			for b.next < h.seq && b.playTS-(b.lastTS+b.frameTS) > half {
				b.skipOne()
			}
			if b.next < h.seq && h.ts-b.playTS > half {
				return b.lose(), nil
			}
			b.skip(h.seq)
		}
		switch late := b.playTS - h.ts; {
		case late > half:
			// After its time: resume from it (stretch) if that keeps
			// the delay within MaxDelay, else drop it.
			if nowNs-ref-b.ticksToNs(h.ts) > b.maxNs {
				b.discard(h)
				b.st.Late++
				continue
			}
			b.playTS = h.ts
			b.st.Stretched++
		case late < -half:
			// Not yet due: timestamps ahead of the sequence numbers.
			b.tick()
			return Frame{}, nil
		}
		delay := nowNs - ref - b.ticksToNs(b.playTS)
		if b.shrink(h, delay, target) {
			b.discard(h)
			b.st.Dropped++
			b.playTS += b.frameTS
			b.sinceAdjust = 0
			continue
		}
		if delay+b.frameNs <= target && b.sinceAdjust >= growHold && b.silent(h) {
			b.sinceAdjust = 0
			b.st.Inserted++
			return Frame{}, nil
		}
		return b.play(h, out, nowNs, ref), nil
	}
}

// shrink reports whether to drop h to bring the delay down to the target:
// when the delay is a frame or more over the target, with the next packet
// in hand so that no gap opens, at silence if Config.Silent says, and no
// more often than every shrinkHold Pops unless the delay exceeds MaxDelay.
func (b *Buffer) shrink(h *slot, delay, target int64) bool {
	n := b.buffered(h.seq + 1)
	if n == nil || n.ts-h.ts != b.frameTS {
		return false
	}
	if delay > b.maxNs+b.frameNs/2 {
		return true
	}
	return delay-b.frameNs >= target && b.sinceAdjust >= shrinkHold && b.silent(h)
}

// silent reports whether the delay may be adjusted at packet s.
func (b *Buffer) silent(s *slot) bool {
	return b.cfg.Silent == nil || b.cfg.Silent(b.data[s.off:s.off+s.n])
}

// head returns the buffered packet with the lowest sequence number, or nil.
func (b *Buffer) head() *slot {
	if b.count == 0 {
		return nil
	}
	for seq := b.next; seq <= b.maxSeq; seq++ {
		if s := b.buffered(seq); s != nil {
			return s
		}
	}
	return nil
}

// largest returns the longest buffered payload.
func (b *Buffer) largest() int {
	n := 0
	for seq := b.next; seq <= b.maxSeq; seq++ {
		if s := b.buffered(seq); s != nil {
			n = max(n, s.n)
		}
	}
	return n
}

// tick advances the playout clock by one frame with nothing played.
func (b *Buffer) tick() {
	if b.started {
		b.playTS += b.frameTS
	}
}

// play hands out packet s and advances playout past it.
func (b *Buffer) play(s *slot, out []byte, nowNs, ref int64) Frame {
	n := copy(out, b.data[s.off:s.off+s.n])
	b.consume(s)
	s.state = slotPlayed
	b.playTS += b.frameTS
	b.delayNs = nowNs - ref - b.ticksToNs(s.ts)
	b.st.Popped++
	return Frame{Status: Packet, N: n, Seq: uint16(s.seq), TS: s.rawTS}
}

// discard drops buffered packet s unplayed; the caller counts why.
func (b *Buffer) discard(s *slot) {
	b.consume(s)
	s.state = slotMissed
}

// consume removes s from the buffer, making it the last frame handled.
func (b *Buffer) consume(s *slot) {
	b.count--
	b.next = s.seq + 1
	b.lastSeq, b.lastTS, b.lastRawTS = s.seq, s.ts, s.rawTS
}

// lose declares the next packet lost, its time having come.
func (b *Buffer) lose() Frame {
	s := b.slotFor(b.next)
	s.seq, s.state = b.next, slotMissed
	f := Frame{Status: Lost, Seq: uint16(b.next), TS: b.lastRawTS + uint32(b.frameTS)}
	b.next++
	b.lastSeq++
	b.lastTS += b.frameTS
	b.lastRawTS += uint32(b.frameTS)
	b.playTS += b.frameTS
	b.st.Lost++
	return f
}

// skip counts the missing packets before seq as lost without playing
// anything for them.
func (b *Buffer) skip(seq int64) {
	for b.next < seq {
		b.skipOne()
	}
}

// skipOne counts the next packet, missing, as lost without a frame.
func (b *Buffer) skipOne() {
	s := b.slotFor(b.next)
	s.seq, s.state = b.next, slotMissed
	b.next++
	b.lastSeq++
	b.lastTS += b.frameTS
	b.lastRawTS += uint32(b.frameTS)
	b.st.Lost++
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
