package ogg

import (
	"errors"
	"fmt"
	"io"
)

// PageReader reads consecutive pages from a stream, checking each CRC. It
// does not resynchronise after garbage: the first bad page ends reading.
type PageReader struct {
	r    io.Reader
	page Page
	off  int64 // bytes consumed through the last good page
	buf  [MaxPageLen]byte
}

// NewPageReader returns a PageReader reading from r.
func NewPageReader(r io.Reader) *PageReader { return &PageReader{r: r} }

// Next returns the next page. The Page and its slices are valid until the
// next call. At the clean end of the stream it returns io.EOF; a stream
// that ends inside a page returns ErrTruncated, and a damaged page
// ErrCapture, ErrVersion or ErrCRC (all wrapped, with the offset).
func (r *PageReader) Next() (*Page, error) {
	b := r.buf[:]
	n, err := io.ReadFull(r.r, b[:HeaderLen])
	if k := min(n, 4); string(b[:k]) != "OggS"[:k] {
		return nil, fmt.Errorf("%w: % x at offset %d", ErrCapture, b[:k], r.off)
	}
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, r.readErr(err, n)
	}
	nseg := int(b[26])
	if n, err := io.ReadFull(r.r, b[HeaderLen:HeaderLen+nseg]); err != nil {
		return nil, r.readErr(err, HeaderLen+n)
	}
	body := 0
	for _, s := range b[HeaderLen : HeaderLen+nseg] {
		body += int(s)
	}
	end := HeaderLen + nseg + body
	if n, err := io.ReadFull(r.r, b[HeaderLen+nseg:end]); err != nil {
		return nil, r.readErr(err, HeaderLen+nseg+n)
	}
	if _, err := r.page.Unmarshal(b[:end]); err != nil {
		return nil, fmt.Errorf("page at offset %d: %w", r.off, err)
	}
	r.off += int64(end)
	return &r.page, nil
}

// Offset returns the number of bytes consumed through the end of the last
// page Next returned: where a damaged tail begins.
func (r *PageReader) Offset() int64 { return r.off }

func (r *PageReader) readErr(err error, got int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %d bytes of a page at offset %d", ErrTruncated, got, r.off)
	}
	return fmt.Errorf("ogg: read page at offset %d: %w", r.off, err)
}

// Packet is one packet reassembled from pages.
type Packet struct {
	// Data is the packet, valid until the next call to Next.
	Data []byte
	// Granule is the granule position of the page the packet ends on if
	// it is the last packet ending there, else NoGranule.
	Granule int64
	// BOS is set for packets that end on the first page; EOS for the last
	// packet of the page that carries the EOS flag.
	BOS, EOS bool
	// Page is the sequence number of the page the packet ends on.
	Page uint32
}

// MaxPacketLen caps a packet that PacketReader reassembles across pages.
const MaxPacketLen = 4 << 20

// PacketReader reassembles the packets of one logical bitstream. It checks
// that pages carry one serial number, consecutive sequence numbers, and
// Continued flags that match the lacing (RFC 3533 section 6), and returns
// ErrStream otherwise.
type PacketReader struct {
	pr      *PageReader
	page    *Page
	seg     int    // next segment index in page
	off     int    // body offset of seg
	partial []byte // packet continuing onto the next page
	pkt     []byte
	serial  uint32
	pages   uint32
	eos     bool
}

// NewPacketReader returns a PacketReader reading pages from r.
func NewPacketReader(r io.Reader) *PacketReader {
	return &PacketReader{pr: NewPageReader(r)}
}

// Next returns the next packet; io.EOF after the last one. A stream that
// ends inside a packet returns ErrTruncated.
func (r *PacketReader) Next() (Packet, error) {
	for {
		if r.page != nil && r.seg < len(r.page.Segments) {
			if p, ok, err := r.take(); ok || err != nil {
				return p, err
			}
			continue
		}
		if err := r.nextPage(); err != nil {
			return Packet{}, err
		}
	}
}

// take consumes segments of the current page up to the end of a packet,
// or to the end of the page (keeping the partial packet).
func (r *PacketReader) take() (Packet, bool, error) {
	p := r.page
	start := r.off
	for r.seg < len(p.Segments) {
		s := int(p.Segments[r.seg])
		r.seg++
		r.off += s
		if s == 255 {
			continue
		}
		r.pkt = append(append(r.pkt[:0], r.partial...), p.Body[start:r.off]...)
		r.partial = r.partial[:0]
		last := true
		for _, v := range p.Segments[r.seg:] {
			if v < 255 {
				last = false
				break
			}
		}
		out := Packet{Data: r.pkt, Granule: NoGranule, BOS: p.Type&BOS != 0, Page: p.Sequence}
		if last {
			out.Granule = p.Granule
			out.EOS = p.Type&EOS != 0
		}
		return out, true, nil
	}
	if len(r.partial)+r.off-start > MaxPacketLen {
		return Packet{}, false, fmt.Errorf("%w: packet longer than %d bytes", ErrStream, MaxPacketLen)
	}
	r.partial = append(r.partial, p.Body[start:r.off]...)
	return Packet{}, false, nil
}

func (r *PacketReader) nextPage() error {
	p, err := r.pr.Next()
	if err == io.EOF {
		if len(r.partial) > 0 {
			return fmt.Errorf("%w: stream ends inside a packet", ErrTruncated)
		}
		return io.EOF
	}
	if err != nil {
		return err
	}
	switch {
	case r.eos:
		return fmt.Errorf("%w: page %d after EOS", ErrStream, p.Sequence)
	case r.pages == 0 && p.Type&BOS == 0:
		return fmt.Errorf("%w: first page lacks BOS", ErrStream)
	case r.pages > 0 && p.Type&BOS != 0:
		return fmt.Errorf("%w: BOS on page %d", ErrStream, p.Sequence)
	case r.pages > 0 && p.Serial != r.serial:
		return fmt.Errorf("%w: serial %08x inside stream %08x", ErrStream, p.Serial, r.serial)
	case p.Sequence != r.pages:
		return fmt.Errorf("%w: page sequence %d, want %d", ErrStream, p.Sequence, r.pages)
	case p.Type&Continued != 0 && len(r.partial) == 0:
		return fmt.Errorf("%w: page %d continues a packet that was not started", ErrStream, p.Sequence)
	case p.Type&Continued == 0 && len(r.partial) > 0:
		return fmt.Errorf("%w: page %d drops a continued packet", ErrStream, p.Sequence)
	}
	r.serial, r.eos = p.Serial, p.Type&EOS != 0
	r.pages++
	r.page, r.seg, r.off = p, 0, 0
	return nil
}

// Offset returns the bytes consumed through the last page read.
func (r *PacketReader) Offset() int64 { return r.pr.Offset() }
