package nlsml

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Parse reads an NLSML result (RFC 6787 section 9.6), accepting the
// variants the package comment lists. Errors wrap ErrSyntax or
// ErrTooLarge.
func Parse(body []byte) (*Result, error) {
	root, err := readTree(body)
	if err != nil {
		return nil, err
	}
	if root.name != "result" {
		return nil, fmt.Errorf("%w: root element <%s>, want <result>", ErrSyntax, root.name)
	}
	r := &Result{}
	r.Grammar, _ = root.attr("grammar")
	var flags Input
	for _, k := range root.kids {
		switch k.name {
		case "interpretation":
			in, err := parseInterpretation(k, r.Grammar)
			if err != nil {
				return nil, err
			}
			r.Interpretations = append(r.Interpretations, in)
		case "noinput", "nomatch":
			markFlag(&flags, k)
		}
	}
	if flags.NoInput || flags.NoMatch {
		if len(r.Interpretations) == 0 {
			flags.Text = collapse(flags.Text)
			r.Interpretations = append(r.Interpretations, Interpretation{Grammar: r.Grammar, Input: flags})
		} else {
			for i := range r.Interpretations {
				in := &r.Interpretations[i].Input
				in.NoInput = in.NoInput || flags.NoInput
				in.NoMatch = in.NoMatch || flags.NoMatch
			}
		}
	}
	slices.SortStableFunc(r.Interpretations, func(a, b Interpretation) int {
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
	return r, nil
}

func parseInterpretation(n *node, grammar string) (Interpretation, error) {
	in := Interpretation{Grammar: grammar, Confidence: -1}
	if g, ok := n.attr("grammar"); ok && g != "" {
		in.Grammar = g
	}
	if c, ok := n.attr("confidence"); ok {
		v, err := parseConfidence(c)
		if err != nil {
			return in, err
		}
		in.Confidence = v
	}
	var sawInstance, sawInput bool
	inputConf := -1.0
	for _, k := range n.kids {
		switch k.name {
		case "instance":
			if !sawInstance {
				sawInstance = true
				in.Instance = instanceValue(k)
			}
		case "input":
			if !sawInput {
				sawInput = true
				var err error
				if inputConf, err = parseInput(k, &in.Input); err != nil {
					return in, err
				}
			}
		case "noinput", "nomatch":
			markFlag(&in.Input, k)
		}
	}
	in.Input.Text = collapse(in.Input.Text)
	if in.Confidence < 0 {
		in.Confidence = 1
		if in.Input.NoInput || in.Input.NoMatch {
			in.Confidence = 0
		}
	}
	in.Input.Confidence = inputConf
	if inputConf < 0 {
		in.Input.Confidence = in.Confidence
	}
	return in, nil
}

// parseInput reads an <input> into in, appending its text, and returns
// its confidence, or -1 when neither it nor its nested inputs give one.
func parseInput(n *node, in *Input) (float64, error) {
	conf := -1.0
	if c, ok := n.attr("confidence"); ok {
		v, err := parseConfidence(c)
		if err != nil {
			return conf, err
		}
		conf = v
	}
	if m, ok := n.attr("mode"); ok && in.Mode == "" {
		in.Mode = strings.TrimSpace(m)
	}
	nested := -1.0
	for _, k := range n.kids {
		switch k.name {
		case "":
			in.Text += k.text
		case "input":
			in.Text += " "
			c, err := parseInput(k, in)
			if err != nil {
				return conf, err
			}
			in.Text += " "
			if c >= 0 && (nested < 0 || c < nested) {
				nested = c
			}
		case "noinput", "nomatch":
			markFlag(in, k)
		}
	}
	if conf < 0 {
		conf = nested
	}
	return conf, nil
}

// markFlag records a <noinput/> or <nomatch/>; text inside <nomatch> is
// what was heard.
func markFlag(in *Input, n *node) {
	if n.name == "noinput" {
		in.NoInput = true
		return
	}
	in.NoMatch = true
	in.Text += " " + allText(n) + " "
}

// allText is the character data inside n at any depth.
func allText(n *node) string {
	var sb strings.Builder
	var walk func(*node)
	walk = func(n *node) {
		for _, k := range n.kids {
			if k.name == "" {
				sb.WriteString(k.text)
			} else {
				walk(k)
			}
		}
	}
	walk(n)
	return sb.String()
}

// instanceValue converts an <instance> to nil, a string or a map.
func instanceValue(n *node) any {
	v := value(n)
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

func value(n *node) any {
	if !n.hasElems() {
		return strings.TrimSpace(n.directText())
	}
	m := make(map[string]any)
	for _, k := range n.kids {
		if k.name == "" {
			continue
		}
		// value never returns a list, so a list in m is a repeated element.
		v := value(k)
		old, seen := m[k.name]
		switch list, isList := old.([]any); {
		case !seen:
			m[k.name] = v
		case isList:
			m[k.name] = append(list, v)
		default:
			m[k.name] = []any{old, v}
		}
	}
	return m
}

// parseConfidence reads a confidence: a number from 0 to 1, or a legacy
// percentage above 1 and up to 100.
func parseConfidence(s string) (float64, error) {
	t := strings.TrimSpace(s)
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 100 {
		return 0, fmt.Errorf("%w: confidence %q", ErrSyntax, s)
	}
	if v > 1 {
		v /= 100
	}
	return v, nil
}

// collapse trims s and turns every run of white space into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
