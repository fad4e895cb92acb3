// Package telephony owns Parley's SIP side. So far it holds the SDP offer
// and answer (RFC 3264, RFC 4566, with pion/sdp): it turns a caller's offer
// into the codecs, addresses and direction an RTP session of package media
// is set up with, and builds Parley's offers and answers. SIP calls over
// sipgo, the registrar, transfers and bridging build on it.
//
// An offer or answer Parley cannot accept is an *SDPError carrying the SIP
// status to reply with: 400 for an unreadable description, 488 for one
// that shares no codec or transport with Parley.
//
// # Concurrency properties
//
// The functions are pure: they share no state and are safe from any
// goroutine. Capabilities and Media are plain values.
package telephony
