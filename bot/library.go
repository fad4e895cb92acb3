package bot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/nlu/kb"
)

// LibraryConfig configures a Library.
type LibraryConfig struct {
	// DataDir holds the scripts' knowledge bases.
	DataDir string
	// Interval is how often Run checks the files; default 1s.
	Interval time.Duration
	// KB shapes the scripts' knowledge bases (embedder, index, threshold, LLM).
	KB  KBOptions
	Log *slog.Logger
}

// Library serves the compiled scripts by dialled number and hot-reloads them.
// A script file bank.yaml may have a draft beside it, bank.draft.yaml: the
// draft serves the script's draft entry points while the published version
// serves callers.
type Library struct {
	cfg LibraryConfig
	log *slog.Logger

	mu      sync.RWMutex
	scripts []*entry
	numbers map[string]*version
}

type entry struct {
	path      string
	published version
	draft     version
}

type version struct {
	path  string
	draft bool
	hash  [32]byte
	bot   *runtime.Bot
	kb    *kb.KB
	err   error // the last load error, kept for the console
}

// NewLibrary returns an empty Library.
func NewLibrary(cfg LibraryConfig) *Library {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Library{cfg: cfg, log: cfg.Log, numbers: map[string]*version{}}
}

// DraftPath is where the draft of a script lives: bank.yaml -> bank.draft.yaml.
func DraftPath(path string) string {
	return strings.TrimSuffix(path, ".yaml") + ".draft.yaml"
}

// Add loads a script (and its draft, if there is one) and serves its entry
// points. A script that does not load is an error.
func (l *Library) Add(ctx context.Context, path string) error {
	e := &entry{path: path, published: version{path: path}, draft: version{path: DraftPath(path), draft: true}}
	if changed, err := l.reload(ctx, &e.published); err != nil {
		return err
	} else if !changed {
		return fmt.Errorf("add script %s: not loaded", path)
	}
	if _, err := os.Stat(e.draft.path); err == nil {
		if _, err := l.reload(ctx, &e.draft); err != nil {
			l.log.Warn("draft script rejected", "path", e.draft.path, "err", err)
		}
	}
	l.mu.Lock()
	l.scripts = append(l.scripts, e)
	l.mu.Unlock()
	l.remap()
	return nil
}

// Lookup returns the bot that serves a dialled number.
func (l *Library) Lookup(number string) (*runtime.Bot, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	v := l.numbers[number]
	if v == nil || v.bot == nil {
		return nil, false
	}
	return v.bot, true
}

// Run polls the script files until ctx ends.
func (l *Library) Run(ctx context.Context) error {
	t := time.NewTicker(l.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			l.Reload(ctx)
		}
	}
}

// Reload checks every script file once and reloads those that changed.
func (l *Library) Reload(ctx context.Context) {
	l.mu.RLock()
	scripts := append([]*entry(nil), l.scripts...)
	l.mu.RUnlock()
	changed := false
	for _, e := range scripts {
		for _, v := range []*version{&e.published, &e.draft} {
			c, err := l.reload(ctx, v)
			if err != nil {
				l.log.Error("script reload rejected; the running version stays", "path", v.path, "err", err)
			}
			changed = changed || c
		}
	}
	if changed {
		l.remap()
	}
}

// reload loads a version if its file changed; a file that does not load keeps
// the running version.
func (l *Library) reload(ctx context.Context, v *version) (bool, error) {
	data, err := os.ReadFile(v.path)
	if errors.Is(err, os.ErrNotExist) && v.draft {
		l.mu.Lock()
		defer l.mu.Unlock()
		was := v.bot != nil
		v.bot, v.hash = nil, [32]byte{}
		return was, nil
	}
	if err != nil {
		return false, fmt.Errorf("reload script: %w", err)
	}
	sum := sha256.Sum256(data)
	l.mu.RLock()
	same := sum == v.hash
	l.mu.RUnlock()
	if same {
		return false, nil
	}
	s, err := script.Parse(v.path, data)
	if err == nil {
		s.Draft = v.draft
		var b *runtime.Bot
		b, err = l.compile(ctx, v, s)
		if err == nil {
			l.mu.Lock()
			v.bot, v.hash, v.err = b, sum, nil
			l.mu.Unlock()
			l.log.Info("script loaded", "path", v.path, "script", s.Name, "version", s.Version, "draft", v.draft)
			return true, nil
		}
	}
	l.mu.Lock()
	v.hash, v.err = sum, err // do not retry the same broken content every tick
	l.mu.Unlock()
	return false, err
}

func (l *Library) compile(ctx context.Context, v *version, s *script.Script) (*runtime.Bot, error) {
	var ans runtime.Answerer
	if s.KB != "" {
		if v.kb == nil {
			base, err := OpenKB(ctx, s, l.cfg.DataDir, l.cfg.KB, l.log)
			if err != nil {
				return nil, err
			}
			v.kb = base
		} else if err := importKB(ctx, v.kb, s); err != nil {
			return nil, err
		}
		ans = runtime.KBAnswerer{KB: v.kb, LLM: l.cfg.KB.LLM, Log: l.log}
	}
	return runtime.Compile(ctx, s, runtime.Options{Answerer: ans, Log: l.log})
}

// Errors returns the last load error of each script version that has one.
func (l *Library) Errors() map[string]error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := map[string]error{}
	for _, e := range l.scripts {
		for _, v := range []*version{&e.published, &e.draft} {
			if v.err != nil {
				out[v.path] = v.err
			}
		}
	}
	return out
}

// remap rebuilds the number -> version table.
func (l *Library) remap() {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := map[string]*version{}
	for _, e := range l.scripts {
		pub := &e.published
		if pub.bot == nil {
			continue
		}
		for _, n := range pub.bot.Script.EntryPoints.Published {
			m[n] = pub
		}
		draft, numbers := pub, pub.bot.Script.EntryPoints.Draft
		if e.draft.bot != nil {
			draft = &e.draft
			numbers = append(numbers, e.draft.bot.Script.EntryPoints.Draft...)
		}
		for _, n := range numbers {
			m[n] = draft
		}
	}
	l.numbers = m
}

// Close closes the knowledge bases.
func (l *Library) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, e := range l.scripts {
		for _, v := range []*version{&e.published, &e.draft} {
			if v.kb != nil {
				errs = append(errs, v.kb.Close())
				v.kb = nil
			}
		}
	}
	return errors.Join(errs...)
}
