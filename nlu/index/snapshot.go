package index

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// Snapshot format (little endian): "PIX1", dim u32, count u32, then per point
// uvarint id length, id, dim float32s, uvarint payload length, payload JSON; then a
// CRC-32 (IEEE) of everything before it.
const (
	snapMagic      = "PIX1"
	maxIDLen       = 1024
	maxPayloadLen  = 1 << 20
	maxSnapshotDim = 1 << 16
)

// WriteSnapshot writes points of length dim to w.
func WriteSnapshot(w io.Writer, dim int, points []Point) error {
	crc := crc32.NewIEEE()
	bw := bufio.NewWriter(io.MultiWriter(w, crc))
	var hdr [12]byte
	copy(hdr[:], snapMagic)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(dim))
	binary.LittleEndian.PutUint32(hdr[8:], uint32(len(points)))
	bw.Write(hdr[:])
	var buf []byte
	for _, p := range points {
		pl, err := json.Marshal(p.Payload)
		if err != nil {
			return fmt.Errorf("encode payload of %q: %w", p.ID, err)
		}
		buf = binary.AppendUvarint(buf[:0], uint64(len(p.ID)))
		buf = append(buf, p.ID...)
		for _, x := range p.Vector {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		buf = binary.AppendUvarint(buf, uint64(len(pl)))
		buf = append(buf, pl...)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, crc.Sum32())
}

// ReadSnapshot reads a snapshot written by WriteSnapshot, checking sizes and the CRC.
func ReadSnapshot(r io.Reader) (dim int, points []Point, err error) {
	crc := crc32.NewIEEE()
	br := bufio.NewReader(r)
	tr := &teeByteReader{br, crc}
	var hdr [12]byte
	if _, err := io.ReadFull(tr, hdr[:]); err != nil || string(hdr[:4]) != snapMagic {
		return 0, nil, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	d := binary.LittleEndian.Uint32(hdr[4:])
	n := binary.LittleEndian.Uint32(hdr[8:])
	if d > maxSnapshotDim || d == 0 && n > 0 {
		return 0, nil, fmt.Errorf("%w: dim %d", ErrCorrupt, d)
	}
	vec := make([]byte, 4*d)
	for i := uint32(0); i < n; i++ {
		idLen, err := binary.ReadUvarint(tr)
		if err != nil || idLen == 0 || idLen > maxIDLen {
			return 0, nil, fmt.Errorf("%w: point %d id", ErrCorrupt, i)
		}
		id := make([]byte, idLen)
		if _, err := io.ReadFull(tr, id); err != nil {
			return 0, nil, fmt.Errorf("%w: point %d id: %v", ErrCorrupt, i, err)
		}
		if _, err := io.ReadFull(tr, vec); err != nil {
			return 0, nil, fmt.Errorf("%w: point %d vector: %v", ErrCorrupt, i, err)
		}
		v := make([]float32, d)
		for j := range v {
			x := math.Float32frombits(binary.LittleEndian.Uint32(vec[4*j:]))
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return 0, nil, fmt.Errorf("%w: point %d vector not finite", ErrCorrupt, i)
			}
			v[j] = x
		}
		plLen, err := binary.ReadUvarint(tr)
		if err != nil || plLen > maxPayloadLen {
			return 0, nil, fmt.Errorf("%w: point %d payload length", ErrCorrupt, i)
		}
		pl := make([]byte, plLen)
		if _, err := io.ReadFull(tr, pl); err != nil {
			return 0, nil, fmt.Errorf("%w: point %d payload: %v", ErrCorrupt, i, err)
		}
		p := Point{ID: string(id), Vector: v}
		if err := json.Unmarshal(pl, &p.Payload); err != nil {
			return 0, nil, fmt.Errorf("%w: point %d payload: %v", ErrCorrupt, i, err)
		}
		points = append(points, p)
	}
	sum := crc.Sum32()
	var want uint32
	if err := binary.Read(br, binary.LittleEndian, &want); err != nil || want != sum {
		return 0, nil, fmt.Errorf("%w: checksum", ErrCorrupt)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return 0, nil, fmt.Errorf("%w: trailing bytes", ErrCorrupt)
	}
	return int(d), points, nil
}

// teeByteReader feeds everything read into a hash.
type teeByteReader struct {
	r *bufio.Reader
	h io.Writer
}

func (t *teeByteReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.h.Write(p[:n])
	return n, err
}

func (t *teeByteReader) ReadByte() (byte, error) {
	b, err := t.r.ReadByte()
	if err == nil {
		t.h.Write([]byte{b})
	}
	return b, err
}
