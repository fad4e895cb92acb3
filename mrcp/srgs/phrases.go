package srgs

// maxPhraseWork bounds the work of Phrases: bytes copied plus nodes
// visited.
const maxPhraseWork = 2_000_000

// Phrases returns up to max sentences the grammar matches, each once,
// shortest choices first and varied across alternatives: example
// utterances to bias a recognizer that takes phrases rather than a
// grammar (speech.RecogRequest.Phrases), or to test a grammar. Words are
// as the grammar matches them (lower case); $GARBAGE contributes no
// words, and a rule is entered at most twice on one path, so recursive
// rules give their shorter sentences. Every phrase returned matches. The
// work is bounded: a huge grammar may give fewer than max phrases. It
// returns nil for builtin:speech/transcribe.
func (g *Grammar) Phrases(max int) []string {
	if g.transcribe || max <= 0 || g.rootI < 0 {
		return nil
	}
	p := &phraser{g: g, max: max, depth: make([]int, len(g.rules))}
	var out []string
	seen := make(map[string]bool)
	for _, s := range p.rule(g.rootI) {
		if seen[s] {
			continue
		}
		seen[s] = true
		if _, ok := g.Match(s); ok {
			out = append(out, s)
		}
	}
	return out
}

type phraser struct {
	g     *Grammar
	max   int
	depth []int // times each rule is on the current path
	work  int
}

func (p *phraser) rule(r int) []string {
	if p.depth[r] >= 2 || p.work > maxPhraseWork {
		return nil
	}
	p.depth[r]++
	defer func() { p.depth[r]-- }()
	return p.gen(p.g.rules[r].body)
}

// gen returns up to max sentences of n (fewer when work runs out).
func (p *phraser) gen(n *node) []string {
	p.work++
	if p.work > maxPhraseWork {
		return nil
	}
	switch n.kind {
	case kWord:
		return []string{n.word}
	case kSeq:
		out := []string{""}
		for _, k := range n.kids {
			out = p.product(out, p.gen(k))
			if len(out) == 0 {
				return nil
			}
		}
		return out
	case kAlt:
		lists := make([][]string, 0, len(n.kids))
		for _, i := range n.choice.order {
			if n.kids[i].productive {
				lists = append(lists, p.gen(n.kids[i]))
			}
		}
		return p.interleave(lists)
	case kRepeat:
		return p.repeat(n)
	case kRef:
		return p.rule(n.refI)
	case kNull, kTag, kGarbage:
		return []string{""}
	}
	return nil // kVoid
}

// repeat gives the fewest copies first, then up to two more.
func (p *phraser) repeat(n *node) []string {
	if !n.productive {
		return nil
	}
	if n.max == 0 {
		return []string{""}
	}
	kid := p.gen(n.kids[0])
	cur := []string{""}
	for i := 0; i < n.min; i++ {
		cur = p.product(cur, kid)
	}
	lists := [][]string{cur}
	for i := n.min; i < n.min+2 && (n.max < 0 || i < n.max); i++ {
		cur = p.product(cur, kid)
		lists = append(lists, cur)
	}
	return p.interleave(lists)
}

// product is every a+b, cut at max.
func (p *phraser) product(as, bs []string) []string {
	var out []string
	for _, a := range as {
		for _, b := range bs {
			if len(out) >= p.max || p.work > maxPhraseWork {
				return out
			}
			p.work += len(a) + len(b) + 1
			switch {
			case a == "":
				out = append(out, b)
			case b == "":
				out = append(out, a)
			default:
				out = append(out, a+" "+b)
			}
		}
	}
	return out
}

// interleave takes one from each list in turn, cut at max, so that
// every alternative is represented early.
func (p *phraser) interleave(lists [][]string) []string {
	var out []string
	for i := 0; len(out) < p.max; i++ {
		took := false
		for _, l := range lists {
			if i < len(l) && len(out) < p.max {
				out = append(out, l[i])
				took = true
			}
		}
		if !took {
			break
		}
	}
	return out
}
