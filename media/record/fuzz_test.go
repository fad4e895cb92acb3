package record

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// memSink keeps the recording in memory.
type memSink struct {
	rate   int
	pcm    []int16
	closed int
}

func (s *memSink) Rate() int                  { return s.rate }
func (s *memSink) Write(stereo []int16) error { s.pcm = append(s.pcm, stereo...); return nil }
func (s *memSink) Close() error               { s.closed++; return nil }

// FuzzRecorderTimeline drives a Recorder with arbitrary frame sequences:
// any channel, media time (negative, overlapping, far ahead) and length,
// at a resampled and a native rate. The Recorder must not fail or panic,
// must hand the sink exactly Stats().Frames frames, and must end the file
// at the furthest frame written.
func FuzzRecorderTimeline(f *testing.F) {
	op := func(ch byte, atMs int16, n uint16) []byte {
		b := []byte{ch}
		b = binary.LittleEndian.AppendUint16(b, uint16(atMs))
		return binary.LittleEndian.AppendUint16(b, n)
	}
	seq := func(ops ...[]byte) []byte {
		var b []byte
		for _, o := range ops {
			b = append(b, o...)
		}
		return b
	}
	f.Add(seq(op(0, 0, 160), op(1, 0, 160), op(0, 20, 160), op(1, 20, 160)))
	f.Add(seq(op(0, 0, 160), op(0, 2000, 160), op(1, -30, 500), op(1, 10, 160)))
	f.Add(seq(op(1, 5000, 1000), op(0, 0, 160), op(0, 4990, 65535)))
	f.Add(seq(op(0, 20, 161), op(0, 40, 159), op(0, 41, 3), op(1, 0, 0)))
	f.Fuzz(func(t *testing.T, ops []byte) {
		sink := &memSink{rate: 16000}
		r, err := New(sink, Config{CallerRate: 8000, Skew: 100 * time.Millisecond, MaxDuration: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		pcm := make([]int16, 4000)
		for i := range pcm {
			pcm[i] = int16(i + 1)
		}
		var head time.Duration
		for ; len(ops) >= 5; ops = ops[5:] {
			ch := Channel(ops[0] & 1)
			at := time.Duration(int16(binary.LittleEndian.Uint16(ops[1:]))) * time.Millisecond
			n := int(binary.LittleEndian.Uint16(ops[3:])) % len(pcm)
			if err := r.Write(ch, at, pcm[:n]); err != nil {
				if errors.Is(err, ErrTooLong) && at > 20*time.Second {
					continue
				}
				t.Fatalf("Write(%v, %v, %d): %v", ch, at, n, err)
			}
			rate := 16000
			if ch == Caller {
				rate = 8000
			}
			if n > 0 {
				head = max(head, at+time.Duration(n)*time.Second/time.Duration(rate))
			}
		}
		st := r.Stats()
		if int64(len(sink.pcm)) != 2*st.Frames {
			t.Fatalf("sink got %d frames, Stats says %d", len(sink.pcm)/2, st.Frames)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		// Close ends at the furthest frame; snapping to a channel's
		// continuation may move frames by up to Tolerance.
		got := time.Duration(len(sink.pcm)/2) * time.Second / 16000
		if sink.closed != 1 || got > head+DefaultTolerance+time.Millisecond || got < head-DefaultTolerance-time.Millisecond && head > 0 {
			t.Fatalf("file lasts %v, furthest frame ends at %v", got, head)
		}
	})
}
