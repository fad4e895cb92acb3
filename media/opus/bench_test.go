package opus

import (
	"strconv"
	"testing"
)

var benchRates = []int{48000, 16000, 8000}

// benchPackets encodes espeak-ng speech at rate with cfg (20 ms frames).
func benchPackets(b *testing.B, cfg Config) [][]byte {
	b.Helper()
	enc, err := NewEncoder(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return encodeAll(b, enc, speech(b, enc.SampleRate()), enc.SampleRate()/50)
}

func BenchmarkDecode20ms(b *testing.B) {
	for _, rate := range benchRates {
		b.Run(strconv.Itoa(rate), func(b *testing.B) {
			pkts := benchPackets(b, Config{SampleRate: rate})
			dec := newDecoder(b, rate)
			out := make([]int16, MaxPacketSamples(rate))
			b.ReportAllocs()
			i := 0
			cpu := startCPU()
			for b.Loop() {
				if _, err := dec.Decode(pkts[i%len(pkts)], out); err != nil {
					b.Fatal(err)
				}
				i++
			}
			cpu.report(b)
		})
	}
}

func BenchmarkEncode20ms(b *testing.B) {
	for _, rate := range benchRates {
		for _, cx := range []int{0, 5, 1} { // 0: libopus default (9)
			name := strconv.Itoa(rate) + "/complexity=" + strconv.Itoa(cx)
			if cx == 0 {
				name = strconv.Itoa(rate) + "/complexity=default"
			}
			b.Run(name, func(b *testing.B) {
				enc, err := NewEncoder(Config{SampleRate: rate, Complexity: cx})
				if err != nil {
					b.Fatal(err)
				}
				fs := frames(speech(b, rate), rate/50)
				payload := make([]byte, 1500)
				b.ReportAllocs()
				i := 0
				cpu := startCPU()
				for b.Loop() {
					if _, err := enc.Encode(fs[i%len(fs)], payload); err != nil {
						b.Fatal(err)
					}
					i++
				}
				cpu.report(b)
			})
		}
	}
}

func BenchmarkConceal20ms(b *testing.B) {
	for _, rate := range benchRates {
		b.Run(strconv.Itoa(rate), func(b *testing.B) {
			pkts := benchPackets(b, Config{SampleRate: rate, FEC: true, PacketLossPercent: 10})
			dec := newDecoder(b, rate)
			out := make([]int16, MaxPacketSamples(rate))
			frame := rate / 50
			b.ReportAllocs()
			i := 0
			cpu := startCPU()
			for b.Loop() { // conceal one frame in four, as under heavy loss
				var err error
				switch p := pkts[i%len(pkts)]; i % 4 {
				case 0:
					_, err = dec.Conceal(out, frame)
				case 1:
					_, err = dec.DecodeFEC(p, out, frame)
				default:
					_, err = dec.Decode(p, out)
				}
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
			cpu.report(b)
		})
	}
}
