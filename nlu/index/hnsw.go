package index

import (
	"container/heap"
	"math"
	"math/rand"
)

// graph is a Hierarchical Navigable Small World graph (Malkov and Yashunin, 2016)
// over the slots of an Embedded index. Nodes are slot numbers; a deleted slot stays
// in the graph as a tombstone that searches traverse but never return, so its vector
// is kept until the next load compacts the index.
type graph struct {
	m, m0, efC int
	ml         float64
	rng        *rand.Rand
	vec        func(uint32) []float32

	links    [][][]uint32 // node -> level -> neighbours
	entry    uint32
	maxLevel int
	empty    bool
}

func newGraph(vec func(uint32) []float32) *graph {
	const m = 16
	return &graph{m: m, m0: 2 * m, efC: 100, ml: 1 / math.Log(m), rng: rand.New(rand.NewSource(1)), vec: vec, empty: true}
}

type cand struct {
	id   uint32
	dist float32
}

// minHeap pops the nearest candidate; maxHeap pops the farthest result.
type minHeap []cand

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].dist < h[j].dist }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(cand)) }
func (h *minHeap) Pop() any          { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }

type maxHeap struct{ minHeap }

func (h maxHeap) Less(i, j int) bool { return h.minHeap[i].dist > h.minHeap[j].dist }

func (g *graph) dist(q []float32, n uint32) float32 { return 1 - dot(q, g.vec(n)) }

// add inserts node n, whose vector is already in place.
func (g *graph) add(n uint32) {
	level := int(-math.Log(1-g.rng.Float64()) * g.ml)
	for int(n) >= len(g.links) {
		g.links = append(g.links, nil)
	}
	g.links[n] = make([][]uint32, level+1)
	if g.empty {
		g.entry, g.maxLevel, g.empty = n, level, false
		return
	}
	q := g.vec(n)
	ep := cand{g.entry, g.dist(q, g.entry)}
	for l := g.maxLevel; l > level; l-- {
		ep = g.greedy(q, ep, l)
	}
	eps := []cand{ep}
	for l := min(level, g.maxLevel); l >= 0; l-- {
		found := g.searchLayer(q, eps, g.efC, l)
		maxN := g.m
		if l == 0 {
			maxN = g.m0
		}
		nb := g.selectNeighbours(found, g.m)
		g.links[n][l] = ids(nb)
		for _, c := range nb {
			g.connect(c.id, n, l, maxN)
		}
		eps = found
	}
	if level > g.maxLevel {
		g.entry, g.maxLevel = n, level
	}
}

// connect adds n to the neighbours of c at level l, pruning to maxN.
func (g *graph) connect(c, n uint32, l, maxN int) {
	links := append(g.links[c][l], n)
	if len(links) > maxN {
		cv := g.vec(c)
		cs := make([]cand, len(links))
		for i, x := range links {
			cs[i] = cand{x, g.dist(cv, x)}
		}
		links = ids(g.selectNeighbours(cs, maxN))
	}
	g.links[c][l] = links
}

// selectNeighbours is the HNSW heuristic (algorithm 4): keep a candidate only if it
// is closer to the base than to any neighbour already kept, then fill up with the
// nearest of the rest.
func (g *graph) selectNeighbours(cs []cand, m int) []cand {
	sortCands(cs)
	out := make([]cand, 0, m)
	var skipped []cand
	for _, c := range cs {
		if len(out) >= m {
			break
		}
		good := true
		cv := g.vec(c.id)
		for _, o := range out {
			if g.dist(cv, o.id) < c.dist {
				good = false
				break
			}
		}
		if good {
			out = append(out, c)
		} else {
			skipped = append(skipped, c)
		}
	}
	for _, c := range skipped {
		if len(out) >= m {
			break
		}
		out = append(out, c)
	}
	return out
}

func (g *graph) greedy(q []float32, ep cand, l int) cand {
	for changed := true; changed; {
		changed = false
		for _, nb := range g.links[ep.id][l] {
			if d := g.dist(q, nb); d < ep.dist {
				ep, changed = cand{nb, d}, true
			}
		}
	}
	return ep
}

// searchLayer returns up to ef nearest nodes to q at level l, nearest first.
func (g *graph) searchLayer(q []float32, eps []cand, ef, l int) []cand {
	visited := make(map[uint32]struct{}, ef*4)
	cands := make(minHeap, 0, ef)
	res := maxHeap{make(minHeap, 0, ef+1)}
	for _, e := range eps {
		visited[e.id] = struct{}{}
		heap.Push(&cands, e)
		heap.Push(&res, e)
		if res.Len() > ef {
			heap.Pop(&res)
		}
	}
	for cands.Len() > 0 {
		c := heap.Pop(&cands).(cand)
		if res.Len() >= ef && c.dist > res.minHeap[0].dist {
			break
		}
		if l >= len(g.links[c.id]) {
			continue
		}
		for _, nb := range g.links[c.id][l] {
			if _, ok := visited[nb]; ok {
				continue
			}
			visited[nb] = struct{}{}
			d := g.dist(q, nb)
			if res.Len() < ef || d < res.minHeap[0].dist {
				heap.Push(&cands, cand{nb, d})
				heap.Push(&res, cand{nb, d})
				if res.Len() > ef {
					heap.Pop(&res)
				}
			}
		}
	}
	out := []cand(res.minHeap)
	sortCands(out)
	return out
}

// search returns up to ef nearest nodes to q, nearest first.
func (g *graph) search(q []float32, ef int) []cand {
	if g.empty {
		return nil
	}
	ep := cand{g.entry, g.dist(q, g.entry)}
	for l := g.maxLevel; l > 0; l-- {
		ep = g.greedy(q, ep, l)
	}
	return g.searchLayer(q, []cand{ep}, ef, 0)
}

func sortCands(cs []cand) {
	// Insertion sort: candidate lists are short (at most ef).
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].dist < cs[j-1].dist; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func ids(cs []cand) []uint32 {
	out := make([]uint32, len(cs))
	for i, c := range cs {
		out[i] = c.id
	}
	return out
}
