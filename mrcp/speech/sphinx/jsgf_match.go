package sphinx

// matches reports whether the grammar's root rule produces exactly ws.
// Left-recursive rules, which PocketSphinx refuses anyway, are cut at the
// recursion, so the answer is then conservative.
func (g *jsgfGrammar) matches(ws []string) bool {
	m := &matcher{ws: ws, memo: map[matchKey][]bool{}, busy: map[matchKey]bool{}}
	return m.ends(g.root.body, 0)[len(ws)]
}

type matchKey struct {
	n   *jnode
	pos int
}

// matcher computes, for an expansion and a start position in ws, the set
// of positions where a match can end, as a []bool of len(ws)+1.
type matcher struct {
	ws   []string
	memo map[matchKey][]bool
	busy map[matchKey]bool
}

func (m *matcher) ends(n *jnode, pos int) []bool {
	k := matchKey{n, pos}
	if e, ok := m.memo[k]; ok {
		return e
	}
	if m.busy[k] {
		return make([]bool, len(m.ws)+1)
	}
	m.busy[k] = true
	e := m.compute(n, pos)
	delete(m.busy, k)
	m.memo[k] = e
	return e
}

func (m *matcher) compute(n *jnode, pos int) []bool {
	out := make([]bool, len(m.ws)+1)
	switch n.kind {
	case jWord:
		if pos < len(m.ws) && m.ws[pos] == n.word {
			out[pos+1] = true
		}
	case jNull:
		out[pos] = true
	case jRef:
		copy(out, m.ends(n.rule.body, pos))
	case jAlt:
		for _, k := range n.kids {
			or(out, m.ends(k, pos))
		}
	case jSeq:
		out[pos] = true
		for _, k := range n.kids {
			out = m.step(k, out)
		}
	case jOpt:
		out[pos] = true
		or(out, m.ends(n.kids[0], pos))
	case jStar, jPlus:
		if n.kind == jStar {
			out[pos] = true
		} else {
			copy(out, m.ends(n.kids[0], pos))
		}
		// Close over further repetitions: positions only grow, so this
		// ends after at most len(ws) rounds.
		for {
			next := m.step(n.kids[0], out)
			if !or(out, next) {
				break
			}
		}
	}
	return out
}

// step returns the end positions of n started from any position in from.
func (m *matcher) step(n *jnode, from []bool) []bool {
	out := make([]bool, len(m.ws)+1)
	for p, ok := range from {
		if ok {
			or(out, m.ends(n, p))
		}
	}
	return out
}

// or sets dst |= src and reports whether dst changed.
func or(dst, src []bool) bool {
	changed := false
	for i, v := range src {
		if v && !dst[i] {
			dst[i], changed = true, true
		}
	}
	return changed
}
