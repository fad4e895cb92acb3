package media

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-cc/parley/media/mediatest"
)

// frameQueue is a relay's source: whole frames or nothing.
type frameQueue struct{ frames [][]int16 }

func (q *frameQueue) Next(pcm []int16) (int, error) {
	if len(q.frames) == 0 {
		return 0, nil
	}
	n := copy(pcm, q.frames[0])
	q.frames = q.frames[1:]
	return n, nil
}

func readPackets(t *testing.T, b *mediatest.PipeConn, n int) []rtp.Packet {
	t.Helper()
	var out []rtp.Packet
	buf := make([]byte, 1500)
	for len(out) < n {
		_ = b.SetReadDeadline(time.Now().Add(2 * time.Second))
		k, _, err := b.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %d of %d packets: %v", len(out), n, err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(append([]byte(nil), buf[:k]...)); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// Kick sends queued frames at once, at most MaxKickLead ahead of the
// clock; Ticks within Slack of the clock send no silence in their place,
// and the stream's sequence numbers and timestamps stay continuous.
func TestTransmitterKick(t *testing.T) {
	s, b := pipeSession(t, Config{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	tx, err := NewTransmitter(TransmitterConfig{Session: s, Codec: PCMU(), Slack: 40 * time.Millisecond, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	loud := make([]int16, 160)
	for i := range loud {
		loud[i] = int16(8000 - 16000*(i%2))
	}
	q := &frameQueue{}
	t0 := time.Unix(1_700_000_000, 0)
	if got := tx.Kick(t0, MaxKickLead); got != 0 {
		t.Fatalf("Kick with no source sent %d frames", got)
	}
	tx.Play(q, nil)
	tx.Tick(t0) // due 1, slack 2 frames: nothing yet
	if got := tx.Kick(t0.Add(time.Millisecond), MaxKickLead); got != 0 {
		t.Fatalf("Kick with nothing queued sent %d frames", got)
	}
	q.frames = append(q.frames, loud)
	if got := tx.Kick(t0.Add(5*time.Millisecond), MaxKickLead); got != 1 {
		t.Fatalf("Kick sent %d frames, want 1", got)
	}
	tx.Tick(t0.Add(20 * time.Millisecond)) // within slack: no silence
	for range 8 {
		q.frames = append(q.frames, loud)
	}
	// due 2 at 25 ms, so frames 1-6 may go: 6 of the 8.
	if got := tx.Kick(t0.Add(25*time.Millisecond), MaxKickLead); got != 6 {
		t.Fatalf("burst: Kick sent %d frames, want 6 (MaxKickLead)", got)
	}
	tx.Tick(t0.Add(40 * time.Millisecond)) // ahead of the clock: the queue waits
	if len(q.frames) != 2 {
		t.Fatalf("%d frames queued, want 2", len(q.frames))
	}
	// The clock passes the stream: Ticks send the rest, then silence.
	tx.Tick(t0.Add(200 * time.Millisecond)) // due 11 - 2 = 9: frames 7, 8
	tx.Tick(t0.Add(220 * time.Millisecond)) // 10 - 9: silence
	pkts := readPackets(t, b, 10)
	for i, p := range pkts {
		if i > 0 {
			if d := p.SequenceNumber - pkts[i-1].SequenceNumber; d != 1 {
				t.Fatalf("packet %d: sequence step %d", i, d)
			}
			if d := p.Timestamp - pkts[i-1].Timestamp; d != 160 {
				t.Fatalf("packet %d: timestamp step %d", i, d)
			}
		}
		silent := p.Payload[0] == 0xff || p.Payload[0] == 0x7f
		if want := i < 9; silent == want {
			t.Fatalf("packet %d: silent %v, want audio %v", i, silent, want)
		}
	}
	if st := tx.Stats(); st.Frames != 9 || st.Silence != 1 {
		t.Fatalf("stats %+v, want 9 frames and 1 silence", st)
	}
	tx.Mute(true)
	q.frames = append(q.frames, loud)
	if got := tx.Kick(t0.Add(300*time.Millisecond), MaxKickLead); got != 0 {
		t.Fatalf("muted Kick sent %d frames", got)
	}
}

func TestTransmitterKickAllocs(t *testing.T) {
	s, _ := pipeSession(t, Config{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	tx, err := NewTransmitter(TransmitterConfig{Session: s, Codec: PCMU(), Slack: 40 * time.Millisecond, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, 160)
	for i := range frame {
		frame[i] = int16(1000 * (i % 7))
	}
	ready := false
	tx.Play(SourceFunc(func(pcm []int16) (int, error) {
		if !ready {
			return 0, nil
		}
		ready = false
		return copy(pcm, frame), nil
	}), nil)
	now := time.Unix(1_700_000_000, 0)
	allocs := testing.AllocsPerRun(500, func() {
		ready = true
		tx.Kick(now, MaxKickLead)
		tx.Tick(now)
		now = now.Add(20 * time.Millisecond)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per kicked frame, want 0", allocs)
	}
}

// With DTX, pauses send nothing, and a Kick starts the talkspurt at once:
// marker bit, a timestamp moved back by how early it is (the real time),
// and the Ticks continue from there.
func TestTransmitterDTXKick(t *testing.T) {
	s, b := pipeSession(t, Config{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	tx, err := NewTransmitter(TransmitterConfig{Session: s, Codec: PCMU(), DTX: true, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	loud := make([]int16, 160)
	for i := range loud {
		loud[i] = int16(8000 - 16000*(i%2))
	}
	q := &frameQueue{frames: [][]int16{loud}}
	tx.Play(q, nil)
	t0 := time.Unix(1_700_000_000, 0)
	tx.Tick(t0)                            // frame 0: audio
	tx.Tick(t0.Add(20 * time.Millisecond)) // frame 1: nothing to send
	if got := tx.Kick(t0.Add(25*time.Millisecond), 0); got != 0 {
		t.Fatalf("Kick with nothing queued sent %d", got)
	}
	q.frames = append(q.frames, loud, loud, loud)
	if got := tx.Kick(t0.Add(27*time.Millisecond), 0); got != 1 {
		t.Fatalf("Kick in a pause sent %d frames, want 1", got)
	}
	tx.Tick(t0.Add(40 * time.Millisecond)) // the moved clock: nothing due
	tx.Tick(t0.Add(60 * time.Millisecond))
	tx.Tick(t0.Add(80 * time.Millisecond))
	tx.Tick(t0.Add(100 * time.Millisecond)) // empty: nothing sent
	pkts := readPackets(t, b, 4)
	if d := pkts[1].Timestamp - pkts[0].Timestamp; d != 320-104 {
		t.Fatalf("talkspurt timestamp step %d, want 216 (two frames less 13 ms)", d)
	}
	if !pkts[0].Marker || !pkts[1].Marker || pkts[2].Marker || pkts[3].Marker {
		t.Fatalf("markers %v %v %v %v, want the first of each talkspurt", pkts[0].Marker, pkts[1].Marker, pkts[2].Marker, pkts[3].Marker)
	}
	for i := 2; i < 4; i++ {
		if d := pkts[i].Timestamp - pkts[i-1].Timestamp; d != 160 {
			t.Fatalf("packet %d: timestamp step %d", i, d)
		}
	}
	if st := s.Stats(); st.Send.Packets != 4 {
		t.Fatalf("%d packets sent, want 4", st.Send.Packets)
	}
}
