// Package wav owns the RIFF/WAVE file format for Parley: a streaming Reader
// that converts the common sample encodings to 16-bit linear PCM, a
// streaming Writer for 16-bit PCM whose header stays valid while it writes
// (for call recordings), and Repair, which fixes a file left unclosed by a
// crash.
//
// # Formats
//
// The Reader accepts WAVE_FORMAT_PCM (8-bit unsigned, 16-, 24- and 32-bit
// signed), WAVE_FORMAT_IEEE_FLOAT (32- and 64-bit), WAVE_FORMAT_ALAW and
// WAVE_FORMAT_MULAW (ITU-T G.711), and WAVE_FORMAT_EXTENSIBLE wrapping any of
// them, with any channel count up to MaxChannels and any sample rate up to
// MaxSampleRate. Everything is converted to interleaved int16 samples.
// RF64, RIFX (big-endian) and compressed formats are rejected with
// ErrUnsupportedFormat. Chunks other than "data" are held to MaxChunkSize,
// so a malformed file cannot make the Reader skip or buffer without bound.
//
// # Crash safety
//
// The Writer writes a complete 44-byte header before any audio and rewrites
// the RIFF and data sizes every WriterConfig.HeaderInterval of audio and on
// Close. A process that dies between two refreshes leaves a file whose sizes
// are stale by at most that interval of audio; Repair makes the sizes match
// the audio actually on disk.
//
// # Concurrency properties
//
// A Reader or Writer is used by one goroutine at a time. Repair opens the
// file itself and must not run while a Writer still has the file open.
package wav
