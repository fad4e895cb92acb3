// Package mix owns audio mixing: summing several int16 PCM streams into
// one without wrap-around, and the routing of conference legs, in which
// each participant hears a chosen set of the others.
//
// A [Mixer] sums two or more frames of equal length in int32 and passes the
// sum through a soft limiter without look-ahead: while the sum stays within
// the ceiling (default -1 dBFS) the gain is exactly 1 and the output is the
// exact sum, bit for bit; when it overloads, the gain falls towards
// ceiling/|sum| with a short attack time constant, holds for a while
// (HoldMs) after the last overloading sample, and rises back at a fixed
// rate in dB per second until it is exactly 1 again. The samples that overshoot during the attack saturate at the
// int16 limits; nothing ever wraps around.
//
// A [Matrix] mixes n legs for n listeners, each with its own limiter. By
// default each listener hears everyone but itself (minus-one, [NewMinusOne]:
// three-way calls of caller, agent and bot). [NewWhisper] routes a warm
// transfer's whisper: the agent hears the bot and the caller, the caller
// hears only the agent, the bot hears the agent. [Matrix.Route] changes who
// hears whom between frames.
//
// # Concurrency properties
//
// A Mixer or Matrix keeps limiter state per output stream and is not safe
// for concurrent use: one goroutine (the conference's mixing ticker) calls
// Mix, and Route is called on that goroutine between frames. Mix retains no
// reference to its arguments and allocates nothing, including for its
// variadic sources, which the caller's frame holds.
package mix
