package sphinx

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/mrcp/speech"
)

// Default model files: Debian's pocketsphinx-en-us package.
const (
	DefaultModelDir = "/usr/share/pocketsphinx/model/en-us/en-us"
	DefaultDict     = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
	DefaultLM       = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"
)

// Defaults of Config fields left zero.
const (
	DefaultSearchesPerDecoder = 8
	DefaultPlanCache          = 64
	DefaultMaxUtterance       = 2 * time.Minute
	DefaultGarbageWeight      = 1.0
)

// Config configures an Engine. The zero value uses the Debian model
// files and the defaults below.
type Config struct {
	// ModelDir is the acoustic model directory (mdef, means, ...).
	ModelDir string
	// Dict is the pronouncing dictionary.
	Dict string
	// LM is the generic language model, for Transcribe requests.
	LM string
	// MaxDecoders bounds the decoders, and so the utterances recognized
	// at once; Start waits for a free one. Default 2 x GOMAXPROCS.
	MaxDecoders int
	// Narrowband makes the decoders work on 8 kHz audio with a telephone
	// band front end (-samprate 8000 -nfft 256 -upperf 3500), converting
	// 16 kHz input down; otherwise they work at the model's 16 kHz and 8
	// kHz input is resampled up. With the wideband en-us model the
	// narrowband front end recognizes next to nothing (docs/BENCHMARKS.md);
	// it is kept for the comparison and for narrowband models.
	Narrowband bool
	// Espeak is the espeak-ng program that gives pronunciations of words
	// missing from Dict: a path, or a name looked up in PATH. Default
	// "espeak-ng"; "none" turns it off.
	Espeak string
	// SearchesPerDecoder is how many grammar and phrase searches a
	// decoder keeps loaded (the transcription search does not count).
	SearchesPerDecoder int
	// PlanCache is how many grammar and phrase sets the engine keeps
	// prepared (parsed, compiled to a language model, pronounced).
	PlanCache int
	// MaxUtterance bounds a stream's audio; Write fails with ErrTooLong
	// past it.
	MaxUtterance time.Duration
	// CMNPrior8k is the cepstral mean that utterances of 8 kHz audio (of
	// all audio with Narrowband) start from; see cmn.go. Default: one
	// measured on 8 kHz speech for the Debian model.
	CMNPrior8k []float32
	// GarbageWeight is the probability of entering the garbage model, a
	// loop of phones beside the grammars (each entered with probability
	// 1) that speech outside the grammars follows, making a no-match
	// rather than the nearest grammar sentence. At most 1; negative turns
	// it off; 0 means DefaultGarbageWeight.
	GarbageWeight float64
	// Args are extra PocketSphinx arguments, name-value pairs such as
	// "-beam", "1e-60", applied to every decoder after this package's.
	Args []string
	// Log receives the engine's logs and PocketSphinx's warnings and
	// errors. Default slog.Default().
	Log *slog.Logger
}

// Engine is a speech.Recognizer on CMU PocketSphinx. It keeps a pool of
// decoders, made as needed up to Config.MaxDecoders and reused; each
// utterance has one decoder to itself from Start to End or Close.
type Engine struct {
	cfg     Config
	args    [2][]string // PocketSphinx arguments by decoderKind
	rate    int         // the decoders' sample rate
	dict    dictionary
	pron    *pronouncer
	log     *slog.Logger
	plans   planCache
	tempDir string

	idle     [2]chan *decoder // decoders ready for use, by decoderKind
	slots    chan struct{}    // one token per decoder that exists
	closed   chan struct{}    // closed by Close
	mu       sync.Mutex       // guards isClosed and wg.Add
	isClosed bool
	wg       sync.WaitGroup // goroutines that own a decoder for a while

	created, freed, oovWords atomic.Uint64
}

var _ speech.Recognizer = (*Engine)(nil)

// New checks the model files, reads the dictionary and makes a first
// decoder, so that a broken installation fails here rather than on the
// first call. It fails with an error wrapping ErrModel when a model file
// is missing.
func New(cfg Config) (*Engine, error) {
	cfg = withDefaults(cfg)
	for _, f := range []string{filepath.Join(cfg.ModelDir, "mdef"), filepath.Join(cfg.ModelDir, "feat.params"), cfg.Dict, cfg.LM} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%w: %w (install Debian's pocketsphinx-en-us, or set the model paths)", ErrModel, err)
		}
	}
	e := &Engine{
		cfg:    cfg,
		rate:   16000,
		log:    cfg.Log.With("engine", "pocketsphinx"),
		plans:  planCache{max: cfg.PlanCache},
		idle:   [2]chan *decoder{make(chan *decoder, cfg.MaxDecoders), make(chan *decoder, cfg.MaxDecoders)},
		slots:  make(chan struct{}, cfg.MaxDecoders),
		closed: make(chan struct{}),
		pron:   &pronouncer{},
	}
	setSphinxLogger(e.log)
	var err error
	if e.dict, err = loadDictionary(cfg.Dict); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	if cfg.Espeak != "none" {
		if e.pron.espeak, err = exec.LookPath(cfg.Espeak); err != nil {
			e.log.Warn("no pronunciations for words missing from the dictionary", "err", err)
		}
	}
	if e.tempDir, err = os.MkdirTemp("", "parley-sphinx-"); err != nil {
		return nil, fmt.Errorf("sphinx: %w", err)
	}
	args := []string{"-hmm", cfg.ModelDir}
	if cfg.Narrowband {
		fp, err := narrowbandParams(cfg.ModelDir, e.tempDir)
		if err != nil {
			os.RemoveAll(e.tempDir)
			return nil, fmt.Errorf("%w: %w", ErrModel, err)
		}
		e.rate = 8000
		args = append(args, "-featparams", fp, "-samprate", "8000", "-nfft", "256")
	}
	e.args[lite] = append(slices.Clone(args), cfg.Args...)
	e.args[full] = append(append(args, "-dict", cfg.Dict), cfg.Args...)
	// A lite decoder takes milliseconds to make and checks the acoustic
	// model; a full one reads the dictionary and waits for transcription.
	e.slots <- struct{}{}
	d, err := e.newDecoder(lite)
	if err != nil {
		os.RemoveAll(e.tempDir)
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	if len(cfg.CMNPrior8k) != len(d.cmn) {
		d.free()
		os.RemoveAll(e.tempDir)
		return nil, fmt.Errorf("%w: CMNPrior8k has %d values, the front end %d", ErrModel, len(cfg.CMNPrior8k), len(d.cmn))
	}
	e.idle[lite] <- d
	return e, nil
}

func withDefaults(cfg Config) Config {
	if cfg.ModelDir == "" {
		cfg.ModelDir = DefaultModelDir
	}
	if cfg.Dict == "" {
		cfg.Dict = DefaultDict
	}
	if cfg.LM == "" {
		cfg.LM = DefaultLM
	}
	if cfg.MaxDecoders <= 0 {
		cfg.MaxDecoders = 2 * runtime.GOMAXPROCS(0)
	}
	if cfg.Espeak == "" {
		cfg.Espeak = "espeak-ng"
	}
	if cfg.SearchesPerDecoder <= 0 {
		cfg.SearchesPerDecoder = DefaultSearchesPerDecoder
	}
	if cfg.PlanCache <= 0 {
		cfg.PlanCache = DefaultPlanCache
	}
	if cfg.MaxUtterance <= 0 {
		cfg.MaxUtterance = DefaultMaxUtterance
	}
	if cfg.CMNPrior8k == nil {
		cfg.CMNPrior8k = upsampledPrior
		if cfg.Narrowband {
			cfg.CMNPrior8k = narrowbandPrior
		}
	}
	if cfg.GarbageWeight == 0 {
		cfg.GarbageWeight = DefaultGarbageWeight
	}
	cfg.GarbageWeight = min(cfg.GarbageWeight, 1)
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return cfg
}

// narrowbandParams writes a copy of the model's feat.params with the
// upper filter edge inside the telephone band. PocketSphinx 5prealpha
// applies feat.params over the command line, so -upperf must change
// there.
func narrowbandParams(modelDir, dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(modelDir, "feat.params"))
	if err != nil {
		return "", err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "-upperf" {
			line = "-upperf 3500"
		}
		out = append(out, line)
	}
	path := filepath.Join(dir, "feat.params")
	return path, os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o600)
}

// Name is the engine's name.
func (e *Engine) Name() string { return "pocketsphinx" }

// Languages lists the one language of the model.
func (e *Engine) Languages() []string { return []string{"en-US"} }

// supportsLanguage accepts en-US, en, and no language (the default).
func supportsLanguage(tag string) bool {
	switch strings.ToLower(strings.ReplaceAll(tag, "_", "-")) {
	case "", "en", "en-us":
		return true
	}
	return false
}

// Start prepares recognition of one utterance and returns its Stream. It
// waits, honouring ctx, for a free decoder. Grammars or phrases seen for
// the first time are prepared here: parsed, compiled into a language
// model and given pronunciations (tens of milliseconds, more when
// espeak-ng must run), and loaded into the decoder (once per decoder).
func (e *Engine) Start(ctx context.Context, req speech.RecogRequest) (speech.Stream, error) {
	if !supportsLanguage(req.Language) {
		return nil, fmt.Errorf("%w: %q (pocketsphinx has en-US)", speech.ErrLanguage, req.Language)
	}
	if req.Rate != 8000 && req.Rate != 16000 {
		return nil, fmt.Errorf("%w: sample rate %d, want 8000 or 16000", speech.ErrEngine, req.Rate)
	}
	select {
	case <-e.closed:
		return nil, ErrClosed
	default:
	}
	p, err := e.planFor(ctx, req)
	if err != nil {
		return nil, err
	}
	d, err := e.acquire(ctx, p.decoderKind())
	if err != nil {
		return nil, err
	}
	if err := e.run(ctx, d, func() error { return e.prepare(d, p, e.cmnPrior(req.Rate)) }); err != nil {
		return nil, err
	}
	return newStream(e, d, p, req)
}

// run calls f, which uses d, on a goroutine of the engine and waits for
// it or for ctx. When f fails, or ctx ends first, the goroutine gives d
// back to the pool once f is done; otherwise the caller keeps d.
func (e *Engine) run(ctx context.Context, d *decoder, f func() error) error {
	done := make(chan error) // unbuffered: a send succeeds only if Start still waits
	abandon := make(chan struct{})
	e.spawn(func() {
		err := f()
		if err != nil {
			e.release(d)
		}
		select {
		case done <- err:
		case <-abandon:
			if err == nil {
				e.release(d)
			}
		}
	})
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		close(abandon)
		return ctx.Err()
	}
}

// prepare loads the plan's search into d, if it is not there yet, and
// starts an utterance with it.
func (e *Engine) prepare(d *decoder, p *plan, prior []float32) error {
	if !d.hasSearch(p.search) {
		if missing := d.missing(p.words); len(missing) > 0 {
			prons := make(map[string][]string, len(missing))
			for _, w := range missing {
				prons[w] = p.prons[w]
			}
			if err := d.addWords(prons); err != nil {
				// The dictionary may be half updated: never reuse d.
				d.broken = true
				return fmt.Errorf("%w: %w", speech.ErrEngine, err)
			}
		}
		var err error
		switch p.kind {
		case planTranscribe:
			err = d.setLM(transcribeSearch, e.cfg.LM)
		case planPhrases:
			err = e.loadARPA(d, p)
		case planGrammars:
			if err = d.setFSG(p.search, string(p.text)); err != nil {
				return fmt.Errorf("%w: %w", speech.ErrGrammar, err)
			}
		}
		if err != nil {
			return fmt.Errorf("%w: %w", speech.ErrEngine, err)
		}
		d.evict(e.cfg.SearchesPerDecoder, p.search)
	}
	// Grammar results are rescored against a phone loop: keep the audio.
	if err := d.start(p.search, p.kind == planGrammars, prior); err != nil {
		return fmt.Errorf("%w: %w", speech.ErrEngine, err)
	}
	return nil
}

// loadARPA loads a phrase model into d through a temporary file, the only
// way PocketSphinx reads one.
func (e *Engine) loadARPA(d *decoder, p *plan) error {
	f, err := os.CreateTemp(e.tempDir, p.search+"-*.arpa")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(p.text); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return d.setLM(p.search, f.Name())
}

// acquire returns an idle decoder of the kind, or makes one while fewer
// than MaxDecoders exist, or frees an idle decoder of the other kind to
// make one, or waits for one to be released.
func (e *Engine) acquire(ctx context.Context, kind decoderKind) (*decoder, error) {
	select {
	case d := <-e.idle[kind]:
		return d, nil
	default:
	}
	select { // rather a new decoder than one of the other kind freed
	case e.slots <- struct{}{}:
		return e.create(ctx, kind)
	default:
	}
	select {
	case d := <-e.idle[kind]:
		return d, nil
	case e.slots <- struct{}{}:
		return e.create(ctx, kind)
	case d := <-e.idle[1-kind]:
		// Its slot passes to the new decoder.
		d.free()
		e.freed.Add(1)
		return e.create(ctx, kind)
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-e.closed:
		return nil, ErrClosed
	}
}

// create makes a decoder for a slot already taken. Making a full decoder
// takes a few tenths of a second, so it happens on an engine goroutine:
// when ctx ends first, the new decoder joins the pool.
func (e *Engine) create(ctx context.Context, kind decoderKind) (*decoder, error) {
	type made struct {
		d   *decoder
		err error
	}
	done := make(chan made) // unbuffered: a send succeeds only if Start still waits
	abandon := make(chan struct{})
	e.spawn(func() {
		d, err := e.newDecoder(kind)
		if err != nil {
			<-e.slots
		}
		select {
		case done <- made{d, err}:
		case <-abandon:
			if err == nil {
				e.release(d)
			}
		}
	})
	select {
	case m := <-done:
		if m.err != nil {
			return nil, fmt.Errorf("%w: %w", speech.ErrEngine, m.err)
		}
		return m.d, nil
	case <-ctx.Done():
		close(abandon)
		return nil, ctx.Err()
	}
}

func (e *Engine) newDecoder(kind decoderKind) (*decoder, error) {
	start := time.Now()
	d, err := newDecoder(kind, e.args[kind])
	if err != nil {
		return nil, err
	}
	e.created.Add(1)
	e.log.Debug("decoder made", "kind", kind, "took", time.Since(start))
	return d, nil
}

// release ends d's utterance if one is under way and returns d to the
// pool, or frees it when the engine is closed or d is broken.
func (e *Engine) release(d *decoder) {
	if err := d.end(); err != nil {
		d.broken = true
	}
	select {
	case <-e.closed:
		d.broken = true
	default:
	}
	if d.broken || len(d.words) > maxDecoderWords {
		d.free()
		e.freed.Add(1)
		<-e.slots
		return
	}
	e.idle[d.kind] <- d // never blocks: the pool holds at most MaxDecoders
}

// spawn runs f on a goroutine that Close waits for; after Close, f runs
// on the caller's goroutine.
func (e *Engine) spawn(f func()) {
	e.mu.Lock()
	if e.isClosed {
		e.mu.Unlock()
		f()
		return
	}
	e.wg.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.wg.Done()
		f()
	}()
}

// Close stops the engine: Start fails with ErrClosed from now on, idle
// decoders are freed at once, and those of open streams when the streams
// end or close. Close waits for the engine's goroutines (a decoder being
// made or finishing an utterance) and removes the temporary directory.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.isClosed {
		e.mu.Unlock()
		return nil
	}
	e.isClosed = true
	e.mu.Unlock()
	close(e.closed)
	e.wg.Wait()
	for _, idle := range e.idle {
		for drained := false; !drained; {
			select {
			case d := <-idle:
				d.free()
				e.freed.Add(1)
				<-e.slots
			default:
				drained = true
			}
		}
	}
	return os.RemoveAll(e.tempDir)
}

// Stats are counters of an Engine.
type Stats struct {
	// Decoders is how many decoders exist; Idle how many of them are
	// free.
	Decoders, Idle int
	// Created and Freed count the decoders made and freed since New.
	Created, Freed uint64
	// OOVWords counts the words of prepared grammars and phrase sets that
	// the dictionary lacked (each set counted once).
	OOVWords uint64
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	return Stats{
		Decoders: len(e.slots),
		Idle:     len(e.idle[lite]) + len(e.idle[full]),
		Created:  e.created.Load(),
		Freed:    e.freed.Load(),
		OOVWords: e.oovWords.Load(),
	}
}
