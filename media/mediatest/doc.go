// Package mediatest holds test helpers shared by the media packages and
// the packages built on them: an in-memory UDP pipe with latency (Pipe), a
// wrapper that drops or reorders a real socket's datagrams (Impair), a
// sine tone source (Tone), a cross-correlation lag finder for checking
// that audio came through (BestLag, Channel), a delay- and codec-tolerant
// search for a reference in a call recording (Correlate, Resample) and a
// goroutine-leak check
// (CheckGoroutines).
//
// mediatest imports no Parley package, so that media and its
// sub-packages can use it from their tests without import cycles.
//
// # Concurrency properties
//
// PipeConn and ImpairedConn are safe for concurrent use like any
// net.PacketConn; one goroutine reads while others write. A Tone is used
// by one goroutine at a time. A PipeConn blocks only on channels and
// timers, so a pipe created inside a testing/synctest bubble runs on the
// bubble's fake clock.
package mediatest
