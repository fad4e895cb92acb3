package sphinx

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits of the grammar compiler: rules are expanded in place, so a rule
// referenced from many places, or recursively, multiplies states.
const (
	maxFSGStates = 200_000
	// maxRecursion is how many times a rule may be open inside itself: a
	// right-recursive list such as <list> = item [and <list>] accepts one
	// more item than this.
	maxRecursion = 6
	// garbagePhoneProb is the probability of each phone of the garbage
	// loop, which, with the loop's entry weight, sets how readily speech
	// is taken for garbage rather than for a grammar's words (tuned on
	// synthesized speech: docs/BENCHMARKS.md).
	garbagePhoneProb = 0.05
)

// garbagePrefix starts the words of the garbage model: no dictionary word
// (see words) contains '_'.
const garbagePrefix = "_"

// garbagePhones are the phones of the en-us acoustic model; the garbage
// model is any sequence of them.
var garbagePhones = strings.Fields("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH")

// garbageWords maps the garbage model's words to their one phone each.
func garbageWords() map[string][]string {
	m := make(map[string][]string, len(garbagePhones))
	for _, ph := range garbagePhones {
		m[garbagePrefix+strings.ToLower(ph)] = []string{ph}
	}
	return m
}

// phoneLoopFSG is a grammar of any sequence of phones, each with
// probability 1: the free phone recognition that confidence is measured
// against.
func phoneLoopFSG() string {
	b := &fsgBuilder{}
	start, _ := b.state()
	final, _ := b.state()
	b.loop(start, final, 1, 1)
	return b.text(start, final)
}

// fsgArc is a transition of a finite-state grammar; an empty word is a
// null transition.
type fsgArc struct {
	from, to int
	prob     float64
	word     string
}

// fsgBuilder compiles JSGF expansions to a finite-state grammar (FSG) by
// Thompson's construction: each expansion gets an entry state and returns
// its exit, loops get states of their own so that no path re-enters
// another expansion. PocketSphinx 5prealpha's own JSGF compiler loops
// back to shared states (after <a> | <b>+ it accepts "b a") and drops
// the weights of rule references, hence this one.
type fsgBuilder struct {
	states int
	arcs   []fsgArc
	open   map[*jsgfRule]int // rules being expanded -> depth
}

const dead = -1 // the exit of an expansion that matches nothing

func (b *fsgBuilder) state() (int, error) {
	if b.states >= maxFSGStates {
		return 0, fmt.Errorf("%w: grammar needs more than %d states", errJSGF, maxFSGStates)
	}
	b.states++
	return b.states - 1, nil
}

func (b *fsgBuilder) arc(from, to int, prob float64, word string) {
	b.arcs = append(b.arcs, fsgArc{from, to, prob, word})
}

// compileFSG writes grammars as one FSG in PocketSphinx's text format:
// the alternative of their root rules, each with probability 1, and, when
// garbage > 0, a garbage loop of phones with entry probability garbage.
func compileFSG(grammars []*jsgfGrammar, garbage float64) (string, error) {
	b := &fsgBuilder{open: map[*jsgfRule]int{}}
	start, _ := b.state()
	final, _ := b.state()
	reached := false
	for _, g := range grammars {
		end, err := b.node(g.root.body, start)
		if err != nil {
			return "", err
		}
		if end != dead {
			b.arc(end, final, 1, "")
			reached = true
		}
	}
	if !reached {
		return "", fmt.Errorf("%w: the grammars match nothing", errJSGF)
	}
	if garbage > 0 {
		if err := b.garbage(start, final, garbage); err != nil {
			return "", err
		}
	}
	return b.text(start, final), nil
}

// garbage adds the garbage loop at the root.
func (b *fsgBuilder) garbage(start, final int, weight float64) error {
	if b.states+2 > maxFSGStates {
		return fmt.Errorf("%w: grammar needs more than %d states", errJSGF, maxFSGStates)
	}
	b.loop(start, final, weight, garbagePhoneProb)
	return nil
}

// loop adds a path from start to final through one or more phones, each
// of probability phone, entered with probability weight.
func (b *fsgBuilder) loop(start, final int, weight, phone float64) {
	hub, end := b.states, b.states+1
	b.states += 2
	b.arc(start, hub, weight, "")
	for _, ph := range garbagePhones {
		b.arc(hub, end, phone, garbagePrefix+strings.ToLower(ph))
	}
	b.arc(end, hub, 1, "")
	b.arc(end, final, 1, "")
}

// node adds expansion n entered at from and returns its exit state, or
// dead. Of k alternatives each has probability 1/k, or its weight over
// their sum; loops and optional parts cost nothing.
func (b *fsgBuilder) node(n *jnode, from int) (int, error) {
	switch n.kind {
	case jWord:
		to, err := b.state()
		if err != nil {
			return 0, err
		}
		b.arc(from, to, 1, n.word)
		return to, nil
	case jNull:
		return from, nil
	case jVoid:
		return dead, nil
	case jRef:
		if b.open[n.rule] >= maxRecursion {
			return dead, nil
		}
		b.open[n.rule]++
		defer func() { b.open[n.rule]-- }()
		return b.node(n.rule.body, from)
	case jSeq:
		cur := from
		for _, k := range n.kids {
			var err error
			if cur, err = b.node(k, cur); err != nil || cur == dead {
				return cur, err
			}
		}
		return cur, nil
	case jAlt:
		return b.alt(n, from)
	case jOpt:
		end, err := b.state()
		if err != nil {
			return 0, err
		}
		b.arc(from, end, 1, "")
		e, err := b.node(n.kids[0], from)
		if err != nil {
			return 0, err
		}
		if e != dead {
			b.arc(e, end, 1, "")
		}
		return end, nil
	case jStar, jPlus:
		hub, err := b.state()
		if err != nil {
			return 0, err
		}
		b.arc(from, hub, 1, "")
		e, err := b.node(n.kids[0], hub)
		if err != nil || e == dead {
			if n.kind == jStar {
				return hub, err
			}
			return e, err
		}
		b.arc(e, hub, 1, "")
		if n.kind == jStar {
			return hub, nil
		}
		return e, nil
	}
	return dead, nil
}

func (b *fsgBuilder) alt(n *jnode, from int) (int, error) {
	end, err := b.state()
	if err != nil {
		return 0, err
	}
	total := float64(len(n.kids))
	if n.weights != nil {
		total = 0
		for _, w := range n.weights {
			total += w
		}
	}
	live := false
	for i, k := range n.kids {
		p := 1 / total
		if n.weights != nil {
			p = n.weights[i] / total
		}
		entry, err := b.state()
		if err != nil {
			return 0, err
		}
		b.arc(from, entry, p, "")
		e, err := b.node(k, entry)
		if err != nil {
			return 0, err
		}
		if e != dead {
			b.arc(e, end, 1, "")
			live = true
		}
	}
	if !live {
		return dead, nil
	}
	return end, nil
}

// text writes the FSG in PocketSphinx's format.
func (b *fsgBuilder) text(start, final int) string {
	var s strings.Builder
	s.Grow(32 * len(b.arcs))
	fmt.Fprintf(&s, "FSG_BEGIN parley\nNUM_STATES %d\nSTART_STATE %d\nFINAL_STATE %d\n", b.states, start, final)
	for _, a := range b.arcs {
		if a.from == a.to && a.word == "" {
			continue
		}
		s.WriteString("TRANSITION ")
		s.WriteString(strconv.Itoa(a.from))
		s.WriteByte(' ')
		s.WriteString(strconv.Itoa(a.to))
		s.WriteByte(' ')
		s.WriteString(strconv.FormatFloat(a.prob, 'g', 6, 64))
		if a.word != "" {
			s.WriteByte(' ')
			s.WriteString(a.word)
		}
		s.WriteByte('\n')
	}
	s.WriteString("FSG_END\n")
	return s.String()
}
