package srgs

import (
	"cmp"
	"slices"
)

// altIndex lets the matcher try only the alternatives that can start
// with the word at hand: with a directory of thousands of names, one
// map look-up replaces thousands of attempts.
type altIndex struct {
	byWord map[string][]int      // kids that can start with the word
	always []int                 // kids that can match empty or start with anything
	can    []map[string]struct{} // per kid its first words; nil for always
}

// minIndexed is the fewest alternatives worth an index.
const minIndexed = 4

// maxFirst bounds a first-word set; a larger one counts as "anything".
const maxFirst = 4096

// firstSet is the words a node's non-empty matches can start with;
// any means it is unknown or too large.
type firstSet struct {
	any   bool
	words map[string]struct{}
}

func (f *firstSet) add(o firstSet) {
	if f.any || o.any {
		f.any, f.words = true, nil
		return
	}
	for w := range o.words {
		if f.words == nil {
			f.words = make(map[string]struct{})
		}
		f.words[w] = struct{}{}
	}
	if len(f.words) > maxFirst {
		f.any, f.words = true, nil
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
			n.order = make([]int, len(n.kids))
			for i := range n.order {
				n.order[i] = i
			}
			slices.SortStableFunc(n.order, func(a, b int) int { return cmp.Compare(n.weights[b], n.weights[a]) })
			n.rank = make([]int, len(n.kids))
			for r, i := range n.order {
				n.rank[i] = r
			}
		}
		if n.kind == kAlt && len(n.kids) >= minIndexed {
			n.first = ix.index(n)
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
	a := &altIndex{byWord: make(map[string][]int), can: make([]map[string]struct{}, len(n.kids))}
	for i, k := range n.kids {
		f := ix.first(k)
		if f.any || k.nullable {
			a.always = append(a.always, i)
			continue
		}
		a.can[i] = f.words
		for w := range f.words {
			a.byWord[w] = append(a.byWord[w], i)
		}
	}
	return a
}

// first computes n's first words. A rule reached again while being
// computed (recursion) counts as anything, which is safe.
func (ix *indexer) first(n *node) firstSet {
	var f firstSet
	switch n.kind {
	case kWord:
		f.words = map[string]struct{}{n.word: {}}
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
