package telephony_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// TestLeak10000 places PARLEY_SIP_LEAK_CALLS (default 10,000) short calls
// with RTP both ways and WAV recording on (uac_call_rtp, 200 ms each, 200
// calls/s, at most 200 at once) and requires goroutines, open file
// descriptors and RTP ports to come back to their idle count. A
// measurement for make bench:
//
//	PARLEY_SIP_LEAK=1 go test -run '^TestLeak10000$' -count=1 -v -timeout 30m ./telephony
func TestLeak10000(t *testing.T) {
	if os.Getenv("PARLEY_SIP_LEAK") != "1" {
		t.Skip("leak measurement: set PARLEY_SIP_LEAK=1 (make bench does)")
	}
	n := envInt(t, "PARLEY_SIP_LEAK_CALLS", 10000)
	rate := envFloat(t, "PARLEY_SIP_LEAK_RATE", 200)
	checkReturnToIdle(t, n, rate, 200, 200*time.Millisecond)
}

// TestCallsLeaveNothingBehind is TestLeak10000 small enough for make
// test: 200 short calls.
func TestCallsLeaveNothingBehind(t *testing.T) {
	checkReturnToIdle(t, 200, 50, 50, 200*time.Millisecond)
}

// idleCounts is what a UA holds between calls.
type idleCounts struct{ goroutines, fds, ports int }

func (c idleCounts) String() string {
	return fmt.Sprintf("%d goroutines, %d fds, %d RTP port pairs", c.goroutines, c.fds, c.ports)
}

func (c idleCounts) within(base idleCounts) bool {
	return c.goroutines <= base.goroutines && c.fds <= base.fds && c.ports <= base.ports
}

func countIdle(e *loadUA) idleCounts {
	return idleCounts{goroutines: runtime.NumGoroutine(), fds: openFDs(), ports: e.ua.RTPPortsInUse()}
}

// openFDs counts this process's open file descriptors.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// settleWait is how long the counts may take to come back after the last
// call has ended (Calls 0): measured, they are back at once; the wait
// covers a slow machine.
const settleWait = 10 * time.Second

// checkReturnToIdle runs calls short calls and requires the idle counts
// to come back.
func checkReturnToIdle(t *testing.T, calls int, rate float64, limit int, callLen time.Duration) {
	e := startLoadUA(t, telephony.Config{Log: quietLogger()}, true)
	defer e.stop(t)
	ctx := context.Background()
	// One call first, so that what the first call starts once (sipgo's
	// transport goroutines, the pacer) is part of the idle count.
	runShortCalls(ctx, t, e, 1, 1, 1, callLen)
	time.Sleep(time.Second)
	base := countIdle(e)
	t.Logf("idle before: %v", base)

	start := time.Now()
	runShortCalls(ctx, t, e, calls, rate, limit, callLen)
	busy := time.Since(start)
	after := waitSettled(t, e, base, settleWait)
	t.Logf("%d calls in %v; idle again %v after the last: %v",
		calls, busy.Round(time.Millisecond), time.Since(start.Add(busy)).Round(time.Millisecond), after)
	if !after.within(base) {
		buf := make([]byte, 1<<20)
		t.Fatalf("after %d calls: %v, idle was %v\n%s", calls, after, base, buf[:runtime.Stack(buf, true)])
	}
}

func runShortCalls(ctx context.Context, t *testing.T, e *loadUA, calls int, rate float64, limit int, callLen time.Duration) {
	t.Helper()
	res, err := sipptest.Run(ctx, t, sipptest.Options{
		Scenario:    sipptest.Scenario("uac_call_rtp.xml"),
		Target:      e.ua.SIPAddr().String(),
		Calls:       calls,
		Rate:        rate,
		Concurrency: limit,
		Duration:    callLen,
		Timeout:     time.Duration(float64(calls)/rate*float64(time.Second)) + time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if res.Successful != calls {
		t.Fatalf("SIPp: %d successful calls of %d", res.Successful, calls)
	}
	e.waitCalls(t, 30*time.Second)
}

// waitSettled waits up to within for the counts to be within base and
// returns the last counts.
func waitSettled(t *testing.T, e *loadUA, base idleCounts, within time.Duration) idleCounts {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c := countIdle(e)
		if c.within(base) || time.Now().After(deadline) {
			return c
		}
		time.Sleep(100 * time.Millisecond)
	}
}
