package opus

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	hraban "gopkg.in/hraban/opus.v2"
)

// TestTOC checks every configuration against RFC 6716 section 3.1, Table 2.
func TestTOC(t *testing.T) {
	type row struct {
		mode Mode
		bw   Bandwidth
		ms10 int // frame duration in tenths of a millisecond
	}
	var table [32]row
	for c := range 32 {
		switch {
		case c < 12:
			table[c] = row{ModeSILK, Bandwidth(c / 4), []int{100, 200, 400, 600}[c%4]}
		case c < 16:
			table[c] = row{ModeHybrid, SuperWideband + Bandwidth((c-12)/2), []int{100, 200}[c%2]}
		default:
			bw := []Bandwidth{Narrowband, Wideband, SuperWideband, Fullband}[(c-16)/4]
			table[c] = row{ModeCELT, bw, []int{25, 50, 100, 200}[c%4]}
		}
	}
	for c, want := range table {
		for _, s := range []byte{0, 4} {
			toc := TOC(byte(c)<<3 | s | 2)
			if toc.Config() != uint8(c) || toc.Stereo() != (s != 0) || toc.Code() != 2 {
				t.Errorf("TOC %#x: config %d stereo %v code %d", byte(toc), toc.Config(), toc.Stereo(), toc.Code())
			}
			if toc.Mode() != want.mode || toc.Bandwidth() != want.bw {
				t.Errorf("config %d: %v %v, want %v %v", c, toc.Mode(), toc.Bandwidth(), want.mode, want.bw)
			}
			for _, rate := range []int{8000, 16000, 48000} {
				if got := toc.FrameSamples(rate); got != rate*want.ms10/10000 {
					t.Errorf("config %d at %d Hz: %d samples, want %d", c, rate, got, rate*want.ms10/10000)
				}
			}
		}
	}
}

// packetCases is the framing corpus, RFC 6716 section 3.2-3.4; it seeds
// FuzzPacketSamples and FuzzDecode too.
var packetCases = []struct {
	name    string
	packet  []byte
	samples int // at 48 kHz; 0 means invalid
}{
	{"empty R1", nil, 0},
	{"code 0 TOC only", []byte{0x08}, 960},
	{"code 0 SILK NB 10ms", []byte{0x00, 1, 2, 3}, 480},
	{"code 0 SILK NB 20ms", []byte{0x08, 1, 2, 3}, 960},
	{"code 0 SILK WB 60ms", []byte{0x58, 1, 2}, 2880},
	{"code 0 hybrid SWB 20ms", []byte{0x68, 1}, 960},
	{"code 0 CELT NB 2.5ms", []byte{0x80, 1}, 120},
	{"code 0 CELT FB 20ms stereo", []byte{0xfc, 1, 2}, 960},
	{"code 0 frame of 1275 bytes R2", append([]byte{0x08}, make([]byte, 1275)...), 960},
	{"code 0 frame of 1276 bytes R2", append([]byte{0x08}, make([]byte, 1276)...), 0},
	{"code 1 two equal frames", []byte{0x09, 1, 2, 3, 4}, 1920},
	{"code 1 empty frames", []byte{0x09}, 1920},
	{"code 1 odd length R3", []byte{0x09, 1, 2, 3}, 0},
	{"code 1 frames of 1276 bytes", append([]byte{0x09}, make([]byte, 2552)...), 0},
	{"code 2 VBR frames", []byte{0x0a, 2, 1, 2, 3}, 1920},
	{"code 2 zero-length first frame", []byte{0x0a, 0, 1}, 1920},
	{"code 2 missing length R4", []byte{0x0a}, 0},
	{"code 2 length past end R4", []byte{0x0a, 5, 1, 2}, 0},
	{"code 2 two-byte length", append([]byte{0x0a, 252, 0}, make([]byte, 253)...), 1920},
	{"code 2 two-byte length truncated", []byte{0x0a, 252}, 0},
	{"code 2 second frame too long", append([]byte{0x0a, 0}, make([]byte, 1276)...), 0},
	{"code 3 missing count R5", []byte{0x0b}, 0},
	{"code 3 zero frames R5", []byte{0x0b, 0x00}, 0},
	{"code 3 CBR 3x20ms", []byte{0x0b, 0x03, 1, 2, 3, 4, 5, 6}, 2880},
	{"code 3 CBR 6x20ms = 120ms", []byte{0x0b, 0x06}, 5760},
	{"code 3 CBR 7x20ms over 120ms R5", []byte{0x0b, 0x07}, 0},
	{"code 3 CBR 48x2.5ms", []byte{0x83, 48}, 5760},
	{"code 3 CBR 49x2.5ms R5", []byte{0x83, 49}, 0},
	{"code 3 CBR uneven R6", []byte{0x0b, 0x03, 1, 2, 3, 4, 5}, 0},
	{"code 3 VBR 2 frames", []byte{0x0b, 0x82, 1, 9, 8, 7}, 1920},
	{"code 3 VBR length past end R7", []byte{0x0b, 0x82, 9, 1, 2}, 0},
	{"code 3 VBR missing length R7", []byte{0x0b, 0x82}, 0},
	{"code 3 padded CBR", []byte{0x0b, 0x41, 2, 1, 2, 0, 0}, 960},
	{"code 3 padding 254 chain", append([]byte{0x0b, 0x41, 255, 0}, make([]byte, 254+3)...), 960},
	{"code 3 padding past end", []byte{0x0b, 0x41, 9, 1, 2}, 0},
	{"code 3 padding length missing", []byte{0x0b, 0x41}, 0},
	{"code 3 padding chain missing", append([]byte{0x0b, 0x41, 255}, make([]byte, 254)...), 0},
	{"code 3 padded VBR", []byte{0x0b, 0xc2, 1, 1, 5, 6, 7, 0}, 1920},
	{"code 3 padded VBR short", []byte{0x0b, 0xc2, 3, 4, 5, 6, 7, 0}, 0},
	{"code 3 CBR frame too long", append([]byte{0x0b, 0x01}, make([]byte, 1276)...), 0},
}

func TestPacketSamples(t *testing.T) {
	for _, tc := range packetCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, rate := range []int{8000, 16000, 48000} {
				got, err := PacketSamples(tc.packet, rate)
				if tc.samples == 0 {
					if !errors.Is(err, ErrCorruptFrame) {
						t.Fatalf("rate %d: got %d, %v; want ErrCorruptFrame", rate, got, err)
					}
					continue
				}
				if want := tc.samples * rate / 48000; err != nil || got != want {
					t.Fatalf("rate %d: got %d, %v; want %d", rate, got, err, want)
				}
			}
		})
	}
	if _, err := PacketSamples([]byte{0x08}, 44100); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("rate 44100: %v, want ErrInvalidConfig", err)
	}
}

// TestPacketSamplesMatchesLibopus feeds random packets to PacketSamples
// and straight to libopus: both must accept the same packets and agree on
// their duration. This is what lets Decode reject packets before cgo.
func TestPacketSamplesMatchesLibopus(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lib, err := hraban.NewDecoder(48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, 5760)
	for i := range 20000 {
		p := make([]byte, rng.IntN(64))
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		if len(p) > 1 && rng.IntN(2) == 0 {
			p[1] = byte(rng.IntN(8)) | byte(rng.IntN(4))<<6 // small code-3 counts
		}
		checkAgainstLibopus(t, lib, p, pcm)
		if i%64 == 0 && len(p) > 0 { // long frames around the 1275-byte limit
			checkAgainstLibopus(t, lib, append(p[:1:1], bytes.Repeat([]byte{7}, 1270+rng.IntN(10))...), pcm)
		}
	}
	for _, tc := range packetCases {
		checkAgainstLibopus(t, lib, tc.packet, pcm)
	}
}

func checkAgainstLibopus(t testing.TB, lib *hraban.Decoder, p []byte, pcm []int16) {
	t.Helper()
	want, err := PacketSamples(p, 48000)
	if len(p) == 0 { // hraban refuses empty input before libopus sees it
		if err == nil {
			t.Fatalf("empty packet accepted")
		}
		return
	}
	got, libErr := lib.Decode(p, pcm)
	if (err == nil) != (libErr == nil) || (err == nil && got != want) {
		t.Fatalf("packet % x: PacketSamples %d, %v; libopus %d, %v", p, want, err, got, libErr)
	}
}
