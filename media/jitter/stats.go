package jitter

import "time"

// Stats is a snapshot of a Buffer's counters and delays.
type Stats struct {
	// Pushed counts every Push call.
	Pushed uint64
	// Popped counts packets returned by Pop.
	Popped uint64
	// Lost counts frames that never arrived in time: returned as Lost, or
	// skipped while the buffer was empty or overflowing.
	Lost uint64
	// Late counts packets dropped because they arrived, or would have
	// played, after their playout time.
	Late uint64
	// Duplicate counts packets dropped as copies of one already buffered
	// or played.
	Duplicate uint64
	// Overflow counts buffered packets dropped, oldest first, to make room
	// beyond Capacity.
	Overflow uint64
	// Resets counts resynchronizations: confirmed sequence jumps, jumps
	// beyond the capacity, and timestamp rebases.
	Resets uint64
	// Jumps counts packets dropped as unconfirmed sequence jumps.
	Jumps uint64
	// Invalid counts packets rejected for an empty or oversized payload.
	Invalid uint64
	// Dropped counts buffered packets discarded to shrink the delay or on
	// a resynchronization.
	Dropped uint64
	// Inserted counts Empty frames inserted to grow the delay.
	Inserted uint64
	// Stretched counts the times playout waited for a packet that came
	// after its time, growing the delay.
	Stretched uint64
	// Talkspurts counts playout (re)starts: the first packet and every
	// talkspurt or discontinuity after it.
	Talkspurts uint64
	// Delay is the current playout delay behind the fastest recent path,
	// as of the last packet played; Target is the delay aimed for.
	Delay, Target time.Duration
	// Jitter is the RFC 3550 6.4.1 interarrival jitter estimate.
	Jitter time.Duration
	// Buffered is the number of packets held now.
	Buffered int
}
