package scripttest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/parley-cc/parley/bot"
	"github.com/parley-cc/parley/bot/runtime"
)

// Options configure Run.
type Options struct {
	// DataDir holds the scripts' knowledge bases; required for scripts with one.
	DataDir string
	Log     *slog.Logger
}

// Report is the result of one test file.
type Report struct {
	File     string
	Script   string
	Results  []Result
	Coverage Coverage
}

// Result is one conversation's outcome.
type Result struct {
	Name     string
	Failures []string
	// Transcript is the conversation as it happened, for failure reports.
	Transcript []runtime.Turn
	// Path is the steps the dialogue took.
	Path []string
}

// Passed reports whether the conversation met every expectation.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

// Coverage lists what the tests exercised.
type Coverage struct {
	Steps, StepsHit     []string
	Intents, IntentsHit []string
}

// Passed reports whether every test passed.
func (r *Report) Passed() bool {
	for _, x := range r.Results {
		if !x.Passed() {
			return false
		}
	}
	return true
}

// Run runs the test file at path against its script.
func Run(ctx context.Context, path string, opts Options) (*Report, error) {
	f, err := LoadFile(path)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l, err := bot.Load(ctx, f.Script, bot.Options{DataDir: opts.DataDir, Log: log})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	rep := &Report{File: path, Script: f.Script}
	stepsHit, intentsHit := map[string]bool{}, map[string]bool{}
	for _, c := range f.Tests {
		res := runCase(ctx, l.Bot, f, c, log)
		rep.Results = append(rep.Results, res)
		for _, id := range res.Path {
			stepsHit[id] = true
		}
		for _, t := range res.Transcript {
			if t.Intent != "" {
				intentsHit[t.Intent] = true
			}
		}
	}
	s := l.Bot.Script
	for _, st := range s.Steps {
		rep.Coverage.Steps = append(rep.Coverage.Steps, st.ID.Name)
	}
	for name := range s.Intents {
		rep.Coverage.Intents = append(rep.Coverage.Intents, name)
	}
	sort.Strings(rep.Coverage.Intents)
	for _, id := range rep.Coverage.Steps {
		if stepsHit[id] {
			rep.Coverage.StepsHit = append(rep.Coverage.StepsHit, id)
		}
	}
	for _, name := range rep.Coverage.Intents {
		if intentsHit[name] {
			rep.Coverage.IntentsHit = append(rep.Coverage.IntentsHit, name)
		}
	}
	return rep, nil
}

type caseRun struct {
	d        *runtime.Dialogue
	failures []string
	file     string
}

func (r *caseRun) failf(line int, format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf("%s:%d: ", r.file, line)+fmt.Sprintf(format, args...))
}

func runCase(ctx context.Context, b *runtime.Bot, f *File, c Case, log *slog.Logger) Result {
	r := &caseRun{file: f.Path}
	nowStr := c.Now
	if nowStr == "" {
		nowStr = f.Now
	}
	now, err := parseNow(nowStr)
	if err != nil {
		r.failf(c.Line, "%v", err)
		return Result{Name: c.Name, Failures: r.failures}
	}
	clock := now
	verifier := runtime.VerifierFunc(func(_ context.Context, account, pin string) (bool, map[string]string, error) {
		acc, ok := f.Accounts[account]
		if !ok || acc["pin"] != pin {
			return false, nil, nil
		}
		data := map[string]string{}
		for k, v := range acc {
			if k != "pin" {
				data[k] = v
			}
		}
		return true, data, nil
	})
	r.d = b.NewDialogue(runtime.Config{CallID: "test", Verifier: verifier, Log: log,
		Now: func() time.Time { return clock }})
	acts := r.d.Start(ctx)
	for _, t := range c.Conversation {
		clock = clock.Add(4 * time.Second)
		if ev, ok := event(t); ok {
			if r.d.Ended() {
				r.failf(t.Line, "the call has already ended (%s)", r.d.EndReason())
				break
			}
			before := len(r.d.Path())
			at := r.d.Step()
			acts = r.d.Input(ctx, ev)
			r.check(t, acts, append([]string{at}, r.d.Path()[before:]...))
		} else {
			r.check(t, acts, r.d.Path())
		}
	}
	return Result{Name: c.Name, Failures: r.failures, Transcript: r.d.Transcript(), Path: r.d.Path()}
}

func event(t Turn) (runtime.Event, bool) {
	conf := 0.9
	if t.Confidence != nil {
		conf = *t.Confidence
	}
	switch {
	case t.Caller != "":
		return runtime.Event{Kind: runtime.Speech, Text: t.Caller, Confidence: conf}, true
	case t.Press != "":
		return runtime.Event{Kind: runtime.DTMF, Digits: t.Press}, true
	case t.Silence:
		return runtime.Event{Kind: runtime.NoInput}, true
	case t.NoMatch:
		return runtime.Event{Kind: runtime.NoMatch}, true
	case t.ASRFailure:
		return runtime.Event{Kind: runtime.ASRFailure}, true
	case t.TTSFailure:
		return runtime.Event{Kind: runtime.TTSFailure}, true
	case t.CallerHangup:
		return runtime.Event{Kind: runtime.Hangup}, true
	}
	return runtime.Event{}, false
}

func (r *caseRun) check(t Turn, acts []runtime.Action, path []string) {
	var said []string
	var transfer *runtime.Transfer
	var hangup, message bool
	var listen *runtime.Listen
	for _, a := range acts {
		switch a := a.(type) {
		case *runtime.Say:
			said = append(said, a.Text)
		case *runtime.Transfer:
			transfer = a
		case *runtime.HangupAction:
			hangup = true
		case *runtime.LeaveMessage:
			message = true
		case *runtime.Listen:
			listen = a
		}
	}
	all := strings.Join(said, " | ")
	for _, want := range t.Bot {
		if !matches(want, all) {
			r.failf(t.Line, "bot should say %s; it said %q", want, all)
		}
	}
	for _, not := range t.NotBot {
		if matches(not, all) {
			r.failf(t.Line, "bot should not say %s; it said %q", not, all)
		}
	}
	if t.Intent != "" {
		last, _ := r.d.LastTurn()
		if last.Intent != t.Intent {
			r.failf(t.Line, "intent should be %q; got %q (confidence %.2f)", t.Intent, last.Intent, last.IntentConfidence)
		}
	}
	if t.Step != "" && !contains(path, t.Step) && r.d.Step() != t.Step {
		r.failf(t.Line, "step %q should be reached; path %v", t.Step, path)
	}
	if t.Transfer != "" && (transfer == nil || transfer.Queue != t.Transfer) {
		got := "no transfer"
		if transfer != nil {
			got = transfer.String()
		}
		r.failf(t.Line, "bot should transfer to %q; got %s", t.Transfer, got)
	}
	if t.Hangup && !hangup {
		r.failf(t.Line, "bot should hang up; actions %v", acts)
	}
	if t.Message && !message {
		r.failf(t.Line, "bot should take a message; actions %v", acts)
	}
	slots := r.d.Slots()
	for k, v := range t.Slots {
		if slots[k] != v {
			r.failf(t.Line, "slot %s should be %q; got %q", k, v, slots[k])
		}
	}
	if t.Listen != "" {
		r.checkListen(t, listen)
	}
}

func (r *caseRun) checkListen(t Turn, l *runtime.Listen) {
	got := "none"
	switch {
	case l == nil:
	case l.Speech == nil && l.DTMF != nil && l.Input.String() == "dtmf":
		got = "dtmf"
	case l.Speech == nil:
		got = "open"
	case l.Speech.Type == runtime.TypeSRGS:
		got = "srgs"
	case l.Speech.Type == runtime.TypePhrases:
		got = "phrases"
	}
	if got != t.Listen {
		r.failf(t.Line, "bot should listen with %s hints; got %s", t.Listen, got)
	}
}

// matches tests a substring (case-insensitive) or a /regex/.
func matches(want, got string) bool {
	if len(want) > 1 && strings.HasPrefix(want, "/") && strings.HasSuffix(want, "/") {
		re, err := regexp.Compile(want[1 : len(want)-1])
		return err == nil && re.MatchString(got)
	}
	return strings.Contains(strings.ToLower(got), strings.ToLower(want))
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Write prints the report: one line per test, failures, and coverage.
func (r *Report) Write(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "%s (%s)\n", r.File, r.Script)
	for _, x := range r.Results {
		status := "PASS"
		if !x.Passed() {
			status = "FAIL"
		}
		fmt.Fprintf(w, "  %s  %s\n", status, x.Name)
		for _, f := range x.Failures {
			fmt.Fprintf(w, "        %s\n", f)
		}
		if !x.Passed() || verbose {
			for _, t := range x.Transcript {
				extra := ""
				if t.Intent != "" {
					extra = fmt.Sprintf("  [%s %.2f]", t.Intent, t.IntentConfidence)
				}
				fmt.Fprintf(w, "        %-6s %-16s %s%s\n", t.Speaker, t.Step, t.Text, extra)
			}
		}
	}
	c := r.Coverage
	fmt.Fprintf(w, "  coverage: steps %d/%d (%.0f%%), intents %d/%d (%.0f%%)\n",
		len(c.StepsHit), len(c.Steps), pct(len(c.StepsHit), len(c.Steps)),
		len(c.IntentsHit), len(c.Intents), pct(len(c.IntentsHit), len(c.Intents)))
	if miss := missing(c.Steps, c.StepsHit); len(miss) > 0 {
		fmt.Fprintf(w, "  steps not covered: %s\n", strings.Join(miss, ", "))
	}
	if miss := missing(c.Intents, c.IntentsHit); len(miss) > 0 {
		fmt.Fprintf(w, "  intents not covered: %s\n", strings.Join(miss, ", "))
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

func missing(all, hit []string) []string {
	var out []string
	for _, x := range all {
		if !contains(hit, x) {
			out = append(out, x)
		}
	}
	return out
}
