// Package dtmf owns RFC 4733 telephone-events, the RTP payload that carries
// DTMF key presses out of band: the 4-byte Event payload (section 2.3), the
// mapping of event codes to the digits 0-9, *, #, A-D (section 3.2), a
// Receiver that turns the packet stream into one begin and one end per
// tone (section 2.5.2), and a Sender that produces the packet sequence of a
// tone (section 2.5.1).
//
// The package knows nothing of sockets or RTP headers: the session hands
// the Receiver each telephone-event packet's timestamp, marker bit and
// payload, and writes the Sender's payloads with the timestamp and marker
// it returns. Telephone events share the audio stream's SSRC, sequence
// numbers and timestamp base (section 2.5.1.2).
//
// # Concurrency properties
//
// Event, DigitOf and CodeOf are plain values and pure functions. A
// Receiver or Sender is a state machine without goroutines or timers,
// used by one goroutine: the session's RTP reader for the Receiver, its
// sender for the Sender. Receiver callbacks run synchronously on the
// goroutine that calls Feed, Tick or Flush. The per-packet paths
// (Unmarshal, MarshalTo, Receiver.Feed, Sender.Next) do not allocate.
package dtmf
