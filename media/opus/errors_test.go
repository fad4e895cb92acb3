package opus

import (
	"errors"
	"slices"
	"testing"
)

func TestNewEncoderConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		want    Config // effective config; zero when an error is expected
		wantErr int    // number of joined ErrInvalidConfig errors
	}{
		{"zero value", Config{}, Config{SampleRate: 48000, Bitrate: 32000}, 0},
		{"8k", Config{SampleRate: 8000}, Config{SampleRate: 8000, Bitrate: 12000}, 0},
		{"8k fec", Config{SampleRate: 8000, FEC: true, PacketLossPercent: 10},
			Config{SampleRate: 8000, Bitrate: 20000, FEC: true, PacketLossPercent: 10}, 0},
		{"16k", Config{SampleRate: 16000}, Config{SampleRate: 16000, Bitrate: 20000}, 0},
		{"16k fec", Config{SampleRate: 16000, FEC: true, PacketLossPercent: 10},
			Config{SampleRate: 16000, Bitrate: 24000, FEC: true, PacketLossPercent: 10}, 0},
		{"fec without loss keeps low default", Config{SampleRate: 8000, FEC: true},
			Config{SampleRate: 8000, Bitrate: 12000, FEC: true}, 0},
		{"explicit", Config{SampleRate: 16000, Bitrate: 16000, Complexity: 3, DTX: true, Application: AppAudio},
			Config{SampleRate: 16000, Bitrate: 16000, Complexity: 3, DTX: true, Application: AppAudio}, 0},
		{"44.1k", Config{SampleRate: 44100}, Config{}, 1},
		{"bitrate low", Config{Bitrate: 5999}, Config{}, 1},
		{"bitrate high", Config{Bitrate: 510001}, Config{}, 1},
		{"complexity", Config{Complexity: 11}, Config{}, 1},
		{"loss", Config{PacketLossPercent: -1}, Config{}, 1},
		{"application", Config{Application: 7}, Config{}, 1},
		{"everything wrong", Config{SampleRate: 1, Bitrate: 1, Complexity: -1, PacketLossPercent: 101, Application: -1}, Config{}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := NewEncoder(tc.cfg)
			if tc.wantErr > 0 {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Fatalf("err = %v, want ErrInvalidConfig", err)
				}
				var joined interface{ Unwrap() []error }
				if errors.As(err, &joined) && len(joined.Unwrap()) != tc.wantErr {
					t.Fatalf("%d errors, want %d: %v", len(joined.Unwrap()), tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := enc.Config(); got != tc.want {
				t.Fatalf("config %+v, want %+v", got, tc.want)
			}
			bitrate, err := enc.lib.Bitrate()
			if err != nil || bitrate != tc.want.Bitrate {
				t.Errorf("libopus bitrate %d, %v; want %d", bitrate, err, tc.want.Bitrate)
			}
			dtx, err := enc.lib.DTX()
			if err != nil || dtx != tc.want.DTX {
				t.Errorf("libopus dtx %v, %v; want %v", dtx, err, tc.want.DTX)
			}
		})
	}
}

func TestNewDecoderRate(t *testing.T) {
	for _, rate := range []int{0, 12000, 24000, 44100, -8000} {
		if _, err := NewDecoder(rate); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewDecoder(%d): %v, want ErrInvalidConfig", rate, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	enc, err := NewEncoder(Config{SampleRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	tests := []struct {
		name    string
		pcm     []int16
		payload []byte
		want    error
	}{
		{"empty pcm", nil, buf, ErrFrameSize},
		{"2.5 ms", make([]int16, 20), buf, ErrFrameSize},
		{"30 ms", make([]int16, 240), buf, ErrFrameSize},
		{"21 ms", make([]int16, 168), buf, ErrFrameSize},
		{"120 ms", make([]int16, 960), buf, ErrFrameSize},
		{"no payload buffer", make([]int16, 160), nil, ErrShortBuffer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n, err := enc.Encode(tc.pcm, tc.payload); !errors.Is(err, tc.want) {
				t.Fatalf("Encode = %d, %v; want %v", n, err, tc.want)
			}
		})
	}
	for _, n := range []int{80, 160, 320, 480} {
		if _, err := enc.Encode(make([]int16, n), buf); err != nil {
			t.Errorf("%d samples: %v", n, err)
		}
	}
}

// TestDecodeCorrupt feeds malformed payloads between valid ones: each
// returns ErrCorruptFrame, nothing panics, and the decoder output for the
// valid packets is exactly what a decoder that never saw the garbage
// produces.
func TestDecodeCorrupt(t *testing.T) {
	const rate = 16000
	enc, err := NewEncoder(Config{SampleRate: rate})
	if err != nil {
		t.Fatal(err)
	}
	pkts := encodeAll(t, enc, speech(t, rate)[:rate*2], rate/50)
	want := decodeAll(t, newDecoder(t, rate), pkts)

	var corrupt [][]byte
	for _, tc := range packetCases {
		if tc.samples == 0 {
			corrupt = append(corrupt, tc.packet)
		}
	}
	dec := newDecoder(t, rate)
	buf := make([]int16, MaxPacketSamples(rate))
	var got []int16
	for i, p := range pkts {
		bad := corrupt[i%len(corrupt)]
		if n, err := dec.Decode(bad, buf); !errors.Is(err, ErrCorruptFrame) || n != 0 {
			t.Fatalf("corrupt % x: %d, %v; want ErrCorruptFrame", bad[:min(len(bad), 8)], n, err)
		}
		if n, err := dec.DecodeFEC(bad, buf, rate/50); !errors.Is(err, ErrCorruptFrame) || n != 0 {
			t.Fatalf("DecodeFEC corrupt % x: %d, %v; want ErrCorruptFrame", bad[:min(len(bad), 8)], n, err)
		}
		n, err := dec.Decode(p, buf)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		got = append(got, buf[:n]...)
	}
	if !slices.Equal(got, want) {
		t.Fatal("corrupt payloads changed the decoder output")
	}
}

// TestDecodeTruncated cuts real packets (20 and 60 ms, which libopus packs
// as code 0 and code 3 packets) at every length. A cut packet either
// decodes to the full frame or returns ErrCorruptFrame; framing damage
// inside a code 0 packet is invisible to any decoder and decodes as noise.
func TestDecodeTruncated(t *testing.T) {
	const rate = 48000
	pcm := speech(t, rate)
	for _, ms := range []int{20, 60} {
		enc, err := NewEncoder(Config{SampleRate: rate, Bitrate: 64000})
		if err != nil {
			t.Fatal(err)
		}
		frame := rate * ms / 1000
		pkts := encodeAll(t, enc, pcm[:rate], frame)
		dec := newDecoder(t, rate)
		buf := make([]int16, MaxPacketSamples(rate))
		detected := 0
		for _, p := range pkts {
			for cut := range len(p) {
				n, err := dec.Decode(p[:cut], buf)
				switch {
				case errors.Is(err, ErrCorruptFrame):
					detected++
				case err != nil:
					t.Fatalf("%d ms packet cut to %d of %d: %v", ms, cut, len(p), err)
				case n != frame:
					t.Fatalf("%d ms packet cut to %d of %d: %d samples", ms, cut, len(p), n)
				}
			}
		}
		if detected == 0 {
			t.Errorf("%d ms: no truncation detected", ms)
		}
		t.Logf("%d ms frames: %d truncations rejected", ms, detected)
	}
}

func TestConcealErrors(t *testing.T) {
	dec := newDecoder(t, 8000)
	buf := make([]int16, 960)
	next := []byte{0x08, 1, 2, 3}
	tests := []struct {
		name string
		pcm  []int16
		n    int
		want error
	}{
		{"zero", buf, 0, ErrFrameSize},
		{"negative", buf, -160, ErrFrameSize},
		{"not 2.5 ms multiple", buf, 150, ErrFrameSize},
		{"pcm too small", buf[:100], 160, ErrShortBuffer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n, err := dec.Conceal(tc.pcm, tc.n); !errors.Is(err, tc.want) {
				t.Errorf("Conceal = %d, %v; want %v", n, err, tc.want)
			}
			if n, err := dec.DecodeFEC(next, tc.pcm, tc.n); !errors.Is(err, tc.want) {
				t.Errorf("DecodeFEC = %d, %v; want %v", n, err, tc.want)
			}
		})
	}
	if n, err := dec.Decode(next, buf[:159]); !errors.Is(err, ErrShortBuffer) {
		t.Errorf("Decode into 159 samples = %d, %v; want ErrShortBuffer", n, err)
	}
	for _, n := range []int{20, 160, 480, 960} { // 2.5 ms to 120 ms
		if got, err := dec.Conceal(buf, n); err != nil || got != n {
			t.Errorf("Conceal(%d) = %d, %v", n, got, err)
		}
	}
}
