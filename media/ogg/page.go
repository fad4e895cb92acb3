package ogg

import (
	"encoding/binary"
	"fmt"
)

// HeaderType is the header_type_flag byte of a page (RFC 3533 section 6).
type HeaderType uint8

// Header type flags.
const (
	// Continued marks a page whose first packet continues from the
	// previous page.
	Continued HeaderType = 0x01
	// BOS marks the first page of a logical bitstream.
	BOS HeaderType = 0x02
	// EOS marks the last page of a logical bitstream.
	EOS HeaderType = 0x04
)

// String lists the set flags, like "BOS|EOS", or "0".
func (t HeaderType) String() string {
	s := ""
	for _, f := range [...]struct {
		bit  HeaderType
		name string
	}{{Continued, "Continued"}, {BOS, "BOS"}, {EOS, "EOS"}} {
		if t&f.bit != 0 {
			if s != "" {
				s += "|"
			}
			s += f.name
		}
	}
	if rest := t &^ (Continued | BOS | EOS); rest != 0 {
		if s != "" {
			s += "|"
		}
		s += fmt.Sprintf("%#x", uint8(rest))
	}
	if s == "" {
		return "0"
	}
	return s
}

// Page layout constants (RFC 3533 section 6).
const (
	// HeaderLen is the fixed part of a page header, before the segment
	// table.
	HeaderLen = 27
	// MaxSegments is the largest segment table.
	MaxSegments = 255
	// MaxBodyLen is the largest page body: 255 segments of 255 bytes.
	MaxBodyLen = MaxSegments * 255
	// MaxPageLen is the largest page.
	MaxPageLen = HeaderLen + MaxSegments + MaxBodyLen
)

// NoGranule is the granule position of a page on which no packet ends.
const NoGranule int64 = -1

// Page is one Ogg page. Segments holds the lacing values: a packet is a run
// of 255-valued segments ended by one segment shorter than 255, and a page
// whose last lacing value is 255 ends inside a packet.
type Page struct {
	// Type holds the Continued, BOS and EOS flags.
	Type HeaderType
	// Granule is the codec-defined position after the last packet that
	// ends on this page, or NoGranule.
	Granule int64
	// Serial identifies the logical bitstream.
	Serial uint32
	// Sequence is the page's number within its bitstream, from 0.
	Sequence uint32
	// Segments is the segment table (lacing values).
	Segments []byte
	// Body is the page data; its length is the sum of Segments.
	Body []byte
}

// Len returns the marshalled size of p.
func (p *Page) Len() int { return HeaderLen + len(p.Segments) + len(p.Body) }

// MarshalTo writes p, with its CRC, into buf and returns the bytes written.
// It returns ErrPage if p is inconsistent and ErrNeedMore if buf is
// shorter than p.Len(). It does not allocate.
func (p *Page) MarshalTo(buf []byte) (int, error) {
	if len(p.Segments) > MaxSegments {
		return 0, fmt.Errorf("%w: %d segments", ErrPage, len(p.Segments))
	}
	sum := 0
	for _, s := range p.Segments {
		sum += int(s)
	}
	if sum != len(p.Body) {
		return 0, fmt.Errorf("%w: lacing values add up to %d, body is %d bytes", ErrPage, sum, len(p.Body))
	}
	n := p.Len()
	if len(buf) < n {
		return 0, fmt.Errorf("%w: %d-byte buffer for a %d-byte page", ErrNeedMore, len(buf), n)
	}
	le := binary.LittleEndian
	copy(buf, "OggS")
	buf[4] = 0 // stream_structure_version
	buf[5] = byte(p.Type)
	le.PutUint64(buf[6:], uint64(p.Granule))
	le.PutUint32(buf[14:], p.Serial)
	le.PutUint32(buf[18:], p.Sequence)
	le.PutUint32(buf[22:], 0)
	buf[26] = byte(len(p.Segments))
	copy(buf[HeaderLen:], p.Segments)
	copy(buf[HeaderLen+len(p.Segments):], p.Body)
	le.PutUint32(buf[22:], CRC(buf[:n]))
	return n, nil
}

// Unmarshal parses the page at the start of b into p and returns its
// length. p.Segments and p.Body alias b. It returns ErrNeedMore if b holds
// only part of a page, ErrCapture, ErrVersion or ErrCRC for a bad one. It
// does not allocate.
func (p *Page) Unmarshal(b []byte) (int, error) {
	if len(b) < HeaderLen {
		if k := min(len(b), 4); string(b[:k]) != "OggS"[:k] {
			return 0, fmt.Errorf("%w: % x", ErrCapture, b[:min(len(b), 4)])
		}
		return 0, fmt.Errorf("%w: %d of %d header bytes", ErrNeedMore, len(b), HeaderLen)
	}
	if string(b[:4]) != "OggS" {
		return 0, fmt.Errorf("%w: % x", ErrCapture, b[:4])
	}
	if b[4] != 0 {
		return 0, fmt.Errorf("%w: %d", ErrVersion, b[4])
	}
	nseg := int(b[26])
	if len(b) < HeaderLen+nseg {
		return 0, fmt.Errorf("%w: segment table", ErrNeedMore)
	}
	segs := b[HeaderLen : HeaderLen+nseg]
	body := 0
	for _, s := range segs {
		body += int(s)
	}
	n := HeaderLen + nseg + body
	if len(b) < n {
		return 0, fmt.Errorf("%w: %d of %d page bytes", ErrNeedMore, len(b), n)
	}
	le := binary.LittleEndian
	want := le.Uint32(b[22:])
	crc := crcUpdate(0, b[:22])
	crc = crcUpdate(crc, zero4[:])
	if crc = crcUpdate(crc, b[26:n]); crc != want {
		return 0, fmt.Errorf("%w: stored %08x, computed %08x", ErrCRC, want, crc)
	}
	*p = Page{
		Type:     HeaderType(b[5]),
		Granule:  int64(le.Uint64(b[6:])),
		Serial:   le.Uint32(b[14:]),
		Sequence: le.Uint32(b[18:]),
		Segments: segs,
		Body:     b[HeaderLen+nseg : n],
	}
	return n, nil
}

// Packets reports how many packets end on p (lacing values below 255).
func (p *Page) Packets() int {
	n := 0
	for _, s := range p.Segments {
		if s < 255 {
			n++
		}
	}
	return n
}

var zero4 [4]byte

// crcTable is the MSB-first table for the CRC-32 of RFC 3533 section 6:
// generator polynomial 0x04c11db7, initial value 0, no reflection, no final
// XOR.
var crcTable = func() *[256]uint32 {
	var t [256]uint32
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return &t
}()

func crcUpdate(crc uint32, b []byte) uint32 {
	for _, x := range b {
		crc = crc<<8 ^ crcTable[byte(crc>>24)^x]
	}
	return crc
}

// CRC returns the Ogg CRC-32 of page, which must have its checksum field
// (bytes 22..25) set to zero, as MarshalTo does before computing it.
func CRC(page []byte) uint32 { return crcUpdate(0, page) }
