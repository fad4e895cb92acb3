package handoff

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/nlu/slots"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var t0 = time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)

func sampleTransfer() *runtime.Transfer {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	return &runtime.Transfer{Queue: "cards", Skills: []string{"cards"}, Priority: 2, Reason: "caller asked for an agent",
		Context: runtime.Handoff{
			Summary: "Caller lost their debit card and wants to speak to someone.",
			Intents: []string{"lost_card", "agent"}, Slots: map[string]string{"card_type": "debit", "account": "****5678"},
			Verified: true, Sentiment: -0.35, Trend: -0.1, Path: []string{"welcome", "menu", "lost_card", "agent"},
			Transcript: []runtime.Turn{
				{Speaker: "bot", Text: "Welcome to Example Bank. How can I help?", Start: at(0), End: at(3), Step: "welcome"},
				{Speaker: "caller", Text: "I lost my card", Start: at(4), End: at(5), Step: "menu", Confidence: 0.82,
					Intent: "lost_card", IntentConfidence: 0.91, Sentiment: -0.2},
				{Speaker: "caller", Text: "debit card", Start: at(9), End: at(10), Step: "lost_card", Confidence: 0.77,
					Slots: []slots.Slot{{Name: "card_type", Value: "debit card", Normalized: "debit"}}, Sentiment: -0.1},
				{Speaker: "caller", Text: "I want to speak to a person", Start: at(14), End: at(16), Step: "lost_card",
					Confidence: 0.8, Intent: "agent", IntentConfidence: 0.88, Sentiment: -0.6},
			},
		}}
}

func TestPacketGolden(t *testing.T) {
	p := NewPacket(Source{CallID: "c-123", Caller: "+447700900123", CallerName: "Jane", Data: map[string]string{"vip": "true"},
		Script: "bank", Transfer: sampleTransfer(), Now: t0.Add(17 * time.Second)})
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "packet.golden.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("packet JSON differs from %s (go test -update to accept):\n%s", golden, pretty.String())
	}
	back, err := ParsePacket(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Caller.Number != "+447700900123" || len(back.Transcript) != 4 || back.Transcript[2].Slots["card_type"] != "debit" ||
		len(back.Sentiment.Points) != 3 || back.Recording.URL != "/api/v1/calls/c-123/recording" || back.Queue != "cards" {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestPacketTruncation(t *testing.T) {
	tr := sampleTransfer()
	long := strings.Repeat("blah ", 700) // 3.5 KB per turn
	var turns []runtime.Turn
	for i := range 200 { // ~700 KB of transcript
		turns = append(turns, runtime.Turn{Speaker: "caller", Text: long, Start: t0.Add(time.Duration(i) * time.Second),
			End: t0.Add(time.Duration(i)*time.Second + 500*time.Millisecond), Sentiment: 0.1})
	}
	turns[199].Text = "the newest turn"
	tr.Context.Transcript = turns
	p := NewPacket(Source{CallID: "c-1", Caller: "123", Transfer: tr, Now: t0})
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxPacketSize {
		t.Fatalf("packet is %d bytes, over %d", len(b), MaxPacketSize)
	}
	back, err := ParsePacket(b)
	if err != nil {
		t.Fatal(err)
	}
	kept := len(back.Transcript) - 1
	if back.Transcript[0].Speaker != "system" || !strings.Contains(back.Transcript[0].Text, "earlier turns omitted") {
		t.Errorf("first turn is not the truncation marker: %+v", back.Transcript[0])
	}
	if back.OmittedTurns+kept != 200 || kept < 50 {
		t.Errorf("omitted %d + kept %d turns, want 200 in all and most of the space used", back.OmittedTurns, kept)
	}
	if last := back.Transcript[len(back.Transcript)-1]; last.Text != "the newest turn" {
		t.Errorf("the newest turn was not kept: %q", last.Text)
	}
	if len(back.Sentiment.Points) != kept {
		t.Errorf("%d sentiment points for %d kept caller turns", len(back.Sentiment.Points), kept)
	}
	// Marshalling a truncated packet again does not stack markers.
	b2, err := back.Marshal()
	if err != nil || len(b2) > MaxPacketSize {
		t.Fatalf("re-marshal: %d bytes, %v", len(b2), err)
	}
}

func TestPacketBadInput(t *testing.T) {
	tr := &runtime.Transfer{Queue: "q\xff", Context: runtime.Handoff{Sentiment: math.NaN(), Trend: math.Inf(1),
		Summary: strings.Repeat("x", 10*maxText), Slots: map[string]string{"a\x00": "\xc3"},
		Transcript: []runtime.Turn{{Speaker: "caller", Text: "bad \xe2\x28\xa1", Confidence: 7, IntentConfidence: math.NaN(), Sentiment: -9}}}}
	p := NewPacket(Source{CallID: "c\x00", Caller: "\xff\xfe", Data: map[string]string{"k": strings.Repeat("é", maxText)}, Transfer: tr})
	b, err := p.Marshal()
	if err != nil {
		t.Fatalf("bad input must still marshal: %v", err)
	}
	if !utf8.Valid(b) || bytes.Contains(b, []byte(`\u0000`)) {
		t.Errorf("packet is not clean UTF-8: %q", b)
	}
	back, err := ParsePacket(b)
	if err != nil {
		t.Fatal(err)
	}
	tu := back.Transcript[0]
	if tu.ASRConfidence != 1 || tu.IntentConfidence != 0 || tu.Sentiment != -1 || back.Sentiment.Current != 0 || back.Sentiment.Trend != 0 {
		t.Errorf("scores not clamped: %+v %+v", tu, back.Sentiment)
	}
	if len(back.Summary) > maxText+len("…") || len(back.Caller.Data["k"]) > maxText+len("…") {
		t.Errorf("text not capped: summary %d, data %d bytes", len(back.Summary), len(back.Caller.Data["k"]))
	}
	// Nil transfer: the call alone.
	if _, err := NewPacket(Source{CallID: "x"}).Marshal(); err != nil {
		t.Error(err)
	}
	for _, in := range []string{"", "{", "[]", `{"version":2}`, `{"version":1,"transcript":"no"}`, strings.Repeat(" ", MaxPacketSize+1)} {
		if _, err := ParsePacket([]byte(in)); err == nil {
			t.Errorf("ParsePacket(%.20q) accepted", in)
		}
	}
	if _, err := ParsePacket(make([]byte, MaxPacketSize+1)); !errors.Is(err, ErrPacketTooLarge) {
		t.Errorf("oversized input: %v, want ErrPacketTooLarge", err)
	}
}

func FuzzParsePacket(f *testing.F) {
	b, _ := NewPacket(Source{CallID: "c", Caller: "1", Transfer: sampleTransfer(), Now: t0}).Marshal()
	f.Add(b)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"transcript":[{"speaker":"system","text":"x"}],"omitted_turns":-5}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParsePacket(in)
		if err != nil {
			return
		}
		out, err := p.Marshal()
		if err != nil {
			if errors.Is(err, ErrPacketTooLarge) {
				return
			}
			t.Fatalf("parsed packet does not marshal: %v", err)
		}
		if len(out) > MaxPacketSize {
			t.Fatalf("marshalled %d bytes", len(out))
		}
		if _, err := ParsePacket(out); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

// BenchmarkPacket builds and marshals the packet of a 40-turn call, as a
// transfer does.
func BenchmarkPacket(b *testing.B) {
	tr := sampleTransfer()
	for len(tr.Context.Transcript) < 40 {
		tr.Context.Transcript = append(tr.Context.Transcript, tr.Context.Transcript[:4]...)
	}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := NewPacket(Source{CallID: "c-1", Caller: "+447700900123", Transfer: tr, Now: t0}).Marshal()
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/packet")
}

// BenchmarkPacketTruncate marshals a 700 KB transcript down to 256 KiB.
func BenchmarkPacketTruncate(b *testing.B) {
	tr := sampleTransfer()
	long := strings.Repeat("blah ", 700)
	tr.Context.Transcript = nil
	for i := range 200 {
		tr.Context.Transcript = append(tr.Context.Transcript, runtime.Turn{Speaker: "caller", Text: long, Start: t0.Add(time.Duration(i) * time.Second)})
	}
	p := NewPacket(Source{CallID: "c-1", Transfer: tr, Now: t0})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}
