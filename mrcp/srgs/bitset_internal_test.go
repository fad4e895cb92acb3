package srgs

import "testing"

func TestBitsetLast(t *testing.T) {
	for _, n := range []int{0, 5, 63, 64, 65, 200} {
		s := newBitset(n)
		for i := 0; i <= n; i += 3 {
			s.set(i)
		}
		for max := -1; max <= n; max++ {
			want := -1
			for i := max; i >= 0; i-- {
				if s.has(i) {
					want = i
					break
				}
			}
			if got := s.last(max); got != want {
				t.Fatalf("n=%d last(%d) = %d, want %d", n, max, got, want)
			}
		}
		if p, ok := s.only(); ok != (n < 3) || ok && p != 0 {
			t.Errorf("n=%d only() = %d, %v", n, p, ok)
		}
	}
}
