package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/nlu/embed"
	"github.com/parley-cc/parley/nlu/index"
)

// Version is a knowledge-base version.
type Version string

// The two versions: designers stage imports as drafts, then publish them.
const (
	Draft     Version = "draft"
	Published Version = "published"
)

// Config configures a KB. Only Dir is required.
type Config struct {
	Dir      string         // data directory: kb.db, vectors/, embedder.bin
	Tenant   string         // payload tenant; "default" if empty
	Language string         // payload language; "en" if empty
	Embedder embed.Embedder // nil: the built-in hashed embedder, fitted on the KB
	Index    index.Index    // nil: an embedded index in Dir/vectors
	// Threshold is the confidence below which Answer reports no answer and logs a
	// knowledge gap; 0.65 if zero (see docs/BENCHMARKS.md).
	Threshold float64
	Log       *slog.Logger
	Now       func() time.Time
}

// ImportStats counts what an import changed.
type ImportStats struct {
	Added, Updated, Unchanged, Chunks int
}

// KB is a knowledge base. Close it when done.
type KB struct {
	cfg     Config
	db      *sql.DB
	ix      index.Index
	ownIx   *index.Embedded
	hashed  *embed.Hashed // non-nil when the built-in embedder is used
	emb     embed.Embedder
	writeMu sync.Mutex            // serialises imports, publish, delete
	state   atomic.Pointer[state] // swapped whole after each change
}

// state is the immutable in-memory search state.
type state struct {
	chunks []storedChunk
	byID   map[string]int
	bm     *bm25
}

// Open opens or creates the knowledge base in cfg.Dir.
func Open(ctx context.Context, cfg Config) (*KB, error) {
	if cfg.Dir == "" {
		return nil, errors.New("kb: no data directory")
	}
	if cfg.Tenant == "" {
		cfg.Tenant = "default"
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = 0.65
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("open kb: %w", err)
	}
	db, err := openDB(ctx, cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("open kb: %w", err)
	}
	k := &KB{cfg: cfg, db: db, ix: cfg.Index, emb: cfg.Embedder}
	if k.ix == nil {
		k.ownIx, err = index.Open(filepath.Join(cfg.Dir, "vectors"), index.Config{Log: cfg.Log})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open kb: %w", err)
		}
		k.ix = k.ownIx
	}
	fresh := true
	if k.emb == nil {
		k.hashed = embed.NewHashed(embed.HashedConfig{})
		if b, err := os.ReadFile(k.modelPath()); err == nil {
			if err := k.hashed.UnmarshalBinary(b); err != nil {
				cfg.Log.Warn("kb: embedder model unreadable, refitting", "err", err)
			} else {
				fresh = false
			}
		}
		k.emb = k.hashed
	}
	if err := k.reload(ctx, nil, fresh); err != nil {
		k.Close()
		return nil, fmt.Errorf("open kb: %w", err)
	}
	return k, nil
}

func (k *KB) modelPath() string { return filepath.Join(k.cfg.Dir, "embedder.bin") }

// Close releases the database and the embedded index.
func (k *KB) Close() error {
	var errs []error
	if k.ownIx != nil {
		errs = append(errs, k.ownIx.Close())
	}
	errs = append(errs, k.db.Close())
	return errors.Join(errs...)
}

// reload rebuilds the search state from the database and brings the vector index in
// line: points of removed chunks are deleted, new chunks embedded. With the built-in
// embedder, refit (or an index that lacks points) re-embeds everything.
func (k *KB) reload(ctx context.Context, prev *state, refit bool) error {
	chunks, err := loadChunks(ctx, k.db)
	if err != nil {
		return fmt.Errorf("load chunks: %w", err)
	}
	st := &state{chunks: chunks, byID: make(map[string]int, len(chunks))}
	terms := make([][]string, len(chunks))
	for i := range chunks {
		st.byID[chunks[i].ID] = i
		terms[i] = chunks[i].terms
	}
	st.bm = newBM25(terms)

	embedAll := refit
	if prev == nil && !refit {
		// Opening: trust the persisted index only if it holds exactly these chunks.
		if l, ok := k.ix.(interface{ Len() int }); !ok || l.Len() != len(chunks) {
			embedAll, refit = true, k.hashed != nil
		}
	}
	var stale []string
	if prev != nil {
		for _, c := range prev.chunks {
			if _, ok := st.byID[c.ID]; !ok {
				stale = append(stale, c.ID)
			}
		}
	}
	if len(stale) > 0 {
		if err := k.ix.Delete(ctx, stale); err != nil {
			return fmt.Errorf("delete stale vectors: %w", err)
		}
	}
	var todo []int
	for i := range chunks {
		if embedAll || prev != nil && !hasID(prev, chunks[i].ID) {
			todo = append(todo, i)
		}
	}
	if refit && k.hashed != nil {
		corpus := make([]string, len(chunks))
		for i := range chunks {
			corpus[i] = embedText(&chunks[i].Chunk)
		}
		k.hashed.Fit(corpus)
		b, _ := k.hashed.MarshalBinary()
		if err := writeFileAtomic(k.modelPath(), b); err != nil {
			return fmt.Errorf("save embedder: %w", err)
		}
	}
	if err := k.embedChunks(ctx, chunks, todo); err != nil {
		return err
	}
	if k.ownIx != nil {
		if err := k.ownIx.Save(); err != nil {
			return err
		}
	}
	k.state.Store(st)
	return nil
}

func hasID(s *state, id string) bool { _, ok := s.byID[id]; return ok }

func (k *KB) embedChunks(ctx context.Context, chunks []storedChunk, todo []int) error {
	const batch = 256
	for start := 0; start < len(todo); start += batch {
		part := todo[start:min(start+batch, len(todo))]
		texts := make([]string, len(part))
		for j, i := range part {
			texts[j] = embedText(&chunks[i].Chunk)
		}
		vecs, err := k.emb.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed chunks: %w", err)
		}
		pts := make([]index.Point, len(part))
		for j, i := range part {
			c := &chunks[i]
			pts[j] = index.Point{ID: c.ID, Vector: vecs[j], Payload: index.Payload{
				Tenant: k.cfg.Tenant, Language: k.cfg.Language, KBVersion: string(c.Version), Tags: c.Tags,
				Fields: map[string]string{"source": c.Source, "article": c.Article},
			}}
		}
		if err := k.ix.Upsert(ctx, pts); err != nil {
			return fmt.Errorf("index chunks: %w", err)
		}
	}
	return nil
}

// embedText is what the embedder sees for a chunk.
func embedText(c *Chunk) string { return c.Title + ". " + c.Heading + ". " + c.Text }

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Import stores docs in version v (replacing documents with the same source,
// skipping unchanged ones) and updates the search state. Either every document is
// stored or none is.
func (k *KB) Import(ctx context.Context, docs []Document, v Version) (ImportStats, error) {
	if v != Draft && v != Published {
		return ImportStats{}, fmt.Errorf("kb: unknown version %q", v)
	}
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	st, err := storeDocs(ctx, k.db, v, docs, k.cfg.Now())
	if err != nil {
		return st, fmt.Errorf("import: %w", err)
	}
	if st.Added+st.Updated == 0 {
		return st, nil
	}
	return st, k.reload(ctx, k.state.Load(), k.hashed != nil)
}

// ImportFiles parses every path, then imports them all in one transaction. progress,
// if not nil, is called after each file is parsed.
func (k *KB) ImportFiles(ctx context.Context, paths []string, v Version, progress func(done, total int, path string)) (ImportStats, error) {
	var docs []Document
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return ImportStats{}, fmt.Errorf("import: %w", err)
		}
		d, err := Parse(filepath.Base(p), b)
		if err != nil {
			return ImportStats{}, fmt.Errorf("import %s: %w", p, err)
		}
		docs = append(docs, d...)
		if progress != nil {
			progress(i+1, len(paths), p)
		}
	}
	return k.Import(ctx, docs, v)
}

// Delete removes the document source from version v.
func (k *KB) Delete(ctx context.Context, source string, v Version) error {
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	tx, err := k.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete %s: %w", source, err)
	}
	defer tx.Rollback()
	if err := deleteDoc(ctx, tx, v, source); err != nil {
		return fmt.Errorf("delete %s: %w", source, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete %s: %w", source, err)
	}
	return k.reload(ctx, k.state.Load(), k.hashed != nil)
}

// Publish copies every draft document over the published one with the same source
// and empties the draft. It returns the number of documents published.
func (k *KB) Publish(ctx context.Context) (int, error) {
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	tx, err := k.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	defer tx.Rollback()
	steps := []string{
		`DELETE FROM chunks WHERE version='published' AND source IN (SELECT source FROM documents WHERE version='draft')`,
		`DELETE FROM documents WHERE version='published' AND source IN (SELECT source FROM documents WHERE version='draft')`,
		`UPDATE documents SET version='published' WHERE version='draft'`,
	}
	var n int64
	for i, q := range steps {
		res, err := tx.ExecContext(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("publish: %w", err)
		}
		if i == 2 {
			n, _ = res.RowsAffected()
		}
	}
	// Chunk IDs include the version, so published chunks get new IDs.
	rows, err := tx.QueryContext(ctx, `SELECT id, source, ord, title, heading, text FROM chunks WHERE version='draft'`)
	if err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	type move struct{ old, new string }
	var moves []move
	for rows.Next() {
		var id, src string
		var ord int
		var c Chunk
		if err := rows.Scan(&id, &src, &ord, &c.Title, &c.Heading, &c.Text); err != nil {
			rows.Close()
			return 0, fmt.Errorf("publish: %w", err)
		}
		moves = append(moves, move{id, chunkID(Published, src, ord, &c)})
	}
	rows.Close()
	for _, m := range moves {
		if _, err := tx.ExecContext(ctx, `UPDATE chunks SET id=?, version='published' WHERE id=?`, m.new, m.old); err != nil {
			return 0, fmt.Errorf("publish: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	return int(n), k.reload(ctx, k.state.Load(), k.hashed != nil)
}

// Documents lists the documents of version v: source, title and chunk count.
func (k *KB) Documents(ctx context.Context, v Version) ([]DocumentInfo, error) {
	rows, err := k.db.QueryContext(ctx, `SELECT d.source, d.title, COUNT(c.id) FROM documents d LEFT JOIN chunks c ON c.version=d.version AND c.source=d.source WHERE d.version=? GROUP BY d.source ORDER BY d.source`, v)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	var out []DocumentInfo
	for rows.Next() {
		var d DocumentInfo
		if err := rows.Scan(&d.Source, &d.Title, &d.Chunks); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DocumentInfo summarises a stored document.
type DocumentInfo struct {
	Source, Title string
	Chunks        int
}
