package runtime

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/mrcp/srgs"
)

const testScript = `
name: t
settings: {no_input_timeout: 4s, time_zone: Europe/London}
prompts:
  hi: {text: Hello. Calls are recorded., barge_in: off}
  menu: {text: Press 1 for sales or 2 for support.}
  num: {text: Key your 4 digit code.}
  ok: {text: "Code {code} accepted."}
  bye: {text: Bye.}
slots:
  code: {type: digits, min_length: 4, max_length: 4}
steps:
  - id: hi
    say: {prompt: hi}
    next: menu
  - id: menu
    menu:
      prompt: menu
      options:
        - {key: "1", phrases: [sales], next: code}
        - {key: "2", phrases: [support], next: calc}
  - id: code
    collect: {slot: code, prompt: num}
    next: done
  - id: done
    hangup: {prompt: ok}
  - id: calc
    set: {vars: {x: 'int(slots.code) / 0 > 1 ? 1 : 2'}}
    next: bye
  - id: bye
    hangup: {prompt: bye}
handlers:
  failure: {queue: support, priority: 9}
`

func newTestDialogue(t *testing.T) *Dialogue {
	t.Helper()
	s, err := script.Parse("t.yaml", []byte(testScript))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compile(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	return b.NewDialogue(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { now = now.Add(time.Second); return now }})
}

func TestMenuHintsAndBargeIn(t *testing.T) {
	d := newTestDialogue(t)
	acts := d.Start(context.Background())
	if len(acts) != 3 {
		t.Fatalf("start actions %v, want say, say, listen", acts)
	}
	if s := acts[0].(*Say); s.BargeIn != script.BargeInOff {
		t.Errorf("compliance prompt barge-in %s, want off", s.BargeIn)
	}
	if s := acts[1].(*Say); s.BargeIn != script.BargeInOn {
		t.Errorf("menu prompt barge-in %s, want on", s.BargeIn)
	}
	l := acts[2].(*Listen)
	if l.NoInput != 4*time.Second || l.Speech == nil || l.DTMF == nil {
		t.Fatalf("listen %+v", l)
	}
	for _, g := range []*Grammar{l.Speech, l.DTMF} {
		gr, err := srgs.Parse(g.Type, []byte(g.Body))
		if err != nil {
			t.Fatalf("grammar does not parse: %v\n%s", err, g.Body)
		}
		_ = gr
	}
	gr, _ := srgs.Parse(l.Speech.Type, []byte(l.Speech.Body))
	if ok, v := match(gr, "support"); !ok || v != "2" {
		t.Errorf("speech grammar: support -> %v %v, want 2", ok, v)
	}
	gr, _ = srgs.Parse(l.DTMF.Type, []byte(l.DTMF.Body))
	if ok, v := match(gr, "1"); !ok || v != "1" {
		t.Errorf("dtmf grammar: 1 -> %v %v", ok, v)
	}
}

func match(g *srgs.Grammar, in string) (bool, any) {
	m, ok := g.Match(in)
	if !ok {
		return false, nil
	}
	return true, m.Instance
}

func TestCollectDigitsByKeypadAfterASRFailure(t *testing.T) {
	ctx := context.Background()
	d := newTestDialogue(t)
	d.Start(ctx)
	acts := d.Input(ctx, Event{Kind: Speech, Text: "sales please", Confidence: 0.8})
	l := acts[len(acts)-1].(*Listen)
	if l.MaxDigits != 4 || l.DTMF == nil || l.Speech == nil {
		t.Fatalf("collect listen %+v", l)
	}
	for in, g := range map[string]*Grammar{"one two three four": l.Speech, "1234": l.DTMF} {
		gr, err := srgs.Parse(g.Type, []byte(g.Body))
		if err != nil {
			t.Fatalf("digits grammar: %v\n%s", err, g.Body)
		}
		if ok, _ := match(gr, in); !ok {
			t.Errorf("digits grammar does not match %q", in)
		}
		if ok, _ := match(gr, in[:3]); ok {
			t.Errorf("digits grammar matches the short %q", in[:3])
		}
	}
	acts = d.Input(ctx, Event{Kind: ASRFailure, Err: errors.New("recognizer timeout")})
	l = acts[len(acts)-1].(*Listen)
	if l.Speech != nil || l.Input != script.InputDTMF {
		t.Fatalf("after ASR failure listen %+v, want DTMF only", l)
	}
	acts = d.Input(ctx, Event{Kind: DTMF, Digits: "1234"})
	if !d.Ended() || !strings.Contains(acts[0].(*Say).Text, "1 2 3 4") {
		t.Fatalf("actions %v", acts)
	}
	tr := d.Transcript()
	if len(tr) < 5 || !tr[len(tr)-1].Start.After(tr[0].Start) {
		t.Errorf("transcript timestamps do not advance: %+v", tr)
	}
	if got := strings.Join(d.Path(), ">"); got != "hi>menu>code>done" {
		t.Errorf("path %s", got)
	}
}

func TestRuntimeErrorTransfersSafely(t *testing.T) {
	ctx := context.Background()
	d := newTestDialogue(t)
	d.Start(ctx)
	acts := d.Input(ctx, Event{Kind: DTMF, Digits: "2"})
	tr, ok := acts[len(acts)-1].(*Transfer)
	if !ok || tr.Queue != "support" || tr.Priority != 9 || !d.Ended() {
		t.Fatalf("actions %v, want a transfer to support", acts)
	}
	if len(tr.Context.Transcript) == 0 || tr.Context.Summary == "" {
		t.Errorf("handoff context empty: %+v", tr.Context)
	}
}

func TestNoInputNeverLoops(t *testing.T) {
	ctx := context.Background()
	d := newTestDialogue(t)
	d.Start(ctx)
	for i := 0; i < 10 && !d.Ended(); i++ {
		d.Input(ctx, Event{Kind: NoInput})
	}
	if !d.Ended() {
		t.Fatal("the dialogue reprompts forever")
	}
	if d.Input(ctx, Event{Kind: Speech, Text: "hello", Confidence: 1}) != nil {
		t.Error("an ended dialogue still acts")
	}
}

func TestMashedKeysEndInTransfer(t *testing.T) {
	ctx := context.Background()
	d := newTestDialogue(t)
	d.Start(ctx)
	for _, k := range []string{"9", "*", "#", "7"} {
		d.Input(ctx, Event{Kind: DTMF, Digits: k})
	}
	if !d.Ended() || !strings.Contains(d.EndReason(), "support") {
		t.Fatalf("ended %v (%s), want a transfer after repeated no-match", d.Ended(), d.EndReason())
	}
}
