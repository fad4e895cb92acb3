package ogg

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// RepairResult says what Repair found and did.
type RepairResult struct {
	// Path is the file examined.
	Path string
	// Repaired is true if Repair changed the file.
	Repaired bool
	// Pages is the number of intact pages kept.
	Pages int
	// OldSize and Size are the file length before and after; they differ
	// when a partial or damaged tail was cut off.
	OldSize, Size int64
	// AddedEOS is true if Repair set the EOS flag on the last page.
	AddedEOS bool
	// Granule is the granule position of the last page kept.
	Granule int64
}

// String summarizes r for a log line.
func (r RepairResult) String() string {
	if !r.Repaired {
		return fmt.Sprintf("%s: ok, %d pages", r.Path, r.Pages)
	}
	return fmt.Sprintf("%s: repaired, %d pages kept, file %d -> %d bytes, EOS added %v, granule %d",
		r.Path, r.Pages, r.OldSize, r.Size, r.AddedEOS, r.Granule)
}

// Repair closes an Ogg file of one logical bitstream whose writer died:
// it keeps the intact pages from the start, cuts whatever follows the last
// one (a page cut short or damaged by the crash), and sets the EOS flag on
// the last page, recomputing its CRC (RFC 3533 section 6). A file that
// already ends with an EOS page is left alone, so Repair is idempotent. It
// returns ErrCapture, ErrCRC, ErrTruncated or ErrVersion if not even the
// first page is intact, and ErrStream (changing nothing) if the file holds
// pages of more than one bitstream.
func Repair(path string) (RepairResult, error) {
	res := RepairResult{Path: path, Granule: NoGranule}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return res, fmt.Errorf("ogg: repair: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return res, fmt.Errorf("ogg: repair: %w", err)
	}
	res.OldSize, res.Size = st.Size(), st.Size()
	end, lastStart, last, err := scanPages(f, &res)
	if err != nil {
		return res, fmt.Errorf("repair %s: %w", path, err)
	}
	res.Size = end
	if end != res.OldSize {
		if err := f.Truncate(end); err != nil {
			return res, fmt.Errorf("ogg: repair %s: %w", path, err)
		}
	}
	if last.Type&EOS == 0 {
		if err := setEOS(f, lastStart, end); err != nil {
			return res, fmt.Errorf("ogg: repair %s: %w", path, err)
		}
		res.AddedEOS = true
	}
	res.Repaired = res.AddedEOS || end != res.OldSize
	if res.Repaired {
		if err := f.Sync(); err != nil {
			return res, fmt.Errorf("ogg: repair %s: %w", path, err)
		}
	}
	return res, nil
}

// scanPages walks the intact pages of f up to the first EOS page and
// returns the end offset of the last one, its start offset and its header.
func scanPages(f *os.File, res *RepairResult) (end, lastStart int64, last Page, err error) {
	pr := NewPageReader(bufio.NewReader(f))
	for {
		start := pr.Offset()
		p, err := pr.Next()
		if err != nil {
			if res.Pages == 0 {
				if err == io.EOF {
					err = fmt.Errorf("%w: no pages", ErrTruncated)
				}
				return 0, 0, last, err
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrCRC) &&
				!errors.Is(err, ErrCapture) && !errors.Is(err, ErrVersion) {
				return 0, 0, last, err // an I/O error, not damage
			}
			return pr.Offset(), lastStart, last, nil
		}
		if res.Pages > 0 && p.Serial != last.Serial {
			return 0, 0, last, fmt.Errorf("%w: serial %08x after %08x at offset %d", ErrStream, p.Serial, last.Serial, start)
		}
		res.Pages++
		lastStart, last = start, Page{Type: p.Type, Serial: p.Serial, Granule: p.Granule}
		res.Granule = p.Granule
		if p.Type&EOS != 0 {
			if _, err := pr.Next(); err == nil {
				return 0, 0, last, fmt.Errorf("%w: pages after EOS at offset %d", ErrStream, pr.Offset())
			}
			return start + int64(p.Len()), lastStart, last, nil
		}
	}
}

// setEOS sets the EOS flag of the page at [start, end) and rewrites its
// CRC.
func setEOS(f *os.File, start, end int64) error {
	buf := make([]byte, end-start)
	if _, err := f.ReadAt(buf, start); err != nil {
		return err
	}
	buf[5] |= byte(EOS)
	binary.LittleEndian.PutUint32(buf[22:], 0)
	binary.LittleEndian.PutUint32(buf[22:], CRC(buf))
	if _, err := f.WriteAt(buf[5:6], start+5); err != nil {
		return err
	}
	_, err := f.WriteAt(buf[22:26], start+22)
	return err
}
