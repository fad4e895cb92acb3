package ogg

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	hopus "gopkg.in/hraban/opus.v2"
)

// testSignal is n stereo frames of chirp bursts: each burst sweeps a
// random band within 200-3000 Hz and lasts 40-160 ms, with pauses between;
// the channels get different bursts. Aperiodic and waveform-coded well by
// Opus, so cross-correlation has one sharp peak.
func testSignal(n, rate int) []int16 {
	pcm := make([]int16, 2*n)
	seed := uint32(7)
	rnd := func(k int) int { seed = seed*1664525 + 1013904223; return int(seed>>8) % k }
	for ch := range 2 {
		for i := rate / 20 * (ch + 1); i < n; {
			dur := rate * (40 + rnd(120)) / 1000
			f0, f1 := float64(200+rnd(2800)), float64(200+rnd(2800))
			amp := float64(3000 + rnd(9000))
			for j := 0; j < dur && i+j < n; j++ {
				t := float64(j) / float64(rate)
				d := float64(dur) / float64(rate)
				ph := 2 * math.Pi * (f0*t + (f1-f0)*t*t/(2*d))
				pcm[2*(i+j)+ch] = int16(amp * math.Sin(math.Pi*float64(j)/float64(dur)) * math.Sin(ph))
			}
			i += dur + rate*(20+rnd(100))/1000
		}
	}
	return pcm
}

// encodeOpusFile encodes frames of 20 ms stereo at rate into an Ogg Opus
// file, closing it with end trimming unless leaveOpen; it returns the file
// and the number of input frames.
func encodeOpusFile(t *testing.T, path string, rate int, pcm []int16, leaveOpen bool) *OpusWriter {
	t.Helper()
	enc, err := hopus.NewEncoder(rate, 2, hopus.AppVoIP)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	w, err := NewOpusWriter(f, OpusConfig{Channels: 2, InputRate: rate, Comments: []string{"PARLEY_TEST=1"}})
	if err != nil {
		t.Fatal(err)
	}
	frame := 2 * rate / 50
	pkt := make([]byte, 1500)
	encode := func(in []int16) {
		n, err := enc.Encode(in, pkt)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(pkt[:n]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i+frame <= len(pcm); i += frame {
		encode(pcm[i : i+frame])
	}
	if leaveOpen {
		return w
	}
	length := int64(len(pcm)/2) * 48000 / int64(rate)
	for w.Granule() < int64(w.PreSkip())+length {
		encode(make([]int16, frame)) // flush the encoder's lookahead
	}
	if err := w.CloseLength(length); err != nil {
		t.Fatal(err)
	}
	return w
}

// opusinfo runs opusinfo and fails on a non-zero exit or any warning.
func opusinfo(t *testing.T, path string) string {
	t.Helper()
	mediatest.RequireTool(t, "opusinfo")
	out, err := exec.Command("opusinfo", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "WARNING") || strings.Contains(string(out), "ERROR") {
		t.Fatalf("opusinfo %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// opusdec decodes path to a WAV at rate and reads it.
func opusdec(t *testing.T, path string, rate int) []int16 {
	t.Helper()
	mediatest.RequireTool(t, "opusdec")
	out := path + ".wav"
	if b, err := exec.Command("opusdec", "--quiet", "--rate", strconv.Itoa(rate), "--no-dither", path, out).CombinedOutput(); err != nil {
		t.Fatalf("opusdec %s: %v\n%s", path, err, b)
	}
	f, pcm, err := wav.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.SampleRate != rate || f.Channels != 2 {
		t.Fatalf("opusdec wrote %v", f)
	}
	return pcm
}

// TestOpusWriterDebianTools muxes libopus packets and checks the file with
// opusinfo and opusdec: exact decoded length (pre-skip and end trimming)
// and a lag against the input within one sample (the pre-skip value).
func TestOpusWriterDebianTools(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		t.Run(strconv.Itoa(rate), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec.opus")
			n := rate * 3 / 2 // 1.5 s
			pcm := testSignal(n, rate)
			encodeOpusFile(t, path, rate, pcm, false)
			info := opusinfo(t, path)
			for _, want := range []string{"Channels: 2", "Pre-skip: 312", "Original sample rate: " + strconv.Itoa(rate) + " Hz",
				"Playback length: 0m:01.5", "PARLEY_TEST=1", "Packet duration:   20.0ms (max)", "Page duration:   1000.0ms (max)"} {
				if !strings.Contains(info, want) {
					t.Errorf("opusinfo lacks %q:\n%s", want, info)
				}
			}
			got := opusdec(t, path, rate)
			if len(got) != len(pcm) {
				t.Fatalf("opusdec: %d samples, want exactly %d", len(got), len(pcm))
			}
			for ch := range 2 {
				lag, c := mediatest.BestLag(mediatest.Channel(pcm, ch, 2), mediatest.Channel(got, ch, 2), rate/100)
				t.Logf("channel %d: lag %.2f, correlation %.3f", ch, lag, c)
				// libopus and opusdec resample internally, which leaves
				// sub-sample group delay (measured 0.2-0.8 samples); a
				// wrong pre-skip would show as whole milliseconds.
				if math.Abs(lag) >= 1 || c < 0.8 {
					t.Errorf("channel %d: best lag %.2f samples (correlation %.3f), want within ±1", ch, lag, c)
				}
			}
		})
	}
}

// TestOpusWriterCrash abandons a writer (no Close), checks that the file
// holds all but at most about a second, and that Repair closes it.
func TestOpusWriterCrash(t *testing.T) {
	const rate = 16000
	path := filepath.Join(t.TempDir(), "crash.opus")
	pcm := testSignal(rate*33/10, rate) // 3.3 s
	w := encodeOpusFile(t, path, rate, pcm, true)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pr := NewPageReader(bytes.NewReader(data))
	var last int64
	for {
		p, err := pr.Next()
		if err != nil {
			break
		}
		last = p.Granule
	}
	if lost := w.Granule() - last; lost > 48000+960 || lost <= 0 {
		t.Fatalf("unclosed file ends at granule %d of %d: %d samples lost, want (0, 1.02 s]", last, w.Granule(), lost)
	}
	// Also cut the file inside its last page, as a crash during a write
	// would.
	if err := os.WriteFile(path, append(data, "OggS\x00\x00garbage"...), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Repair(path)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Repaired || !res.AddedEOS || res.Size != int64(len(data)) || res.Granule != last {
		t.Fatalf("Repair = %v", res)
	}
	opusinfo(t, path)
	if got := opusdec(t, path, rate); len(got) != int(last-312)/3*2 {
		t.Fatalf("opusdec after Repair: %d samples, want %d", len(got), (last-312)/3*2)
	}
	again, err := Repair(path)
	if err != nil || again.Repaired {
		t.Fatalf("second Repair = %v, %v", again, err)
	}
}

func TestOpusWriterErrors(t *testing.T) {
	var buf bytes.Buffer
	for _, cfg := range []OpusConfig{{Channels: 3}, {PreSkip: 70000}, {InputRate: -1}} {
		if _, err := NewOpusWriter(&buf, cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewOpusWriter(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	w, err := NewOpusWriter(&buf, OpusConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(nil); !errors.Is(err, ErrOpusPacket) {
		t.Fatalf("empty packet: %v", err)
	}
	if err := w.WritePacket([]byte{0xf8, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := w.CloseLength(960); !errors.Is(err, ErrGranule) {
		t.Fatalf("CloseLength beyond the packets: %v, want ErrGranule", err)
	}
	if err := w.CloseLength(960 - 312); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket([]byte{0xf8}); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

func TestRepairErrors(t *testing.T) {
	dir := t.TempDir()
	two, err := stream([][]byte{[]byte("a")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var p Page
	if _, err := p.Unmarshal(two); err != nil {
		t.Fatal(err)
	}
	p.Serial++
	other := make([]byte, p.Len())
	if _, err := p.MarshalTo(other); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		err  error
	}{
		{"empty", nil, ErrTruncated},
		{"not ogg", []byte("RIFF....WAVE"), ErrCapture},
		{"first page damaged", append([]byte{}, two[:len(two)-1]...), ErrTruncated},
		{"two streams", append(bytes.Clone(two), other...), ErrStream},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Repair(path); !errors.Is(err, tc.err) {
				t.Fatalf("Repair = %v, want %v", err, tc.err)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, tc.data) {
				t.Fatal("failed Repair changed the file")
			}
		})
	}
}

func TestOpusWriterAllocs(t *testing.T) {
	w, err := NewOpusWriter(discard{}, OpusConfig{Channels: 2})
	if err != nil {
		t.Fatal(err)
	}
	pkt := bytes.Repeat([]byte{0xfc}, 160) // CELT FB 20 ms stereo
	if n := testing.AllocsPerRun(500, func() { w.WritePacket(pkt) }); n != 0 {
		t.Fatalf("WritePacket allocates %v times per packet", n)
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

func BenchmarkOpusWriterPacket(b *testing.B) {
	w, err := NewOpusWriter(discard{}, OpusConfig{Channels: 2})
	if err != nil {
		b.Fatal(err)
	}
	pkt := bytes.Repeat([]byte{0xfc}, 160)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WritePacket(pkt); err != nil {
			b.Fatal(err)
		}
	}
}
