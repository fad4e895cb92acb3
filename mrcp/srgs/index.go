package srgs

import (
	"cmp"
	"slices"
)

// altIndex lets the matcher try only the alternatives that can start
// with the word at hand: with a directory of thousands of names, one
// map look-up replaces thousands of attempts.
type altIndex struct {
	byWord map[string][]int // kids that can start with the word
	always []int            // kids that can match empty or start with anything
	can    []firstSet       // per kid its first words; unused for always
}

// minIndexed is the fewest alternatives worth an index.
const minIndexed = 4

// maxFirst bounds a first-word set; a larger one counts as "anything".
const maxFirst = 4096

// firstSet is the words a node's non-empty matches can start with: one
// word (the common case, without a map), or several; any means it is
// unknown or too large.
type firstSet struct {
	any   bool
	one   string
	words map[string]struct{} // when more than one
}

func (f *firstSet) empty() bool { return !f.any && f.one == "" && f.words == nil }

func (f *firstSet) contains(w string) bool {
	if f.any || f.one == w && w != "" {
		return true
	}
	_, ok := f.words[w]
	return ok
}

// each calls fn for each word of a set that is not any.
func (f *firstSet) each(fn func(string)) {
	if f.one != "" {
		fn(f.one)
	}
	for w := range f.words {
		fn(w)
	}
}

func (f *firstSet) add(o firstSet) {
	if f.any || o.any {
		*f = firstSet{any: true}
		return
	}
	o.each(func(w string) {
		switch {
		case f.one == w || f.words != nil && f.contains(w):
		case f.empty():
			f.one = w
		default:
			if f.words == nil {
				f.words = map[string]struct{}{f.one: {}}
				f.one = ""
			}
			f.words[w] = struct{}{}
		}
	})
	if len(f.words) > maxFirst {
		*f = firstSet{any: true}
	}
}

type indexer struct {
	g     *Grammar
	rules []*firstSet // per rule, nil until computed
	busy  []bool
}

// indexAlternatives orders every alternative's kids by weight and
// builds the altIndex of every large one.
func (g *Grammar) indexAlternatives() {
	ix := &indexer{g: g, rules: make([]*firstSet, len(g.rules)), busy: make([]bool, len(g.rules))}
	var walk func(n *node)
	walk = func(n *node) {
		if n.kind == kAlt {
			n.choice.order = make([]int, len(n.kids))
			for i := range n.choice.order {
				n.choice.order[i] = i
			}
			slices.SortStableFunc(n.choice.order, func(a, b int) int { return cmp.Compare(n.choice.weights[b], n.choice.weights[a]) })
			n.choice.rank = make([]int, len(n.kids))
			for r, i := range n.choice.order {
				n.choice.rank[i] = r
			}
		}
		if n.kind == kAlt && len(n.kids) >= minIndexed {
			n.choice.first = ix.index(n)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	for _, r := range g.rules {
		walk(r.body)
	}
}

func (ix *indexer) index(n *node) *altIndex {
	a := &altIndex{byWord: make(map[string][]int), can: make([]firstSet, len(n.kids))}
	for i, k := range n.kids {
		f := ix.first(k)
		if f.any || k.nullable {
			a.always = append(a.always, i)
			a.can[i] = firstSet{any: true}
			continue
		}
		a.can[i] = f
		f.each(func(w string) { a.byWord[w] = append(a.byWord[w], i) })
	}
	return a
}

// first computes n's first words. A rule reached again while being
// computed (recursion) counts as anything, which is safe.
func (ix *indexer) first(n *node) firstSet {
	var f firstSet
	switch n.kind {
	case kWord:
		f.one = n.word
	case kSeq:
		for _, k := range n.kids {
			f.add(ix.first(k))
			if !k.nullable || f.any {
				break
			}
		}
	case kAlt:
		for _, k := range n.kids {
			f.add(ix.first(k))
			if f.any {
				break
			}
		}
	case kRepeat:
		if n.max != 0 {
			f = ix.first(n.kids[0])
		}
	case kRef:
		r := n.refI
		if ix.rules[r] == nil {
			if ix.busy[r] {
				return firstSet{any: true}
			}
			ix.busy[r] = true
			rf := ix.first(ix.g.rules[r].body)
			ix.busy[r] = false
			ix.rules[r] = &rf
		}
		f = *ix.rules[r]
	case kGarbage:
		f.any = true
	}
	return f
}
