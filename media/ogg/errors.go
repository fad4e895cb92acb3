package ogg

import "errors"

// Sentinel errors. Functions wrap them with detail; match with errors.Is.
var (
	// ErrNeedMore means a buffer holds only the start of a page.
	ErrNeedMore = errors.New("ogg: incomplete page")
	// ErrCapture means a page does not start with the "OggS" capture
	// pattern (RFC 3533 section 6).
	ErrCapture = errors.New("ogg: missing capture pattern")
	// ErrVersion means a page has a stream structure version other than 0.
	ErrVersion = errors.New("ogg: unsupported stream structure version")
	// ErrCRC means a page's CRC does not match its contents.
	ErrCRC = errors.New("ogg: page checksum mismatch")
	// ErrPage means a Page to marshal is inconsistent (too many segments,
	// lacing values that do not add up to the body).
	ErrPage = errors.New("ogg: invalid page")
	// ErrTruncated means a stream ended inside a page or packet.
	ErrTruncated = errors.New("ogg: truncated")
	// ErrStream means the pages do not form one well-ordered logical
	// bitstream (another serial number, a page sequence gap, a missing or
	// unexpected continuation).
	ErrStream = errors.New("ogg: bad page order")
	// ErrOpusHeader means an OpusHead or OpusTags packet is malformed
	// (RFC 7845 section 5).
	ErrOpusHeader = errors.New("ogg: malformed Opus header")
	// ErrOpusPacket means an Opus packet's TOC framing is invalid
	// (RFC 6716 section 3).
	ErrOpusPacket = errors.New("ogg: malformed Opus packet")
	// ErrGranule means a granule position would go backwards.
	ErrGranule = errors.New("ogg: granule position out of order")
	// ErrInvalidConfig means an OpusConfig field is out of range.
	ErrInvalidConfig = errors.New("ogg: invalid config")
	// ErrClosed means a writer was used after Close.
	ErrClosed = errors.New("ogg: writer closed")
)
