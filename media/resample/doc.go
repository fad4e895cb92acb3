// Package resample converts 16-bit linear PCM between the sample rates
// Parley uses: 8000, 16000 and 48000 Hz, in all six directions, plus the
// identity conversion.
//
// A Resampler is a rational L/M polyphase FIR resampler. At construction it
// designs one windowed-sinc low-pass prototype (Kaiser window, 80 dB design
// attenuation) with its passband edge at 0.45 and its stopband edge at 0.5 of
// the lower of the two rates, so everything above the new Nyquist frequency
// is removed before decimation (anti-aliasing) or after interpolation
// (anti-imaging). The prototype is split into L phases stored in reversed
// order so that each output sample is one contiguous dot product.
//
// The filter state (input history and phase) is carried across calls to
// Process, so feeding a signal frame by frame yields exactly the samples
// that one call over the whole signal yields. Process allocates nothing.
//
// # Concurrency properties
//
// A Resampler holds per-stream state and must be used by one goroutine at a
// time. Distinct Resamplers share nothing and may be used concurrently.
package resample
