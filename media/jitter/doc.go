// Package jitter is Parley's adaptive jitter buffer: it turns RTP packets
// arriving with variable delay, out of order, duplicated or not at all into
// a steady stream of one frame per playout interval.
//
// The RTP reader goroutine calls Push for every packet of one stream (one
// SSRC); the payload is copied into storage allocated once by New, so it may
// alias the socket's read buffer. The playout ticker calls Pop once per frame
// interval (20 ms by default) and gets a Frame: a Packet to decode, a Lost
// frame to conceal, or Empty when there is nothing to play (before the
// stream starts, between talkspurts, on underrun, or when the buffer inserts
// a frame to grow its delay). Time is injected: Push takes the arrival time
// and Pop the current time, so tests run on a simulated clock.
//
// # Playout model
//
// Playout follows the RTP timestamps (RFC 3550 5.1): each Pop advances a
// playout clock by one frame, and a packet plays when the clock reaches its
// timestamp. The buffer tracks the transit time of every packet (arrival
// time minus media time, RFC 3550 6.4.1) and its minimum over the last few
// seconds, the fastest path. The playout delay is how far the playout
// clock runs behind that fastest path. The target delay is one frame more
// than the jitter envelope (the largest recent excess of a packet's transit
// over the minimum) rounded up to whole frames, clamped to
// [MinDelay, MaxDelay]. The envelope rises at once with a delayed packet and
// decays with a time constant of about 256 packets, so the target grows
// quickly on spikes and shrinks slowly.
//
// The delay moves towards the target at the start of each talkspurt (a
// timestamp jump larger than the sequence numbers account for, as after
// silence suppression, RFC 3551 4.1), by dropping or inserting one frame
// when it is a frame or more off target (only on frames Config.Silent
// reports as silence, when set), and by stretching: when a packet turns up
// after its playout time but before the buffer gave up on it, playout
// resumes from it if that keeps the delay within MaxDelay.
//
// Sequence numbers are extended across wrap-around. As in RFC 3550 A.1, a
// jump of 3000 or more forward, or more than 100 back, is taken as a source
// restart only when the next packet confirms it; a smaller jump beyond the
// buffer's capacity also resynchronizes. A timestamp discontinuity (the
// transit time moving by more than MaxDelay plus one second) rebases the
// timestamps instead of stalling or flushing playout.
//
// # Concurrency properties
//
// A Buffer is safe for concurrent use: Push, Pop and Stats take one mutex.
// The intended use is one reader goroutine calling Push and one playout
// goroutine calling Pop. Config.Silent is called with the mutex held, from
// inside Pop; it must not call back into the Buffer. Push and Pop allocate
// nothing.
package jitter
