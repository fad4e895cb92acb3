// Package mrcp owns Parley's side of MRCPv2, the Media Resource Control
// Protocol version 2 (RFC 6787), through which the voice bot drives speech
// recognizers and synthesizers.
//
// This package is the message layer: the Message type for requests,
// responses and events, its parser and marshaller, a streaming Reader and
// Writer for the TCP control connection, and the session descriptions of
// RFC 6787 section 4 (Description, Stream). Built on it: mrcp/client (the
// client the bot uses), mrcp/server (Parley's speech server),
// mrcp/resource (the speechsynth and speechrecog state machines),
// mrcp/nlsml, mrcp/srgs and mrcp/ssml (the bodies), and mrcp/speech with
// its engines.
//
// # Messages
//
// A message is a start line, header fields, an empty line and an optional
// body (RFC 6787 section 5.1). The start line's second token, the
// message-length, counts every octet of the message, its own digits
// included; a receiver frames the TCP stream by it, and Content-Length
// counts the body (section 6.2.11). [Frame] reads the message-length from
// the first octets of a buffer, [Parse] and [Message.Unmarshal] check one
// whole message strictly, and [Message.AppendTo] writes one, computing the
// message-length as the fixed point of its own digit count.
//
// Header fields keep the order and the spelling of their names; lookups
// ignore case (section 6.2). Typed names cover the methods and events of
// the speechsynth (section 8) and speechrecog (section 9) resources,
// status codes (section 5.4) and the Completion-Cause codes of both
// resources (sections 8.4 and 9.4).
//
// # Bad input
//
// Nothing here panics on input. Errors wrap the sentinels in errors.go.
// When a request is framed correctly but cannot be accepted, the error is
// a [*StatusError] carrying the request-id and the RFC status code to
// answer with, and the stream stays usable. An error that wraps
// [ErrFraming] means the stream cannot be resynchronized: close it.
//
// # Concurrency properties
//
// A Message is a plain value: it may be read from several goroutines but
// must not be changed while anyone reads it. Parse and Frame keep no
// state. A Reader belongs to one goroutine, the connection's reader. A
// Writer may be shared: each WriteMessage writes one whole message in one
// Write call under a mutex, so messages from several channels sharing a
// connection never interleave.
package mrcp
