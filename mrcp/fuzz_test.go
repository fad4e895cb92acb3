package mrcp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzParse checks that Parse never panics, that a StatusError never
// claims lost framing, and that whatever parses validates, marshals and
// parses back to the same message, with Frame agreeing on its length.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	for _, ex := range loadRFCExamples(f) {
		f.Add(ex.wire)
		f.Add(ex.printed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			var se *StatusError
			if errors.As(err, &se) && errors.Is(err, ErrFraming) {
				t.Fatalf("StatusError after lost framing: %v", err)
			}
			if m != nil {
				t.Fatalf("message and error: %v", err)
			}
			return
		}
		if n, err := Frame(data); err != nil || n != len(data) {
			t.Fatalf("Frame = %d, %v for a %d-octet message", n, err, len(data))
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("parsed message does not validate: %v", err)
		}
		out := m.AppendTo(nil)
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("marshalled message does not parse: %v\n%q\n%q", err, data, out)
		}
		if d := sameMessage(m, back); d != "" {
			t.Fatalf("round trip: %s\n%q\n%q", d, data, out)
		}
		if again := back.AppendTo(nil); !bytes.Equal(again, out) {
			t.Fatalf("marshalling is not stable:\n%q\n%q", out, again)
		}
		var reused Message
		reused.Header = Header{{"Stale", "x"}}
		reused.Body = []byte("stale body")
		if err := reused.Unmarshal(data); err != nil || sameMessage(&reused, m) != "" {
			t.Fatalf("Unmarshal into a used message: %v", err)
		}
	})
}

// FuzzReader splits a stream in two at an arbitrary point and checks that
// the Reader yields what Frame and Parse give on the whole buffer: the
// same messages and errors, the same place where it stops.
func FuzzReader(f *testing.F) {
	examples := loadRFCExamples(f)
	var all []byte
	for i, ex := range examples {
		all = append(all, ex.wire...)
		if i%7 == 0 {
			f.Add(bytes.Clone(all), uint16(i*31))
		}
	}
	for i, tc := range parseCases {
		f.Add(append(bytes.Clone(examples[0].wire), tc.in...), uint16(i))
	}
	const max = 600
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		k := int(split) % (len(data) + 1)
		r := NewReader(&chunkReader{chunks: [][]byte{bytes.Clone(data[:k]), bytes.Clone(data[k:])}}, ReaderConfig{MaxMessageSize: max})
		var got Message
		for pos := 0; ; {
			err := r.ReadMessage(&got)
			if pos == len(data) {
				if err != io.EOF {
					t.Fatalf("at the end: %v, want io.EOF", err)
				}
				return
			}
			n, ferr := Frame(data[pos:])
			switch {
			case ferr == ErrNeedMore:
				if err != io.ErrUnexpectedEOF {
					t.Fatalf("at %d, stream ends in a start line: %v", pos, err)
				}
				return
			case ferr != nil:
				if !errors.Is(err, ErrFraming) {
					t.Fatalf("at %d, framing lost: %v, want ErrFraming", pos, err)
				}
				return
			case pos+n > len(data):
				if err != io.ErrUnexpectedEOF {
					t.Fatalf("at %d, stream ends in a message: %v", pos, err)
				}
				return
			case n > max:
				if !errors.Is(err, ErrMessageTooLarge) {
					t.Fatalf("at %d, %d octets: %v, want ErrMessageTooLarge", pos, n, err)
				}
			default:
				want, werr := Parse(data[pos : pos+n])
				switch {
				case (err == nil) != (werr == nil):
					t.Fatalf("at %d: Reader says %v, Parse says %v", pos, err, werr)
				case err != nil && err.Error() != werr.Error():
					t.Fatalf("at %d: Reader says %v, Parse says %v", pos, err, werr)
				case err == nil && sameMessage(&got, want) != "":
					t.Fatalf("at %d: %s", pos, sameMessage(&got, want))
				}
			}
			pos += n
		}
	})
}
