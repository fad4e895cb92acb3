// Package server is Parley's MRCPv2 speech server (RFC 6787): it accepts
// sessions over SIP, allocates speechsynth and speechrecog channels,
// carries their control messages on TCP and their audio on RTP, and runs
// each channel's resource (package mrcp/resource) on the speech engines
// it is given (package mrcp/speech).
//
// # Session set-up
//
// A client sends a SIP INVITE whose SDP offers one m=application line per
// resource (a=resource, a=setup:active, a=connection, a=cmid) and the
// m=audio line they share (RFC 6787 section 4). The server answers each
// control line with its TCP port, a=setup:passive and the channel it
// allocated (a=channel), and the audio line with one codec of those
// offered, in the reverse direction. A re-INVITE adds resources (new
// m=application lines) or removes them (port 0); BYE ends the session and
// every channel in it. Resources the server does not offer, TLS control
// lines and control lines beyond the limit are answered with port 0; an
// offer with no acceptable control line gets 488.
//
// # Control connections
//
// All channels share one listening TCP port. A connection belongs to no
// session: the Channel-Identifier of each request routes it, and a channel
// answers on the connection that last sent it a request. A request for an
// unknown channel gets 405. A malformed request gets the RFC's error
// response and the connection goes on; a stream that cannot be framed, a
// message that stops arriving half-way (MessageTimeout), a connection that
// carries no channel for ConnIdleTimeout and a peer that stops reading
// (WriteTimeout) are disconnected, without touching other connections or
// sessions.
//
// # Audio
//
// The session's audio stream is a media.Leg: caller audio is decoded at
// 16 kHz for wideband codecs and 8 kHz for narrowband ones and handed to
// the recognizer channel; the synthesizer channel plays into the same
// leg's transmitter, one packet every 20 ms.
package server
