package slots

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// ErrBadSlot reports a list or pattern slot that cannot be built.
var ErrBadSlot = errors.New("slots: bad slot definition")

// List is a slot whose values a script enumerates, each with synonyms.
type List struct {
	name    string
	phrases []listPhrase // longest first
}

type listPhrase struct {
	words []string
	value string
}

// NewList builds a list slot. values maps each canonical value to its synonyms; the
// canonical value itself is also matched.
func NewList(name string, values map[string][]string) (*List, error) {
	if name == "" || len(values) == 0 {
		return nil, fmt.Errorf("%w: list %q needs a name and values", ErrBadSlot, name)
	}
	l := &List{name: name}
	for v, syns := range values {
		for _, p := range append([]string{v}, syns...) {
			ws := words(p)
			if len(ws) > 0 {
				l.phrases = append(l.phrases, listPhrase{ws, v})
			}
		}
	}
	sort.SliceStable(l.phrases, func(a, b int) bool {
		if len(l.phrases[a].words) != len(l.phrases[b].words) {
			return len(l.phrases[a].words) > len(l.phrases[b].words)
		}
		return l.phrases[a].value < l.phrases[b].value
	})
	return l, nil
}

func words(s string) []string {
	var out []string
	for _, t := range tokenize(s) {
		out = append(out, t.t)
	}
	return out
}

// Extract returns the list values named in s, longest synonym first, without overlaps.
func (l *List) Extract(s string) []Slot {
	toks := tokenize(s)
	var out []Slot
	for i := 0; i < len(toks); {
		matched := false
		for _, p := range l.phrases {
			if i+len(p.words) > len(toks) {
				continue
			}
			ok := true
			for k, w := range p.words {
				if toks[i+k].t != w {
					ok = false
					break
				}
			}
			if ok {
				val, a, b := span(s, toks, i, i+len(p.words))
				out = append(out, Slot{Name: l.name, Value: val, Normalized: p.value, Start: a, End: b, Confidence: 0.95})
				i += len(p.words)
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	return out
}

// Pattern is a slot defined by a regular expression (RE2 syntax, matched
// case-insensitively). If the expression has a capture group, the first group is the
// normalised value.
type Pattern struct {
	name string
	re   *regexp.Regexp
}

// NewPattern compiles a pattern slot.
func NewPattern(name, expr string) (*Pattern, error) {
	re, err := regexp.Compile("(?i)" + expr)
	if err != nil || name == "" {
		return nil, fmt.Errorf("%w: pattern %q: %v", ErrBadSlot, name, err)
	}
	return &Pattern{name: name, re: re}, nil
}

// Extract returns the matches of the pattern in s.
func (p *Pattern) Extract(s string) []Slot {
	if len(s) > maxInput {
		s = s[:maxInput]
	}
	var out []Slot
	for _, m := range p.re.FindAllStringSubmatchIndex(s, -1) {
		norm := s[m[0]:m[1]]
		if len(m) >= 4 && m[2] >= 0 {
			norm = s[m[2]:m[3]]
		}
		if m[1] == m[0] {
			continue
		}
		out = append(out, Slot{Name: p.name, Value: s[m[0]:m[1]], Normalized: strings.TrimSpace(norm), Start: m[0], End: m[1], Confidence: 0.9})
	}
	return out
}
