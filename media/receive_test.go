package media

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-cc/parley/media/dtmf"
	"github.com/parley-cc/parley/media/g711"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/record"
	"github.com/parley-cc/parley/media/vad"
	"github.com/parley-cc/parley/media/wav"
)

// frameLog collects what a Receiver hands to its recorder.
type frameLog struct {
	at  []time.Duration
	pcm []int16
}

func (l *frameLog) WriteFrame(at time.Duration, pcm []int16) error {
	l.at = append(l.at, at)
	l.pcm = append(l.pcm, pcm...)
	return nil
}

func telephoneEvent(t testing.TB) Codec {
	c, err := NewCodec(101, NameTelephoneEvent, 8000, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testClock is the simulated clock of receiver tests.
type testClock struct{ now time.Time }

func newClock() *testClock { return &testClock{now: time.Unix(1_700_000_000, 0)} }

func (c *testClock) Now() time.Time { return c.now }

func newTestReceiver(t testing.TB, cfg ReceiverConfig, codecs ...Codec) *Receiver {
	t.Helper()
	if cfg.Now == nil {
		panic("receiver tests set Now")
	}
	pm, err := NewPayloadMap(codecs...)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Payloads = pm
	cfg.Log = quietLog
	r, err := NewReceiver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// feeder sends 20 ms frames of one codec into a Receiver on a simulated
// clock, one tick per frame.
type feeder struct {
	r    *Receiver
	hdr  rtp.Header
	clk  *testClock
	enc  Encoder
	buf  []byte
	step uint32
}

func newFeeder(r *Receiver, c Codec, clk *testClock) *feeder {
	enc, err := NewEncoder(c)
	if err != nil {
		panic(err)
	}
	return &feeder{
		r:    r,
		hdr:  rtp.Header{Version: 2, PayloadType: c.PayloadType, SequenceNumber: 65500, Timestamp: 1 << 31, SSRC: 0x1234},
		clk:  clk,
		enc:  enc,
		buf:  make([]byte, 1500),
		step: c.FrameTicks(20 * time.Millisecond),
	}
}

// packet encodes pcm as the next packet; send=false loses it on the way.
func (f *feeder) packet(pcm []int16, send bool) {
	n, err := f.enc.Encode(pcm, f.buf)
	if err != nil {
		panic(err)
	}
	if send {
		f.r.HandleRTP(&f.hdr, f.buf[:n])
	}
	f.hdr.SequenceNumber++
	f.hdr.Timestamp += f.step
}

func (f *feeder) tick() {
	f.r.Tick(f.clk.now)
	f.clk.now = f.clk.now.Add(20 * time.Millisecond)
}

func TestReceiverPlaysConcealsAndRecords(t *testing.T) {
	clk := newClock()
	var rec frameLog
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Record: &rec}, PCMU())
	f := newFeeder(r, PCMU(), clk)
	tone := mediatest.NewTone(440, 8000, 0.3)
	frame := make([]int16, 160)
	const frames = 100
	for i := range frames {
		tone.Read(frame)
		f.packet(frame, i != 40 && i != 41) // two packets lost, across the seq wrap region
		f.tick()
	}
	for range 10 { // drain the jitter buffer
		f.tick()
	}
	st := r.Stats()
	if st.Frames != frames-2 {
		t.Errorf("played %d frames from packets, want %d", st.Frames, frames-2)
	}
	if st.Concealed < 2 {
		t.Errorf("concealed %d frames, want >= 2", st.Concealed)
	}
	if st.DecodeErrors != 0 || st.CodecChanges != 0 {
		t.Errorf("stats %+v", st)
	}
	// Recorded frames are contiguous on the media timeline.
	for i := 1; i < len(rec.at); i++ {
		if rec.at[i]-rec.at[i-1] != 20*time.Millisecond {
			t.Fatalf("frame %d at %v after %v: not contiguous", i, rec.at[i], rec.at[i-1])
		}
	}
	if len(rec.at) < frames {
		t.Fatalf("recorded %d frames, want >= %d", len(rec.at), frames)
	}
	// The recording is the tone (G.711 round trip), including the concealed gap.
	want := mediatest.ToneSamples(440, 8000, 0.3, frames*160)
	if c := bestCorrelation(want, rec.pcm, 2000); c < 0.95 {
		t.Errorf("recording correlates %.3f with the tone sent", c)
	}
	t.Log(r.String())
}

func TestReceiverCodecSwitchAndResample(t *testing.T) {
	clk := newClock()
	var rec frameLog
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Record: &rec, Rate: 16000}, G722(), PCMU())
	if r.Rate() != 16000 {
		t.Fatalf("rate %d", r.Rate())
	}
	g := newFeeder(r, G722(), clk)
	tone16 := mediatest.NewTone(1000, 16000, 0.3)
	wide := make([]int16, 320)
	for range 50 {
		tone16.Read(wide)
		g.packet(wide, true)
		g.tick()
	}
	// The phone switches to PCMU on the same stream (same SSRC, clock 8000).
	u := newFeeder(r, PCMU(), clk)
	u.hdr.SequenceNumber, u.hdr.Timestamp = g.hdr.SequenceNumber, g.hdr.Timestamp
	tone8 := mediatest.NewTone(1000, 8000, 0.3)
	narrow := make([]int16, 160)
	for range 50 {
		tone8.Read(narrow)
		u.packet(narrow, true)
		u.tick()
	}
	for range 10 {
		u.tick()
	}
	st := r.Stats()
	if st.CodecChanges != 1 || st.DecodeErrors != 0 || st.Frames < 95 {
		t.Fatalf("stats %+v", st)
	}
	// Every frame delivered is 320 samples at 16 kHz, the tone throughout.
	if len(rec.pcm) != len(rec.at)*320 {
		t.Fatalf("%d samples in %d frames", len(rec.pcm), len(rec.at))
	}
	half := len(rec.pcm) / 2
	want := mediatest.ToneSamples(1000, 16000, 0.3, half)
	if c := bestCorrelation(want, rec.pcm[half:], 32); c < 0.9 {
		t.Errorf("PCMU part, resampled to 16 kHz, correlates %.3f with the tone", c)
	}
}

func TestReceiverDigits(t *testing.T) {
	var got []rune
	clk := newClock()
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, OnDigit: func(tn dtmf.Tone) {
		if d, ok := tn.Digit(); ok {
			got = append(got, d)
		}
	}}, PCMU(), telephoneEvent(t))
	hdr := rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: 1, Timestamp: 8000, SSRC: 7, Marker: true}
	for _, digit := range []uint8{5, 11} { // '5', '#'
		for i := 1; i <= 6; i++ {
			ev := dtmf.Event{Code: digit, Volume: 10, Duration: uint16(160 * i), End: i >= 4}
			b := make([]byte, 4)
			if _, err := ev.MarshalTo(b); err != nil {
				t.Fatal(err)
			}
			r.HandleRTP(&hdr, b)
			hdr.Marker = false
			hdr.SequenceNumber++
			r.Tick(clk.now)
			clk.now = clk.now.Add(20 * time.Millisecond)
		}
		hdr.Timestamp += 2000
		hdr.Marker = true
	}
	// A malformed event is counted, not a panic.
	r.HandleRTP(&hdr, []byte{1})
	if string(got) != "5#" {
		t.Fatalf("digits %q, want \"5#\"", string(got))
	}
	if st := r.Stats(); st.Digits != 2 || st.BadEvents != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReceiverBadInput(t *testing.T) {
	opus, err := NewCodec(111, NameOpus, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now}, opus, PCMU())
	hdr := rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: 10, Timestamp: 0, SSRC: 1}
	garbage := [][]byte{{}, {0xff}, {0xff, 0xff, 0xff}, make([]byte, 1500), {0x03}}
	for i := range 40 {
		r.HandleRTP(&hdr, garbage[i%len(garbage)])
		hdr.SequenceNumber += uint16(i * 977) // jumps, reorders
		hdr.Timestamp += 960
		if i == 20 {
			hdr.SSRC = 2
		}
		r.Tick(clk.now)
		clk.now = clk.now.Add(20 * time.Millisecond)
	}
	st := r.Stats()
	if st.DecodeErrors == 0 || st.SSRCChanges != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReceiverCatchesUpAfterStall(t *testing.T) {
	clk := newClock()
	var rec frameLog
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Record: &rec}, PCMU())
	f := newFeeder(r, PCMU(), clk)
	frame := mediatest.ToneSamples(300, 8000, 0.2, 160)
	for range 20 {
		f.packet(frame, true)
		f.tick()
	}
	// The pacer stalls for 100 ms while packets keep arriving.
	for range 5 {
		f.packet(frame, true)
		f.clk.now = f.clk.now.Add(20 * time.Millisecond)
	}
	f.tick()
	for range 10 {
		f.packet(frame, true)
		f.tick()
	}
	if st := r.Stats(); st.CatchUps == 0 || st.Frames < 30 {
		t.Fatalf("stats %+v", st)
	}
	for i := 1; i < len(rec.at); i++ {
		if rec.at[i] <= rec.at[i-1] {
			t.Fatalf("media time went back: %v after %v", rec.at[i], rec.at[i-1])
		}
	}
}

// TestReceiverSpeechEvents runs an espeak-ng utterance through the whole
// receive path as G.711 and expects one speech start and one end.
func TestReceiverSpeechEvents(t *testing.T) {
	pcm := speech(t, 8000, 1, 2)
	type speechEvent struct {
		ev vad.Event
		at time.Duration
	}
	var evs []speechEvent
	clk := newClock()
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, OnSpeech: func(ev vad.Event, at time.Duration) {
		evs = append(evs, speechEvent{ev, at})
	}}, PCMU())
	f := newFeeder(r, PCMU(), clk)
	for i := 0; i+160 <= len(pcm); i += 160 {
		f.packet(pcm[i:i+160], true)
		f.tick()
	}
	for range 50 {
		f.tick()
	}
	if len(evs) != 2 || evs[0].ev != vad.SpeechStart || evs[1].ev != vad.SpeechEnd {
		t.Fatalf("speech events %v, want one start and one end", evs)
	}
	// Speech starts after the 1 s of leading silence (plus jitter delay
	// and the VAD's start time), well before its end.
	if evs[0].at < time.Second || evs[0].at > 1500*time.Millisecond {
		t.Errorf("speech start at %v", evs[0].at)
	}
}

// speech returns "I lost my card yesterday" spoken by espeak-ng at rate,
// with lead and trail seconds of silence.
func speech(t *testing.T, rate int, lead, trail int) []int16 {
	t.Helper()
	mediatest.RequireTools(t, "espeak-ng", "sox")
	dir := t.TempDir()
	out := filepath.Join(dir, "speech.wav")
	if b, err := exec.Command("espeak-ng", "-w", filepath.Join(dir, "e.wav"), "I lost my card yesterday").CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v %s", err, b)
	}
	if b, err := exec.Command("sox", filepath.Join(dir, "e.wav"), "-r", strconv.Itoa(rate), "-b", "16", "-c", "1", out,
		"pad", strconv.Itoa(lead), strconv.Itoa(trail)).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, b)
	}
	_, pcm, err := wav.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return pcm
}

// TestReceiverOpusFEC loses Opus packets of speech and expects the
// Receiver to rebuild them from the next packet's in-band FEC.
func TestReceiverOpusFEC(t *testing.T) {
	opus, err := NewCodec(111, NameOpus, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	opus.SampleRate = 16000
	pcm := speech(t, 16000, 0, 0)
	clk := newClock()
	var rec frameLog
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Record: &rec}, opus)
	f := newFeeder(r, opus, clk)
	lost := 0
	for i := 0; i+320 <= len(pcm); i += 320 {
		frame := i / 320
		drop := frame > 10 && frame%10 == 0
		if drop {
			lost++
		}
		f.packet(pcm[i:i+320], !drop)
		f.tick()
	}
	for range 10 {
		f.tick()
	}
	st := r.Stats()
	if st.Recovered == 0 || st.Recovered+st.Concealed < uint64(lost) {
		t.Fatalf("lost %d packets: recovered %d by FEC, concealed %d", lost, st.Recovered, st.Concealed)
	}
	t.Logf("lost %d packets: recovered %d by FEC, concealed %d", lost, st.Recovered, st.Concealed)
}

// TestReceiverWritesRecording runs the receive path into a real stereo
// recorder, closes it and reads the WAV back.
func TestReceiverWritesRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.wav")
	rec, err := record.Create(path, 8000, record.Config{})
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Record: RecordChannel(rec, record.Caller)}, PCMA())
	f := newFeeder(r, PCMA(), clk)
	tone := mediatest.NewTone(700, 8000, 0.4)
	frame := make([]int16, 160)
	for range 100 {
		tone.Read(frame)
		f.packet(frame, true)
		f.tick()
	}
	for range 10 {
		f.tick()
	}
	if err := rec.CloseAt(2200 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	format, pcm, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if format.Channels != 2 || len(pcm) != 2*8000*22/10 {
		t.Fatalf("%v with %d samples", format, len(pcm))
	}
	left := make([]int16, len(pcm)/2)
	var right int64
	for i := range left {
		left[i] = pcm[2*i]
		right += int64(pcm[2*i+1]) * int64(pcm[2*i+1])
	}
	if right != 0 {
		t.Errorf("agent channel not silent")
	}
	if c := bestCorrelation(mediatest.ToneSamples(700, 8000, 0.4, 16000), left, 2000); c < 0.95 {
		t.Errorf("caller channel correlates %.3f with the tone", c)
	}
}

func TestReceiverAllocs(t *testing.T) {
	rec, err := record.Create(filepath.Join(t.TempDir(), "a.wav"), 8000, record.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	clk := newClock()
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Record: RecordChannel(rec, record.Caller)}, PCMU())
	f := newFeeder(r, PCMU(), clk)
	frame := mediatest.ToneSamples(440, 8000, 0.3, 160)
	n, _ := f.enc.Encode(frame, f.buf)
	payload := f.buf[:n]
	for range 20 {
		f.r.HandleRTP(&f.hdr, payload)
		f.hdr.SequenceNumber++
		f.hdr.Timestamp += 160
		f.tick()
	}
	allocs := testing.AllocsPerRun(500, func() {
		f.r.HandleRTP(&f.hdr, payload)
		f.hdr.SequenceNumber++
		f.hdr.Timestamp += 160
		f.tick()
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per packet and frame, want 0", allocs)
	}
}

func FuzzReceiver(f *testing.F) {
	f.Add([]byte{0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff})
	f.Add([]byte{0x80, 0x65, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 5, 0x8a, 0, 160})
	f.Add([]byte{0x80, 0x6f, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0xfc, 1, 2, 3})
	opus, err := NewCodec(111, NameOpus, 48000, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		clk := newClock()
		r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Rate: 16000}, PCMU(), G722(), opus, telephoneEvent(t))
		r.AddArrivalListener(func(_ time.Duration, pcm []int16) {
			if len(pcm) != 320 {
				t.Fatalf("arrival frame of %d samples, want 320", len(pcm))
			}
		})
		var hdr rtp.Header
		// The input is a sequence of datagrams, each prefixed by its length.
		for len(data) > 2 {
			n := int(binary.BigEndian.Uint16(data)) % 400
			data = data[2:]
			if n > len(data) {
				n = len(data)
			}
			pkt := data[:n]
			data = data[n:]
			hl, err := hdr.Unmarshal(pkt)
			if err != nil || hl > len(pkt) {
				continue
			}
			r.HandleRTP(&hdr, pkt[hl:])
			r.Tick(clk.now)
			clk.now = clk.now.Add(20 * time.Millisecond)
		}
	})
}

// BenchmarkReceivePath is the whole receive path for one 20 ms G.711
// packet: RTP parse and RFC 3550 statistics in the session, jitter buffer
// push and pop, decode, VAD, and the write into a WAV recording.
func BenchmarkReceivePath(b *testing.B) {
	dir := b.TempDir()
	rec, err := record.Create(filepath.Join(dir, "bench.wav"), 8000, record.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { rec.Close(); os.RemoveAll(dir) }()
	clk := newClock()
	recv := newTestReceiver(b, ReceiverConfig{Now: clk.Now, Record: RecordChannel(rec, record.Caller)}, PCMU())
	s, _ := pipeSession(b, Config{Symmetric: true, MinSequential: 1, Handler: recv})
	pcm := mediatest.ToneSamples(440, 8000, 0.3, 160)
	pkt := make([]byte, 12+160)
	hdr := rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: 1, Timestamp: 0, SSRC: 99}
	if _, err := hdr.MarshalTo(pkt); err != nil {
		b.Fatal(err)
	}
	g711.EncodeULaw(pkt[12:], pcm)
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		s.handleDatagram(pkt, testAddr, clk.now)
		recv.Tick(clk.now)
		clk.now = clk.now.Add(20 * time.Millisecond)
		binary.BigEndian.PutUint16(pkt[2:], binary.BigEndian.Uint16(pkt[2:])+1)
		binary.BigEndian.PutUint32(pkt[4:], binary.BigEndian.Uint32(pkt[4:])+160)
	}
	b.StopTimer()
	if st := recv.Stats(); st.Frames < uint64(b.N)/2 {
		b.Fatalf("only %d of %d packets played: %+v", st.Frames, b.N, st)
	}
}
