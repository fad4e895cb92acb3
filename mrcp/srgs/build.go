package srgs

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// builder collects a grammar's rules while one of the two parsers reads
// it, enforcing the limits, then resolves and checks it (finish).
type builder struct {
	g     *Grammar
	nodes int
	refs  []*node
	// where the root was declared, for errors
	rootLine, rootCol int
}

func newBuilder() *builder {
	return &builder{g: &Grammar{byID: make(map[string]int), rootI: -1}}
}

func (b *builder) node(k kind, line, col int) (*node, error) {
	b.nodes++
	if b.nodes > MaxNodes {
		return nil, fmt.Errorf("%w: more than %d nodes (at %d:%d)", ErrTooComplex, MaxNodes, line, col)
	}
	n := &node{kind: k, line: line, col: col, prob: -1, id: b.nodes}
	if k == kAlt {
		n.choice = &choice{}
	}
	if k == kRef {
		b.refs = append(b.refs, n)
	}
	return n, nil
}

// addWords appends to seq the words of one source token, normalized for
// the grammar's mode. A token that normalizes to nothing (punctuation)
// adds nothing.
func (b *builder) addWords(seq *node, tok string, line, col int) error {
	var ws []string
	if b.g.mode == DTMF {
		var bad rune
		var ok bool
		ws, bad, ok = dtmfWords(tok, nil)
		if !ok {
			return syntaxErr(line, col, "%q is not a DTMF key", bad)
		}
	} else {
		ws = normWords(tok, nil)
	}
	for _, w := range ws {
		n, err := b.node(kWord, line, col)
		if err != nil {
			return err
		}
		n.word = w
		seq.kids = append(seq.kids, n)
	}
	return nil
}

func (b *builder) addRule(id string, public bool, body *node, line, col int) error {
	if err := checkRuleName(id); err != nil {
		return syntaxErr(line, col, "rule %q: %v", id, err)
	}
	if _, dup := b.g.byID[id]; dup {
		return syntaxErr(line, col, "rule %q defined twice", id)
	}
	if len(b.g.rules) >= MaxRules {
		return fmt.Errorf("%w: more than %d rules", ErrTooComplex, MaxRules)
	}
	b.g.byID[id] = len(b.g.rules)
	b.g.rules = append(b.g.rules, &rule{id: id, public: public, body: body, line: line, col: col})
	return nil
}

// checkRuleName applies SRGS section 3.1: a rule name is an XML name
// without ".", ":" or "-", and not one of the special rule names.
func checkRuleName(id string) error {
	if id == "" {
		return fmt.Errorf("empty rule name")
	}
	switch id {
	case "NULL", "VOID", "GARBAGE":
		return fmt.Errorf("special rule names are reserved")
	}
	if strings.ContainsAny(id, ".:-") {
		return fmt.Errorf("rule names may not contain '.', ':' or '-'")
	}
	for _, r := range id {
		if r <= ' ' || strings.ContainsRune("<>$\"'/=;|(){}[]#!&", r) {
			return fmt.Errorf("invalid character %q", r)
		}
	}
	return nil
}

// parseRepeat reads an SRGS repeat value: "n", "n-m" or "n-" (section
// 2.5). max is -1 when unbounded.
func parseRepeat(s string) (min, max int, err error) {
	s = strings.TrimSpace(s)
	lo, hi, ranged := strings.Cut(s, "-")
	min, err = repeatCount(lo)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case !ranged:
		max = min
	case strings.TrimSpace(hi) == "":
		max = -1
	default:
		if max, err = repeatCount(hi); err != nil {
			return 0, 0, err
		}
		if max < min {
			return 0, 0, fmt.Errorf("repeat %q: upper bound below lower bound", s)
		}
	}
	return min, max, nil
}

func repeatCount(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("repeat count %q is not a number", s)
	}
	if len(s) > 9 {
		return 0, fmt.Errorf("%w: repeat count %s above %d", ErrTooComplex, s, MaxRepeat)
	}
	n, _ := strconv.Atoi(s)
	if n > MaxRepeat {
		return 0, fmt.Errorf("%w: repeat count %d above %d", ErrTooComplex, n, MaxRepeat)
	}
	return n, nil
}

// parseFloat reads a weight or probability: a finite, non-negative
// decimal number.
func parseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("%q is not a non-negative number", s)
	}
	return f, nil
}

// wrapRepeat puts n under a repeat node when the repeat is not exactly
// once.
func (b *builder) wrapRepeat(n *node, min, max int, prob float64, line, col int) (*node, error) {
	if min == 1 && max == 1 {
		return n, nil
	}
	r, err := b.node(kRepeat, line, col)
	if err != nil {
		return nil, err
	}
	r.kids = []*node{n}
	r.min, r.max, r.prob = min, max, prob
	return r, nil
}

// finish resolves rule references, picks the root, analyses the rules
// and checks the limits that need the whole grammar.
func (b *builder) finish() (*Grammar, error) {
	g := b.g
	for _, n := range b.refs {
		i, ok := g.byID[n.ref]
		if !ok {
			return nil, syntaxErr(n.line, n.col, "reference to undefined rule %q", n.ref)
		}
		n.refI = i
	}
	if err := b.pickRoot(); err != nil {
		return nil, err
	}
	if err := g.analyse(b.nodes); err != nil {
		return nil, err
	}
	if err := g.checkLeftRecursion(); err != nil {
		return nil, err
	}
	var total int
	for _, r := range g.rules {
		total = satAdd(total, expansion(r.body))
		if total > MaxExpansion {
			return nil, fmt.Errorf("%w: rule %q: expanded size above %d", ErrTooComplex, r.id, MaxExpansion)
		}
	}
	g.words = g.vocabulary()
	g.compileTags()
	g.indexAlternatives()
	return g, nil
}

// compileTags compiles every tag as a script unless the grammar's tag
// format is literals; a tag that is not a script stays a literal.
func (g *Grammar) compileTags() {
	if strings.HasPrefix(g.tagFormat, TagFormatLiterals) {
		return
	}
	var walk func(n *node)
	walk = func(n *node) {
		if n.kind == kTag {
			n.prog, _ = compileScript(n.tag)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	for _, r := range g.rules {
		walk(r.body)
	}
}

func (b *builder) pickRoot() error {
	g := b.g
	if len(g.rules) == 0 {
		return syntaxErr(0, 0, "grammar defines no rules")
	}
	if g.root != "" {
		i, ok := g.byID[g.root]
		if !ok {
			return syntaxErr(b.rootLine, b.rootCol, "root rule %q is not defined", g.root)
		}
		g.rootI = i
		return nil
	}
	g.rootI = 0
	for i, r := range g.rules {
		if r.public {
			g.rootI = i
			break
		}
	}
	g.root = g.rules[g.rootI].id
	return nil
}

func satAdd(a, b int) int {
	if a > math.MaxInt32 || b > math.MaxInt32 {
		return math.MaxInt32
	}
	return min(a+b, math.MaxInt32)
}

func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt32/a {
		return math.MaxInt32
	}
	return a * b
}

// expansion is the size of n with every repeat written out: a bound on
// the work of one pass of the matcher over n and on n's JSGF rendering.
func expansion(n *node) int {
	size := 1
	for _, k := range n.kids {
		size = satAdd(size, expansion(k))
	}
	if n.kind == kRepeat {
		times := n.max
		if times < 0 {
			times = n.min + 1
		}
		size = satAdd(1, satMul(size-1, max(times, 1)))
	}
	return size
}

// analyse computes, for every node and rule, whether it matches some
// string (productive), the empty string (nullable) and some non-empty
// string (grows). These are least fixed points over the rule graph,
// reached by iterating from false in callee-first order: usually two or
// three passes, but a grammar whose properties flow backwards through a
// long chain needs more, so the passes times the nodes are bounded.
func (g *Grammar) analyse(nodes int) error {
	order := g.postOrder()
	for pass, changed := 0, true; changed; pass++ {
		if satMul(pass, max(nodes, 1)) > maxAnalysis {
			return fmt.Errorf("%w: rule analysis does not settle", ErrTooComplex)
		}
		changed = false
		for _, i := range order {
			r := g.rules[i]
			analyseNode(g, r.body)
			b := r.body
			if b.productive != r.productive || b.nullable != r.nullable || b.grows != r.grows {
				r.productive, r.nullable, r.grows = b.productive, b.nullable, b.grows
				changed = true
			}
		}
	}
	return nil
}

// maxAnalysis bounds the node visits of analyse and of JSGF's
// classification.
const maxAnalysis = 20_000_000

func analyseNode(g *Grammar, n *node) {
	for _, k := range n.kids {
		analyseNode(g, k)
	}
	switch n.kind {
	case kWord:
		n.productive, n.nullable, n.grows = true, false, true
	case kSeq:
		n.productive, n.nullable, n.grows = true, true, false
		for _, k := range n.kids {
			n.productive = n.productive && k.productive
			n.nullable = n.nullable && k.nullable
			n.grows = n.grows || k.grows
		}
		n.grows = n.grows && n.productive
	case kAlt:
		n.productive, n.nullable, n.grows = false, false, false
		for _, k := range n.kids {
			n.productive = n.productive || k.productive
			n.nullable = n.nullable || k.nullable
			n.grows = n.grows || k.grows
		}
	case kRepeat:
		k := n.kids[0]
		n.productive = n.min == 0 || k.productive
		n.nullable = n.min == 0 || k.nullable
		n.grows = n.max != 0 && k.grows && n.productive
	case kRef:
		r := g.rules[n.refI]
		n.productive, n.nullable, n.grows = r.productive, r.nullable, r.grows
	case kNull, kTag:
		n.productive, n.nullable, n.grows = true, true, false
	case kVoid:
		n.productive, n.nullable, n.grows = false, false, false
	case kGarbage:
		n.productive, n.nullable, n.grows = true, true, true
	}
}

// postOrder lists rule indexes so that a rule comes after the rules it
// references, where there is no cycle.
func (g *Grammar) postOrder() []int {
	seen := make([]bool, len(g.rules))
	order := make([]int, 0, len(g.rules))
	var visit func(i int)
	var walk func(n *node)
	walk = func(n *node) {
		if n.kind == kRef {
			visit(n.refI)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	visit = func(i int) {
		if seen[i] {
			return
		}
		seen[i] = true
		walk(g.rules[i].body)
		order = append(order, i)
	}
	for i := range g.rules {
		visit(i)
	}
	return order
}

// checkLeftRecursion refuses a rule that can reach itself before
// matching a word: SRGS section 2.2.1 lets processors refuse left
// recursion, and the matcher relies on its absence.
func (g *Grammar) checkLeftRecursion() error {
	left := make([][]int, len(g.rules))
	for i, r := range g.rules {
		left[i] = leftRefs(r.body, nil)
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(g.rules))
	var bad = -1
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = grey
		for _, j := range left[i] {
			if color[j] == grey {
				bad = j
				return false
			}
			if color[j] == white && !visit(j) {
				return false
			}
		}
		color[i] = black
		return true
	}
	for i := range g.rules {
		if color[i] == white && !visit(i) {
			r := g.rules[bad]
			return fmt.Errorf("%w: rule %q is left-recursive (line %d)", ErrUnsupported, r.id, r.line)
		}
	}
	return nil
}

// leftRefs appends the rules n can reference before matching a word.
func leftRefs(n *node, dst []int) []int {
	switch n.kind {
	case kRef:
		if !slices.Contains(dst, n.refI) {
			dst = append(dst, n.refI)
		}
	case kSeq:
		for _, k := range n.kids {
			dst = leftRefs(k, dst)
			if !k.nullable {
				break
			}
		}
	case kAlt:
		for _, k := range n.kids {
			dst = leftRefs(k, dst)
		}
	case kRepeat:
		if n.max != 0 {
			dst = leftRefs(n.kids[0], dst)
		}
	}
	return dst
}

// vocabulary lists the words of the rules reachable from the root.
func (g *Grammar) vocabulary() []string {
	if g.rootI < 0 {
		return nil
	}
	seenRule := make([]bool, len(g.rules))
	set := make(map[string]struct{})
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case kWord:
			set[n.word] = struct{}{}
		case kRef:
			if !seenRule[n.refI] {
				seenRule[n.refI] = true
				walk(g.rules[n.refI].body)
			}
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	seenRule[g.rootI] = true
	walk(g.rules[g.rootI].body)
	words := make([]string, 0, len(set))
	for w := range set {
		words = append(words, w)
	}
	slices.Sort(words)
	return words
}
