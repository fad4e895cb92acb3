package media

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// warnLimiter logs anomalies of a stream at most once a second, from any
// goroutine: a stream with bad input must not flood the log at packet rate.
type warnLimiter struct {
	log    *slog.Logger
	prefix string
	last   atomic.Int64 // unix nanoseconds of the last line logged
}

func (w *warnLimiter) warn(msg string, args ...any) {
	now := time.Now().UnixNano()
	last := w.last.Load()
	if now-last < int64(time.Second) || !w.last.CompareAndSwap(last, now) {
		return
	}
	w.log.Warn(w.prefix+msg, args...)
}
