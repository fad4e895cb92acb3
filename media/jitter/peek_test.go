package jitter

import (
	"bytes"
	"testing"
	"time"
)

func TestPeekAfterLoss(t *testing.T) {
	b, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	out := make([]byte, 1500)
	if _, ok := b.Peek(out); ok {
		t.Fatal("Peek on an empty buffer reported a packet")
	}
	// Packets 1..10 every 20 ms, with 5 lost.
	for i := 1; i <= 10; i++ {
		if i == 5 {
			continue
		}
		if err := b.Push(uint16(i), uint32(i*160), []byte{byte(i)}, t0.Add(time.Duration(i)*20*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(60 * time.Millisecond)
	for range 20 {
		now = now.Add(20 * time.Millisecond)
		f, err := b.Pop(out, now)
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != Lost {
			continue
		}
		if f.Seq != 5 {
			t.Fatalf("lost seq %d, want 5", f.Seq)
		}
		n, ok := b.Peek(out)
		if !ok || !bytes.Equal(out[:n], []byte{6}) {
			t.Fatalf("Peek after the loss = %v %v, want packet 6", out[:n], ok)
		}
		// Peek does not consume: the next Pop plays packet 6.
		f, err = b.Pop(out, now.Add(20*time.Millisecond))
		if err != nil || f.Status != Packet || f.Seq != 6 {
			t.Fatalf("Pop after Peek = %+v %v", f, err)
		}
		if _, ok := b.Peek(out[:0]); ok {
			t.Fatal("Peek into a too-short buffer reported a packet")
		}
		return
	}
	t.Fatal("no Lost frame")
}
