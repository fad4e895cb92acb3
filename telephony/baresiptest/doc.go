// Package baresiptest runs baresip (Debian's baresip-core) as a real
// softphone from Go tests. Start writes a configuration into a temporary
// directory, launches `baresip -f <dir>` on loopback and connects to its
// ctrl_tcp module; the Phone's methods send ctrl_tcp commands (netstring
// framed JSON) and wait for its events (CALL_ESTABLISHED, REGISTER_OK,
// ...).
//
// The phone's microphone is the aufile module playing a WAV file
// (Config.Audio, followed by Config.Tail of silence: in baresip 1.0 the
// end of the file is an audio error that hangs the call up). The file is
// written at the first codec's clock rate, because baresip 1.0's own
// resampler low-passes at about 1.3 kHz from 16 to 8 kHz. What it
// hears and what it sends are recorded by the sndfile module into its
// directory (Recordings, Sent). No audio device module is loaded.
//
// A missing baresip fails the test, it never skips. The test's Cleanup
// quits baresip (the quit command, then SIGKILL); the process is never
// left running.
//
// # Concurrency properties
//
// Start may be called from parallel tests: each phone has its own
// directory and free ports. A Phone's methods are safe from any
// goroutine; one goroutine, owned by the Phone and stopped with it,
// reads ctrl_tcp.
package baresiptest
