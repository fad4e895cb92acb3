// Package opus owns Parley's Opus codec (RFC 6716, RTP payload per
// RFC 7587): an Encoder and a Decoder for mono 16-bit PCM at 8, 16 or
// 48 kHz, wrapping libopus through gopkg.in/hraban/opus.v2, plus a pure-Go
// reader of the packet framing (TOC byte, frame counts, RFC 6716 sections
// 3.1-3.4) that the decoder uses to reject malformed packets before they
// reach C.
//
// The Encoder satisfies media.Encoder; the Decoder satisfies media.Decoder,
// media.Concealer (libopus packet loss concealment) and media.FECDecoder
// (recovery of a lost frame from the in-band FEC of the next packet). The
// package does not import package media; the method sets match.
//
// # Per-frame cost
//
// Encode, Decode, Conceal and DecodeFEC do not allocate, on success or on
// error: a corrupt payload returns a prebuilt error wrapping
// ErrCorruptFrame. Tests assert this with testing.AllocsPerRun.
//
// # Building
//
// The package uses cgo and needs libopus (Debian libopus-dev). hraban/opus
// also compiles an Ogg file reader against libopusfile (libopusfile-dev);
// this package does not use it, and building with -tags nolibopusfile
// drops that dependency.
//
// # Concurrency properties
//
// An Encoder or Decoder holds one stream's codec state and is used by one
// goroutine at a time; separate instances are independent. Slices passed
// in are not retained. PacketSamples and the TOC methods are pure
// functions, safe from any goroutine.
package opus
