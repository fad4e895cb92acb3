// Package l16 owns the L16 RTP payload format (RFC 3551 4.5.11): linear
// PCM, 16-bit signed two's complement samples in network byte order (most
// significant byte first), mono, at any sample rate. RTP payload type 11
// is L16 mono at 44100 Hz; every other rate uses a dynamic payload type
// whose rtpmap gives the rate (a=rtpmap:96 L16/16000). The rate is the
// session's business: encoding and decoding do not depend on it.
//
// # Concurrency properties
//
// The Encoder and Decoder types have no state: they are safe for
// concurrent use, do not retain the slices they are given and do not
// allocate.
package l16
