package wav

import (
	"encoding/binary"
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
	// OldDataSize and DataSize are the data chunk size before and after.
	OldDataSize, DataSize uint32
	// OldRIFFSize and RIFFSize are the RIFF chunk size before and after.
	OldRIFFSize, RIFFSize uint32
	// OldFileSize and FileSize are the file length before and after; they
	// differ when a partial sample frame was cut off.
	OldFileSize, FileSize int64
	// Frames is the number of whole sample frames in the data chunk.
	Frames int64
}

// String summarizes r for a log line.
func (r RepairResult) String() string {
	if !r.Repaired {
		return fmt.Sprintf("%s: ok, %d frames", r.Path, r.Frames)
	}
	return fmt.Sprintf("%s: repaired, data size %d -> %d, RIFF size %d -> %d, file %d -> %d bytes, %d frames",
		r.Path, r.OldDataSize, r.DataSize, r.OldRIFFSize, r.RIFFSize, r.OldFileSize, r.FileSize, r.Frames)
}

// Repair fixes a WAV file whose writer died before closing it: the data
// size is zero, stale (the last periodic refresh) or beyond the end of the
// file. Repair treats everything from the start of the data chunk to the
// end of the file as audio, cuts off a trailing partial sample frame, and
// rewrites the data and RIFF sizes. A data chunk followed by well-formed
// chunks that end exactly at the end of the file is left alone (only a
// wrong RIFF size is fixed), so Repair is a no-op on good files and running
// it twice changes nothing the second time.
//
// Repair works on any format with a fmt chunk, including ones the Reader
// does not convert. It fails with ErrNotWAV, ErrMalformed, ErrTruncated
// (no complete header), ErrChunkTooLarge or ErrTooLarge (audio beyond the
// 32-bit size fields), and changes nothing then.
func Repair(path string) (RepairResult, error) {
	res := RepairResult{Path: path}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return res, fmt.Errorf("wav: repair: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return res, fmt.Errorf("wav: repair: %w", err)
	}
	size := st.Size()
	res.OldFileSize, res.FileSize = size, size
	h, err := parseHeader(io.NewSectionReader(f, 0, size))
	if err != nil {
		return res, fmt.Errorf("repair %s: %w", path, err)
	}
	res.OldDataSize, res.DataSize = h.dataSize, h.dataSize
	res.OldRIFFSize, res.RIFFSize = h.riffSize, h.riffSize
	ba := int64(h.blockAlign)

	dataEnd := h.dataOffset + int64(h.dataSize)
	if h.dataSize != unknownSize && dataEnd <= size && wellFormedTail(f, dataEnd+int64(h.dataSize&1), size) {
		res.Frames = int64(h.dataSize) / ba
	} else {
		data := (size - h.dataOffset) / ba * ba
		if h.dataOffset+data+1-8 > 0xFFFFFFFF {
			return res, fmt.Errorf("repair %s: %w: %d bytes of audio", path, ErrTooLarge, data)
		}
		res.DataSize = uint32(data)
		res.Frames = data / ba
		res.FileSize = h.dataOffset + data + data&1
	}
	res.RIFFSize = uint32(res.FileSize - 8)
	if res.FileSize != size {
		if err := f.Truncate(res.FileSize); err != nil {
			return res, fmt.Errorf("wav: repair %s: %w", path, err)
		}
	}
	if err := putSize(f, 4, res.OldRIFFSize, res.RIFFSize); err != nil {
		return res, fmt.Errorf("wav: repair %s: %w", path, err)
	}
	if err := putSize(f, h.dataOffset-4, res.OldDataSize, res.DataSize); err != nil {
		return res, fmt.Errorf("wav: repair %s: %w", path, err)
	}
	res.Repaired = res.FileSize != size || res.RIFFSize != res.OldRIFFSize || res.DataSize != res.OldDataSize
	if res.Repaired {
		if err := f.Sync(); err != nil {
			return res, fmt.Errorf("wav: repair %s: %w", path, err)
		}
	}
	return res, nil
}

// putSize writes a little-endian size field at off if it changed.
func putSize(f *os.File, off int64, old, v uint32) error {
	if old == v {
		return nil
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	_, err := f.WriteAt(b[:], off)
	return err
}

// wellFormedTail reports whether [off, end) holds zero or more complete
// chunks with printable ASCII ids, ending exactly at end (a missing final
// pad byte is tolerated). Stale audio after a stale data size almost never
// passes this test.
func wellFormedTail(f io.ReaderAt, off, end int64) bool {
	var b [8]byte
	for off < end {
		if off+8 > end {
			return false
		}
		if _, err := f.ReadAt(b[:], off); err != nil {
			return false
		}
		for _, c := range b[:4] {
			if c < 0x20 || c > 0x7e {
				return false
			}
		}
		size := int64(binary.LittleEndian.Uint32(b[4:]))
		off += 8 + size
		if off == end {
			return true
		}
		off += size & 1
	}
	return off == end
}
