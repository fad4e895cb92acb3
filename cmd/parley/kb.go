package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-cc/parley/nlu/embed"
	"github.com/parley-cc/parley/nlu/kb"
)

const kbUsage = `Usage:
  parley kb import [--draft] [flags] PATH...   import files or directories (.md .txt .html .csv .jsonl)
  parley kb search [--draft] [flags] QUERY     show the answer and the best chunks
  parley kb gaps   [flags]                     list questions that found no good answer
  parley kb publish [flags]                    publish the draft version

A script's knowledge base lives in <data_dir>/kb/<script name> (choose it with --script NAME,
NAME.draft for a draft script); without --script, the standalone one in <data_dir>/kb.
The nlu.* settings (embedder, index, threshold) apply as in serve.
Flags: --config, --data-dir, --set (as for serve).
`

func cmdKB(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, kbUsage)
		return 2
	}
	sub := args[0]
	fset := flag.NewFlagSet("parley kb "+sub, flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() { fmt.Fprint(stderr, kbUsage); fset.PrintDefaults() }
	var cf configFlags
	cf.register(fset)
	draft := fset.Bool("draft", false, "use the draft version instead of the published one")
	scriptName := fset.String("script", "", "the script whose knowledge base to use (its name, as in the script's metadata)")
	k := fset.Int("k", 5, "how many chunks search shows")
	limit := fset.Int("limit", 50, "how many gaps to list (0: all)")
	if err := fset.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, err := cf.load()
	if err != nil {
		fmt.Fprintf(stderr, "parley kb: configuration: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if strings.ContainsAny(*scriptName, `/\`) || strings.Contains(*scriptName, "..") {
		fmt.Fprintf(stderr, "parley kb: --script %q: a script name, not a path\n", *scriptName)
		return 2
	}
	log := newLogger(cfg.Log, stderr)
	opts := cfg.NLU.kbOptions(log)
	kcfg := kb.Config{Dir: filepath.Join(cfg.DataDir, "kb", *scriptName), Embedder: opts.Embedder, Threshold: opts.Threshold, Log: log}
	if opts.Index != nil {
		name := *scriptName
		if name == "" {
			name = "default"
		}
		dim := embed.NewHashed(embed.HashedConfig{}).Dim()
		if opts.Embedder != nil {
			dim = opts.Embedder.Dim()
		}
		if kcfg.Index, err = opts.Index(ctx, name, dim); err != nil {
			fmt.Fprintf(stderr, "parley kb: %v\n", err)
			return 1
		}
	}
	base, err := kb.Open(ctx, kcfg)
	if err != nil {
		fmt.Fprintf(stderr, "parley kb: %v\n", err)
		return 1
	}
	defer base.Close()
	version := kb.Published
	if *draft {
		version = kb.Draft
	}
	switch sub {
	case "import":
		err = kbImport(ctx, base, fset.Args(), version, stdout, stderr)
	case "search":
		err = kbSearch(ctx, base, strings.Join(fset.Args(), " "), version, *k, stdout)
	case "gaps":
		err = kbGaps(ctx, base, *limit, stdout)
	case "publish":
		var n int
		if n, err = base.Publish(ctx); err == nil {
			fmt.Fprintf(stdout, "published %d documents\n", n)
		}
	default:
		fmt.Fprintf(stderr, "parley kb: unknown command %q\n\n%s", sub, kbUsage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley kb %s: %v\n", sub, err)
		return 1
	}
	return 0
}

// kbFiles expands directories into the importable files under them, sorted.
func kbFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".md", ".markdown", ".txt", ".text", ".html", ".htm", ".csv", ".jsonl", ".ndjson":
				out = append(out, path)
			default:
				if path == p {
					out = append(out, path) // named explicitly: let the importer say why not
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func kbImport(ctx context.Context, base *kb.KB, args []string, v kb.Version, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("no files given")
	}
	files, err := kbFiles(args)
	if err != nil {
		return err
	}
	bar := newProgress(stderr, len(files))
	start := time.Now()
	st, err := base.ImportFiles(ctx, files, v, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d files, %d added, %d updated, %d unchanged, %d chunks written in %s\n",
		v, len(files), st.Added, st.Updated, st.Unchanged, st.Chunks, time.Since(start).Round(time.Millisecond))
	return nil
}

func kbSearch(ctx context.Context, base *kb.KB, q string, v kb.Version, k int, w io.Writer) error {
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("no query given")
	}
	a, err := base.Answer(ctx, q, kb.SearchOptions{Version: v, K: k})
	if err != nil {
		return err
	}
	if a.Found {
		fmt.Fprintf(w, "answer (confidence %.2f): %s\n  source: %s", a.Confidence, a.Text, a.Citation.Article)
		if a.Citation.Heading != "" {
			fmt.Fprintf(w, " > %s", a.Citation.Heading)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "no confident answer (confidence %.2f); logged as a knowledge gap\n", a.Confidence)
	}
	for i, r := range a.Results {
		fmt.Fprintf(w, "%d. %.4f  %s | %s | %s\n   %s\n", i+1, r.Score, r.Article, r.Title, r.Heading, kb.Speakable(r.Text, 1, 25))
	}
	return nil
}

func kbGaps(ctx context.Context, base *kb.KB, limit int, w io.Writer) error {
	gaps, err := base.Gaps(ctx, limit)
	if err != nil {
		return err
	}
	if len(gaps) == 0 {
		fmt.Fprintln(w, "no knowledge gaps")
		return nil
	}
	for _, g := range gaps {
		fmt.Fprintf(w, "%s  %.2f  %q  (closest: %s)\n", time.Unix(g.AskedAt, 0).UTC().Format(time.DateTime), g.Confidence, g.Question, g.BestArticle)
	}
	return nil
}

// progress draws a bar on a terminal and prints plain lines otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	total int
}

func newProgress(w io.Writer, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty, total: total}
}

func (p *progress) update(done, total int, path string) {
	if !p.tty {
		fmt.Fprintf(p.w, "parsed %d/%d %s\n", done, total, path)
		return
	}
	const width = 30
	n := width * done / max(total, 1)
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d %-40.40s", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total, filepath.Base(path))
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
