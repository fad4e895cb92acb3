//go:build linux

package opus

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time (user+system) consumed by the calling OS
// thread: RUSAGE_THREAD, which the syscall package does not name.
func threadCPU() time.Duration {
	const rusageThread = 1
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
