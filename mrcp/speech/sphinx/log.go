package sphinx

// #include "csphinx.h"
import "C"

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
)

// sphinxLog receives PocketSphinx's warnings and errors. PocketSphinx
// logs through one process-wide callback, so the logger is the one of the
// Engine made last.
var (
	sphinxLog     atomic.Pointer[slog.Logger]
	sphinxLogInit sync.Once
)

func setSphinxLogger(l *slog.Logger) {
	sphinxLog.Store(l)
	sphinxLogInit.Do(func() { C.parley_log_init() })
}

//export goSphinxLog
func goSphinxLog(level C.int, msg *C.char) {
	l := sphinxLog.Load()
	if l == nil {
		return
	}
	// Debug: PocketSphinx reports routine events as errors (an utterance
	// without speech, a grammar path not reaching the end), and this
	// package turns real failures into errors of its own.
	l.Log(context.Background(), slog.LevelDebug, "pocketsphinx", "level", int(level), "msg", strings.TrimSpace(C.GoString(msg)))
}
