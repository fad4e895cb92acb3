package mrcp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/iotest"
)

// chunkReader returns its chunks one per Read (splitting a chunk only if
// p is too small), then io.EOF.
type chunkReader struct{ chunks [][]byte }

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.chunks) > 0 && len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	return n, nil
}

// readAll reads messages until an error and returns them with the error.
func readAll(r *Reader) ([]*Message, error) {
	var out []*Message
	for {
		m := new(Message)
		if err := r.ReadMessage(m); err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

// checkStream reads from rd and expects exactly want, then io.EOF.
func checkStream(t *testing.T, what string, rd io.Reader, want []*Message) {
	t.Helper()
	got, err := readAll(NewReader(rd, ReaderConfig{}))
	if err != io.EOF {
		t.Fatalf("%s: after %d messages: %v, want io.EOF", what, len(got), err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d messages, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := sameMessage(got[i], want[i]); d != "" {
			t.Fatalf("%s: message %d: %s", what, i, d)
		}
	}
}

func parsedExamples(t *testing.T) ([]rfcExample, []*Message) {
	examples := loadRFCExamples(t)
	msgs := make([]*Message, len(examples))
	for i, ex := range examples {
		m, err := Parse(ex.wire)
		if err != nil {
			t.Fatalf("%s: %v", ex.name, err)
		}
		msgs[i] = m
	}
	return examples, msgs
}

// TestReaderSplitEverywhere feeds every RFC example split in two at every
// offset, and one octet per read.
func TestReaderSplitEverywhere(t *testing.T) {
	examples, msgs := parsedExamples(t)
	for i, ex := range examples {
		for k := 0; k <= len(ex.wire); k++ {
			checkStream(t, fmt.Sprintf("%s split at %d", ex.name, k),
				&chunkReader{chunks: [][]byte{bytes.Clone(ex.wire[:k]), bytes.Clone(ex.wire[k:])}}, msgs[i:i+1])
		}
		checkStream(t, ex.name+" one octet per read", iotest.OneByteReader(bytes.NewReader(ex.wire)), msgs[i:i+1])
		checkStream(t, ex.name+" with io.EOF on the last data", iotest.DataErrReader(bytes.NewReader(ex.wire)), msgs[i:i+1])
	}
}

// TestReaderCoalesced feeds all examples back to back: in one read, in
// pairs split at every offset, and in random chunks.
func TestReaderCoalesced(t *testing.T) {
	examples, msgs := parsedExamples(t)
	var all []byte
	for _, ex := range examples {
		all = append(all, ex.wire...)
	}
	checkStream(t, "all in one read", &chunkReader{chunks: [][]byte{bytes.Clone(all)}}, msgs)
	checkStream(t, "one octet per read", iotest.OneByteReader(bytes.NewReader(all)), msgs)

	for i := 0; i+1 < len(examples); i += 5 {
		pair := append(bytes.Clone(examples[i].wire), examples[i+1].wire...)
		for k := 0; k <= len(pair); k++ {
			checkStream(t, fmt.Sprintf("%s+%s split at %d", examples[i].name, examples[i+1].name, k),
				&chunkReader{chunks: [][]byte{bytes.Clone(pair[:k]), bytes.Clone(pair[k:])}}, msgs[i:i+2])
		}
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		var chunks [][]byte
		for rest := all; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(3000))
			chunks = append(chunks, bytes.Clone(rest[:n]))
			rest = rest[n:]
		}
		checkStream(t, fmt.Sprintf("random chunks, round %d", round), &chunkReader{chunks: chunks}, msgs)
	}
}

// TestReaderTooLarge checks that a message over the limit is skipped
// without being buffered, refused with 504 when it is a request, and
// that the next message reads normally.
func TestReaderTooLarge(t *testing.T) {
	small := wire("", "MRCP/2.0 %d STOP 1", ch)
	bigBody := string(bytes.Repeat([]byte("x"), 5000))
	bigRequest := wire(bigBody, "MRCP/2.0 %d SPEAK 2", "Logging-Tag:t", ch, "Content-Length:5000")
	bigEvent := wire(bigBody, "MRCP/2.0 %d RECOGNITION-COMPLETE 3 COMPLETE", ch, "Content-Length:5000")
	stream := bytes.Join([][]byte{small, bigRequest, small, bigEvent, small}, nil)
	for _, tc := range []struct {
		name string
		rd   io.Reader
	}{
		{"whole", bytes.NewReader(stream)},
		{"one octet per read", iotest.OneByteReader(bytes.NewReader(stream))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(tc.rd, ReaderConfig{MaxMessageSize: 1000})
			var m Message
			if err := r.ReadMessage(&m); err != nil || m.RequestID != 1 {
				t.Fatalf("first message: %v", err)
			}
			err := r.ReadMessage(&m)
			var se *StatusError
			if !errors.As(err, &se) || se.Code != StatusMessageTooLarge || se.RequestID != 2 || se.Channel != recogChannel || !errors.Is(err, ErrMessageTooLarge) {
				t.Fatalf("big request: %v (%+v)", err, se)
			}
			if err := r.ReadMessage(&m); err != nil || m.RequestID != 1 {
				t.Fatalf("message after the big request: %v", err)
			}
			err = r.ReadMessage(&m)
			if !errors.Is(err, ErrMessageTooLarge) || errors.As(err, &se) {
				t.Fatalf("big event: %v, want a plain ErrMessageTooLarge", err)
			}
			if err := r.ReadMessage(&m); err != nil || m.RequestID != 1 {
				t.Fatalf("message after the big event: %v", err)
			}
			if err := r.ReadMessage(&m); err != io.EOF {
				t.Fatalf("end: %v", err)
			}
			if len(r.buf) > minBufferSize {
				t.Errorf("buffer grew to %d octets with a 1000-octet limit", len(r.buf))
			}
		})
	}
}

// TestReaderHugeDeclaredLength checks that a message-length of about an
// exabyte costs no memory: the Reader skips what arrives and reports the
// truncated stream.
func TestReaderHugeDeclaredLength(t *testing.T) {
	in := []byte("MRCP/2.0 999999999999999999 SPEAK 9\r\n" + ch + "\r\nContent-Length:9999\r\n\r\nabc")
	r := NewReader(bytes.NewReader(in), ReaderConfig{})
	var m Message
	if err := r.ReadMessage(&m); err != io.ErrUnexpectedEOF {
		t.Fatalf("ReadMessage: %v, want io.ErrUnexpectedEOF", err)
	}
	if len(r.buf) > minBufferSize {
		t.Errorf("buffer grew to %d octets", len(r.buf))
	}
}

// TestReaderBadMessageContinues checks that a malformed message framed by
// its message-length is reported and the next one still reads.
func TestReaderBadMessageContinues(t *testing.T) {
	stream := bytes.Join([][]byte{
		wire("", "MRCP/2.0 %d SPEAK 10", ch, "bad line"),
		wire("", "MRCP/2.0 %d SPEAK 11"),
		wire("hello", "MRCP/2.0 %d SPEAK 12", ch, "Content-Length:4"),
		wire("", "MRCP/1.0 %d SPEAK 13", ch),
		wire("", "MRCP/2.0 %d 14 200 COMPLETE", ch, "x y"),
		wire("", "MRCP/2.0 %d STOP 15", ch),
	}, nil)
	r := NewReader(iotest.HalfReader(bytes.NewReader(stream)), ReaderConfig{})
	var m Message
	for _, want := range []struct {
		id   RequestID
		code StatusCode
	}{{10, 404}, {11, 406}, {12, 404}, {13, 502}} {
		var se *StatusError
		if err := r.ReadMessage(&m); !errors.As(err, &se) || se.RequestID != want.id || se.Code != want.code {
			t.Fatalf("request %d: %v, want status %d", want.id, err, want.code)
		}
	}
	if err := r.ReadMessage(&m); !errors.Is(err, ErrMalformed) || errors.Is(err, ErrFraming) {
		t.Fatalf("bad response: %v", err)
	}
	if err := r.ReadMessage(&m); err != nil || m.RequestID != 15 {
		t.Fatalf("last message: %v", err)
	}
	if err := r.ReadMessage(&m); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

// TestReaderFinalErrors checks the errors after which a Reader stops.
func TestReaderFinalErrors(t *testing.T) {
	good := wire("", "MRCP/2.0 %d STOP 1", ch)
	boom := errors.New("boom")
	cases := []struct {
		name string
		rd   io.Reader
		want error
	}{
		{"empty stream", bytes.NewReader(nil), io.EOF},
		{"garbage", bytes.NewReader([]byte("HELLO WORLD\r\n\r\n")), ErrFraming},
		{"garbage after a message", bytes.NewReader(append(bytes.Clone(good), "SIP/2.0 200 OK\r\n"...)), ErrFraming},
		{"ends in the start line", bytes.NewReader(good[:12]), io.ErrUnexpectedEOF},
		{"ends in the header", bytes.NewReader(good[:len(good)-1]), io.ErrUnexpectedEOF},
		{"read error", iotest.ErrReader(boom), boom},
		{"read error in a message", io.MultiReader(bytes.NewReader(good[:20]), iotest.ErrReader(boom)), boom},
		{"no progress", iotest.ErrReader(nil), io.ErrNoProgress},
		{"timeout", iotest.TimeoutReader(bytes.NewReader(good[:20])), iotest.ErrTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(tc.rd, ReaderConfig{})
			var m Message
			var err error
			for range 3 {
				if err = r.ReadMessage(&m); err != nil {
					break
				}
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("ReadMessage: %v, want %v", err, tc.want)
			}
			if again := r.ReadMessage(&m); again != err {
				t.Errorf("second ReadMessage: %v, want the same %v", again, err)
			}
		})
	}
}

// badReader claims more octets than it was given room for.
type badReader struct{}

func (badReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestReaderBadUnderlyingReader(t *testing.T) {
	var m Message
	if err := NewReader(badReader{}, ReaderConfig{}).ReadMessage(&m); err == nil {
		t.Fatal("no error from a reader that overstates its count")
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	bad := NewRequest("BAD NAME", 1, synthChannel)
	if err := w.WriteMessage(bad); !errors.Is(err, ErrInvalidMessage) || buf.Len() != 0 {
		t.Fatalf("invalid message: %v, %d octets written", err, buf.Len())
	}
	good := NewRequest(MethodStop, 2, synthChannel)
	if err := w.WriteMessage(good); err != nil {
		t.Fatal(err)
	}
	if got, err := Parse(buf.Bytes()); err != nil || sameMessage(got, good) != "" {
		t.Fatalf("written message parses to %v, %v", got, err)
	}

	fail := errors.New("broken pipe")
	w = NewWriter(writerFunc(func(p []byte) (int, error) { return 3, fail }))
	if err := w.WriteMessage(good); err != fail {
		t.Fatalf("WriteMessage: %v", err)
	}
	if err := w.WriteMessage(good); err != fail {
		t.Fatalf("WriteMessage after an error: %v", err)
	}
	w = NewWriter(writerFunc(func(p []byte) (int, error) { return len(p) - 1, nil }))
	if err := w.WriteMessage(good); err != io.ErrShortWrite {
		t.Fatalf("short write: %v", err)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestWriterConcurrent writes from several goroutines into one stream and
// reads it back whole: messages never interleave.
func TestWriterConcurrent(t *testing.T) {
	pr, pw := io.Pipe()
	w := NewWriter(pw)
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			ch := ChannelID(fmt.Sprintf("w%d@speechsynth", g))
			for i := range each {
				m := NewRequest(MethodSpeak, RequestID(g*each+i), ch)
				m.SetBody("text/plain", bytes.Repeat([]byte{byte('a' + g)}, 1+i*7%3000))
				if err := w.WriteMessage(m); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		pw.Close()
	}()
	got, err := readAll(NewReader(pr, ReaderConfig{}))
	if err != io.EOF || len(got) != writers*each {
		t.Fatalf("read %d messages, then %v", len(got), err)
	}
	next := make([]RequestID, writers)
	for _, m := range got {
		g := int(m.RequestID) / each
		c, _ := m.Channel()
		if c.Token() != fmt.Sprintf("w%d", g) || m.RequestID != RequestID(g*each)+next[g] || bytes.Count(m.Body, []byte{byte('a' + g)}) != len(m.Body) {
			t.Fatalf("message %s from %s out of place", m, c)
		}
		next[g]++
	}
}
