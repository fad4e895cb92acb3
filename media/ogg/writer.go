package ogg

import (
	"fmt"
	"io"
)

// Writer packs the packets of one logical bitstream into pages (RFC 3533
// sections 4 and 6) and writes each page with one Write call. A page is
// emitted when its segment table is full, on Flush, and on Close, which
// sets EOS. The first page carries BOS.
type Writer struct {
	w        io.Writer
	page     Page
	segs     [MaxSegments]byte
	body     []byte // cap MaxBodyLen
	granule  int64  // of the last packet ending on the pending page
	cont     bool   // the pending page starts inside a packet
	lastGran int64  // granule of the last emitted page that ended a packet
	pages    uint64
	bytes    int64
	err      error // sticky write error
	closed   bool
	out      [MaxPageLen]byte
}

// NewWriter returns a Writer for the bitstream with the given serial
// number (RFC 3533 section 6: chosen at random, unique within a physical
// bitstream). The caller keeps ownership of w.
func NewWriter(w io.Writer, serial uint32) *Writer {
	wr := &Writer{w: w, granule: NoGranule, lastGran: NoGranule}
	wr.page.Serial = serial
	wr.body = make([]byte, 0, MaxBodyLen)
	return wr
}

// WritePacket appends a packet. granule is the codec's granule position
// after this packet; the page on which the packet ends carries it (a later
// packet ending on the same page overrides it). A granule position below
// that of an earlier page returns ErrGranule. WritePacket emits full pages
// as it goes and does not allocate.
func (w *Writer) WritePacket(pkt []byte, granule int64) error {
	if err := w.usable(); err != nil {
		return err
	}
	if granule < w.lastGran || granule < w.granule {
		return fmt.Errorf("%w: %d after %d", ErrGranule, granule, max(w.lastGran, w.granule))
	}
	for {
		if len(w.page.Segments) == MaxSegments {
			if err := w.emit(0); err != nil {
				return err
			}
			w.cont = true
		}
		seg := min(len(pkt), 255)
		w.segs[len(w.page.Segments)] = byte(seg)
		w.page.Segments = w.segs[:len(w.page.Segments)+1]
		w.body = append(w.body, pkt[:seg]...)
		pkt = pkt[seg:]
		if seg < 255 {
			break
		}
	}
	w.granule = granule
	return nil
}

// Flush emits the pending page, if any, so everything written so far is in
// the destination.
func (w *Writer) Flush() error {
	if err := w.usable(); err != nil {
		return err
	}
	if len(w.page.Segments) == 0 {
		return nil
	}
	return w.emit(0)
}

// Close emits the pending page with the EOS flag (an empty EOS page if
// nothing is pending). It does not close the destination.
func (w *Writer) Close() error {
	return w.close(false, 0)
}

// CloseGranule is Close with the final page's granule position set to g,
// for codecs that signal a shorter end (RFC 7845 section 4.4). g must not
// be below the previous page's granule position.
func (w *Writer) CloseGranule(g int64) error {
	return w.close(true, g)
}

func (w *Writer) close(set bool, g int64) error {
	if err := w.usable(); err != nil {
		return err
	}
	if set {
		if g < w.lastGran {
			return fmt.Errorf("%w: final %d after %d", ErrGranule, g, w.lastGran)
		}
		w.granule = g
	}
	err := w.emit(EOS)
	w.closed = true
	return err
}

// Pending returns the bytes of packet data waiting for the next page.
func (w *Writer) Pending() int { return len(w.body) }

// Pages returns the number of pages written.
func (w *Writer) Pages() uint64 { return w.pages }

// Bytes returns the number of bytes written.
func (w *Writer) Bytes() int64 { return w.bytes }

func (w *Writer) usable() error {
	if w.closed {
		return ErrClosed
	}
	return w.err
}

// emit writes the pending segments as one page with the extra flags.
func (w *Writer) emit(flags HeaderType) error {
	p := &w.page
	p.Type = flags
	if w.pages == 0 {
		p.Type |= BOS
	}
	if w.cont {
		p.Type |= Continued
	}
	p.Granule = w.granule
	p.Body = w.body
	n, err := p.MarshalTo(w.out[:])
	if err != nil {
		w.err = err
		return err
	}
	m, err := w.w.Write(w.out[:n])
	w.bytes += int64(m)
	if err != nil {
		w.err = fmt.Errorf("ogg: write page %d: %w", p.Sequence, err)
		return w.err
	}
	if w.granule != NoGranule {
		w.lastGran = w.granule
	}
	w.pages++
	p.Sequence++
	p.Segments = w.segs[:0]
	w.body = w.body[:0]
	w.granule = NoGranule
	w.cont = false
	return nil
}
