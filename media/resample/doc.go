// Package resample converts 16-bit linear PCM between the sample rates
// Parley meets: the call-side rates 8000, 16000 and 48000 Hz, and the rates
// of prompt files and speech synthesizers, 11025, 22050, 24000, 32000 and
// 44100 Hz (espeak-ng, for one, writes 22050 Hz). Any of the eight converts
// to any other, and equal rates give the identity conversion.
//
// A Resampler is a rational L/M polyphase FIR resampler. Its windowed-sinc
// low-pass prototype (Kaiser window, 80 dB design attenuation) has its
// passband edge at 0.45 and its stopband edge at 0.5 of the lower of the two
// rates, so everything above the new Nyquist frequency is removed before
// decimation (anti-aliasing) or after interpolation (anti-imaging). The
// prototype is split into L phases stored in reversed order so that each
// output sample is one contiguous dot product of about 100 taps when
// interpolating, and 100 x inRate/outRate taps when decimating.
//
// # Shared filter tables
//
// For ratios such as 22050 -> 8000 Hz (L/M = 160/441) the prototype is
// tens of thousands of taps long. It is designed once per ordered pair of
// rates, by the first New for that pair, and kept in a process-wide cache
// that every later Resampler for the pair reads without copying: a
// thousand calls playing a 22050 Hz prompt at 8 kHz hold one 180 KB table
// between them, and each call only its own input history (a few KB). The
// cache holds at most one table per pair (5.7 MB if all 56 pairs are used)
// and is never emptied.
//
// # Streaming
//
// The filter state (input history and phase) is carried across calls to
// Process, so feeding a signal in chunks of any sizes yields exactly the
// samples that one call over the whole signal yields, and after N input
// samples in all exactly ceil(N*outRate/inRate) output samples have been
// written. Process allocates nothing.
//
// # Concurrency properties
//
// New is safe for concurrent use; concurrent first calls for one pair of
// rates wait for a single filter design. A Resampler holds per-stream state
// and must be used by one goroutine at a time. Distinct Resamplers share
// only read-only filter tables and may be used concurrently.
package resample
