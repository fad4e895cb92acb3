package runtime

import (
	"time"

	"github.com/parley-cc/parley/bot/script"
)

// listenFor builds the Listen for the current step and phase: hints, DTMF,
// timers.
func (d *Dialogue) listenFor() *Listen {
	st := d.cur
	set := d.bot.settings
	l := &Listen{Input: set.Input, NoInput: time.Duration(set.NoInput), Recognition: time.Duration(set.Recognition),
		InterDigit: time.Duration(set.InterDigit), MaxDigits: 1}
	apply := func(x script.Listening) {
		if x.Input != script.InputDefault {
			l.Input = x.Input
		}
		if x.NoInput > 0 {
			l.NoInput = time.Duration(x.NoInput)
		}
		if x.Recognition > 0 {
			l.Recognition = time.Duration(x.Recognition)
		}
	}
	lang := d.bot.Script.Language
	zero := d.bot.Script.Handlers.DTMFZero != nil
	switch d.phase {
	case phaseAsk:
		apply(st.Ask.Listening)
		l.Speech = phraseList(d.askPhrases(st.Ask))
		if keys := mapKeys(st.Ask.DTMF); len(keys) > 0 || zero {
			l.DTMF = dtmfGrammar(withZero(keys, zero))
		}
	case phaseMenu:
		apply(st.Menu.Listening)
		var items []srgsItem
		var keys []string
		for _, o := range st.Menu.Options {
			ph := append([]string(nil), o.Phrases...)
			if w := keyWords[o.Key]; w != "" {
				ph = append(ph, w, "option "+w)
				keys = append(keys, o.Key)
			}
			items = append(items, srgsItem{tag: first(o.Key, o.Next.Name), phrases: ph})
		}
		l.Speech = voiceGrammar(lang, items)
		if len(keys) > 0 || zero {
			l.DTMF = dtmfGrammar(withZero(keys, zero))
		}
	case phaseQuestion:
		apply(st.Answer.Listening)
		l.Speech = nil // open question: the recognizer's full language model
		if zero {
			l.DTMF = dtmfGrammar([]string{"0"})
		}
	case phaseCollect:
		apply(st.Collect.Listening)
		sl := d.bot.Script.Slots[st.Collect.Slot.Name]
		d.slotHints(l, sl, lang)
	case phaseConfirm:
		apply(st.Collect.Listening)
		l.Speech = voiceGrammar(lang, yesNoItems)
		l.DTMF = dtmfGrammar([]string{"1", "2"})
	case phaseAccount, phasePIN:
		apply(st.Verify.Listening)
		name := st.Verify.AccountSlot.Name
		if d.phase == phasePIN {
			name = st.Verify.PINSlot.Name
		}
		d.slotHints(l, d.bot.Script.Slots[name], lang)
	}
	if d.keypad && l.DTMF != nil {
		l.Speech = nil
		l.Input = script.InputDTMF
	}
	if l.Input == script.InputDTMF {
		l.Speech = nil
	}
	return l
}

func (d *Dialogue) slotHints(l *Listen, sl *script.Slot, lang string) {
	if sl == nil {
		return
	}
	switch sl.Type {
	case "digits":
		l.Speech = digitsGrammar("voice", lang, sl.MinLength, sl.MaxLength)
		l.DTMF = digitsGrammar("dtmf", "", sl.MinLength, sl.MaxLength)
		l.MaxDigits = sl.MaxLength
		if l.MaxDigits == 0 {
			l.MaxDigits = 32
		}
	case "yesno":
		l.Speech = voiceGrammar(lang, yesNoItems)
		l.DTMF = dtmfGrammar([]string{"1", "2"})
	case "list":
		var items []srgsItem
		for _, v := range sortedKeys(sl.Values) {
			items = append(items, srgsItem{tag: v, phrases: append([]string{v}, sl.Values[v]...)})
		}
		l.Speech = voiceGrammar(lang, items)
	case "number", "amount", "phone":
		l.DTMF = digitsGrammar("dtmf", "", 1, 0)
		l.MaxDigits = 32
	}
}

// askPhrases is the domain phrase list for an open question: the examples of
// the intents the step expects and of the agent intent.
func (d *Dialogue) askPhrases(a *script.Ask) []string {
	var out []string
	names := mapKeys(a.Intents)
	if h := d.bot.Script.Handlers.Agent; h != nil {
		names = append(names, h.Intent.Name)
	}
	for _, n := range names {
		if in := d.bot.Script.Intents[n]; in != nil {
			out = append(out, in.Examples...)
		}
	}
	return out
}

func withZero(keys []string, zero bool) []string {
	if !zero {
		return keys
	}
	for _, k := range keys {
		if k == "0" {
			return keys
		}
	}
	return append(keys, "0")
}

func mapKeys[T any](m map[string]T) []string {
	return sortedKeys(m)
}

func sortedKeys[T any](m map[string]T) []string {
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
