package media

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/dtmf"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/play"
)

// callPair is two sessions on real loopback UDP: a sends to b.
type callPair struct {
	a, b *Session
	rx   *Receiver
	clk  *testClock
	rec  frameLog
	tone []rune
}

func newCallPair(t *testing.T, codecs ...Codec) *callPair {
	t.Helper()
	listen := func() net.PacketConn {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	pm, err := NewPayloadMap(codecs...)
	if err != nil {
		t.Fatal(err)
	}
	p := &callPair{clk: newClock()}
	p.rx, err = NewReceiver(ReceiverConfig{Payloads: pm, Now: p.clk.Now, Record: &p.rec, Log: quietLog,
		OnDigit: func(tn dtmf.Tone) {
			if d, ok := tn.Digit(); ok {
				p.tone = append(p.tone, d)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	bConn := listen()
	p.b, err = NewSession(Config{Conn: bConn, Payloads: pm, Handler: p.rx, Symmetric: true, MinSequential: 1, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	p.a, err = NewSession(Config{Conn: listen(), Payloads: pm, Remote: netip.MustParseAddrPort(bConn.LocalAddr().String()), Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Session{p.a, p.b} {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
	}
	return p
}

// step ticks the transmitter, waits for its packet to reach b's
// receiver, then ticks the receiver, all at the same simulated instant.
func (p *callPair) step(t *testing.T, tx *Transmitter) {
	t.Helper()
	before := p.b.Stats().Receive.Packets
	tx.Tick(p.clk.now)
	deadline := time.Now().Add(2 * time.Second)
	for p.b.Stats().Receive.Packets == before {
		if time.Now().After(deadline) {
			t.Fatal("packet did not arrive over loopback")
		}
		time.Sleep(100 * time.Microsecond)
	}
	p.rx.Tick(p.clk.now)
	p.clk.now = p.clk.now.Add(20 * time.Millisecond)
}

func TestTransmitterPlaysPromptOverUDP(t *testing.T) {
	p := newCallPair(t, PCMU(), telephoneEvent(t))
	var sent frameLog
	tx, err := NewTransmitter(TransmitterConfig{Session: p.a, Codec: PCMU(), Rate: 16000, Record: &sent, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	// A 1 s prompt at 16 kHz, resampled to G.711's 8 kHz on the way out.
	clip, err := play.NewClip("tone", 16000, mediatest.ToneSamples(500, 16000, 0.3, 16000))
	if err != nil {
		t.Fatal(err)
	}
	player, err := play.NewPlayer(clip, play.Config{Rate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	tx.Play(player, func(err error) { ended <- err })
	for range 60 {
		p.step(t, tx)
	}
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("prompt ended with %v", err)
		}
	default:
		t.Fatal("prompt did not end")
	}
	if st := tx.Stats(); st.Frames != 50 || st.Silence != 10 || st.SendErrors != 0 {
		t.Fatalf("transmitter stats %+v", st)
	}
	if len(sent.pcm) != 16000 {
		t.Fatalf("recorded %d samples of the prompt at 16 kHz, want 16000", len(sent.pcm))
	}
	if c := bestCorrelation(mediatest.ToneSamples(500, 8000, 0.3, 8000), p.rec.pcm, 400); c < 0.95 {
		t.Fatalf("received audio correlates %.3f with the prompt", c)
	}
}

func TestTransmitterStopAndDigits(t *testing.T) {
	p := newCallPair(t, PCMU(), telephoneEvent(t))
	tx, err := NewTransmitter(TransmitterConfig{Session: p.a, Codec: PCMU(), Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	hold, err := play.NewClip("hold", 8000, mediatest.ToneSamples(400, 8000, 0.2, 800))
	if err != nil {
		t.Fatal(err)
	}
	player, err := play.NewPlayer(hold, play.Config{Rate: 8000, Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	tx.Play(player, func(err error) { ended <- err })
	for range 10 {
		p.step(t, tx)
	}
	if !tx.Stop() || tx.Playing() {
		t.Fatal("Stop did not stop the looping source")
	}
	if err := <-ended; !errors.Is(err, ErrStopped) {
		t.Fatalf("done got %v, want ErrStopped", err)
	}
	for _, d := range "42#" {
		if err := tx.SendDigit(d, 60*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.SendDigit('x', 0); err == nil {
		t.Fatal("SendDigit accepted 'x'")
	}
	for range 40 {
		p.step(t, tx)
	}
	if string(p.tone) != "42#" {
		t.Fatalf("far end heard digits %q, want \"42#\"", string(p.tone))
	}
}

func TestTransmitterWithoutTelephoneEvent(t *testing.T) {
	p := newCallPair(t, PCMA())
	tx, err := NewTransmitter(TransmitterConfig{Session: p.a, Codec: PCMA(), Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.SendDigit('1', 0); !errors.Is(err, ErrNoTelephoneEvent) {
		t.Fatalf("err = %v", err)
	}
}

func TestTransmitterAllocs(t *testing.T) {
	s, _ := pipeSession(t, Config{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	tx, err := NewTransmitter(TransmitterConfig{Session: s, Codec: PCMU(), Record: FrameRecorderFunc(func(time.Duration, []int16) error { return nil }), Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	clip, err := play.NewClip("hold", 8000, mediatest.ToneSamples(400, 8000, 0.2, 800))
	if err != nil {
		t.Fatal(err)
	}
	player, err := play.NewPlayer(clip, play.Config{Rate: 8000, Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	tx.Play(player, nil)
	now := time.Unix(1_700_000_000, 0)
	allocs := testing.AllocsPerRun(500, func() {
		tx.Tick(now)
		now = now.Add(20 * time.Millisecond)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per frame sent, want 0", allocs)
	}
	if st := tx.Stats(); st.Frames < 500 || st.SendErrors != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// A muted Transmitter sends nothing, not even silence; unmuted, it goes
// on with timestamps that kept running and a marker bit.
func TestTransmitterMute(t *testing.T) {
	p := newCallPair(t, PCMU())
	tx, err := NewTransmitter(TransmitterConfig{Session: p.a, Codec: PCMU(), Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		p.step(t, tx)
	}
	sent := p.a.Stats().Send.Packets
	tx.Mute(true)
	if !tx.Muted() {
		t.Fatal("Muted() false after Mute(true)")
	}
	for range 10 {
		tx.Tick(p.clk.now)
		p.clk.now = p.clk.now.Add(20 * time.Millisecond)
	}
	if got := p.a.Stats().Send.Packets; got != sent {
		t.Fatalf("muted transmitter sent %d packets", got-sent)
	}
	tx.Mute(false)
	for range 5 {
		p.step(t, tx)
	}
	if got := p.a.Stats().Send.Packets; got != sent+5 {
		t.Fatalf("after unmute: %d packets, want 5", got-sent)
	}
}
