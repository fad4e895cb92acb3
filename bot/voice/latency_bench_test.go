package voice_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parley-cc/parley/bot/voice"
)

// BenchmarkVoiceTurn runs the bot of testdata/latency/latency.yaml over
// the real path on loopback (a caller UA over G.722 -> Parley's UA -> the
// voice loop -> MRCPv2 -> flite and PocketSphinx) and measures, per caller
// turn, the caller's last speech packet sent -> the first bot speech
// packet received, then subtracts the recognizer's Speech-Complete-Timeout
// and the engine time measured at the engine boundary in the same run.
// Every third iteration also barges in over a long prompt: speech onset at
// the caller's RTP -> the last prompt packet the caller receives. One
// iteration is one "red" turn; run with -benchtime 100x.
func BenchmarkVoiceTurn(b *testing.B) {
	e := startLatency(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	if err := e.caller.waitQuiet(ctx, start, 700*time.Millisecond, 15*time.Second); err != nil {
		b.Fatalf("greeting: %v", err)
	}
	var turns, bargeTurns []turnTiming
	var barges []time.Duration
	failed, misheard, lost := 0, 0, 0
	i := 0
	// The body is a closure: the compiler's b.Loop keep-alive rewrite
	// crashes on it inline (go1.26 internal compiler error).
	iteration := func() {
		i++
		// "red" after the bot has finished: answered by the long prompt.
		tt, err := e.turn(ctx, e.red)
		switch {
		case errors.Is(err, errMisrecognized):
			misheard++
			b.Logf("turn %d: %v", i, err)
		case err != nil:
			// The recognizer missed the speech: the caller speaks again.
			lost++
			b.Logf("turn %d: %v", i, err)
			if lost > 10 {
				b.Fatalf("%d turns lost", lost)
			}
			return
		default:
			turns = append(turns, tt)
			// "red" again over it, 0.8-1.2 s in, at varying frame phases:
			// answered with "Red." and "Again.".
			at := 800*time.Millisecond + time.Duration(i*37%400)*time.Millisecond
			d, end, horizon, err := e.bargeIn(ctx, tt.first, at, e.red)
			if err != nil {
				b.Logf("barge-in %d: %v", i, err)
				failed++
			} else {
				barges = append(barges, d)
				if bt, err := e.measure(ctx, end, horizon); err == nil {
					bargeTurns = append(bargeTurns, bt)
				} else {
					b.Logf("turn after barge-in %d: %v", i, err)
				}
			}
		}
		if err := e.caller.waitQuiet(ctx, time.Now(), 700*time.Millisecond, 20*time.Second); err != nil {
			b.Fatalf("turn %d: %v", i, err)
		}
	}
	for b.Loop() {
		iteration()
	}
	b.StopTimer()
	res := e.hangup(b)
	b.Logf("misrecognized turns %d, turns without an answer %d (not samples)", misheard, lost)
	report(b, turns, bargeTurns, barges, failed, res)
}

func report(b *testing.B, turns, bargeTurns []turnTiming, barges []time.Duration, failed int, res voice.Result) {
	all := make([]turnTiming, 0, len(turns)+len(bargeTurns))
	all = append(append(all, turns...), bargeTurns...)
	pick := func(f func(turnTiming) time.Duration) []time.Duration {
		out := make([]time.Duration, len(all))
		for i, t := range all {
			out[i] = f(t)
		}
		return out
	}
	stages := []struct {
		name string
		ds   []time.Duration
	}{
		{"parley", pick(func(t turnTiming) time.Duration { return t.parley })},
		{"parley-quiet", parleyOf(turns)},
		{"parley-barged", parleyOf(bargeTurns)},
		{"total", pick(func(t turnTiming) time.Duration { return t.total })},
		{"asr-engine", pick(func(t turnTiming) time.Duration { return t.asr })},
		{"tts-engine", pick(func(t turnTiming) time.Duration { return t.tts })},
		{"tts-lead", pick(func(t turnTiming) time.Duration { return t.lead })},
		{"barge-in", barges},
	}
	var nlu, send, loopASR, loopTTS []time.Duration
	for _, l := range res.Latency {
		nlu, send = append(nlu, l.NLU()), append(send, l.Send())
		loopASR, loopTTS = append(loopASR, l.ASR()), append(loopTTS, l.TTS())
	}
	stages = append(stages, struct {
		name string
		ds   []time.Duration
	}{"loop-asr", loopASR}, struct {
		name string
		ds   []time.Duration
	}{"loop-nlu", nlu}, struct {
		name string
		ds   []time.Duration
	}{"loop-tts", loopTTS}, struct {
		name string
		ds   []time.Duration
	}{"loop-send", send})
	for _, s := range stages {
		b.ReportMetric(ms(percentile(s.ds, 50)), s.name+"-p50-ms")
		b.ReportMetric(ms(percentile(s.ds, 95)), s.name+"-p95-ms")
		b.Logf("%-10s n=%3d p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms", s.name, len(s.ds), ms(percentile(s.ds, 50)), ms(percentile(s.ds, 95)), ms(percentile(s.ds, 100)))
	}
	b.ReportMetric(float64(len(all)), "turns")
	b.ReportMetric(float64(len(barges)), "barge-ins")
	b.Logf("turns %d (%d after the bot finished, %d after a barge-in), barge-in trials %d ok, %d failed; loop barge-ins %d", len(all), len(turns), len(bargeTurns), len(barges), failed, res.BargeIns)
}

func parleyOf(ts []turnTiming) []time.Duration {
	out := make([]time.Duration, len(ts))
	for i, t := range ts {
		out[i] = t.parley
	}
	return out
}
