package jitter

import "time"

// Push buffers one packet of the stream: its RTP sequence number, timestamp
// and payload, and the time it arrived. The payload is copied; the caller
// may reuse it at once. Push returns nil when the packet was buffered, and
// otherwise says why it was not: ErrEmptyPayload, ErrPayloadTooLarge,
// ErrDuplicate, ErrLate or ErrSequenceJump (each counted in Stats).
func (b *Buffer) Push(seq uint16, ts uint32, payload []byte, arrival time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.st.Pushed++
	if len(payload) == 0 {
		b.st.Invalid++
		return ErrEmptyPayload
	}
	if len(payload) > b.cfg.MaxPayload {
		b.st.Invalid++
		return ErrPayloadTooLarge
	}
	at := b.nanos(arrival)
	if !b.synced {
		b.sync(seq, ts)
	}
	ext, ok := b.extend(seq)
	if !ok {
		// RFC 3550 A.1: a large jump is believed when the next packet
		// follows it.
		if !b.haveBad || seq != b.badSeq {
			b.badSeq, b.haveBad = seq+1, true
			b.st.Jumps++
			return ErrSequenceJump
		}
		b.resync(seq, ts)
		ext = b.maxSeq
	}
	b.haveBad = false
	if ext-b.maxSeq >= int64(len(b.slots)) {
		// A gap wider than the whole buffer: nothing buffered can
		// still play in order with this packet.
		b.resync(seq, ts)
		ext = b.maxSeq
	}

	extTS := b.maxTS + int64(int32(ts-b.maxRawTS))
	if ref, ok := b.est.reference(); ok && ext > b.maxSeq {
		if d := at - b.ticksToNs(extTS) - ref; d > b.rebaseNs || d < -b.rebaseNs {
			// The timestamps jumped, not the network: continue them
			// as if this packet had come by the fastest path.
			extTS = b.nsToTicks(at - ref)
			b.st.Resets++
		}
	}
	transit := at - b.ticksToNs(extTS)

	if ext < b.next {
		if !b.started && b.next-ext <= maxMisorder && b.maxSeq-ext < int64(len(b.slots)) {
			// Reordered ahead of the first packet, before playout
			// started: begin with it instead.
			b.next = ext
		} else {
			return b.behind(ext, transit)
		}
	}
	if ext >= b.next+int64(len(b.slots)) {
		b.overflow(ext)
	}
	s := b.slotFor(ext)
	if s.state == slotBuffered && s.seq == ext {
		b.st.Duplicate++
		return ErrDuplicate
	}
	s.seq, s.ts, s.rawTS, s.state = ext, extTS, ts, slotBuffered
	s.n = copy(b.data[s.off:s.off+b.cfg.MaxPayload], payload)
	b.count++
	if ext > b.maxSeq {
		b.maxSeq, b.maxTS, b.maxRawTS = ext, extTS, ts
	}
	b.est.observe(transit)
	return nil
}

// behind handles a packet whose sequence number playout has passed: a copy
// of one played, or one that came too late. A late packet still tells the
// estimator how late packets come.
func (b *Buffer) behind(ext, transit int64) error {
	if s := b.slotFor(ext); s.seq == ext && s.state == slotPlayed {
		b.st.Duplicate++
		return ErrDuplicate
	}
	b.est.observe(transit)
	b.st.Late++
	return ErrLate
}

// extend returns the extended sequence number of seq relative to the
// highest received (RFC 3550 A.1), or false for a jump too large to trust.
func (b *Buffer) extend(seq uint16) (int64, bool) {
	d := seq - uint16(b.maxSeq)
	switch {
	case d < maxDropout:
		return b.maxSeq + int64(d), true
	case d > 1<<16-maxMisorder:
		return b.maxSeq - int64(1<<16-int(d)), true
	}
	return 0, false
}

// sync makes the packet (seq, ts) the first of the stream.
func (b *Buffer) sync(seq uint16, ts uint32) {
	b.synced = true
	b.maxSeq, b.maxTS, b.maxRawTS = extOrigin+int64(seq), 0, ts
	b.next = b.maxSeq
	b.haveBad = false
	b.started, b.discont = false, true
	b.est.resetReference()
}

// resync drops what is buffered and restarts the stream at (seq, ts).
func (b *Buffer) resync(seq uint16, ts uint32) {
	b.flush()
	b.sync(seq, ts)
	b.st.Resets++
}

// overflow makes room for packet ext by dropping the oldest packets (and
// skipping the missing ones) until ext fits in the ring. Playout restarts
// at the new oldest packet.
func (b *Buffer) overflow(ext int64) {
	for ext >= b.next+int64(len(b.slots)) {
		s := b.slotFor(b.next)
		if s.state == slotBuffered && s.seq == b.next {
			b.st.Overflow++
			b.count--
		} else {
			b.st.Lost++
		}
		s.seq, s.state = b.next, slotMissed
		b.next++
	}
	b.discont = true
}
