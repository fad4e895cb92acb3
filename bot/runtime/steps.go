package runtime

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/expr-lang/expr"

	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/nlu/slots"
)

var placeholder = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_.]*)\}`)

// input is one caller turn after NLU.
type input struct {
	text   string
	keys   string
	intent string
	conf   float64
	found  []slots.Slot
}

// defaultAnswerThreshold is the KB confidence an answer step needs unless it
// sets its own (the knowledge base's own default).
const defaultAnswerThreshold = 0.65

// enter performs a step; it returns the next step to enter, or "" when the
// dialogue waits for the caller or has ended.
func (d *Dialogue) enter(ctx context.Context, st *script.Step) (string, error) {
	d.listen = nil
	switch {
	case st.Say != nil:
		d.say(st.Say.Prompt.Name, script.BargeInDefault)
		return st.Next.Name, nil
	case st.Ask != nil:
		d.wait(phaseAsk, st.Ask.Prompt.Name)
	case st.Menu != nil:
		d.wait(phaseMenu, st.Menu.Prompt.Name)
	case st.Answer != nil:
		if st.Answer.Prompt.Name != "" {
			d.wait(phaseQuestion, st.Answer.Prompt.Name)
			return "", nil
		}
		return d.answer(ctx, st.Answer, d.lastText)
	case st.Collect != nil:
		d.pending = ""
		d.wait(phaseCollect, st.Collect.Prompt.Name)
	case st.Verify != nil:
		d.attempts = 0
		d.wait(phaseAccount, st.Verify.AccountPrompt.Name)
	case st.Set != nil:
		for _, name := range sortedNames(st.Set.Vars) {
			v, err := d.eval(st.Set.Vars[name])
			if err != nil {
				return "", fmt.Errorf("step %s: vars.%s: %w", st.ID.Name, name, err)
			}
			d.vars[name] = v
		}
		return st.Next.Name, nil
	case st.Branch != nil:
		for _, c := range st.Branch.Cases {
			v, err := d.eval(c.If.Src)
			if err != nil {
				return "", fmt.Errorf("step %s: %s: %w", st.ID.Name, c.If.Src, err)
			}
			if b, _ := v.(bool); b {
				return c.Goto.Name, nil
			}
		}
		return st.Branch.Else.Name, nil
	case st.Hours != nil:
		h := d.bot.Script.Hours[st.Hours.Schedule.Name]
		open, holiday := h.IsOpen(d.cfg.Now())
		switch {
		case open:
			return st.Hours.Open.Name, nil
		case holiday && st.Hours.Holiday.Name != "":
			return st.Hours.Holiday.Name, nil
		}
		return st.Hours.Closed.Name, nil
	case st.Message != nil:
		m := st.Message
		d.say(m.Prompt.Name, script.BargeInDefault)
		max := time.Duration(m.MaxDuration)
		if max == 0 {
			max = 2 * time.Minute
		}
		d.emit(&LeaveMessage{Mailbox: m.Mailbox, MaxDuration: max})
		d.actions = append(d.actions, "took a message")
		if st.Next.Name == "" {
			d.end("message taken")
		}
		return st.Next.Name, nil
	case st.Transfer != nil:
		t := st.Transfer
		d.say(t.Prompt.Name, script.BargeInDefault)
		d.transfer(t.Queue, t.Skills, t.Priority, "flow step "+st.ID.Name)
	case st.Hangup != nil:
		d.say(st.Hangup.Prompt.Name, script.BargeInDefault)
		d.end("flow ended at " + st.ID.Name)
	}
	return "", nil
}

// wait says the step's prompt and listens.
func (d *Dialogue) wait(ph phase, prompt string) {
	d.phase = ph
	d.say(prompt, script.BargeInDefault)
	d.listenNow()
}

func (d *Dialogue) listenNow() {
	l := d.listenFor()
	d.listen = l
	d.emit(l)
}

// reprompt repeats the current question after a no-match or no-input.
func (d *Dialogue) reprompt(ctx context.Context) {
	st := d.cur
	if st == nil || d.phase == phaseNone {
		d.fail(ctx, fmt.Errorf("runtime: no-match outside a question"))
		return
	}
	first := func(r ...script.Ref) string {
		for _, x := range r {
			if x.Name != "" {
				return x.Name
			}
		}
		return ""
	}
	var p string
	switch d.phase {
	case phaseAsk:
		p = first(st.Ask.Reprompt, st.Ask.Prompt)
	case phaseMenu:
		p = first(st.Menu.Reprompt, st.Menu.Prompt)
	case phaseQuestion:
		p = st.Answer.Prompt.Name
	case phaseCollect:
		p = first(st.Collect.Reprompt, st.Collect.Prompt)
	case phaseConfirm:
		p = st.Collect.Confirm.Name
	case phaseAccount:
		p = st.Verify.AccountPrompt.Name
	case phasePIN:
		p = st.Verify.PINPrompt.Name
	}
	d.say(p, script.BargeInDefault)
	d.listenNow()
}

// dispatch applies a caller turn to the current step.
func (d *Dialogue) dispatch(ctx context.Context, in input) {
	st := d.cur
	next, ok, err := d.handle(ctx, st, in)
	switch {
	case err != nil:
		d.fail(ctx, err)
	case !ok:
		d.onNoMatch(ctx)
	case next != "":
		d.noMatch, d.noInput = 0, 0
		d.phase = phaseNone
		d.run(ctx, next)
	default:
		d.noMatch, d.noInput = 0, 0
	}
}

// handle returns the next step, whether the input was understood, or an error.
// An understood input with no next step means the step waits again.
func (d *Dialogue) handle(ctx context.Context, st *script.Step, in input) (string, bool, error) {
	switch d.phase {
	case phaseAsk:
		a := st.Ask
		if in.keys != "" {
			r, ok := a.DTMF[in.keys]
			return r.Name, ok, nil
		}
		d.keep(in.found)
		if r, ok := a.Intents[in.intent]; ok && in.intent != "" {
			d.lastText = in.text
			return r.Name, true, nil
		}
		if a.Otherwise.Name != "" {
			d.lastText = in.text
			return a.Otherwise.Name, true, nil
		}
		return "", false, nil
	case phaseMenu:
		for _, o := range st.Menu.Options {
			if (in.keys != "" && keyDigits(in.keys) == o.Key) || (in.text != "" && menuMatch(in.text, o)) {
				return o.Next.Name, true, nil
			}
		}
		return "", false, nil
	case phaseQuestion:
		if in.text == "" {
			return "", false, nil
		}
		d.lastText = in.text
		next, err := d.answer(ctx, st.Answer, in.text)
		return next, true, err
	case phaseCollect:
		v, ok := d.value(st.Collect.Slot.Name, in)
		if !ok {
			return "", false, nil
		}
		if st.Collect.Confirm.Name == "" {
			d.slots[st.Collect.Slot.Name] = v
			return st.Next.Name, true, nil
		}
		d.pending = v
		d.wait(phaseConfirm, st.Collect.Confirm.Name)
		return "", true, nil
	case phaseConfirm:
		yes, ok := yesNo(in)
		switch {
		case !ok:
			return "", false, nil
		case yes:
			d.slots[st.Collect.Slot.Name] = d.pending
			d.pending = ""
			return st.Next.Name, true, nil
		}
		d.pending = ""
		d.wait(phaseCollect, first(st.Collect.Reprompt.Name, st.Collect.Prompt.Name))
		return "", true, nil
	case phaseAccount:
		v, ok := d.value(st.Verify.AccountSlot.Name, in)
		if !ok {
			return "", false, nil
		}
		d.account = v
		d.wait(phasePIN, st.Verify.PINPrompt.Name)
		return "", true, nil
	case phasePIN:
		pin, ok := d.value(st.Verify.PINSlot.Name, in)
		if !ok {
			return "", false, nil
		}
		return d.verify(ctx, st.Verify, pin)
	}
	return "", false, nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (d *Dialogue) verify(ctx context.Context, v *script.Verify, pin string) (string, bool, error) {
	ok := false
	var err error
	if d.cfg.Verifier != nil {
		var data map[string]string
		ok, data, err = d.cfg.Verifier.Verify(ctx, d.account, pin)
		if err != nil {
			return "", true, fmt.Errorf("verify caller: %w", err)
		}
		for k, v := range data {
			d.vars[k] = v
		}
	}
	if ok {
		d.verified = true
		d.slots[v.AccountSlot.Name] = d.account
		d.actions = append(d.actions, "verified identity")
		return v.OK.Name, true, nil
	}
	d.attempts++
	max := v.Attempts
	if max <= 0 {
		max = 3
	}
	d.log.Info("verification failed", "attempt", d.attempts, "step", d.Step())
	if d.attempts >= max {
		d.actions = append(d.actions, "identity verification failed")
		return v.Fail.Name, true, nil
	}
	d.account = ""
	if v.Retry.Name != "" {
		d.say(v.Retry.Name, script.BargeInDefault)
	}
	d.wait(phaseAccount, v.AccountPrompt.Name)
	return "", true, nil
}

// answer speaks a KB answer if it is confident enough; "I don't know" beats a
// wrong answer.
func (d *Dialogue) answer(ctx context.Context, a *script.Answer, q string) (string, error) {
	th := a.Threshold
	if th == 0 {
		th = defaultAnswerThreshold
	}
	var text, src string
	var conf float64
	if d.bot.answerer != nil && strings.TrimSpace(q) != "" {
		var err error
		text, conf, src, err = d.bot.answerer.Answer(ctx, q)
		if err != nil {
			return "", fmt.Errorf("answer step %s: %w", d.Step(), err)
		}
	}
	d.log.Debug("kb answer", "question", q, "confidence", conf, "source", src)
	if text != "" && conf >= th {
		d.vars["answer"] = text
		d.actions = append(d.actions, "answered from KB: "+src)
		d.sayText(text)
		return a.Found.Name, nil
	}
	if a.Fallback.Name != "" {
		d.say(a.Fallback.Name, script.BargeInDefault)
	}
	return a.NotFound.Name, nil
}

// keep stores slots found in an ask answer.
func (d *Dialogue) keep(found []slots.Slot) {
	for _, s := range found {
		d.slots[s.Name] = s.Normalized
	}
}

// value extracts a slot's value from speech or keys.
func (d *Dialogue) value(slot string, in input) (string, bool) {
	src := in.text
	if in.keys != "" {
		src = keyDigits(in.keys)
	}
	f := d.bot.extract[slot]
	if f == nil {
		return "", false
	}
	found := f(src, d.cfg.Now())
	if len(found) == 0 {
		return "", false
	}
	return found[0].Normalized, true
}

// stepSlots extracts the slots the current step expects, for the transcript.
func (d *Dialogue) stepSlots(text string) []slots.Slot {
	var names []string
	switch st := d.cur; {
	case st == nil:
	case st.Ask != nil:
		for _, r := range st.Ask.Slots {
			names = append(names, r.Name)
		}
	case st.Collect != nil && d.phase == phaseCollect:
		names = append(names, st.Collect.Slot.Name)
	case st.Verify != nil && d.phase == phaseAccount:
		names = append(names, st.Verify.AccountSlot.Name)
	case st.Verify != nil && d.phase == phasePIN:
		names = append(names, st.Verify.PINSlot.Name)
	}
	var out []slots.Slot
	for _, n := range names {
		if f := d.bot.extract[n]; f != nil {
			out = append(out, f(text, d.cfg.Now())...)
		}
	}
	return out
}

func yesNo(in input) (yes, ok bool) {
	switch keyDigits(in.keys) {
	case "1":
		return true, true
	case "2":
		return false, true
	case "":
	default:
		return false, false
	}
	s, ok := slots.YesNo(in.text)
	if !ok {
		return false, false
	}
	return s.Normalized == "yes", true
}

func menuMatch(text string, o script.Option) bool {
	t := " " + normalize(text) + " "
	phrases := append([]string(nil), o.Phrases...)
	if w := keyWords[o.Key]; w != "" {
		phrases = append(phrases, "option "+w, "press "+w, "number "+w)
		if normalize(text) == w || normalize(text) == o.Key {
			return true
		}
	}
	for _, p := range phrases {
		if p = normalize(p); p != "" && strings.Contains(t, " "+p+" ") {
			return true
		}
	}
	return false
}

func normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		if r == '\'' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func (d *Dialogue) eval(src string) (any, error) {
	prog := d.bot.programs[src]
	if prog == nil {
		return nil, fmt.Errorf("expression %q was not compiled", src)
	}
	intent := ""
	if len(d.intents) > 0 {
		intent = d.intents[len(d.intents)-1]
	}
	return expr.Run(prog, script.ExprEnv(d.slots, d.vars, intent, d.verified, d.cfg.Now()))
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// spell makes a digit string read digit by digit ("1 2 3 4").
func spell(v string) string {
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return v
	}
	return strings.Join(strings.Split(v, ""), " ")
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
