package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/nlu/intent"
	"github.com/parley-cc/parley/nlu/kb"
	"github.com/parley-cc/parley/nlu/llm"
	"github.com/parley-cc/parley/nlu/slots"
)

// Answerer answers a caller's question from a knowledge base.
type Answerer interface {
	Answer(ctx context.Context, question string) (text string, confidence float64, source string, err error)
}

// AnswererFunc adapts a function to Answerer.
type AnswererFunc func(ctx context.Context, question string) (string, float64, string, error)

// Answer calls f.
func (f AnswererFunc) Answer(ctx context.Context, q string) (string, float64, string, error) {
	return f(ctx, q)
}

// KBAnswerer answers from a knowledge base's published version. With an
// LLM it phrases the answer from the best passages, citing them, and
// reports no answer when the model finds them insufficient; when the LLM
// fails (unreachable, time-out) the extractive answer is spoken instead.
type KBAnswerer struct {
	KB  *kb.KB
	LLM *llm.Client
	Log *slog.Logger
}

var _ Answerer = KBAnswerer{}

// llmPassages is how many retrieved chunks the LLM answers from.
const llmPassages = 3

// Answer implements Answerer.
func (a KBAnswerer) Answer(ctx context.Context, q string) (string, float64, string, error) {
	ans, err := a.KB.Answer(ctx, q, kb.SearchOptions{})
	if err != nil {
		return "", 0, "", fmt.Errorf("kb answer: %w", err)
	}
	if a.LLM == nil || !ans.Found {
		return ans.Text, ans.Confidence, ans.Citation.Source, nil
	}
	var ps []llm.Passage
	for i, r := range ans.Results {
		if i == llmPassages {
			break
		}
		ps = append(ps, llm.Passage{ID: r.ChunkID, Title: r.Title, Text: r.Text, Source: r.Source})
	}
	out, err := a.LLM.Answer(ctx, q, ps)
	switch {
	case errors.Is(err, llm.ErrNoAnswer):
		return "", 0, "", nil
	case err != nil:
		if a.Log != nil {
			a.Log.Warn("llm answer failed: speaking the knowledge base's own answer", "err", err)
		}
		return ans.Text, ans.Confidence, ans.Citation.Source, nil
	}
	src := ans.Citation.Source
	if len(out.Citations) > 0 {
		src = out.Citations[0].Source
	}
	return out.Text, ans.Confidence, src, nil
}

// Verifier checks a caller's account number and PIN against the back-end
// system. On success it may return values (the script's variables, such as a
// balance) that prompts can speak.
type Verifier interface {
	Verify(ctx context.Context, account, pin string) (ok bool, data map[string]string, err error)
}

// VerifierFunc adapts a function to Verifier.
type VerifierFunc func(ctx context.Context, account, pin string) (bool, map[string]string, error)

// Verify calls f.
func (f VerifierFunc) Verify(ctx context.Context, account, pin string) (bool, map[string]string, error) {
	return f(ctx, account, pin)
}

// Options are what Compile needs besides the script.
type Options struct {
	// Answerer backs answer steps; nil makes every answer "not found".
	Answerer Answerer
	// Intent tunes the classifier's training.
	Intent intent.Config
	Log    *slog.Logger
}

// Bot is a compiled script version: trained classifier, slot extractors,
// resolved settings. It is immutable and shared by the calls.
type Bot struct {
	Script     *script.Script
	classifier *intent.Classifier
	answerer   Answerer
	extract    map[string]func(s string, now time.Time) []slots.Slot
	settings   script.Settings
	programs   map[string]*vm.Program
	failure    script.Route
	log        *slog.Logger
}

// Compile trains the script's classifier and builds its slot extractors.
func Compile(ctx context.Context, s *script.Script, opts Options) (*Bot, error) {
	b := &Bot{Script: s, answerer: opts.Answerer, log: opts.Log, settings: s.Settings}
	if b.log == nil {
		b.log = slog.Default()
	}
	b.log = b.log.With("script", s.Name, "version", s.Version)
	b.defaults()
	var examples []intent.Example
	names := make([]string, 0, len(s.Intents))
	for name := range s.Intents {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, ex := range s.Intents[name].Examples {
			examples = append(examples, intent.Example{Text: ex, Label: name})
		}
	}
	if len(examples) > 0 {
		for _, ex := range s.OutOfScope {
			examples = append(examples, intent.Example{Text: ex, Label: intent.OutOfScope})
		}
		cfg := opts.Intent
		if cfg.Log == nil {
			cfg.Log = b.log
		}
		c, err := intent.Train(ctx, examples, cfg)
		if err != nil {
			return nil, fmt.Errorf("compile script %s: train intents: %w", s.Name, err)
		}
		b.classifier = c
	}
	b.extract = map[string]func(string, time.Time) []slots.Slot{}
	for name, sl := range s.Slots {
		f, err := extractor(name, sl)
		if err != nil {
			return nil, fmt.Errorf("compile script %s: slot %s: %w", s.Name, name, err)
		}
		b.extract[name] = f
	}
	b.failure = b.failureRoute()
	b.programs = map[string]*vm.Program{}
	for _, st := range s.Steps {
		var srcs []string
		asBool := st.Branch != nil
		if st.Set != nil {
			for _, src := range st.Set.Vars {
				srcs = append(srcs, src)
			}
		}
		if st.Branch != nil {
			for _, c := range st.Branch.Cases {
				srcs = append(srcs, c.If.Src)
			}
		}
		for _, src := range srcs {
			p, err := script.CompileExpr(src, asBool)
			if err != nil {
				return nil, fmt.Errorf("compile script %s: step %s: %w", s.Name, st.ID.Name, err)
			}
			b.programs[src] = p
		}
	}
	return b, nil
}

func (b *Bot) defaults() {
	st := &b.settings
	if st.BargeIn == script.BargeInDefault {
		st.BargeIn = script.BargeInOn
	}
	if st.Input == script.InputDefault {
		st.Input = script.InputAny
	}
	def := func(d *script.Duration, v time.Duration) {
		if *d == 0 {
			*d = script.Duration(v)
		}
	}
	def(&st.NoInput, 5*time.Second)
	def(&st.Recognition, 15*time.Second)
	def(&st.InterDigit, 3*time.Second)
	def(&st.MaxDeadAir, 3*time.Second)
	if st.MinASRConfidence == 0 {
		st.MinASRConfidence = 0.3
	}
	if st.MinIntentConfidence == 0 {
		st.MinIntentConfidence = 0.4
	}
}

// failureRoute is the failure handler, else the first queue a transfer step
// uses, else a goodbye.
func (b *Bot) failureRoute() script.Route {
	if h := b.Script.Handlers.Failure; h != nil {
		return h.Route
	}
	for _, st := range b.Script.Steps {
		if st.Transfer != nil {
			return script.Route{Queue: st.Transfer.Queue, Skills: st.Transfer.Skills, Priority: st.Transfer.Priority}
		}
	}
	return script.Route{}
}

// Dir is the directory of the script file, for audio prompts.
func (b *Bot) Dir() string { return filepath.Dir(b.Script.File) }
