package dtmf

import (
	"testing"
	"time"
)

// TestNoAllocs asserts the per-packet paths allocate nothing, including a
// short payload and callbacks that receive the Tone by value.
func TestNoAllocs(t *testing.T) {
	var begins, ends int
	rx, err := NewReceiver(ReceiverConfig{
		OnBegin: func(Tone) { begins++ },
		OnEnd:   func(Tone) { ends++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := NewSender(SenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	now, ts := t0, uint32(0)
	var ev Event
	paths := []struct {
		name string
		f    func()
	}{
		{"Unmarshal", func() { _ = ev.Unmarshal([]byte{9, 0x87, 6, 0x40}) }},
		{"MarshalTo", func() { _, _ = ev.MarshalTo(buf) }},
		{"Unmarshal short", func() { _ = ev.Unmarshal(buf[:2]) }},
		{"Sender and Receiver, one packet", func() {
			if !tx.Active() {
				ts += 8000
				if err := tx.Start(5, 100*time.Millisecond, ts); err != nil {
					t.Fatal(err)
				}
			}
			p, err := tx.Next(buf)
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(20 * time.Millisecond)
			if err := rx.Feed(p.Timestamp, p.Marker, buf[:p.N], now); err != nil {
				t.Fatal(err)
			}
			rx.Tick(now)
		}},
		{"Feed short", func() { _ = rx.Feed(0, false, buf[:1], now) }},
	}
	for _, p := range paths {
		if a := testing.AllocsPerRun(200, p.f); a != 0 {
			t.Errorf("%s: %.1f allocs per call, want 0", p.name, a)
		}
	}
	if begins == 0 || begins != ends && begins != ends+1 {
		t.Errorf("%d begins, %d ends", begins, ends)
	}
}

func BenchmarkEventUnmarshal(b *testing.B) {
	payload := []byte{9, 0x87, 6, 0x40}
	var ev Event
	b.ReportAllocs()
	for b.Loop() {
		if err := ev.Unmarshal(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEventMarshalTo(b *testing.B) {
	ev := Event{Code: 9, End: true, Volume: 7, Duration: 1600}
	buf := make([]byte, 4)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ev.MarshalTo(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSenderNext measures one 20 ms packet of a 100 ms tone,
// restarting the tone when it ends.
func BenchmarkSenderNext(b *testing.B) {
	tx, err := NewSender(SenderConfig{})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4)
	b.ReportAllocs()
	for b.Loop() {
		if !tx.Active() {
			if err := tx.Start(5, 100*time.Millisecond, 0); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := tx.Next(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReceiverFeed measures one received packet: a recorded 100 ms
// tone sequence (marker, updates, three end packets) fed in a loop with
// advancing timestamps.
func BenchmarkReceiverFeed(b *testing.B) {
	tx, err := NewSender(SenderConfig{})
	if err != nil {
		b.Fatal(err)
	}
	if err := tx.Start(5, 100*time.Millisecond, 0); err != nil {
		b.Fatal(err)
	}
	type rec struct {
		p       Packet
		payload [4]byte
	}
	var seq []rec
	for tx.Active() {
		var r rec
		if r.p, err = tx.Next(r.payload[:]); err != nil {
			b.Fatal(err)
		}
		seq = append(seq, r)
	}
	tones := 0
	rx, err := NewReceiver(ReceiverConfig{OnEnd: func(Tone) { tones++ }})
	if err != nil {
		b.Fatal(err)
	}
	now, i := t0, 0
	b.ReportAllocs()
	for b.Loop() {
		r := &seq[i%len(seq)]
		now = now.Add(20 * time.Millisecond)
		ts := r.p.Timestamp + uint32(i/len(seq))*8000
		if err := rx.Feed(ts, r.p.Marker, r.payload[:], now); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if want := i / len(seq); tones < want-1 {
		b.Fatalf("%d tones from %d packets, want %d", tones, i, want)
	}
}
