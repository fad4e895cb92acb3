package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/nlu/embed"
	"github.com/parley-cc/parley/nlu/index"
	"github.com/parley-cc/parley/nlu/kb"
	"github.com/parley-cc/parley/nlu/llm"
)

// Options are what Load needs to compile a script.
type Options struct {
	// DataDir holds each script's knowledge base (DataDir/kb/<script name>).
	// Required when a script has a knowledge_base.
	DataDir string
	// KB shapes every script's knowledge base; the zero value is the
	// built-in embedder and the embedded index.
	KB  KBOptions
	Log *slog.Logger
}

// KBOptions are the NLU back-ends of the scripts' knowledge bases.
type KBOptions struct {
	// Embedder embeds chunks and questions; nil is the built-in hashed
	// embedder fitted on each knowledge base.
	Embedder embed.Embedder
	// Index opens the vector index of the knowledge base named name (the
	// script's name, ".draft" for drafts) for vectors of dim dimensions; nil
	// keeps an embedded index in the knowledge base's directory.
	Index func(ctx context.Context, name string, dim int) (index.Index, error)
	// Threshold is the answer confidence below which the bot says it does
	// not know; 0 is the knowledge base's default.
	Threshold float64
	// LLM, when set, phrases answers from the retrieved passages with
	// citations and refuses when they do not support one.
	LLM *llm.Client
}

// Loaded is a compiled script and the knowledge base it owns.
type Loaded struct {
	Bot *runtime.Bot
	kb  *kb.KB
}

// Close releases the knowledge base.
func (l *Loaded) Close() error {
	if l == nil || l.kb == nil {
		return nil
	}
	return l.kb.Close()
}

// Load loads, validates and compiles the script at path: it imports the
// script's knowledge-base directory (relative to the script) as the published
// version and trains the intent classifier.
func Load(ctx context.Context, path string, opts Options) (*Loaded, error) {
	s, err := script.Load(path)
	if err != nil {
		return nil, err
	}
	return Compile(ctx, s, opts)
}

// Compile compiles a loaded script, opening its knowledge base.
func Compile(ctx context.Context, s *script.Script, opts Options) (*Loaded, error) {
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	l := &Loaded{}
	var ans runtime.Answerer
	if s.KB != "" {
		base, err := OpenKB(ctx, s, opts.DataDir, opts.KB, log)
		if err != nil {
			return nil, err
		}
		l.kb = base
		ans = runtime.KBAnswerer{KB: base, LLM: opts.KB.LLM, Log: log}
	}
	b, err := runtime.Compile(ctx, s, runtime.Options{Answerer: ans, Log: log})
	if err != nil {
		return nil, errors.Join(err, l.Close())
	}
	l.Bot = b
	return l, nil
}

// OpenKB opens the script's knowledge base in dataDir and imports the files
// of its knowledge_base directory as the published version (unchanged files
// are skipped by the KB).
func OpenKB(ctx context.Context, s *script.Script, dataDir string, o KBOptions, log *slog.Logger) (*kb.KB, error) {
	if dataDir == "" {
		return nil, fmt.Errorf("script %s: knowledge base: no data directory", s.Name)
	}
	name := s.Name
	if s.Draft {
		name += ".draft"
	}
	cfg := kb.Config{Dir: filepath.Join(dataDir, "kb", name), Embedder: o.Embedder, Threshold: o.Threshold, Log: log}
	if o.Index != nil {
		dim := embed.NewHashed(embed.HashedConfig{}).Dim()
		if o.Embedder != nil {
			if dim = o.Embedder.Dim(); dim == 0 { // a remote model's length shows in its first answer
				if _, err := o.Embedder.Embed(ctx, []string{s.Name}); err != nil {
					return nil, fmt.Errorf("script %s: knowledge base embedder: %w", s.Name, err)
				}
				dim = o.Embedder.Dim()
			}
		}
		ix, err := o.Index(ctx, name, dim)
		if err != nil {
			return nil, fmt.Errorf("script %s: knowledge base index: %w", s.Name, err)
		}
		cfg.Index = ix
	}
	base, err := kb.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("script %s: open knowledge base: %w", s.Name, err)
	}
	if err := importKB(ctx, base, s); err != nil {
		return nil, errors.Join(err, base.Close())
	}
	return base, nil
}

// importKB imports the script's knowledge-base directory as the published
// version; unchanged files are skipped.
func importKB(ctx context.Context, base *kb.KB, s *script.Script) error {
	src := s.KB
	if !filepath.IsAbs(src) {
		src = filepath.Join(filepath.Dir(s.File), src)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("script %s: knowledge base: %w", s.Name, err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, filepath.Join(src, e.Name()))
		}
	}
	sort.Strings(files)
	if _, err := base.ImportFiles(ctx, files, kb.Published, nil); err != nil {
		return fmt.Errorf("script %s: import knowledge base: %w", s.Name, err)
	}
	return nil
}
