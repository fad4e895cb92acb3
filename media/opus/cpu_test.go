package opus

import (
	"runtime"
	"testing"
	"time"
)

// cpuMeter measures the CPU time of the benchmark goroutine's thread,
// which stays meaningful on a shared, loaded machine where wall time per
// op is not.
type cpuMeter struct{ start time.Duration }

// startCPU locks the goroutine to its thread and starts measuring; call it
// just before the b.Loop loop.
func startCPU() cpuMeter {
	runtime.LockOSThread()
	return cpuMeter{threadCPU()}
}

// report adds the cpu-ns/op metric and unlocks the thread; call it after
// the loop.
func (m cpuMeter) report(b *testing.B) {
	defer runtime.UnlockOSThread()
	if used := threadCPU() - m.start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
