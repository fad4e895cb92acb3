package sphinx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/parley-cc/parley/mrcp/speech"
)

// Limits on a request's phrases, so that one request cannot make the
// engine build an unbounded model.
const (
	maxPhrases     = 20_000
	maxPhraseBytes = 4 << 20
)

type planKind uint8

const (
	planTranscribe planKind = iota
	planPhrases
	planGrammars
)

// plan is what a decoder needs for a request, prepared once per distinct
// grammar set or phrase set and shared read-only by every decoder and
// stream that uses it.
type plan struct {
	kind     planKind
	search   string              // the decoder's search name
	text     []byte              // ARPA model (planPhrases) or FSG (planGrammars)
	words    []string            // the vocabulary, sorted
	prons    map[string][]string // pronunciations of words, for lite decoders
	grammars []*jsgfGrammar      // planGrammars: to tell which one matched
}

// decoderKind is the kind of decoder the plan runs on.
func (p *plan) decoderKind() decoderKind {
	if p.kind == planTranscribe {
		return full
	}
	return lite
}

var transcribePlan = &plan{kind: planTranscribe, search: transcribeSearch}

// grammarIndex is the Hypothesis.Grammar of a text: the index of the only
// grammar that matches it, or -1 when several do (and for the language
// model modes). ok is false when a grammar plan's text matches none of
// its grammars, which PocketSphinx's FSG search returns when no path
// reached the end of the grammar, or when the text is garbage.
func (p *plan) grammarIndex(text string) (index int, ok bool) {
	if p.kind != planGrammars {
		return -1, true
	}
	ws := strings.Fields(text)
	found := -1
	for i, g := range p.grammars {
		if g.matches(ws) {
			if found >= 0 {
				return -1, true
			}
			found = i
		}
	}
	return found, found >= 0
}

// planCache holds the plans built lately, so that a bot sending the same
// grammars or phrases on every turn builds them once. Concurrent requests
// for one plan wait for a single build.
type planCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*planEntry
	clock   uint64
}

type planEntry struct {
	ready chan struct{} // closed when p and err are set
	p     *plan
	err   error
	used  uint64
}

// get returns the plan for key, building it with build (on the calling
// goroutine of the first request) when it is not cached. Build errors
// are not cached, except those of the request itself (bad grammars), so
// that a canceled build is tried again.
func (c *planCache) get(ctx context.Context, key string, build func() (*plan, error)) (*plan, error) {
	for {
		p, err := c.getOnce(ctx, key, build)
		// Another request's build was canceled: build it again, for this one.
		if isContextErr(err) && ctx.Err() == nil {
			continue
		}
		return p, err
	}
}

func (c *planCache) getOnce(ctx context.Context, key string, build func() (*plan, error)) (*plan, error) {
	c.mu.Lock()
	c.clock++
	if e, ok := c.entries[key]; ok {
		e.used = c.clock
		c.mu.Unlock()
		select {
		case <-e.ready:
			return e.p, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &planEntry{ready: make(chan struct{}), used: c.clock}
	if c.entries == nil {
		c.entries = map[string]*planEntry{}
	}
	c.entries[key] = e
	c.evictLocked()
	c.mu.Unlock()

	e.p, e.err = build()
	if e.err != nil && !errors.Is(e.err, speech.ErrGrammar) {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	close(e.ready)
	return e.p, e.err
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func (c *planCache) evictLocked() {
	for len(c.entries) > c.max {
		victim, oldest := "", ^uint64(0)
		for k, e := range c.entries {
			if e.used < oldest {
				victim, oldest = k, e.used
			}
		}
		delete(c.entries, victim)
	}
}

// planFor returns the plan of a request: its grammars, else its phrases,
// else transcription with the generic model.
func (e *Engine) planFor(ctx context.Context, req speech.RecogRequest) (*plan, error) {
	switch {
	case len(req.Grammars) > 0:
		texts := make([]string, len(req.Grammars))
		for i, g := range req.Grammars {
			if g == nil {
				return nil, fmt.Errorf("%w: grammar %d is nil", speech.ErrGrammar, i)
			}
			t, err := g.JSGF()
			if err != nil {
				return nil, fmt.Errorf("%w: grammar %d: %w", speech.ErrGrammar, i, err)
			}
			texts[i] = t
		}
		key := "g-" + hashKey(texts)
		return e.plans.get(ctx, key, func() (*plan, error) { return e.grammarPlan(ctx, key, texts) })
	case len(req.Phrases) > 0:
		if len(req.Phrases) > maxPhrases {
			return nil, fmt.Errorf("%w: %d phrases, more than %d", speech.ErrGrammar, len(req.Phrases), maxPhrases)
		}
		n := 0
		for _, p := range req.Phrases {
			n += len(p)
		}
		if n > maxPhraseBytes {
			return nil, fmt.Errorf("%w: %d bytes of phrases, more than %d", speech.ErrGrammar, n, maxPhraseBytes)
		}
		sorted := slices.Clone(req.Phrases)
		slices.Sort(sorted)
		key := "lm-" + hashKey(sorted)
		return e.plans.get(ctx, key, func() (*plan, error) { return e.phrasePlan(ctx, key, req.Phrases) })
	}
	return transcribePlan, nil
}

func hashKey(parts []string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// grammarPlan parses the grammars and compiles them into one FSG with
// the garbage loop, and finds the pronunciations of their words; a word
// without one makes the grammars unusable.
func (e *Engine) grammarPlan(ctx context.Context, key string, texts []string) (*plan, error) {
	p := &plan{kind: planGrammars, search: key}
	var vocab []string
	for i, t := range texts {
		g, err := parseJSGF(t)
		if err != nil {
			return nil, fmt.Errorf("%w: grammar %d: %w", speech.ErrGrammar, i, err)
		}
		p.grammars = append(p.grammars, g)
		vocab = append(vocab, g.vocabulary()...)
	}
	fsg, err := compileFSG(p.grammars, e.cfg.GarbageWeight)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", speech.ErrGrammar, err)
	}
	p.text = []byte(fsg)
	var missing []string
	p.words = distinct(vocab)
	if p.prons, missing, err = e.pronounce(ctx, p.words); err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: no pronunciation for %q", speech.ErrGrammar, missing)
	}
	return p, nil
}

// phrasePlan builds a trigram model of the phrases. Words for which no
// pronunciation can be made are left out of the model, with a warning.
func (e *Engine) phrasePlan(ctx context.Context, key string, phrases []string) (*plan, error) {
	p := &plan{kind: planPhrases, search: key}
	sentences := make([][]string, 0, len(phrases))
	var vocab []string
	for _, ph := range phrases {
		ws := words(ph)
		sentences = append(sentences, ws)
		vocab = append(vocab, ws...)
	}
	p.words = distinct(vocab)
	prons, missing, err := e.pronounce(ctx, p.words)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		e.log.Warn("phrase words left out of the language model: no pronunciation", "words", missing)
		for i, s := range sentences {
			sentences[i] = slices.DeleteFunc(s, func(w string) bool { return slices.Contains(missing, w) })
		}
		p.words = slices.DeleteFunc(p.words, func(w string) bool { return slices.Contains(missing, w) })
	}
	if p.text, err = buildARPA(sentences); err != nil {
		return nil, fmt.Errorf("%w: phrases: %w", speech.ErrGrammar, err)
	}
	p.prons = prons
	return p, nil
}

// pronounce returns the pronunciations of words (distinct), from the
// dictionary or else made by espeak-ng, and the words for which none
// could be made.
func (e *Engine) pronounce(ctx context.Context, ws []string) (map[string][]string, []string, error) {
	prons := make(map[string][]string, len(ws))
	var oov []string
	for _, w := range ws {
		if ph, ok := e.dict[w]; ok {
			prons[w] = ph
		} else {
			oov = append(oov, w)
		}
	}
	if len(oov) == 0 {
		return prons, nil, nil
	}
	made, err := e.pron.pronounce(ctx, oov)
	if err != nil && ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	if err != nil {
		e.log.Warn("pronunciations for words missing from the dictionary failed", "err", err)
	}
	e.oovWords.Add(uint64(len(oov)))
	var missing []string
	for _, w := range oov {
		if ph := made[w]; ph != "" {
			prons[w] = []string{ph}
		} else {
			missing = append(missing, w)
		}
	}
	return prons, missing, nil
}

// distinct returns the words of ws, each once, sorted.
func distinct(ws []string) []string {
	out := slices.Clone(ws)
	slices.Sort(out)
	return slices.Compact(out)
}
