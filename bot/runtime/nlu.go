package runtime

import (
	"fmt"
	"strings"
	"time"

	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/nlu/slots"
)

func extractor(name string, sl *script.Slot) (func(string, time.Time) []slots.Slot, error) {
	lengthOK := func(in []slots.Slot) []slots.Slot {
		var out []slots.Slot
		for _, x := range in {
			x.Name = name
			n := len(x.Normalized)
			if (sl.MinLength > 0 && n < sl.MinLength) || (sl.MaxLength > 0 && n > sl.MaxLength) {
				continue
			}
			out = append(out, x)
		}
		return out
	}
	simple := func(f func(string) []slots.Slot) func(string, time.Time) []slots.Slot {
		return func(s string, _ time.Time) []slots.Slot { return lengthOK(f(s)) }
	}
	switch sl.Type {
	case "digits":
		return simple(digitsOf), nil
	case "number":
		return simple(slots.Numbers), nil
	case "amount":
		return simple(slots.Amounts), nil
	case "email":
		return simple(slots.Emails), nil
	case "phone":
		return simple(slots.Phones), nil
	case "date":
		return func(s string, now time.Time) []slots.Slot { return lengthOK(slots.Dates(s, now)) }, nil
	case "yesno":
		return simple(func(s string) []slots.Slot {
			if x, ok := slots.YesNo(s); ok {
				return []slots.Slot{x}
			}
			return nil
		}), nil
	case "list":
		l, err := slots.NewList(name, sl.Values)
		if err != nil {
			return nil, err
		}
		return simple(l.Extract), nil
	case "pattern":
		p, err := slots.NewPattern(name, sl.Pattern)
		if err != nil {
			return nil, err
		}
		return simple(p.Extract), nil
	case "text":
		return simple(func(s string) []slots.Slot {
			s = strings.TrimSpace(s)
			if s == "" {
				return nil
			}
			return []slots.Slot{{Name: name, Value: s, Normalized: s, End: len(s), Confidence: 1}}
		}), nil
	}
	return nil, fmt.Errorf("unknown slot type %q", sl.Type)
}

// digitsOf joins all digit runs of an utterance ("one two three four" and
// "12 34" are both "1234"), as callers read numbers in groups.
func digitsOf(s string) []slots.Slot {
	found := slots.Digits(s)
	if len(found) <= 1 {
		return found
	}
	var b strings.Builder
	for _, x := range found {
		b.WriteString(x.Normalized)
	}
	first, last := found[0], found[len(found)-1]
	return []slots.Slot{{Name: "digits", Value: s[first.Start:last.End], Normalized: b.String(), Start: first.Start, End: last.End, Confidence: first.Confidence}}
}

// keyDigits is what a DTMF entry means as digits: the keys without a final '#'.
func keyDigits(keys string) string { return strings.TrimSuffix(keys, "#") }
