package kb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

const schema = `
CREATE TABLE IF NOT EXISTS documents (
	version TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL, tags TEXT NOT NULL,
	hash TEXT NOT NULL, imported_at INTEGER NOT NULL, PRIMARY KEY (version, source));
CREATE TABLE IF NOT EXISTS chunks (
	id TEXT PRIMARY KEY, version TEXT NOT NULL, source TEXT NOT NULL, ord INTEGER NOT NULL,
	article TEXT NOT NULL, title TEXT NOT NULL, heading TEXT NOT NULL, text TEXT NOT NULL,
	tags TEXT NOT NULL, question INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (version, source);
CREATE TABLE IF NOT EXISTS usage (
	article TEXT PRIMARY KEY, served INTEGER NOT NULL DEFAULT 0, helpful INTEGER NOT NULL DEFAULT 0,
	not_helpful INTEGER NOT NULL DEFAULT 0, last_served INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS gaps (
	id INTEGER PRIMARY KEY AUTOINCREMENT, question TEXT NOT NULL, version TEXT NOT NULL,
	asked_at INTEGER NOT NULL, confidence REAL NOT NULL, best_article TEXT NOT NULL,
	resolved INTEGER NOT NULL DEFAULT 0);
`

func openDB(ctx context.Context, dir string) (*sql.DB, error) {
	path := filepath.Join(dir, "kb.db")
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("kb: data directory %q contains ? or #", dir)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return db, nil
}

// docHash is the content hash that makes re-imports idempotent.
func docHash(d *Document) string {
	b, _ := json.Marshal(d)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func chunkID(v Version, source string, ord int, c *Chunk) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%s\x00%s", v, source, ord, c.Title, c.Heading, c.Text)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// storeDocs writes docs into version v in one transaction. Unchanged documents (same
// hash) are skipped; changed ones have their chunks replaced.
func storeDocs(ctx context.Context, db *sql.DB, v Version, docs []Document, now time.Time) (ImportStats, error) {
	var st ImportStats
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer tx.Rollback()
	for i := range docs {
		d := &docs[i]
		h := docHash(d)
		var old string
		err := tx.QueryRowContext(ctx, `SELECT hash FROM documents WHERE version=? AND source=?`, v, d.Source).Scan(&old)
		switch {
		case err == nil && old == h:
			st.Unchanged++
			continue
		case err == nil:
			st.Updated++
		case err == sql.ErrNoRows:
			st.Added++
		default:
			return st, err
		}
		if err := deleteDoc(ctx, tx, v, d.Source); err != nil {
			return st, err
		}
		tags, _ := json.Marshal(d.Tags)
		if _, err := tx.ExecContext(ctx, `INSERT INTO documents VALUES (?,?,?,?,?,?)`, v, d.Source, d.Title, string(tags), h, now.Unix()); err != nil {
			return st, err
		}
		for ord := range d.Chunks {
			c := &d.Chunks[ord]
			ct, _ := json.Marshal(c.Tags)
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)`,
				chunkID(v, d.Source, ord, c), v, d.Source, ord, c.Article, c.Title, c.Heading, c.Text, string(ct), c.Question); err != nil {
				return st, err
			}
			st.Chunks++
		}
	}
	return st, tx.Commit()
}

func deleteDoc(ctx context.Context, tx *sql.Tx, v Version, source string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE version=? AND source=?`, v, source); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM documents WHERE version=? AND source=?`, v, source)
	return err
}

// storedChunk is a chunk as loaded for search.
type storedChunk struct {
	Chunk
	ID      string
	Version Version
	Source  string
	terms   []string
}

func loadChunks(ctx context.Context, db *sql.DB) ([]storedChunk, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, version, source, article, title, heading, text, tags, question FROM chunks ORDER BY version, source, ord`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedChunk
	for rows.Next() {
		var c storedChunk
		var tags string
		if err := rows.Scan(&c.ID, &c.Version, &c.Source, &c.Article, &c.Title, &c.Heading, &c.Text, &tags, &c.Question); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(tags), &c.Tags)
		c.terms = chunkTerms(&c.Chunk)
		out = append(out, c)
	}
	return out, rows.Err()
}
