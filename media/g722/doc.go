// Package g722 owns the ITU-T G.722 7 kHz wideband codec (SB-ADPCM): an
// encoder at 64 kbit/s and a decoder for all three modes (64, 56 and
// 48 kbit/s), RTP payload type 9 (RFC 3551 4.5.2).
//
// # Algorithm
//
// The transmit QMF splits 16 kHz PCM into a lower and a higher sub-band,
// each sampled at 8 kHz. The lower sub-band is coded with 6-bit ADPCM, the
// higher with 2-bit ADPCM; each coder has an adaptive quantizer whose scale
// factor follows a logarithmic adaptation law, and an adaptive predictor
// with a second-order pole section and a sixth-order zero section. The
// decoder mirrors the encoder's blocks and recombines the sub-bands with
// the receive QMF. The code follows the block structure of G.722's
// computational details (blocks 1L-6L and 1H-5H: QUANTL, INVQAL, LOGSCL,
// SCALEL, RECONS, PARREC, UPPOL1, UPPOL2, UPZERO, FILTEP, FILTEZ, PREDIC,
// INVQBL, LIMIT and their higher sub-band twins) in the spec's own fixed
// point units. In modes 2 and 3 the decoder ignores the lowest one or two
// bits of each octet, which the network may have used for auxiliary data.
//
// G.722 specifies 14-bit uniform PCM at the codec boundary. This package
// takes and returns 16-bit PCM the way FFmpeg and SpanDSP do: the transmit
// QMF output is scaled by 2^-14 and the receive QMF output by 2^-11, so a
// full-scale 16-bit signal uses the full range of the sub-band coders.
// Encoder output and decoder output are bit-exact with FFmpeg's g722
// encoder (without -trellis) and decoder for all three modes; the tests
// check this with ffmpeg on speech, tones, a sweep and noise.
//
// # Payload format
//
// Each octet carries one sample pair: the 2-bit higher sub-band code in
// bits 7-6 and the 6-bit lower sub-band code in bits 5-0, the most
// significant bit first on the wire (RFC 3551 4.5.2). A 20 ms frame is
// 320 samples and 160 octets. The RTP clock rate of G722 is 8000 Hz
// although audio is sampled at 16000 Hz (RFC 3551 4.5.2); timestamps are
// the RTP session's business, not this package's.
//
// # Concurrency properties
//
// An Encoder or Decoder holds the state of one stream and must be used by
// one goroutine at a time; separate instances are independent. Encode and
// Decode do not retain the slices they are given and do not allocate.
package g722
