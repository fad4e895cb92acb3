// Package telephony owns Parley's SIP side: inbound calls over
// emiago/sipgo and the SDP offer/answer they are set up with. The
// registrar, outbound calls, transfers and bridging build on it.
//
// # Calls
//
// A UA (NewUA, Serve, Close) serves SIP on UDP and TCP on one port. It
// answers OPTIONS, and turns every INVITE into a Call: the offer is
// checked first (a failure is answered 400, 415 or 488 with a Reason
// header, RFC 3326), 100 Trying and 180 Ringing are sent, and the
// Handler runs the call on a goroutine of its own. Call.Answer opens a
// media.Leg on the negotiated codecs, sends 200 OK with the SDP answer
// and waits for the ACK; Call.Reject sends a final failure;
// Call.Hangup sends BYE. A CANCEL before the answer is answered 487 and
// ends the call as cancelled; a BYE from the caller ends it; an answered
// call that receives no RTP for Config.RTPTimeout is hung up. Over
// Config.MaxCalls an INVITE gets 503 with Retry-After. Re-INVITEs are
// refused with 488 for now (the session is kept).
//
// Every answered call is recorded from answer to hangup in one stereo
// file (media/record; WAV, or Ogg Opus by Config.RecordingFormat) under
// Config.RecordingDir/<yyyy-mm-dd>/<call id>: the caller on the left
// channel, what Parley sent on the right. Every call gets a record in the
// CallStore (a subset of store.Store): created at the INVITE with its
// caller leg, answered, ended with a disposition (answered, cancelled,
// rejected, failed) and a cause, with events (invite, ringing, answer,
// reject, cancel, bye, hangup) carrying SIP status codes, and the
// recording indexed relative to Config.DataDir.
//
// # SDP
//
// The offer and answer follow RFC 3264 and RFC 4566, with pion/sdp:
// Answer turns a caller's offer into the codecs, addresses and direction
// an RTP session of package media is set up with, and Offer and
// ParseAnswer serve Parley's own offers. An offer or answer Parley
// cannot accept is an *SDPError carrying the SIP status to reply with:
// 400 for an unreadable description, 488 for one that shares no codec or
// transport with Parley.
//
// # Concurrency properties
//
// The SDP functions are pure: they share no state and are safe from any
// goroutine; Capabilities and Media are plain values. A UA's methods are
// safe from any goroutine. Each Call's methods are safe from any
// goroutine and its state changes are applied in order under one mutex;
// the Handler runs on a goroutine the UA owns and waits for in Serve.
// When Serve returns, every call has ended: ringing calls get 503,
// answered ones BYE. Store writes are made on the goroutine that changes
// the call's state, each bounded by its own time-out, and a failed write
// is logged, never fatal to the call.
package telephony
