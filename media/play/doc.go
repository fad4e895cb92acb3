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
// When the clip's rate differs from the session's (8, 16 and 48 kHz are
// supported; equal rates of any value need no resampling), the Player
// removes the filter's group delay at the start and flushes its tail at
// the end, so the output is exactly as long as the clip at the new rate
// and starts without a delay. When looping, the filter runs on across the
// wrap, so the seam is as smooth as the clip's own end and start.
//
// # Concurrency properties
//
// A Player holds one playback's cursor and filter state and is used by one
// goroutine at a time (the session's send loop); Next allocates nothing.
// A Clip is safe for concurrent use by any number of Players. A Player from
// Open owns its file and must be closed; Close on a clip Player is a no-op.
package play
