package opus

import (
	"strconv"
	"testing"

	hraban "gopkg.in/hraban/opus.v2"
)

// TestNoAllocs asserts the per-frame paths allocate nothing, including the
// corrupt-frame error path, and that hraban's own calls do not either.
func TestNoAllocs(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		t.Run(strconv.Itoa(rate), func(t *testing.T) {
			frame := rate / 50
			enc, err := NewEncoder(Config{SampleRate: rate, FEC: true, PacketLossPercent: 10})
			if err != nil {
				t.Fatal(err)
			}
			pcm := speech(t, rate)[rate : rate+frame]
			payload := make([]byte, 1500)
			n, err := enc.Encode(pcm, payload)
			if err != nil {
				t.Fatal(err)
			}
			pkt := payload[:n]
			dec := newDecoder(t, rate)
			out := make([]int16, MaxPacketSamples(rate))
			corrupt := []byte{0x0b, 0x07}
			lib, err := hraban.NewDecoder(rate, 1)
			if err != nil {
				t.Fatal(err)
			}
			paths := []struct {
				name string
				f    func()
			}{
				{"Encode", func() { _, _ = enc.Encode(pcm, payload) }},
				{"Decode", func() { _, _ = dec.Decode(pkt, out) }},
				{"Conceal", func() { _, _ = dec.Conceal(out, frame) }},
				{"DecodeFEC", func() { _, _ = dec.DecodeFEC(pkt, out, frame) }},
				{"Decode corrupt", func() { _, _ = dec.Decode(corrupt, out) }},
				{"PacketSamples", func() { _, _ = PacketSamples(pkt, rate) }},
				{"hraban Decode", func() { _, _ = lib.Decode(pkt, out[:frame]) }},
				{"hraban DecodePLC", func() { _ = lib.DecodePLC(out[:frame]) }},
			}
			for _, p := range paths {
				if a := testing.AllocsPerRun(100, p.f); a != 0 {
					t.Errorf("%s: %.1f allocs per call, want 0", p.name, a)
				}
			}
		})
	}
}

// TestHrabanErrorAllocates documents why Decode validates framing itself:
// hraban returns libopus error codes boxed in an interface, which
// allocates for every corrupt packet.
func TestHrabanErrorAllocates(t *testing.T) {
	lib, err := hraban.NewDecoder(48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, 5760)
	corrupt := []byte{0x0b, 0x07}
	if a := testing.AllocsPerRun(100, func() { _, _ = lib.Decode(corrupt, out) }); a == 0 {
		t.Errorf("hraban corrupt-packet path no longer allocates; Decode's own framing check could go")
	}
}
