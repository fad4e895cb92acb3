package script

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/parley-cc/parley/nlu/slots"
)

// MinExamples is the fewest examples an intent may have.
const MinExamples = 5

// SlotTypes are the built-in slot types.
var slotTypes = map[string]bool{
	"digits": true, "number": true, "amount": true, "date": true, "email": true,
	"phone": true, "yesno": true, "list": true, "pattern": true, "text": true,
}

// Placeholders usable in every prompt besides slots and variables.
var specialPlaceholders = map[string]bool{"value": true, "answer": true, "queue": true}

var placeholderRE = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_.]*)\}`)

// Step returns the step with the id, or nil.
func (s *Script) Step(id string) *Step { return s.byID[id] }

// StartStep is the first step of the flow.
func (s *Script) StartStep() *Step { return s.byID[s.Start.Name] }

// Kind names the step's kind: "say", "ask", ..., "hangup".
func (st *Step) Kind() string {
	kinds := st.kinds()
	if len(kinds) == 1 {
		return kinds[0]
	}
	return ""
}

func (st *Step) kinds() []string {
	var out []string
	for _, k := range []struct {
		name string
		set  bool
	}{
		{"say", st.Say != nil}, {"ask", st.Ask != nil}, {"menu", st.Menu != nil},
		{"answer", st.Answer != nil}, {"collect", st.Collect != nil}, {"verify", st.Verify != nil},
		{"set", st.Set != nil}, {"branch", st.Branch != nil}, {"hours", st.Hours != nil},
		{"message", st.Message != nil}, {"transfer", st.Transfer != nil}, {"hangup", st.Hangup != nil},
	} {
		if k.set {
			out = append(out, k.name)
		}
	}
	return out
}

// Successors lists the steps this step can go to, with the refs that name them.
func (st *Step) Successors() []Ref {
	var out []Ref
	add := func(r ...Ref) {
		for _, x := range r {
			if x.Name != "" {
				out = append(out, x)
			}
		}
	}
	add(st.Next)
	switch {
	case st.Ask != nil:
		add(sortedRefs(st.Ask.Intents)...)
		add(sortedRefs(st.Ask.DTMF)...)
		add(st.Ask.Otherwise)
	case st.Menu != nil:
		for _, o := range st.Menu.Options {
			add(o.Next)
		}
	case st.Answer != nil:
		add(st.Answer.Found, st.Answer.NotFound)
	case st.Verify != nil:
		add(st.Verify.OK, st.Verify.Fail)
	case st.Branch != nil:
		for _, c := range st.Branch.Cases {
			add(c.Goto)
		}
		add(st.Branch.Else)
	case st.Hours != nil:
		add(st.Hours.Open, st.Hours.Closed, st.Hours.Holiday)
	}
	return out
}

func sortedRefs(m map[string]Ref) []Ref {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Ref, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// ExprEnv is the environment expressions are compiled against and evaluated in.
func ExprEnv(slotValues map[string]string, vars map[string]any, intent string, verified bool, now time.Time) map[string]any {
	return map[string]any{
		"slots":    slotValues,
		"vars":     vars,
		"intent":   intent,
		"verified": verified,
		"hour":     now.Hour(),
		"weekday":  strings.ToLower(now.Weekday().String()[:3]),
	}
}

// CompileExpr compiles an expression; bool asks for a boolean result.
func CompileExpr(src string, asBool bool) (*vm.Program, error) {
	opts := []expr.Option{expr.Env(ExprEnv(nil, nil, "", false, time.Time{}))}
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	return expr.Compile(src, opts...)
}

type validator struct {
	*collector
	s    *Script
	vars map[string]bool
}

func validate(c *collector, s *Script) {
	v := &validator{collector: c, s: s, vars: map[string]bool{}}
	for name := range s.Variables {
		v.vars[name] = true
	}
	if strings.TrimSpace(s.Name) == "" {
		c.add(1, "name is required")
	}
	v.settings()
	v.defs()
	v.steps()
	v.handlers()
	v.prompts()
	v.reachable()
}

func (v *validator) line(key string) int { return v.s.Lines[key] }

func (v *validator) settings() {
	st := &v.s.Settings
	if st.TimeZone != "" {
		if _, err := time.LoadLocation(st.TimeZone); err != nil {
			v.add(v.line("settings"), "settings: unknown time_zone %q", st.TimeZone)
		}
	}
	for _, f := range []float64{st.MinASRConfidence, st.MinIntentConfidence} {
		if f < 0 || f > 1 {
			v.add(v.line("settings"), "settings: confidences are between 0 and 1, not %g", f)
		}
	}
}

func (v *validator) defs() {
	s := v.s
	for name, p := range s.Prompts {
		line := v.line("prompts." + name)
		if p == nil {
			v.add(line, "prompt %q is empty", name)
			s.Prompts[name] = &Prompt{Line: line}
			continue
		}
		p.Line = line
		if p.Text == "" && p.SSML == "" && p.Audio == "" {
			v.add(line, "prompt %q has no text, ssml or audio", name)
		}
		if p.Text != "" && p.SSML != "" {
			v.add(line, "prompt %q has both text and ssml; keep one", name)
		}
	}
	for name, in := range s.Intents {
		line := v.line("intents." + name)
		n := 0
		if in != nil {
			n = len(in.Examples)
		}
		if n < MinExamples {
			v.add(line, "intent %q has %d examples; at least %d are needed", name, n, MinExamples)
		}
	}
	for name, sl := range s.Slots {
		v.slot(name, sl)
	}
	for name, h := range s.Hours {
		v.schedule(name, h)
	}
}

func (v *validator) slot(name string, sl *Slot) {
	line := v.line("slots." + name)
	if sl == nil {
		v.add(line, "slot %q has no type", name)
		v.s.Slots[name] = &Slot{Type: "text"}
		return
	}
	if !slotTypes[sl.Type] {
		v.add(line, "slot %q: unknown type %q (want digits, number, amount, date, email, phone, yesno, list, pattern or text)", name, sl.Type)
	}
	switch sl.Type {
	case "list":
		if _, err := slots.NewList(name, sl.Values); err != nil {
			v.add(line, "slot %q: %v", name, err)
		}
	case "pattern":
		if _, err := slots.NewPattern(name, sl.Pattern); err != nil {
			v.add(line, "slot %q: %v", name, err)
		}
	}
	if sl.MinLength < 0 || (sl.MaxLength > 0 && sl.MaxLength < sl.MinLength) {
		v.add(line, "slot %q: bad min_length/max_length %d/%d", name, sl.MinLength, sl.MaxLength)
	}
}

var dayIndex = map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

func (v *validator) schedule(name string, h *Schedule) {
	line := v.line("hours." + name)
	if h == nil {
		v.add(line, "hours %q is empty", name)
		v.s.Hours[name] = &Schedule{Loc: time.UTC}
		return
	}
	tz := h.TimeZone
	if tz == "" {
		tz = v.s.Settings.TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		v.add(line, "hours %q: unknown time_zone %q", name, tz)
		loc = time.UTC
	}
	h.Loc = loc
	for days, ranges := range h.Weekly {
		idx, err := parseDays(days)
		if err != nil {
			v.add(line, "hours %q: %v", name, err)
			continue
		}
		spans, err := parseSpans(ranges)
		if err != nil {
			v.add(line, "hours %q: %s: %v", name, days, err)
			continue
		}
		for _, d := range idx {
			h.Open[d] = append(h.Open[d], spans...)
		}
	}
	h.Closed = map[string]bool{}
	for _, d := range h.Holidays {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			v.add(line, "hours %q: holiday %q is not YYYY-MM-DD", name, d)
		}
		h.Closed[d] = true
	}
}

func parseDays(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		from, to, isRange := strings.Cut(part, "-")
		a, ok1 := dayIndex[from]
		b, ok2 := dayIndex[to]
		if !ok1 || (isRange && !ok2) {
			return nil, fmt.Errorf("bad days %q (want mon, mon-fri, sat,sun)", s)
		}
		if !isRange {
			b = a
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func parseSpans(s string) ([]Span, error) {
	var out []Span
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "closed" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		a, err1 := parseClock(from)
		b, err2 := parseClock(to)
		if !ok || err1 != nil || err2 != nil || b <= a {
			return nil, fmt.Errorf("bad hours %q (want 08:00-18:00)", part)
		}
		out = append(out, Span{a, b})
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// IsOpen reports whether the schedule is open at t, and whether t is a holiday.
func (h *Schedule) IsOpen(t time.Time) (open, holiday bool) {
	loc := h.Loc
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if h.Closed[t.Format("2006-01-02")] {
		return false, true
	}
	m := t.Hour()*60 + t.Minute()
	for _, sp := range h.Open[int(t.Weekday())] {
		if m >= sp.From && m < sp.To {
			return true, false
		}
	}
	return false, false
}

func (v *validator) steps() {
	s := v.s
	s.byID = map[string]*Step{}
	if len(s.Steps) == 0 {
		v.add(v.line("steps"), "the flow has no steps")
		return
	}
	for i, st := range s.Steps {
		if st == nil {
			v.add(v.line("steps"), "step %d is empty", i+1)
			s.Steps[i] = &Step{}
			continue
		}
		if st.ID.Name == "" {
			v.add(v.line("steps"), "step %d has no id", i+1)
			continue
		}
		if prev, dup := s.byID[st.ID.Name]; dup {
			v.add(st.ID.Line, "duplicate step id %q (first at line %d)", st.ID.Name, prev.ID.Line)
			continue
		}
		s.byID[st.ID.Name] = st
	}
	if s.Start.Name == "" && s.Steps[0] != nil {
		s.Start = s.Steps[0].ID
	}
	v.stepRef(s.Start, "start")
	for _, st := range s.Steps {
		if st.ID.Name != "" {
			v.step(st)
		}
	}
}

func (v *validator) stepRef(r Ref, what string) {
	if r.Name != "" && v.s.byID[r.Name] == nil {
		v.add(r.Line, "%s: unknown step %q", what, r.Name)
	}
}

func (v *validator) promptRef(r Ref, what string, required bool) {
	switch {
	case r.Name == "" && required:
		v.add(r.Line, "%s: a prompt is required", what)
	case r.Name != "" && v.s.Prompts[r.Name] == nil:
		v.add(r.Line, "%s: undefined prompt %q", what, r.Name)
	}
}

func (v *validator) slotRef(r Ref, what string, required bool) {
	switch {
	case r.Name == "" && required:
		v.add(r.Line, "%s: a slot is required", what)
	case r.Name != "" && v.s.Slots[r.Name] == nil:
		v.add(r.Line, "%s: undefined slot %q", what, r.Name)
	}
}

func (v *validator) step(st *Step) {
	id := st.ID.Name
	where := "step " + strconv.Quote(id)
	kinds := st.kinds()
	switch len(kinds) {
	case 0:
		v.add(st.ID.Line, "%s has no kind (say, ask, menu, answer, collect, verify, set, branch, hours, message, transfer or hangup)", where)
		return
	case 1:
	default:
		v.add(st.ID.Line, "%s has several kinds (%s); split it into steps", where, strings.Join(kinds, ", "))
		return
	}
	for _, r := range st.Successors() {
		v.stepRef(r, where)
	}
	needsNext := map[string]bool{"say": true, "collect": true, "set": true}
	noNext := map[string]bool{"ask": true, "menu": true, "answer": true, "verify": true, "branch": true, "hours": true, "transfer": true, "hangup": true}
	k := kinds[0]
	if needsNext[k] && st.Next.Name == "" {
		v.add(st.ID.Line, "%s: a %s step needs next", where, k)
	}
	if noNext[k] && st.Next.Name != "" {
		v.add(st.Next.Line, "%s: next is not used by a %s step", where, k)
	}
	switch {
	case st.Say != nil:
		v.promptRef(st.Say.Prompt, where, true)
	case st.Ask != nil:
		v.ask(where, st)
	case st.Menu != nil:
		v.menu(where, st)
	case st.Answer != nil:
		a := st.Answer
		v.promptRef(a.Prompt, where, false)
		v.promptRef(a.Fallback, where, false)
		if a.Found.Name == "" || a.NotFound.Name == "" {
			v.add(st.ID.Line, "%s: an answer step needs found and not_found", where)
		}
		if a.Threshold < 0 || a.Threshold > 1 {
			v.add(st.ID.Line, "%s: threshold %g is not between 0 and 1", where, a.Threshold)
		}
	case st.Collect != nil:
		c := st.Collect
		v.slotRef(c.Slot, where, true)
		v.promptRef(c.Prompt, where, true)
		v.promptRef(c.Reprompt, where, false)
		v.promptRef(c.Confirm, where, false)
	case st.Verify != nil:
		vf := st.Verify
		v.slotRef(vf.AccountSlot, where+": account_slot", true)
		v.slotRef(vf.PINSlot, where+": pin_slot", true)
		v.promptRef(vf.AccountPrompt, where+": account_prompt", true)
		v.promptRef(vf.PINPrompt, where+": pin_prompt", true)
		v.promptRef(vf.Retry, where+": retry", false)
		if vf.OK.Name == "" || vf.Fail.Name == "" {
			v.add(st.ID.Line, "%s: a verify step needs ok and fail", where)
		}
	case st.Set != nil:
		for name, src := range st.Set.Vars {
			if _, err := CompileExpr(src, false); err != nil {
				v.add(st.ID.Line, "%s: vars.%s: %v", where, name, oneLine(err))
			}
		}
	case st.Branch != nil:
		for i, c := range st.Branch.Cases {
			if _, err := CompileExpr(c.If.Src, true); err != nil {
				v.add(c.If.Line, "%s: case %d: %v", where, i+1, oneLine(err))
			}
			if c.Goto.Name == "" {
				v.add(c.If.Line, "%s: case %d has no goto", where, i+1)
			}
		}
		if st.Branch.Else.Name == "" {
			v.add(st.ID.Line, "%s: a branch needs else", where)
		}
	case st.Hours != nil:
		h := st.Hours
		if v.s.Hours[h.Schedule.Name] == nil {
			v.add(st.ID.Line, "%s: undefined hours schedule %q", where, h.Schedule.Name)
		}
		if h.Open.Name == "" || h.Closed.Name == "" {
			v.add(st.ID.Line, "%s: an hours step needs open and closed", where)
		}
	case st.Message != nil:
		v.promptRef(st.Message.Prompt, where, true)
	case st.Transfer != nil:
		v.promptRef(st.Transfer.Prompt, where, false)
		if st.Transfer.Queue == "" {
			v.add(st.ID.Line, "%s: a transfer needs a queue", where)
		}
	case st.Hangup != nil:
		v.promptRef(st.Hangup.Prompt, where, false)
	}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}

func (v *validator) ask(where string, st *Step) {
	a := st.Ask
	v.promptRef(a.Prompt, where, true)
	v.promptRef(a.Reprompt, where, false)
	if len(a.Intents) == 0 && len(a.DTMF) == 0 {
		v.add(st.ID.Line, "%s: an ask step needs intents or dtmf", where)
	}
	for _, name := range sortedKeys(a.Intents) {
		if v.s.Intents[name] == nil {
			v.add(a.Intents[name].Line, "%s: undefined intent %q", where, name)
		}
	}
	for _, key := range sortedKeys(a.DTMF) {
		if !validKey(key) {
			v.add(a.DTMF[key].Line, "%s: %q is not a DTMF key (0-9, *, #)", where, key)
		}
	}
	for _, r := range a.Slots {
		v.slotRef(r, where, true)
	}
}

func (v *validator) menu(where string, st *Step) {
	m := st.Menu
	v.promptRef(m.Prompt, where, true)
	v.promptRef(m.Reprompt, where, false)
	if len(m.Options) == 0 {
		v.add(st.ID.Line, "%s: a menu needs options", where)
	}
	seen := map[string]bool{}
	for i, o := range m.Options {
		if o.Key != "" && !validKey(o.Key) {
			v.add(o.Next.Line, "%s: option %d: %q is not a DTMF key (0-9, *, #)", where, i+1, o.Key)
		}
		if o.Key != "" && seen[o.Key] {
			v.add(o.Next.Line, "%s: option %d: key %q is used twice", where, i+1, o.Key)
		}
		seen[o.Key] = true
		if o.Key == "" && len(o.Phrases) == 0 {
			v.add(o.Next.Line, "%s: option %d needs a key or phrases", where, i+1)
		}
		if o.Next.Name == "" {
			v.add(st.ID.Line, "%s: option %d has no next", where, i+1)
		}
	}
}

func validKey(k string) bool {
	return len(k) == 1 && strings.Contains("0123456789*#", k)
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (v *validator) handlers() {
	h := &v.s.Handlers
	line := v.line("handlers")
	for _, x := range []struct {
		name string
		h    *Handler
	}{{"agent", h.Agent}, {"no_match", h.NoMatch}, {"no_input", h.NoInput}, {"negative_sentiment", h.Negative}, {"dtmf_zero", h.DTMFZero}, {"failure", h.Failure}} {
		if x.h == nil {
			continue
		}
		x.h.Line = line
		where := "handlers." + x.name
		v.route(where, x.h.Route, line)
		if x.name == "agent" {
			if x.h.Intent.Name == "" {
				v.add(line, "%s: intent is required", where)
			} else if v.s.Intents[x.h.Intent.Name] == nil {
				v.add(x.h.Intent.Line, "%s: undefined intent %q", where, x.h.Intent.Name)
			}
		}
		if x.h.Count < 0 {
			v.add(line, "%s: count %d is negative", where, x.h.Count)
		}
	}
}

func (v *validator) route(where string, r Route, line int) {
	n := 0
	for _, set := range []bool{r.Queue != "", r.Step.Name != "", r.Goodbye.Name != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		v.add(line, "%s: route to exactly one of queue, step or goodbye", where)
	}
	v.stepRef(r.Step, where)
	v.promptRef(r.Goodbye, where, false)
	v.promptRef(r.Prompt, where, false)
}

// prompts checks every {placeholder} names a slot, a variable or a special.
func (v *validator) prompts() {
	for _, st := range v.s.Steps {
		if st.Set != nil {
			for name := range st.Set.Vars {
				v.vars[name] = true
			}
		}
	}
	for _, name := range sortedKeys(v.s.Prompts) {
		p := v.s.Prompts[name]
		for _, m := range placeholderRE.FindAllStringSubmatch(p.Text+" "+p.SSML, -1) {
			ref := strings.TrimPrefix(strings.TrimPrefix(m[1], "slots."), "vars.")
			if specialPlaceholders[ref] || v.s.Slots[ref] != nil || v.vars[ref] {
				continue
			}
			v.add(p.Line, "prompt %q: undefined slot or variable {%s}", name, m[1])
		}
	}
}

// reachable reports steps that no path from start or a handler reaches.
func (v *validator) reachable() {
	s := v.s
	seen := map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		st := s.byID[id]
		if st == nil || seen[id] {
			return
		}
		seen[id] = true
		for _, r := range st.Successors() {
			walk(r.Name)
		}
	}
	walk(s.Start.Name)
	for _, h := range []*Handler{s.Handlers.Agent, s.Handlers.NoMatch, s.Handlers.NoInput, s.Handlers.Negative, s.Handlers.DTMFZero, s.Handlers.Failure} {
		if h != nil {
			walk(h.Step.Name)
		}
	}
	for _, st := range s.Steps {
		if st.ID.Name != "" && !seen[st.ID.Name] && s.byID[st.ID.Name] == st {
			v.add(st.ID.Line, "step %q is unreachable", st.ID.Name)
		}
	}
}
