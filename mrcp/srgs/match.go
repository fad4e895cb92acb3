package srgs

import (
	"cmp"
	"slices"
	"strings"
)

// Match is the result of matching an input against a grammar.
type Match struct {
	// Text is the input as the grammar saw it: its words, lower case
	// and separated by one space; for a DTMF grammar its keys, separated
	// by one space ("1 2 #").
	Text string
	// Instance is the semantic interpretation (SISR 1.0): the root rule's
	// value, a string, float64, bool or map[string]any whose values are
	// again of those types. Without tags it is the matched text.
	Instance any
	// Rule is the id of the rule matched: the root rule.
	Rule string
}

// matchBudget bounds the work of one Match or Prefix, counted as one
// unit per expansion visited plus one per 64-position word of each set
// made (so also its memory: at most about 8 MB), which is 10-30 ms on
// a slow core. The spec examples and a 5,000-name directory need at
// most a few hundred units (TestWorkMargin).
const matchBudget = 1_000_000

// maxEvents bounds a derivation's length: its words, tags and rule
// entries and exits.
const maxEvents = 100_000

// Match reports whether the whole input matches the grammar's root rule
// and, if so, returns its semantic interpretation. Input words are
// compared case-insensitively and punctuation is ignored; in a DTMF
// grammar the input is keys ("0"-"9", "*", "#", "A"-"D"), with or
// without spaces between them, and other characters are ignored.
//
// Where a grammar is ambiguous, Match picks one parse: at each
// alternative the heaviest weight that leads to a match, then the first
// in document order; repeats and sequences favour earlier items
// consuming more words. The algorithm is polynomial in the input length
// and the grammar size (sets of positions per rule and start, memoized),
// and it gives up, reporting no match, after a fixed amount of work or
// on input longer than MaxInputWords.
func (g *Grammar) Match(input string) (*Match, bool) {
	in := g.splitInput(input)
	if len(in) > MaxInputWords {
		return nil, false
	}
	text := strings.Join(in, " ")
	if g.transcribe {
		if len(in) == 0 {
			return nil, false
		}
		return &Match{Text: text, Instance: text}, true
	}
	m := newMatcher(g, in)
	if !m.ruleEnds(g.rootI, 0).has(m.n) || m.aborted() {
		return nil, false
	}
	evs := make([]event, 0, 4*len(in)+8)
	if !m.deriveRule(g.rootI, 0, m.n, &evs) || m.aborted() {
		return nil, false
	}
	return &Match{Text: text, Instance: g.interpret(in, evs), Rule: g.root}, true
}

// Prefix reports whether input is a complete match of the grammar
// (complete), and whether more input could still extend it to a match
// (viable). A recognizer waiting for DTMF keys stops when the input is
// complete and not viable, and waits for more while viable; a speech
// recognizer picks Speech-Complete-Timeout or Speech-Incomplete-Timeout
// the same way, and a DTMF one DTMF-Term-Timeout or
// DTMF-Interdigit-Timeout (RFC 6787 section 9.4). Input that can never
// match returns false, false.
func (g *Grammar) Prefix(input string) (complete, viable bool) {
	in := g.splitInput(input)
	if len(in) > MaxInputWords {
		return false, false
	}
	if g.transcribe {
		return len(in) > 0, true
	}
	m := newMatcher(g, in)
	complete = m.ruleEnds(g.rootI, 0).has(m.n)
	start := newBitset(m.n)
	start.set(0)
	viable = m.viable(g.rules[g.rootI].body, start)
	if m.aborted() {
		return false, false
	}
	return complete, viable
}

// matcher holds one input's memo: for each rule and start position, the
// set of positions where the rule can end.
type matcher struct {
	g    *Grammar
	in   []string
	n    int
	ends [][]bitset // [rule][start]; nil until computed
	busy [][]bool   // [rule][start]; being computed (left recursion guard)
	via  [][]uint8  // [rule][start]: 0 unknown, 1 busy, 2 false, 3 true
	slab []uint64
	// slabSize is the size of the last slab
	slabSize int
	work     int
}

func newMatcher(g *Grammar, in []string) *matcher {
	return &matcher{
		g:    g,
		in:   in,
		n:    len(in),
		ends: make([][]bitset, len(g.rules)),
		busy: make([][]bool, len(g.rules)),
		via:  make([][]uint8, len(g.rules)),
	}
}

func (m *matcher) aborted() bool { return m.work > matchBudget }

// set returns an empty set, carved from a slab to spare the allocator.
func (m *matcher) set() bitset {
	w := (m.n + 64) / 64
	m.work += w
	if len(m.slab) < w {
		// Slabs grow from 32 words (one 8-position set at a time for
		// a short input) to 1024.
		m.slabSize = min(max(2*m.slabSize, 32), 1024)
		m.slab = make([]uint64, max(m.slabSize, w))
	}
	s := bitset(m.slab[:w:w])
	m.slab = m.slab[w:]
	return s
}

func (m *matcher) single(p int) bitset {
	s := m.set()
	s.set(p)
	return s
}

// ruleEnds returns where rule r, started at p, can end.
func (m *matcher) ruleEnds(r, p int) bitset {
	if m.ends[r] == nil {
		m.work += 3 * (m.n + 1) // the two slices' memory, in words
		m.ends[r] = make([]bitset, m.n+1)
		m.busy[r] = make([]bool, m.n+1)
	}
	if e := m.ends[r][p]; e != nil {
		return e
	}
	if m.busy[r][p] || m.aborted() {
		// Left recursion is refused by Parse; this only guards.
		return m.set()
	}
	m.busy[r][p] = true
	e := m.eval(m.g.rules[r].body, m.single(p))
	m.busy[r][p] = false
	m.ends[r][p] = e
	return e
}

// eval returns the positions where n can end when started at any
// position of s. It does not modify s.
func (m *matcher) eval(n *node, s bitset) bitset {
	m.work++
	if m.aborted() {
		return m.set()
	}
	switch n.kind {
	case kWord:
		out := m.set()
		s.each(func(p int) {
			if p < m.n && m.in[p] == n.word {
				out.set(p + 1)
			}
		})
		return out
	case kSeq:
		cur := s
		for _, k := range n.kids {
			cur = m.eval(k, cur)
			if cur.empty() {
				break
			}
		}
		if len(n.kids) == 0 {
			cur = m.clone(s)
		}
		return cur
	case kAlt:
		out := m.set()
		if n.choice.first == nil {
			for _, k := range n.kids {
				out.or(m.eval(k, s))
			}
			return out
		}
		for _, i := range m.candidates(n, s) {
			out.or(m.eval(n.kids[i], s))
		}
		return out
	case kRepeat:
		return m.evalRepeat(n, s)
	case kRef:
		out := m.set()
		s.each(func(p int) { out.or(m.ruleEnds(n.refI, p)) })
		return out
	case kNull, kTag:
		return m.clone(s)
	case kGarbage:
		out := m.set()
		if p := s.first(); p >= 0 {
			for q := p; q <= m.n; q++ {
				out.set(q)
			}
		}
		return out
	}
	return m.set() // kVoid
}

func (m *matcher) clone(s bitset) bitset {
	out := m.set()
	copy(out, s)
	return out
}

// evalRepeat runs the item min times, then breadth-first up to max-min
// more times, stopping when no new position appears.
func (m *matcher) evalRepeat(n *node, s bitset) bitset {
	k := n.kids[0]
	cur := s
	for i := 0; i < n.min; i++ {
		cur = m.eval(k, cur)
		if cur.empty() {
			return cur
		}
	}
	result := m.clone(cur)
	frontier := cur
	for d := 0; n.max < 0 || d < n.max-n.min; d++ {
		next := m.eval(k, frontier)
		next.andNot(result)
		if next.empty() || m.aborted() {
			break
		}
		result.or(next)
		frontier = next
	}
	return result
}

// reach returns the positions reachable from s with 0 to max-1 copies
// of a repeat's item (all of them when unbounded).
func (m *matcher) reach(n *node, s bitset) bitset {
	result := m.clone(s)
	frontier := s
	for d := 1; n.max < 0 || d < n.max; d++ {
		next := m.eval(n.kids[0], frontier)
		next.andNot(result)
		if next.empty() || m.aborted() {
			break
		}
		result.or(next)
		frontier = next
	}
	return result
}

// viable reports whether, from some position of s, the rest of the input
// is a proper prefix of a string n matches: n can consume all the input
// and still want more.
func (m *matcher) viable(n *node, s bitset) bool {
	if s.empty() || m.aborted() {
		return false
	}
	if s.has(m.n) && n.grows {
		return true
	}
	switch n.kind {
	case kSeq:
		cur := s
		for i, k := range n.kids {
			if m.viable(k, cur) && restProductive(n.kids[i+1:]) {
				return true
			}
			cur = m.eval(k, cur)
			if cur.empty() {
				return false
			}
		}
	case kAlt:
		for _, k := range n.kids {
			if m.viable(k, s) {
				return true
			}
		}
	case kRepeat:
		if n.max == 0 {
			return false
		}
		return m.viable(n.kids[0], m.reach(n, s))
	case kRef:
		found := false
		s.each(func(p int) {
			if !found {
				found = m.viableRule(n.refI, p)
			}
		})
		return found
	case kGarbage:
		return true
	}
	return false
}

func restProductive(kids []*node) bool {
	for _, k := range kids {
		if !k.productive {
			return false
		}
	}
	return true
}

func (m *matcher) viableRule(r, p int) bool {
	if m.via[r] == nil {
		m.work += (m.n + 8) / 8
		m.via[r] = make([]uint8, m.n+1)
	}
	switch m.via[r][p] {
	case 1, 2:
		return false
	case 3:
		return true
	}
	m.via[r][p] = 1
	ok := m.viable(m.g.rules[r].body, m.single(p))
	m.via[r][p] = 2
	if ok {
		m.via[r][p] = 3
	}
	return ok
}

// event is one step of a derivation, in input order.
type event struct {
	kind evKind
	rule int   // evEnter, evExit
	pos  int   // input position: start (enter, word), end (exit)
	tag  *node // evTag
}

type evKind uint8

const (
	evEnter evKind = iota
	evExit
	evWord
	evTag
)

func (m *matcher) deriveRule(r, p, q int, evs *[]event) bool {
	*evs = append(*evs, event{kind: evEnter, rule: r, pos: p})
	if !m.derive(m.g.rules[r].body, p, q, evs) {
		return false
	}
	*evs = append(*evs, event{kind: evExit, rule: r, pos: q})
	return true
}

// derive appends the events of one way n matches the input from p to q,
// which the caller has established is possible.
func (m *matcher) derive(n *node, p, q int, evs *[]event) bool {
	m.work++
	if m.aborted() || len(*evs) > maxEvents {
		return false
	}
	switch n.kind {
	case kWord:
		*evs = append(*evs, event{kind: evWord, pos: p})
		return q == p+1
	case kSeq:
		return m.deriveSeq(n.kids, p, q, evs)
	case kAlt:
		order := n.choice.order
		if n.choice.first != nil && p < m.n {
			// Only the kids that can start here, by rank.
			order = slices.Clone(m.candidates(n, m.single(p)))
			slices.SortFunc(order, func(a, b int) int { return cmp.Compare(n.choice.rank[a], n.choice.rank[b]) })
		}
		for _, i := range order {
			k := n.kids[i]
			if !m.canSpan(n, i, p, q) {
				continue
			}
			if m.eval(k, m.single(p)).has(q) {
				return m.derive(n.kids[i], p, q, evs)
			}
		}
		return false
	case kRepeat:
		return m.deriveRepeat(n, p, q, evs)
	case kRef:
		return m.deriveRule(n.refI, p, q, evs)
	case kTag:
		*evs = append(*evs, event{kind: evTag, tag: n})
		return p == q
	case kNull:
		return p == q
	case kGarbage:
		for i := p; i < q; i++ {
			*evs = append(*evs, event{kind: evWord, pos: i})
		}
		return p <= q
	}
	return false
}

// candidates lists the kids of an indexed alternative that may match
// from some position of s, in order.
func (m *matcher) candidates(n *node, s bitset) []int {
	a := n.choice.first
	if p, ok := s.only(); ok {
		// One start position, the common case: no merging.
		if p >= m.n {
			return a.always
		}
		if len(a.always) == 0 {
			return a.byWord[m.in[p]]
		}
	}
	seen := make([]bool, len(n.kids))
	for _, i := range a.always {
		seen[i] = true
	}
	s.each(func(p int) {
		if p < m.n {
			for _, i := range a.byWord[m.in[p]] {
				seen[i] = true
			}
		}
	})
	var out []int
	for i, ok := range seen {
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// canSpan is a quick test that kid i of alternative n may match from p
// to q: a kid that cannot match the empty string must start with one
// of its first words.
func (m *matcher) canSpan(n *node, i, p, q int) bool {
	k := n.kids[i]
	if k.kind == kWord {
		return q == p+1 && m.in[p] == k.word
	}
	if n.choice.first == nil || n.choice.first.can[i].any {
		return true
	}
	if p >= m.n || p == q {
		return false
	}
	return n.choice.first.can[i].contains(m.in[p])
}

// deriveSeq splits p..q among kids: forward sets, then a walk back that
// picks for each item the latest start from which the rest still fits.
func (m *matcher) deriveSeq(kids []*node, p, q int, evs *[]event) bool {
	fwd := make([]bitset, len(kids)+1)
	fwd[0] = m.single(p)
	for i, k := range kids {
		fwd[i+1] = m.eval(k, fwd[i])
	}
	if !fwd[len(kids)].has(q) {
		return false
	}
	return m.deriveChain(kids, fwd, q, evs)
}

// deriveChain derives kids[i] between cuts chosen backwards from q, each
// cut a position of fwd[i] from which kids[i] reaches the next cut.
func (m *matcher) deriveChain(kids []*node, fwd []bitset, q int, evs *[]event) bool {
	cuts := make([]int, len(kids)+1)
	cuts[len(kids)] = q
	for i := len(kids) - 1; i >= 0; i-- {
		found := false
		for x := fwd[i].last(cuts[i+1]); x >= 0; x = fwd[i].last(x - 1) {
			if m.eval(kids[i], m.single(x)).has(cuts[i+1]) {
				cuts[i], found = x, true
				break
			}
		}
		if !found {
			return false
		}
	}
	for i, k := range kids {
		if !m.derive(k, cuts[i], cuts[i+1], evs) {
			return false
		}
	}
	return true
}

// deriveRepeat finds the fewest copies (at least min) of the item that
// span p..q, then derives each copy.
func (m *matcher) deriveRepeat(n *node, p, q int, evs *[]event) bool {
	limit := n.min + m.n + 1
	if n.max >= 0 && n.max < limit {
		limit = n.max
	}
	layers := []bitset{m.single(p)}
	for j := 1; j <= limit; j++ {
		if j-1 >= n.min && layers[j-1].has(q) {
			break
		}
		next := m.eval(n.kids[0], layers[j-1])
		if next.empty() || m.aborted() {
			break
		}
		layers = append(layers, next)
	}
	j := -1
	for i := n.min; i < len(layers); i++ {
		if layers[i].has(q) {
			j = i
			break
		}
	}
	if j < 0 {
		return false
	}
	kids := make([]*node, j)
	for i := range kids {
		kids[i] = n.kids[0]
	}
	return m.deriveChain(kids, layers[:j+1], q, evs)
}
