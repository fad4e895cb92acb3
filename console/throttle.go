package console

import (
	"sync"
	"time"
)

// maxThrottleKeys bounds the memory of a throttle: past it, expired
// entries are dropped, then arbitrary ones (an attacker spraying ids or
// addresses ages their own entries out, never blocks others for longer).
const maxThrottleKeys = 10000

// throttle counts failed logins per key (an account id, a source address)
// in fixed windows: after max failures in a window the key is refused
// until the window ends. It is safe for concurrent use.
type throttle struct {
	max    int
	window time.Duration

	mu sync.Mutex
	m  map[string]throttleEntry
}

type throttleEntry struct {
	failures int
	start    time.Time
}

func newThrottle(max int, window time.Duration) *throttle {
	return &throttle{max: max, window: window, m: make(map[string]throttleEntry)}
}

// blocked reports whether key is refused at now, and for how long.
func (t *throttle) blocked(key string, now time.Time) (time.Duration, bool) {
	if t.max <= 0 {
		return 0, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[key]
	if !ok {
		return 0, false
	}
	end := e.start.Add(t.window)
	if !now.Before(end) {
		delete(t.m, key)
		return 0, false
	}
	return end.Sub(now), e.failures >= t.max
}

// fail counts one failure of key at now.
func (t *throttle) fail(key string, now time.Time) {
	if t.max <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[key]
	if !ok || !now.Before(e.start.Add(t.window)) {
		if len(t.m) >= maxThrottleKeys {
			t.prune(now)
		}
		e = throttleEntry{start: now}
	}
	e.failures++
	t.m[key] = e
}

// reset forgets key's failures (after a successful login).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	delete(t.m, key)
	t.mu.Unlock()
}

func (t *throttle) prune(now time.Time) {
	for k, e := range t.m {
		if !now.Before(e.start.Add(t.window)) {
			delete(t.m, k)
		}
	}
	for k := range t.m {
		if len(t.m) < maxThrottleKeys {
			break
		}
		delete(t.m, k)
	}
}
