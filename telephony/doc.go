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
// Config.MaxCalls an INVITE gets 503 with Retry-After.
//
// Call.Progress sends 183 Session Progress with the SDP answer and starts
// the media before Answer (early media; the recording starts there);
// Answer then sends 200 OK with the same SDP. Call.Reject documents the
// statuses a Handler refuses with: 486 Busy Here, 480 Temporarily
// Unavailable, 603 Decline, each with a Reason header and the cause kept
// in the call record.
//
// # Re-INVITE and UPDATE
//
// An answered call takes new offers in its dialog (re-INVITE, RFC 3261
// 14.2; UPDATE, RFC 3311), each decided by one function that the fuzz
// target FuzzReInviteSDP drives too:
//   - hold (a=sendonly, a=inactive or c=0.0.0.0, RFC 3264 8.4) is answered
//     recvonly or inactive; the Transmitter's playback is stopped and,
//     because package media's Transmitter cannot pause, silence is sent
//     meanwhile; the RTP time-out is suspended until unhold;
//   - unhold (sendrecv again) is answered sendrecv;
//   - a session refresh (the same session, or no offer) is answered with
//     the current SDP, unchanged (a 200 to an UPDATE without an offer has
//     no body, RFC 3311 5.2);
//   - the Leg cannot change codec or payload type mid-call: an offer that
//     still lists the codec in use is answered with that codec alone, one
//     that drops it gets 488 with a Reason header.
//
// Each records a call event (hold, unhold, refresh, update,
// reoffer-refused) with the SIP code and {"reason": ...} as detail. An
// offer before the call is acknowledged gets 500 with Retry-After.
//
// Every answered call is recorded from answer to hangup in one stereo
// file (media/record; WAV, or Ogg Opus by Config.RecordingFormat) under
// Config.RecordingDir/<yyyy-mm-dd>/<call id>: the caller on the left
// channel, what Parley sent on the right. Every call gets a record in the
// CallStore (a subset of store.Store): created at the INVITE with its
// caller leg, answered, ended with a disposition (answered, cancelled,
// rejected, failed) and a cause, with events (invite, ringing, answer,
// reject, cancel, bye, hangup, progress, hold, unhold, refresh) carrying
// SIP status codes, and the
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
