// Package bridge owns media-level conferencing: it connects the audio of
// two or more call legs so that each hears the others, transcoding through
// linear PCM when their codecs differ. Two participants make a plain bridge
// (caller and agent); three make a three-way call (caller, agent and a
// supervisor or the bot).
//
// Each [Participant] wraps one leg's [media.Receiver] and
// [media.Transmitter]. The frames its Receiver plays are resampled to the
// conference's mixing rate (16 kHz by default) into a small queue of a few
// frames, bounded and dropping the oldest. Its Transmitter plays a Source
// that, each frame, takes the mix of every other participant's next frame
// (minus-one, through [mix.Matrix] and its per-listener limiter) and
// resamples it to that Transmitter's rate, so a PCMU leg at 8 kHz and a
// G.722 or Opus leg at 16 kHz hear each other through one conversion each
// way. [Participant.Mute] keeps the others from hearing a participant (as on
// hold); [Participant.Deaf] gives it silence.
//
// # Timing
//
// A Conference has no goroutine and no timer of its own: it runs on the
// legs' Pacer callbacks. A receiver's tick pushes a frame into its
// participant's input queue. A transmitter asking for a frame when its
// participant's mix queue is empty runs one mixing step for everybody (one
// frame from each input queue, one mix per listener, each pushed to its
// listener's mix queue); the others then read what that step made. With
// every leg on one Pacer the steps follow the Pacer's clock, so the queues
// neither fill nor drain; when a late Pacer makes a leg catch up with two
// frames in one tick, the queues absorb it, and a queue that stays deep
// for a second is trimmed by a frame to keep the delay low.
//
// # Concurrency properties
//
// Join, Leave, Mute, Deaf, Stats and Close are safe from any goroutine. The
// mixing state is guarded by one mutex per Conference, held for the few
// microseconds of a step; per frame nothing is allocated. Leave detaches
// the participant's listener at once and its Source ends (io.EOF) at its
// Transmitter's next frame, so a source that something else has played on
// that Transmitter since is never stopped by the bridge.
package bridge
