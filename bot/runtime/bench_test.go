package runtime

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/parley-cc/parley/bot/script"
)

// BenchmarkTurn measures the runtime's share of a caller turn on the bank
// script: intent classification, slot extraction, sentiment, the step change
// and the next prompt and hints (no knowledge base).
func BenchmarkTurn(b *testing.B) {
	s, err := script.Load("../../scripts/bank/bank.yaml")
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bot, err := Compile(context.Background(), s, Options{Log: log})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		d := bot.NewDialogue(Config{Log: log})
		d.Start(ctx)
		if acts := d.Input(ctx, Event{Kind: Speech, Text: "somebody pinched my purse with my credit card in it", Confidence: 0.8}); len(acts) == 0 {
			b.Fatal("no actions")
		}
	}
}
