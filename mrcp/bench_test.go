package mrcp

import (
	"bytes"
	"io"
	"testing"
)

// benchMessages are a typical SPEAK with an SSML body and a
// RECOGNITION-COMPLETE with an NLSML result, from the RFC examples.
func benchMessages(tb testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, ex := range loadRFCExamples(tb) {
		switch ex.name {
		case "speak-request", "recognition-complete":
			out[ex.name] = ex.wire
		}
	}
	if len(out) != 2 {
		tb.Fatalf("benchmark messages missing: %d", len(out))
	}
	return out
}

// cycleReader serves the same bytes over and over.
type cycleReader struct {
	data []byte
	off  int
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], c.data[c.off:])
		n += k
		c.off = (c.off + k) % len(c.data)
	}
	return n, nil
}

// TestAllocs pins the allocation counts that the benchmarks report:
// Unmarshal into a reused Message allocates once for the string that holds
// the start line and header, plus once per folded field (the
// RECOGNITION-COMPLETE example folds Waveform-URI); AppendTo and
// WriteMessage not at all; ReadMessage as Unmarshal.
func TestAllocs(t *testing.T) {
	wantParse := map[string]float64{"speak-request": 1, "recognition-complete": 2}
	for name, in := range benchMessages(t) {
		var m Message
		if err := m.Unmarshal(in); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(200, func() { m.Unmarshal(in) }); n != wantParse[name] {
			t.Errorf("%s: Unmarshal allocates %v times, want %v", name, n, wantParse[name])
		}
		buf := m.AppendTo(nil)
		if n := testing.AllocsPerRun(200, func() { buf = m.AppendTo(buf[:0]) }); n != 0 {
			t.Errorf("%s: AppendTo allocates %v times, want 0", name, n)
		}
		w := NewWriter(io.Discard)
		w.WriteMessage(&m)
		if n := testing.AllocsPerRun(200, func() { w.WriteMessage(&m) }); n != 0 {
			t.Errorf("%s: WriteMessage allocates %v times, want 0", name, n)
		}
		r := NewReader(&cycleReader{data: in}, ReaderConfig{})
		r.ReadMessage(&m)
		if n := testing.AllocsPerRun(200, func() {
			if err := r.ReadMessage(&m); err != nil {
				t.Fatal(err)
			}
		}); n != wantParse[name] {
			t.Errorf("%s: ReadMessage allocates %v times, want %v", name, n, wantParse[name])
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for name, in := range benchMessages(b) {
		b.Run(name+"/Unmarshal", func(b *testing.B) {
			var m Message
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Unmarshal(in); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/Parse", func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMarshal(b *testing.B) {
	for name, in := range benchMessages(b) {
		m, err := Parse(in)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/AppendTo", func(b *testing.B) {
			buf := m.AppendTo(nil)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = m.AppendTo(buf[:0])
			}
		})
		b.Run(name+"/Marshal", func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Marshal(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStream reads and writes whole messages through Reader and
// Writer, as the control connection does.
func BenchmarkStream(b *testing.B) {
	for name, in := range benchMessages(b) {
		b.Run(name+"/ReadMessage", func(b *testing.B) {
			r := NewReader(&cycleReader{data: bytes.Repeat(in, 8)}, ReaderConfig{})
			var m Message
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := r.ReadMessage(&m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/WriteMessage", func(b *testing.B) {
			m, _ := Parse(in)
			w := NewWriter(io.Discard)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := w.WriteMessage(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
