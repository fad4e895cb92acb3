package mediatest

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// DefaultLeakWait is how long CheckGoroutines waits for goroutines to end.
const DefaultLeakWait = 5 * time.Second

// CheckGoroutines records the goroutines running now and returns a
// function that fails t, listing their stacks, if goroutines started
// since are still running once it has waited up to 5 s for them to end.
// Goroutines started by package testing are ignored. Tests using it must
// not run in parallel with others.
//
//	defer mediatest.CheckGoroutines(t)()
func CheckGoroutines(t testing.TB) func() {
	t.Helper()
	return CheckGoroutinesWithin(t, DefaultLeakWait)
}

// CheckGoroutinesWithin is CheckGoroutines waiting up to wait.
func CheckGoroutinesWithin(t testing.TB, wait time.Duration) func() {
	t.Helper()
	before := map[int]bool{}
	for _, g := range goroutines() {
		before[g.id] = true
	}
	return func() {
		t.Helper()
		var leaked []goroutine
		deadline := time.Now().Add(wait)
		for {
			leaked = leaked[:0]
			for _, g := range goroutines() {
				if !before[g.id] && !g.ignorable() {
					leaked = append(leaked, g)
				}
			}
			if len(leaked) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		for _, g := range leaked {
			t.Errorf("goroutine leaked:\n%s", g.stack)
		}
	}
}

// goroutine is one entry of a full runtime.Stack dump.
type goroutine struct {
	id    int
	stack string
}

// ignorable reports whether g belongs to the test framework or is the
// goroutine doing the check.
func (g goroutine) ignorable() bool {
	return strings.Contains(g.stack, "created by testing.") ||
		strings.Contains(g.stack, "mediatest.goroutines(")
}

// goroutines returns every goroutine's id and stack.
func goroutines() []goroutine {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var gs []goroutine
	for _, block := range bytes.Split(buf, []byte("\n\n")) {
		// "goroutine 18 [running]:"
		head, _, _ := strings.Cut(string(block), " [")
		id, err := strconv.Atoi(strings.TrimPrefix(head, "goroutine "))
		if err != nil {
			continue
		}
		gs = append(gs, goroutine{id: id, stack: string(block)})
	}
	return gs
}
