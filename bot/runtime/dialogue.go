package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/nlu/sentiment"
	"github.com/parley-cc/parley/nlu/slots"
	"github.com/parley-cc/parley/nlu/summary"
)

// maxAutoSteps bounds the steps taken without caller input: a flow that loops
// on itself ends in a safe transfer instead of spinning.
const maxAutoSteps = 64

// defaultHandlerCount is how many no-matches or no-inputs a handler without a
// count allows.
const defaultHandlerCount = 3

var errLoop = errors.New("runtime: too many steps without caller input")

// Config configures one call's Dialogue.
type Config struct {
	CallID string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Verifier backs verify steps; nil fails every verification.
	Verifier Verifier
	Log      *slog.Logger
}

type phase int

const (
	phaseNone phase = iota
	phaseAsk
	phaseMenu
	phaseQuestion
	phaseCollect
	phaseConfirm
	phaseAccount
	phasePIN
	phaseDone
)

// Dialogue is one call's conversation with a Bot.
type Dialogue struct {
	bot *Bot
	cfg Config
	log *slog.Logger

	cur       *script.Step
	phase     phase
	noMatch   int
	noInput   int
	keypad    bool // ASR failed: DTMF only
	ttsDown   bool
	negFired  bool
	slots     map[string]string
	vars      map[string]any
	verified  bool
	attempts  int
	account   string
	pending   string // value awaiting confirmation
	lastText  string
	intents   []string
	actions   []string
	trend     *sentiment.Trend
	turns     []Turn
	path      []string
	listen    *Listen
	out       []Action
	endReason string
}

// NewDialogue starts a call's dialogue; call Start for its first actions.
func (b *Bot) NewDialogue(cfg Config) *Dialogue {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = b.log
	}
	if cfg.CallID != "" {
		log = log.With("call_id", cfg.CallID)
	}
	return &Dialogue{bot: b, cfg: cfg, log: log, slots: map[string]string{}, vars: map[string]any{},
		trend: sentiment.NewTrend(sentiment.TrendConfig{})}
}

// Start enters the script's first step and returns the first actions.
func (d *Dialogue) Start(ctx context.Context) []Action {
	d.out = nil
	d.log.Info("dialogue started", "step", d.bot.Script.Start.Name)
	d.run(ctx, d.bot.Script.Start.Name)
	return d.flush()
}

// Input applies one event and returns the next actions. After the dialogue
// has ended it returns nil.
func (d *Dialogue) Input(ctx context.Context, ev Event) []Action {
	if d.phase == phaseDone {
		return nil
	}
	d.out = nil
	switch ev.Kind {
	case Hangup:
		d.end("caller hung up")
	case NoInput:
		d.onNoInput(ctx)
	case NoMatch:
		d.caller(ev, Turn{Text: ev.Text})
		d.onNoMatch(ctx)
	case ASRFailure:
		d.onASRFailure(ctx, ev.Err)
	case TTSFailure:
		d.log.Warn("synthesizer failed", "err", ev.Err, "step", d.Step())
		d.ttsDown = true
		d.route(ctx, d.bot.failure, "speech synthesis failed")
	case DTMF:
		d.onDTMF(ctx, ev)
	case Speech:
		d.onSpeech(ctx, ev)
	}
	return d.flush()
}

func (d *Dialogue) flush() []Action {
	out := d.out
	d.out = nil
	return out
}

// Step is the id of the current step.
func (d *Dialogue) Step() string {
	if d.cur == nil {
		return ""
	}
	return d.cur.ID.Name
}

// Ended reports whether the dialogue is over (transfer, hangup, goodbye).
func (d *Dialogue) Ended() bool { return d.phase == phaseDone }

// EndReason says why the dialogue ended.
func (d *Dialogue) EndReason() string { return d.endReason }

// Listening is the current Listen action, or nil.
func (d *Dialogue) Listening() *Listen { return d.listen }

// Transcript returns the turns so far; the slice is a copy.
func (d *Dialogue) Transcript() []Turn { return append([]Turn(nil), d.turns...) }

// Path returns the ids of the steps taken, in order.
func (d *Dialogue) Path() []string { return append([]string(nil), d.path...) }

// Slots returns the values gathered, sensitive ones masked.
func (d *Dialogue) Slots() map[string]string {
	out := make(map[string]string, len(d.slots))
	for k, v := range d.slots {
		out[k] = d.mask(k, v)
	}
	return out
}

// Verified reports whether the caller passed a verify step.
func (d *Dialogue) Verified() bool { return d.verified }

func (d *Dialogue) mask(slot, v string) string {
	if sl := d.bot.Script.Slots[slot]; sl != nil && sl.Sensitive {
		return strings.Repeat("*", len(v))
	}
	return v
}

// Handoff builds the context for an agent.
func (d *Dialogue) Handoff() Handoff {
	tr := d.Transcript()
	var turns []summary.Turn
	for _, t := range tr {
		turns = append(turns, summary.Turn{Speaker: t.Speaker, Text: t.Text})
	}
	sl := d.Slots()
	sum := summary.Extractive(summary.Call{Transcript: turns, Intents: d.intents, Slots: sl,
		Actions: d.actions, Sentiment: d.trend.EWMA(), Trend: d.trend.Slope()})
	return Handoff{Summary: sum, Intents: append([]string(nil), d.intents...), Slots: sl, Verified: d.verified,
		Sentiment: d.trend.EWMA(), Trend: d.trend.Slope(), Transcript: tr, Path: d.Path()}
}

// run enters steps from id until one waits for the caller or the call ends.
func (d *Dialogue) run(ctx context.Context, id string) {
	for n := 0; id != ""; n++ {
		if n >= maxAutoSteps {
			d.fail(ctx, errLoop)
			return
		}
		st := d.bot.Script.Step(id)
		if st == nil {
			d.fail(ctx, fmt.Errorf("runtime: unknown step %q", id))
			return
		}
		if d.cur != st {
			d.noMatch, d.noInput = 0, 0
		}
		d.cur = st
		d.path = append(d.path, id)
		next, err := d.enter(ctx, st)
		if err != nil {
			d.fail(ctx, err)
			return
		}
		id = next
	}
}

// fail logs a runtime error and makes the safe transfer.
func (d *Dialogue) fail(ctx context.Context, err error) {
	d.log.Error("dialogue runtime error; transferring", "step", d.Step(), "err", err)
	if d.phase == phaseDone {
		return
	}
	r := d.bot.failure
	r.Step = script.Ref{} // never re-enter the flow that failed
	if r.Queue == "" && r.Goodbye.Name == "" {
		d.end("runtime error")
		return
	}
	d.route(ctx, r, "runtime error")
}

// route follows a handler's route.
func (d *Dialogue) route(ctx context.Context, r script.Route, reason string) {
	d.listen = nil
	d.actions = append(d.actions, reason)
	if r.Prompt.Name != "" {
		d.say(r.Prompt.Name, script.BargeInOff)
	}
	switch {
	case r.Queue != "":
		d.transfer(r.Queue, r.Skills, r.Priority, reason)
	case r.Step.Name != "":
		d.phase = phaseNone
		d.run(ctx, r.Step.Name)
	default:
		if r.Goodbye.Name != "" {
			d.say(r.Goodbye.Name, script.BargeInOff)
		}
		d.end(reason)
	}
}

func (d *Dialogue) transfer(queue string, skills []string, prio int, reason string) {
	d.log.Info("dialogue transfers", "queue", queue, "reason", reason, "step", d.Step())
	d.emit(&Transfer{Queue: queue, Skills: skills, Priority: prio, Reason: reason, Context: d.Handoff()})
	d.phase = phaseDone
	d.endReason = "transferred to " + queue + ": " + reason
	d.listen = nil
}

func (d *Dialogue) end(reason string) {
	if reason != "caller hung up" {
		d.emit(&HangupAction{Reason: reason})
	}
	d.log.Info("dialogue ended", "reason", reason, "step", d.Step())
	d.phase = phaseDone
	d.endReason = reason
	d.listen = nil
}

func (d *Dialogue) emit(a Action) { d.out = append(d.out, a) }

// say emits a prompt and its bot turn. bargeIn overrides the prompt's mode if
// not BargeInDefault.
func (d *Dialogue) say(id string, bargeIn script.BargeIn) {
	p := d.bot.Script.Prompts[id]
	if p == nil {
		return
	}
	a := &Say{Prompt: id, Text: d.fill(p.Text, false), SSML: d.fill(p.SSML, true), BargeIn: p.BargeIn,
		Voice: d.bot.Script.Voice, Language: d.bot.Script.Language}
	if p.Audio != "" {
		a.Audio = p.Audio
		if !strings.HasPrefix(a.Audio, "/") {
			a.Audio = d.bot.Dir() + "/" + p.Audio
		}
	}
	if a.Text == "" && a.SSML != "" {
		a.Text = stripTags(a.SSML)
	}
	if a.BargeIn == script.BargeInDefault {
		a.BargeIn = d.bot.settings.BargeIn
	}
	if bargeIn != script.BargeInDefault {
		a.BargeIn = bargeIn
	}
	if d.ttsDown && a.Audio == "" {
		return // nothing playable; the caller is being transferred
	}
	d.sayAction(a)
}

func (d *Dialogue) sayAction(a *Say) {
	now := d.cfg.Now()
	d.turns = append(d.turns, Turn{Speaker: "bot", Text: a.Text, Start: now, End: now, Step: d.Step()})
	d.emit(a)
}

// sayText speaks built-in text (keypad fallback, KB answers).
func (d *Dialogue) sayText(text string) {
	if d.ttsDown {
		return
	}
	d.sayAction(&Say{Text: text, BargeIn: d.bot.settings.BargeIn, Voice: d.bot.Script.Voice, Language: d.bot.Script.Language})
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// fill replaces {name} with a slot, variable or special value.
func (d *Dialogue) fill(s string, xml bool) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := strings.TrimPrefix(strings.TrimPrefix(m[1:len(m)-1], "slots."), "vars.")
		var v string
		switch {
		case name == "value":
			v = spell(d.pending)
			if d.cur != nil && d.cur.Collect != nil {
				v = d.mask(d.cur.Collect.Slot.Name, d.speakable(d.cur.Collect.Slot.Name, d.pending))
			}
		case name == "answer":
			v, _ = d.vars["answer"].(string)
		case d.pending != "" && d.cur != nil && d.cur.Collect != nil && d.cur.Collect.Slot.Name == name:
			v = d.mask(name, d.speakable(name, d.pending))
		default:
			if x, ok := d.slots[name]; ok {
				v = d.mask(name, d.speakable(name, x))
			} else if x, ok := d.vars[name]; ok {
				v = fmt.Sprint(x)
			}
		}
		if xml {
			v = xmlEscape(v)
		}
		return v
	})
}

// caller records a caller turn.
func (d *Dialogue) caller(ev Event, t Turn) *Turn {
	now := d.cfg.Now()
	t.Speaker = "caller"
	t.Start, t.End = ev.Start, ev.End
	if t.Start.IsZero() {
		t.Start = now
	}
	if t.End.IsZero() {
		t.End = now
	}
	t.Step = d.Step()
	d.turns = append(d.turns, t)
	return &d.turns[len(d.turns)-1]
}

func (d *Dialogue) onNoInput(ctx context.Context) {
	d.noInput++
	d.log.Debug("no input", "step", d.Step(), "count", d.noInput)
	if d.limit(d.bot.Script.Handlers.NoInput, d.noInput) {
		d.route(ctx, handlerRoute(d.bot.Script.Handlers.NoInput, d.bot.failure), "no input")
		return
	}
	d.reprompt(ctx)
}

func (d *Dialogue) onNoMatch(ctx context.Context) {
	d.noMatch++
	d.log.Debug("no match", "step", d.Step(), "count", d.noMatch)
	if d.limit(d.bot.Script.Handlers.NoMatch, d.noMatch) {
		d.route(ctx, handlerRoute(d.bot.Script.Handlers.NoMatch, d.bot.failure), "repeated no-match")
		return
	}
	d.reprompt(ctx)
}

// limit reports whether a counter reached its handler's count (or the default
// when the script has no handler: the caller is never left in a loop).
func (d *Dialogue) limit(h *script.Handler, n int) bool {
	c := defaultHandlerCount
	if h != nil && h.Count > 0 {
		c = h.Count
	}
	return n >= c
}

func handlerRoute(h *script.Handler, fallback script.Route) script.Route {
	if h == nil {
		return fallback
	}
	return h.Route
}

func (d *Dialogue) onASRFailure(ctx context.Context, err error) {
	d.log.Warn("recognizer failed; falling back to the keypad", "err", err, "step", d.Step())
	if d.listen == nil || d.listen.DTMF == nil {
		d.route(ctx, d.bot.failure, "speech recognition failed")
		return
	}
	d.keypad = true
	d.sayText("Sorry, I'm having trouble hearing you. Please use your telephone keypad.")
	l := *d.listen
	l.Speech = nil
	l.Input = script.InputDTMF
	d.listen = &l
	d.emit(&l)
}

func (d *Dialogue) onDTMF(ctx context.Context, ev Event) {
	keys := ev.Digits
	t := d.caller(ev, Turn{Text: "DTMF " + d.maskKeys(keys), DTMF: d.maskKeys(keys), Confidence: 1})
	_ = t
	if keys == "" {
		d.onNoMatch(ctx)
		return
	}
	if keys == "0" && d.bot.Script.Handlers.DTMFZero != nil && d.phase != phaseCollect && d.phase != phaseAccount && d.phase != phasePIN {
		d.route(ctx, d.bot.Script.Handlers.DTMFZero.Route, "caller pressed 0")
		return
	}
	d.dispatch(ctx, input{keys: keys})
}

func (d *Dialogue) maskKeys(keys string) string {
	if d.phase == phasePIN {
		return strings.Repeat("*", len(keys))
	}
	return keys
}

func (d *Dialogue) onSpeech(ctx context.Context, ev Event) {
	text := strings.TrimSpace(ev.Text)
	if text == "" || ev.Confidence < d.bot.settings.MinASRConfidence {
		d.caller(ev, Turn{Text: text, Confidence: ev.Confidence})
		d.onNoMatch(ctx)
		return
	}
	if d.keypad {
		d.keypad = false // speech works again
	}
	score := sentiment.Score(text)
	in := input{text: text}
	if d.bot.classifier != nil && d.phase != phasePIN && d.phase != phaseAccount {
		p, err := d.bot.classifier.Classify(ctx, text)
		if err != nil {
			d.log.Warn("intent classification failed", "err", err)
		} else if !p.OutOfScope && p.Confidence >= d.bot.settings.MinIntentConfidence {
			in.intent, in.conf = p.Label, p.Confidence
		} else {
			in.conf = p.Confidence
		}
	}
	in.found = d.stepSlots(text)
	shown := text
	if d.phase == phasePIN {
		shown = strings.Repeat("*", len(text))
	}
	d.caller(ev, Turn{Text: shown, Confidence: ev.Confidence, Intent: in.intent, IntentConfidence: in.conf,
		Slots: d.maskSlots(in.found), Sentiment: score})
	if in.intent != "" {
		d.intents = append(d.intents, in.intent)
	}
	h := d.bot.Script.Handlers
	answers := d.answersStep(in)
	if !answers {
		// A bare value ("M1 4BT", "next Tuesday") says nothing of the caller's mood.
		d.trend.Add(score)
	}
	if h.Agent != nil && in.intent == h.Agent.Intent.Name && !answers {
		d.route(ctx, h.Agent.Route, "caller asked for a person")
		return
	}
	if h.Negative != nil && !answers && !d.negFired && d.trend.SustainedNegative() {
		d.negFired = true
		d.route(ctx, h.Negative.Route, "sustained negative sentiment")
		return
	}
	d.dispatch(ctx, in)
}

// answersStep reports whether an utterance is a valid answer to the value the
// step collects (a date, a yes); then the global intent handlers do not apply,
// as "next Tuesday please" is a date, not a request for a person.
func (d *Dialogue) answersStep(in input) bool {
	switch d.phase {
	case phaseCollect:
		_, ok := d.value(d.cur.Collect.Slot.Name, in)
		return ok
	case phaseAccount:
		_, ok := d.value(d.cur.Verify.AccountSlot.Name, in)
		return ok
	case phasePIN:
		return true
	case phaseConfirm:
		_, ok := yesNo(in)
		return ok
	}
	return false
}

func (d *Dialogue) maskSlots(in []slots.Slot) []slots.Slot {
	out := append([]slots.Slot(nil), in...)
	for i := range out {
		if sl := d.bot.Script.Slots[out[i].Name]; sl != nil && sl.Sensitive {
			out[i].Value = strings.Repeat("*", len(out[i].Value))
			out[i].Normalized = strings.Repeat("*", len(out[i].Normalized))
		}
	}
	return out
}

// LastTurn returns the latest caller turn, for display.
func (d *Dialogue) LastTurn() (Turn, bool) {
	for i := len(d.turns) - 1; i >= 0; i-- {
		if d.turns[i].Speaker == "caller" {
			return d.turns[i], true
		}
	}
	return Turn{}, false
}

// speakable renders a slot value for TTS: digits one by one, dates as words.
func (d *Dialogue) speakable(slot, v string) string {
	if sl := d.bot.Script.Slots[slot]; sl != nil && sl.Type == "date" {
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return t.Format("Monday 2 January")
		}
		if t, err := time.Parse("2006-01-02T15:04", v); err == nil {
			return t.Format("Monday 2 January at 3:04 PM")
		}
	}
	return spell(v)
}
