// Package play owns prompt playback and hold audio: a Player turns a WAV
// prompt, or a Clip of PCM decoded once, into 20 ms mono frames at the
// session's sample rate, resampling with media/resample and downmixing
// multi-channel files, optionally looping seamlessly for hold music.
//
// # Sharing clips
//
// A Clip is decoded PCM that never changes after NewClip or LoadClip
// returns: Players only read it, each through its own cursor, so a prompt
// loaded once is shared by any number of concurrent calls without copying.
// Callers must not modify the slice they hand to NewClip afterwards.
//
// # Resampling
//
// When the clip's rate differs from the session's, the Player resamples
// it with media/resample, which converts between 8000, 11025, 16000,
// 22050, 24000, 32000, 44100 and 48000 Hz: prompts recorded at CD and
// synthesizer rates (espeak-ng writes 22050 Hz) play at the call's 8, 16
// or 48 kHz, and equal rates of any value need no resampling. The filter
// tables are shared by all Players converting the same pair of rates. The
// Player removes the filter's group delay at the start and flushes its
// tail at the end, so the output is exactly ceil(samples x session rate /
// clip rate) samples long and starts without a delay. It feeds the filter
// 20 ms of the clip at a time, rounded down to whole samples (220 at
// 11025 Hz), and returns whole frames regardless. When looping, the
// filter runs on across the wrap, so the seam is as smooth as the clip's
// own end and start.
//
// # Concurrency properties
//
// A Player holds one playback's cursor and filter state and is used by one
// goroutine at a time (the session's send loop); Next allocates nothing.
// A Clip is safe for concurrent use by any number of Players. A Player from
// Open owns its file and must be closed; Close on a clip Player is a no-op.
package play
