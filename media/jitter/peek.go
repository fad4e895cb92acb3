package jitter

// Peek copies into out, without consuming it, the payload of the next
// packet in sequence if it is already buffered. Right after Pop returns
// Lost it is the packet following the lost one, whose redundant data (Opus
// in-band FEC, RFC 6716 section 2.1.7) can recover the lost frame. It
// reports false when that packet is not buffered or out is too short.
func (b *Buffer) Peek(out []byte) (int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.count == 0 {
		return 0, false
	}
	s := b.buffered(b.next)
	if s == nil || len(out) < s.n {
		return 0, false
	}
	return copy(out, b.data[s.off:s.off+s.n]), true
}
