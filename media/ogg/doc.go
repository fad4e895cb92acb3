// Package ogg owns the Ogg container (RFC 3533) and its Opus mapping
// (RFC 7845) for Parley's call recordings: a page writer that packs packets
// into CRC-checked pages, an OpusWriter that muxes Opus packets into an Ogg
// Opus file (OpusHead, OpusTags, 48 kHz granule positions, end trimming and
// an EOS page on close), a minimal page and packet reader for tests and
// inspection, and Repair, which closes an Ogg file left unfinished by a
// crash.
//
// The package only frames packets; it does not encode audio and does not
// use cgo. Only single logical bitstreams are written or read (no chaining
// or multiplexing).
//
// # Crash safety
//
// A Writer emits every page with a single Write on the destination, so a
// crash leaves the file ending on a page boundary unless the process dies
// inside that write. OpusWriter closes a page at least every
// OpusConfig.FlushInterval of audio (default one second), so a crash loses
// at most that much. Such a file lacks its EOS page; players still read it,
// and Repair cuts any partial page and sets the EOS flag on the last one.
//
// # Concurrency properties
//
// A Writer, OpusWriter, PageReader or PacketReader is used by one goroutine
// at a time. Page values returned by readers alias the reader's buffer and
// are valid until the next call. CRC and PacketSamples are pure functions.
package ogg
