// Package g711 owns ITU-T G.711 companding: PCMU (μ-law) and PCMA (A-law),
// RTP payload types 0 and 8 (RFC 3551 4.5.14), one byte per sample at
// 8000 Hz.
//
// The slice functions ([EncodeULaw], [DecodeULaw], [EncodeALaw],
// [DecodeALaw]) and the per-sample functions convert between 16-bit linear
// PCM and G.711 codes through lookup tables; the Encoder and Decoder types
// wrap them in the method shapes of media.Encoder and media.Decoder and
// report a short destination as [ErrShortBuffer].
//
// # Quantization of 16-bit input
//
// G.711 defines μ-law on 14-bit and A-law on 13-bit uniform PCM (G.711
// Tables 1 and 2). A 16-bit sample is first rounded to the nearest 14-bit
// (μ-law) or 13-bit (A-law) value, halves rounding up and the top value
// saturating, and then quantized with the segment and step layout of
// G.711 Tables 1 and 2: μ-law magnitudes are taken after negation (two's
// complement), A-law magnitudes after one's complement (−x−1), with the
// G.711 even-bit inversion (A-law, XOR 0x55) and all-bit inversion (μ-law).
// This is exactly what SoX does when it writes u-law or a-law without
// dither (sox -D), and the tests compare all 65536 inputs with SoX byte for
// byte. Decoding gives the G.711 reconstruction values scaled to 16 bits
// (μ-law ±32124, A-law ±32256 at full scale) and matches SoX and FFmpeg for
// all 256 codes of each law.
//
// # Concurrency properties
//
// G.711 is memoryless: the tables are immutable and the Encoder and Decoder
// types have no state, so every function and method here is safe for
// concurrent use. Nothing retains the slices it is given. None of them
// allocate.
package g711
