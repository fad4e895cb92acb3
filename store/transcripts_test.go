package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"
)

func sampleTranscript(id CallID) Transcript {
	return Transcript{
		CallID: id, Script: "bank", Version: "2026.11.1", Path: []string{"greet", "how_help", "which_card"},
		Outcome: "transfer:cards",
		Turns: []Turn{
			{Speaker: "bot", Text: "Welcome to Northgate Bank.", Step: "greet", Start: t0, End: t0.Add(3 * time.Second)},
			{Speaker: "caller", Text: "i lost my card", Step: "how_help", Start: t0.Add(4 * time.Second), End: t0.Add(5 * time.Second),
				ASRConfidence: 0.82, Intent: "lost_card", IntentConfidence: 0.91, Slots: map[string]string{"card_type": "debit"}, Sentiment: -0.2},
			{Speaker: "caller", DTMF: "1", Step: "which_card", Start: t0.Add(6 * time.Second), End: t0.Add(6 * time.Second)},
		},
		Latency: []TurnLatency{{Seq: 1, SpeechEnd: t0.Add(5 * time.Second), ASR: 600 * time.Millisecond, NLU: time.Millisecond,
			TTS: 90 * time.Millisecond, Send: 20 * time.Millisecond, Total: 711 * time.Millisecond}},
		Stored: t0.Add(time.Minute),
	}
}

func TestTranscriptRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	if err := s.CreateCall(ctx, newCall("c1", t0)); err != nil {
		t.Fatal(err)
	}
	want := sampleTranscript("c1")
	if err := s.SaveTranscript(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Transcript(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	// Saving again replaces.
	want.Turns, want.Latency, want.Outcome = want.Turns[:1], nil, "hangup"
	if err := s.SaveTranscript(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err = s.Transcript(ctx, "c1"); err != nil || len(got.Turns) != 1 || got.Latency != nil || got.Outcome != "hangup" {
		t.Fatalf("after replace: %+v, %v", got, err)
	}
}

func TestTranscriptErrors(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	if _, err := s.Transcript(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Transcript of an unknown call: %v", err)
	}
	if err := s.SaveTranscript(ctx, sampleTranscript("nope")); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveTranscript for an unknown call: %v", err)
	}
	bad := sampleTranscript("c1")
	bad.Turns[0].Speaker = "agent"
	if err := s.SaveTranscript(ctx, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad speaker: %v", err)
	}
	bad = sampleTranscript("c1")
	bad.Script = ""
	if err := s.SaveTranscript(ctx, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("no script: %v", err)
	}
}

// FuzzTranscript stores whatever text a recognizer or a caller's keys may
// produce and reads it back unchanged (valid UTF-8) or gets ErrInvalid.
func FuzzTranscript(f *testing.F) {
	f.Add("bank", "i lost my card", "1#", "card_type", "debit", 0.5)
	f.Add("", "", "", "", "", -1.0)
	f.Add("x\x00y", "\xff\xfe", "*", "\"", "}{", 1e308)
	s := openTest(f, "")
	ctx := context.Background()
	if err := s.CreateCall(ctx, newCall("c1", t0)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, script, text, dtmf, slot, value string, conf float64) {
		tr := Transcript{CallID: "c1", Script: script, Path: []string{text}, Outcome: dtmf,
			Turns: []Turn{{Speaker: "caller", Text: text, DTMF: dtmf, Start: t0, End: t0,
				ASRConfidence: conf, Slots: map[string]string{slot: value}}}, Stored: t0}
		err := s.SaveTranscript(ctx, tr)
		if err != nil {
			if errors.Is(err, ErrInvalid) {
				return
			}
			t.Fatalf("SaveTranscript: %v", err)
		}
		got, err := s.Transcript(ctx, "c1")
		if err != nil {
			t.Fatalf("Transcript: %v", err)
		}
		if !utf8.ValidString(text) || !utf8.ValidString(slot) || !utf8.ValidString(value) {
			return // JSON replaces invalid UTF-8 in path and slots
		}
		if got.Turns[0].Text != text || got.Path[0] != text || got.Turns[0].Slots[slot] != value {
			t.Fatalf("round trip of %q/%q=%q: %+v", text, slot, value, got)
		}
	})
}
