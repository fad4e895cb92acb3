package srgs

import "math/bits"

// bitset is a set of input positions 0..n.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+64)/64) }

func (s bitset) has(i int) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }
func (s bitset) set(i int)      { s[i>>6] |= 1 << (uint(i) & 63) }

func (s bitset) empty() bool {
	for _, w := range s {
		if w != 0 {
			return false
		}
	}
	return true
}

func (s bitset) or(t bitset) {
	for i := range s {
		s[i] |= t[i]
	}
}

// andNot removes t's positions from s.
func (s bitset) andNot(t bitset) {
	for i := range s {
		s[i] &^= t[i]
	}
}

func (s bitset) first() int {
	for i, w := range s {
		if w != 0 {
			return i*64 + bits.TrailingZeros64(w)
		}
	}
	return -1
}

// only returns the position of a set that holds exactly one.
func (s bitset) only() (int, bool) {
	p := -1
	for i, w := range s {
		if w == 0 {
			continue
		}
		if p >= 0 || w&(w-1) != 0 {
			return -1, false
		}
		p = i*64 + bits.TrailingZeros64(w)
	}
	return p, p >= 0
}

// each calls f for every position in ascending order.
func (s bitset) each(f func(int)) {
	for i, w := range s {
		for w != 0 {
			f(i*64 + bits.TrailingZeros64(w))
			w &= w - 1
		}
	}
}

// last returns the highest position below or at most max, or -1.
func (s bitset) last(max int) int {
	for i := min(max>>6, len(s)-1); i >= 0; i-- {
		w := s[i]
		if i == max>>6 && max&63 != 63 {
			w &= 1<<(uint(max&63)+1) - 1
		}
		if w != 0 {
			return i*64 + 63 - bits.LeadingZeros64(w)
		}
	}
	return -1
}
