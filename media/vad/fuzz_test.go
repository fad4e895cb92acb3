package vad_test

import (
	"encoding/binary"
	"testing"

	"github.com/parley-cc/parley/media/vad"
)

// FuzzProcess feeds arbitrary configurations and sample streams, cut into
// chunks of arbitrary length, and checks that the detector never panics
// and that its events and offsets stay consistent.
func FuzzProcess(f *testing.F) {
	seed := func(rate, frameMs, startMs, hangMs uint16, thr, minLevel int8, pcm []int16) {
		b := make([]byte, 8, 8+2*len(pcm))
		binary.LittleEndian.PutUint16(b[0:], rate)
		b[2], b[3] = byte(frameMs), byte(startMs/10)
		binary.LittleEndian.PutUint16(b[4:], hangMs)
		b[6], b[7] = byte(thr), byte(minLevel)
		for _, v := range pcm {
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		}
		f.Add(b)
	}
	// The configurations of TestNewConfig and TestEndpointing, with speech.
	speech := newSignal(8000).noise(0.3, -46).vowel(0.4, -26).noise(0.8, -46).int16s()
	seed(8000, 20, 0, 0, 0, 0, speech)
	seed(8000, 10, 60, 500, 0, 0, speech)
	seed(16000, 30, 100, 800, 4, -60, speech)
	seed(48000, 20, 0, 0, 0, 0, speech)
	seed(44100, 25, 5000, 5, 1, -3, speech[:100])
	seed(8000, 20, 10, 10, 1, -100, []int16{32767, -32768, 32767, -32768, 0, 0})
	seed(8000, 20, 0, 0, 0, 0, nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 8 {
			return
		}
		cfg := vad.Config{
			SampleRate:  int(binary.LittleEndian.Uint16(b[0:])),
			FrameMs:     int(b[2]),
			StartMs:     int(b[3]) * 10,
			HangoverMs:  int(binary.LittleEndian.Uint16(b[4:])),
			ThresholdDB: float64(int8(b[6])) / 2,
			MinLevelDB:  float64(int8(b[7])),
		}
		switch cfg.SampleRate % 4 { // reach the valid rates often
		case 0:
			cfg.SampleRate = 8000
		case 1:
			cfg.SampleRate = 16000
		case 2:
			cfg.SampleRate = 48000
		}
		d, err := vad.New(cfg)
		if err != nil {
			return
		}
		pcm := make([]int16, (len(b)-8)/2)
		for i := range pcm {
			pcm[i] = int16(binary.LittleEndian.Uint16(b[8+2*i:]))
		}
		// Play the samples repeatedly so that short inputs still cover
		// a second, in frames, and now and then a chunk of the wrong
		// length.
		n := d.FrameSize()
		frame := make([]int16, n)
		pos, rejected := 0, uint64(0)
		for k := range d.Config().SampleRate / n {
			if k%97 == 96 {
				d.Process(frame[:k%n])
				rejected++
				continue
			}
			for i := range frame {
				if len(pcm) > 0 {
					frame[i] = pcm[pos%len(pcm)]
					pos++
				}
			}
			was := d.Speaking()
			switch e := d.Process(frame); e {
			case vad.SpeechStart:
				if was || !d.Speaking() || d.StartOffset() > d.Offset() || d.StartOffset() < 0 {
					t.Fatalf("SpeechStart: was speaking %v, speaking %v, start %d, offset %d", was, d.Speaking(), d.StartOffset(), d.Offset())
				}
			case vad.SpeechEnd:
				if !was || d.Speaking() || d.EndOffset() < d.StartOffset() || d.EndOffset() > d.Offset() {
					t.Fatalf("SpeechEnd: was speaking %v, speaking %v, start %d, end %d, offset %d", was, d.Speaking(), d.StartOffset(), d.EndOffset(), d.Offset())
				}
			case vad.None:
				if was != d.Speaking() {
					t.Fatalf("None, but speaking changed from %v", was)
				}
			default:
				t.Fatalf("Process returned %v", e)
			}
		}
		if d.Rejected() != rejected {
			t.Fatalf("Rejected() = %d, want %d", d.Rejected(), rejected)
		}
		if db := d.NoiseFloorDB(); db != db || db < -121 || db > 10 {
			t.Fatalf("NoiseFloorDB() = %g", db)
		}
	})
}
