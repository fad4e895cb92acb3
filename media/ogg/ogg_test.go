package ogg

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/parley-cc/parley/media/mediatest"
)

// samplePages returns a small stream written by Writer with packets of
// awkward sizes, and the packets and granules it holds.
func samplePackets() [][]byte {
	var pkts [][]byte
	for i, n := range []int{0, 1, 254, 255, 256, 510, 511, 2000, MaxBodyLen, MaxBodyLen + 7, 3} {
		p := make([]byte, n)
		for j := range p {
			p[j] = byte(i*31 + j)
		}
		pkts = append(pkts, p)
	}
	return pkts
}

// stream writes pkts (packet i with granule 10*i) with a Flush after
// every flushEvery-th packet but the last, then Close.
func stream(pkts [][]byte, flushEvery int) ([]byte, error) {
	var buf bytes.Buffer
	w := NewWriter(&buf, 0x1234abcd)
	for i, p := range pkts {
		if err := w.WritePacket(p, int64(i*10)); err != nil {
			return nil, err
		}
		if flushEvery > 0 && i%flushEvery == 0 && i < len(pkts)-1 {
			if err := w.Flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if int64(buf.Len()) != w.Bytes() {
		return nil, errors.New("Bytes() does not match the bytes written")
	}
	return buf.Bytes(), nil
}

func writeStream(t testing.TB, pkts [][]byte, flushEvery int) []byte {
	t.Helper()
	b, err := stream(pkts, flushEvery)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriterPacketRoundTrip(t *testing.T) {
	pkts := samplePackets()
	for _, tc := range []struct {
		name       string
		flushEvery int
	}{{"pages by size", 0}, {"flush every packet", 1}, {"flush every third", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			stream := writeStream(t, pkts, tc.flushEvery)
			for _, wrap := range []func(io.Reader) io.Reader{
				func(r io.Reader) io.Reader { return r }, iotest.OneByteReader, iotest.DataErrReader,
			} {
				pr := NewPacketReader(wrap(bytes.NewReader(stream)))
				lastGranule := NoGranule
				for i, want := range pkts {
					p, err := pr.Next()
					if err != nil {
						t.Fatalf("packet %d: %v", i, err)
					}
					if !bytes.Equal(p.Data, want) {
						t.Fatalf("packet %d: %d bytes, want %d", i, len(p.Data), len(want))
					}
					if p.Granule != NoGranule {
						if p.Granule != int64(i*10) {
							t.Fatalf("packet %d: granule %d, want %d", i, p.Granule, i*10)
						}
						lastGranule = p.Granule
					}
					if last := i == len(pkts)-1; p.EOS != last {
						t.Fatalf("packet %d: EOS %v", i, p.EOS)
					}
				}
				if lastGranule != int64(len(pkts)-1)*10 {
					t.Fatalf("final granule %d", lastGranule)
				}
				if _, err := pr.Next(); err != io.EOF {
					t.Fatalf("after the last packet: %v, want io.EOF", err)
				}
			}
		})
	}
}

// TestPageFlags checks BOS, EOS, Continued and sequence numbers on a
// stream with a packet spanning pages.
func TestPageFlags(t *testing.T) {
	stream := writeStream(t, [][]byte{make([]byte, 10), make([]byte, 70000), make([]byte, 5)}, 1)
	pr := NewPageReader(bytes.NewReader(stream))
	var types []HeaderType
	var granules []int64
	for seq := uint32(0); ; seq++ {
		p, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Sequence != seq || p.Serial != 0x1234abcd {
			t.Fatalf("page %d: sequence %d serial %08x", seq, p.Sequence, p.Serial)
		}
		types = append(types, p.Type)
		granules = append(granules, p.Granule)
	}
	// Packet 0 alone (flushed), packet 1 across two pages (flushed),
	// packet 2 on the EOS page.
	wantTypes := []HeaderType{BOS, 0, Continued, EOS}
	wantGranules := []int64{0, NoGranule, 10, 20}
	if len(types) != len(wantTypes) {
		t.Fatalf("page types %v, want %v", types, wantTypes)
	}
	for i := range types {
		if types[i] != wantTypes[i] || granules[i] != wantGranules[i] {
			t.Fatalf("page %d: %v granule %d, want %v %d", i, types[i], granules[i], wantTypes[i], wantGranules[i])
		}
	}
	if s := (BOS | EOS | Continued | 0x40).String(); s != "Continued|BOS|EOS|0x40" {
		t.Fatalf("String = %q", s)
	}
}

func TestWriterErrors(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, 1)
	if err := w.WritePacket([]byte{1}, 100); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket([]byte{1}, 50); !errors.Is(err, ErrGranule) {
		t.Fatalf("backwards granule: %v, want ErrGranule", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := w.CloseGranule(99); !errors.Is(err, ErrGranule) {
		t.Fatalf("CloseGranule below the last page: %v, want ErrGranule", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket([]byte{1}, 200); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after Close: %v, want ErrClosed", err)
	}
	// The empty EOS page after a flush.
	pr := NewPageReader(bytes.NewReader(buf.Bytes()))
	pr.Next()
	p, err := pr.Next()
	if err != nil || p.Type != EOS || len(p.Segments) != 0 {
		t.Fatalf("last page %+v, %v; want an empty EOS page", p, err)
	}
	fw := NewWriter(failWriter{}, 1)
	fw.WritePacket([]byte{1}, 0)
	if err := fw.Flush(); err == nil || !errors.Is(fw.WritePacket([]byte{1}, 0), errDisk) {
		t.Fatalf("write error not sticky: %v", err)
	}
}

var errDisk = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errDisk }

func TestPageMarshalErrors(t *testing.T) {
	buf := make([]byte, MaxPageLen)
	for _, p := range []Page{
		{Segments: make([]byte, 256), Body: nil},
		{Segments: []byte{3}, Body: []byte{1, 2}},
	} {
		if _, err := p.MarshalTo(buf); !errors.Is(err, ErrPage) {
			t.Errorf("MarshalTo(%d segments, %d body) = %v, want ErrPage", len(p.Segments), len(p.Body), err)
		}
	}
	p := Page{Segments: []byte{2}, Body: []byte{1, 2}}
	if _, err := p.MarshalTo(buf[:10]); !errors.Is(err, ErrNeedMore) {
		t.Errorf("MarshalTo short buffer = %v, want ErrNeedMore", err)
	}
}

type unmarshalCase struct {
	name string
	b    []byte
	err  error
}

func unmarshalCases() []unmarshalCase {
	good, _ := stream([][]byte{[]byte("hello")}, 0)
	bad := func(i int, v byte) []byte {
		b := bytes.Clone(good)
		b[i] = v
		return b
	}
	return []unmarshalCase{
		{"good", good, nil},
		{"empty", nil, ErrNeedMore},
		{"capture prefix", []byte("Ogg"), ErrNeedMore},
		{"header cut", good[:20], ErrNeedMore},
		{"segment table cut", good[:27], ErrNeedMore},
		{"body cut", good[:len(good)-1], ErrNeedMore},
		{"wrong capture", bad(0, 'o'), ErrCapture},
		{"short garbage", []byte("RIFF"), ErrCapture},
		{"version 1", bad(4, 1), ErrVersion},
		{"flipped body byte", bad(len(good)-1, 'X'), ErrCRC},
		{"flipped granule", bad(6, 0xff), ErrCRC},
	}
}

func TestPageUnmarshal(t *testing.T) {
	for _, tc := range unmarshalCases() {
		t.Run(tc.name, func(t *testing.T) {
			var p Page
			n, err := p.Unmarshal(tc.b)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Unmarshal = %d, %v; want %v", n, err, tc.err)
			}
			if err == nil && (n != len(tc.b) || string(p.Body) != "hello" || p.Type != BOS|EOS || p.Packets() != 1) {
				t.Fatalf("Unmarshal = %d, %+v", n, p)
			}
		})
	}
}

func TestPacketReaderStreamErrors(t *testing.T) {
	page := func(p Page) []byte {
		b := make([]byte, p.Len())
		if _, err := p.MarshalTo(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	full := make([]byte, 255)
	for _, tc := range []struct {
		name   string
		stream []byte
		err    error
	}{
		{"no BOS", page(Page{Segments: []byte{1}, Body: []byte{1}}), ErrStream},
		{"second BOS", append(page(Page{Type: BOS, Segments: []byte{1}, Body: []byte{1}}),
			page(Page{Type: BOS, Sequence: 1, Segments: []byte{1}, Body: []byte{1}})...), ErrStream},
		{"serial change", append(page(Page{Type: BOS, Serial: 1, Segments: []byte{1}, Body: []byte{1}}),
			page(Page{Serial: 2, Sequence: 1, Segments: []byte{1}, Body: []byte{1}})...), ErrStream},
		{"sequence gap", append(page(Page{Type: BOS, Segments: []byte{1}, Body: []byte{1}}),
			page(Page{Sequence: 2, Segments: []byte{1}, Body: []byte{1}})...), ErrStream},
		{"continued without start", append(page(Page{Type: BOS, Segments: []byte{1}, Body: []byte{1}}),
			page(Page{Type: Continued, Sequence: 1, Segments: []byte{1}, Body: []byte{1}})...), ErrStream},
		{"continuation dropped", append(page(Page{Type: BOS, Segments: []byte{255}, Body: full}),
			page(Page{Sequence: 1, Segments: []byte{1}, Body: []byte{1}})...), ErrStream},
		{"page after EOS", append(page(Page{Type: BOS | EOS, Segments: []byte{1}, Body: []byte{1}}),
			page(Page{Sequence: 1, Segments: []byte{1}, Body: []byte{1}})...), ErrStream},
		{"ends inside packet", page(Page{Type: BOS, Segments: []byte{255}, Body: full}), ErrTruncated},
		{"ends inside page", page(Page{Type: BOS, Segments: []byte{5}, Body: []byte("abcde")})[:30], ErrTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr := NewPacketReader(bytes.NewReader(tc.stream))
			var err error
			for err == nil {
				_, err = pr.Next()
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
		})
	}
}

// TestReadLiboggStream reads a file made by opusenc (libogg): every page
// must pass our CRC check and marshal back to the identical bytes, which
// checks the CRC polynomial and page layout against the reference
// implementation.
func TestReadLiboggStream(t *testing.T) {
	path := opusencFile(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rest := data
	pages := 0
	out := make([]byte, MaxPageLen)
	for len(rest) > 0 {
		var p Page
		n, err := p.Unmarshal(rest)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		m, err := p.MarshalTo(out)
		if err != nil || !bytes.Equal(out[:m], rest[:n]) {
			t.Fatalf("page %d does not marshal back to its bytes: %v", pages, err)
		}
		rest = rest[n:]
		pages++
	}
	pr := NewPacketReader(bytes.NewReader(data))
	head, err := pr.Next()
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseOpusHead(head.Data)
	if err != nil || h.Channels != 2 || h.InputRate != 16000 || !head.BOS {
		t.Fatalf("OpusHead %+v, %v", h, err)
	}
	tags, err := pr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if vendor, _, err := ParseOpusTags(tags.Data); err != nil || vendor == "" {
		t.Fatalf("OpusTags vendor %q, %v", vendor, err)
	}
	var total int64
	var last Packet
	for {
		p, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n, err := PacketSamples(p.Data)
		if err != nil {
			t.Fatal(err)
		}
		total += int64(n)
		last = p
	}
	// opusenc trims the end: the final granule is pre-skip plus the input
	// length (1 s at 16 kHz is 48000 samples at 48 kHz).
	if !last.EOS || last.Granule != int64(h.PreSkip)+48000 || total < last.Granule {
		t.Fatalf("last packet EOS %v granule %d, pre-skip %d, packets hold %d samples", last.EOS, last.Granule, h.PreSkip, total)
	}
}

// opusencFile makes a 1 s stereo 16 kHz tone with sox and encodes it with
// opusenc.
func opusencFile(t *testing.T) string {
	t.Helper()
	mediatest.RequireTool(t, "sox")
	mediatest.RequireTool(t, "opusenc")
	dir := t.TempDir()
	wav, opus := filepath.Join(dir, "in.wav"), filepath.Join(dir, "in.opus")
	if out, err := exec.Command("sox", "-n", "-r", "16000", "-c", "2", "-b", "16", wav, "synth", "1", "sine", "440").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	if out, err := exec.Command("opusenc", "--quiet", wav, opus).CombinedOutput(); err != nil {
		t.Fatalf("opusenc: %v: %s", err, out)
	}
	return opus
}

func TestPacketSamples(t *testing.T) {
	for _, tc := range []struct {
		pkt  []byte
		want int
		err  bool
	}{
		{[]byte{0x08}, 960, false},        // config 1: SILK NB 20 ms, code 0
		{[]byte{0x78}, 960, false},        // config 15: hybrid FB 20 ms
		{[]byte{0x80}, 120, false},        // config 16: CELT NB 2.5 ms
		{[]byte{0xf8}, 960, false},        // config 31: CELT FB 20 ms
		{[]byte{0x19}, 5760, false},       // config 3: SILK 60 ms, code 1: two frames
		{[]byte{0x0b, 0x03}, 2880, false}, // config 1, code 3, three frames
		{[]byte{0x1b, 0x03}, 0, true},     // 3 x 60 ms: over 120 ms
		{[]byte{0x0b, 0x00}, 0, true},     // code 3, zero frames
		{[]byte{0x0b}, 0, true},           // code 3 without count byte
		{nil, 0, true},
	} {
		n, err := PacketSamples(tc.pkt)
		if (err != nil) != tc.err || n != tc.want {
			t.Errorf("PacketSamples(% x) = %d, %v; want %d, err %v", tc.pkt, n, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, ErrOpusPacket) {
			t.Errorf("PacketSamples(% x) error %v does not wrap ErrOpusPacket", tc.pkt, err)
		}
	}
}

func TestOpusHeaders(t *testing.T) {
	h := OpusHead{Channels: 2, PreSkip: 312, InputRate: 8000, OutputGain: -256}
	b := h.AppendTo(nil)
	if len(b) != 19 {
		t.Fatalf("OpusHead is %d bytes, want 19", len(b))
	}
	if got, err := ParseOpusHead(b); err != nil || got != h {
		t.Fatalf("ParseOpusHead = %+v, %v; want %+v", got, err, h)
	}
	for i, v := range map[int]byte{8: 0, 9: 3, 18: 1} {
		bad := bytes.Clone(b)
		bad[i] = v
		if _, err := ParseOpusHead(bad); !errors.Is(err, ErrOpusHeader) {
			t.Errorf("byte %d = %d: %v, want ErrOpusHeader", i, v, err)
		}
	}
	if _, err := ParseOpusHead(b[:18]); !errors.Is(err, ErrOpusHeader) {
		t.Errorf("short OpusHead: %v", err)
	}
	tags := AppendOpusTags(nil, "Parley", []string{"A=1", "TITLE=call"})
	vendor, comments, err := ParseOpusTags(tags)
	if err != nil || vendor != "Parley" || len(comments) != 2 || comments[1] != "TITLE=call" {
		t.Fatalf("ParseOpusTags = %q %q %v", vendor, comments, err)
	}
	for cut := range len(tags) {
		if _, _, err := ParseOpusTags(tags[:cut]); !errors.Is(err, ErrOpusHeader) {
			t.Fatalf("OpusTags cut at %d: %v", cut, err)
		}
	}
}

func FuzzPageReader(f *testing.F) {
	for _, tc := range unmarshalCases() {
		f.Add(tc.b)
	}
	f.Add(writeStream(f, samplePackets()[:6], 2))
	out := make([]byte, MaxPageLen)
	f.Fuzz(func(t *testing.T, data []byte) {
		pr := NewPageReader(bytes.NewReader(data))
		off := int64(0)
		for {
			p, err := pr.Next()
			if err != nil {
				break
			}
			n, err := p.MarshalTo(out)
			if err != nil {
				t.Fatalf("page at %d parsed but does not marshal: %v", off, err)
			}
			if !bytes.Equal(out[:n], data[off:off+int64(n)]) {
				t.Fatalf("page at %d does not marshal back to its bytes", off)
			}
			var q Page
			if m, err := q.Unmarshal(out[:n]); err != nil || m != n || q.Granule != p.Granule || q.Type != p.Type {
				t.Fatalf("re-parse: %d, %v", m, err)
			}
			off = pr.Offset()
		}
		pk := NewPacketReader(bytes.NewReader(data))
		total := 0
		for {
			p, err := pk.Next()
			if err != nil {
				break
			}
			total += len(p.Data)
			if total > len(data) {
				t.Fatalf("packets hold %d bytes from %d input bytes", total, len(data))
			}
		}
	})
}
