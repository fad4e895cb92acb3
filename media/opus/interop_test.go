package opus

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
)

// oggPackets is a minimal test-only Ogg reader (RFC 3533): it returns the
// packets of the single logical stream in file order. Parley's real Ogg
// code lives in media/ogg.
func oggPackets(tb testing.TB, data []byte) [][]byte {
	tb.Helper()
	var pkts [][]byte
	var cur []byte
	for len(data) > 0 {
		if len(data) < 27 || !bytes.Equal(data[:4], []byte("OggS")) {
			tb.Fatalf("bad Ogg page header at %d bytes from the end", len(data))
		}
		nseg := int(data[26])
		if len(data) < 27+nseg {
			tb.Fatal("truncated Ogg segment table")
		}
		lacing := data[27 : 27+nseg]
		body := data[27+nseg:]
		for _, l := range lacing {
			if len(body) < int(l) {
				tb.Fatal("truncated Ogg page body")
			}
			cur = append(cur, body[:l]...)
			body = body[l:]
			if l < 255 { // a lacing value below 255 ends the packet
				pkts = append(pkts, cur)
				cur = nil
			}
		}
		data = body
	}
	return pkts
}

// TestInteropOpusenc decodes the packets of a file made by opusenc with
// this package's Decoder and compares the result with opusdec's decoding
// of the same file (RFC 7845 pre-skip removed). At 48 kHz both are the same
// libopus decode and must match to the sample. opusdec always decodes at
// 48 kHz and resamples for --rate 8000/16000, where Parley decodes at the
// target rate natively: there the two must still be the same speech
// (correlation).
func TestInteropOpusenc(t *testing.T) {
	mediatest.RequireTools(t, "opusenc", "opusdec")
	dir := t.TempDir()
	wav := filepath.Join(dir, "in.wav")
	run(t, "sox", "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r", "48000",
		writeRaw(t, dir, speech(t, 48000)), wav)
	file := filepath.Join(dir, "speech.opus")
	run(t, "opusenc", "--quiet", "--bitrate", "24", "--framesize", "20", wav, file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pkts := oggPackets(t, data)
	if len(pkts) < 3 || !bytes.HasPrefix(pkts[0], []byte("OpusHead")) || !bytes.HasPrefix(pkts[1], []byte("OpusTags")) {
		t.Fatalf("%d packets, want OpusHead, OpusTags and audio", len(pkts))
	}
	preSkip := int(binary.LittleEndian.Uint16(pkts[0][10:])) // RFC 7845 section 5.1, at 48 kHz
	audio := pkts[2:]

	for _, rate := range []int{8000, 16000, 48000} {
		t.Run(strconv.Itoa(rate), func(t *testing.T) {
			ref := filepath.Join(dir, "ref"+strconv.Itoa(rate)+".raw")
			run(t, "opusdec", "--quiet", "--no-dither", "--rate", strconv.Itoa(rate), file, ref)
			want := readRaw(t, ref)
			got := decodeAll(t, newDecoder(t, rate), audio)[preSkip*rate/48000:]
			// opusdec trims the end to the final granule position; we
			// decoded whole packets, so we may have up to one frame more.
			if len(got) < len(want) || len(got) > len(want)+rate/50 {
				t.Fatalf("decoded %d samples, opusdec %d", len(got), len(want))
			}
			got = got[:len(want)]
			if rate != 48000 {
				a := alignNear(got, want, 0, rate/200, 0)
				t.Logf("%d samples, resampled by opusdec: lag %d corr %.4f snr %.1f dB", len(want), a.lag, a.corr, a.snr)
				if a.corr < 0.95 {
					t.Errorf("corr %.4f against opusdec, want >= 0.95", a.corr)
				}
				return
			}
			maxDiff := 0
			for i := range want {
				maxDiff = max(maxDiff, abs(int(got[i])-int(want[i])))
			}
			t.Logf("%d samples, max |diff| %d", len(want), maxDiff)
			if maxDiff != 0 {
				t.Errorf("max |diff| %d against opusdec at 48 kHz, want 0", maxDiff)
			}
		})
	}
}

func writeRaw(tb testing.TB, dir string, pcm []int16) string {
	tb.Helper()
	b := make([]byte, 2*len(pcm))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(s))
	}
	path := filepath.Join(dir, "in.raw")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
