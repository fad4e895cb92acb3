package kb

import (
	"context"
	"fmt"
)

func (k *KB) recordServed(ctx context.Context, article string) error {
	_, err := k.db.ExecContext(ctx, `INSERT INTO usage (article, served, last_served) VALUES (?, 1, ?)
		ON CONFLICT(article) DO UPDATE SET served = served + 1, last_served = excluded.last_served`, article, k.cfg.Now().Unix())
	return err
}

func (k *KB) recordGap(ctx context.Context, q string, v Version, conf float64, best string) error {
	_, err := k.db.ExecContext(ctx, `INSERT INTO gaps (question, version, asked_at, confidence, best_article) VALUES (?,?,?,?,?)`,
		q, v, k.cfg.Now().Unix(), conf, best)
	return err
}

// Feedback records whether the caller found article's answer helpful.
func (k *KB) Feedback(ctx context.Context, article string, helpful bool) error {
	col := "not_helpful"
	if helpful {
		col = "helpful"
	}
	_, err := k.db.ExecContext(ctx, `INSERT INTO usage (article, `+col+`) VALUES (?, 1)
		ON CONFLICT(article) DO UPDATE SET `+col+` = `+col+` + 1`, article)
	if err != nil {
		return fmt.Errorf("feedback on %s: %w", article, err)
	}
	return nil
}

// ArticleUsage counts how often an article answered and how callers rated it.
type ArticleUsage struct {
	Article                     string
	Served, Helpful, NotHelpful int
}

// Usage lists article usage, most served first.
func (k *KB) Usage(ctx context.Context) ([]ArticleUsage, error) {
	rows, err := k.db.QueryContext(ctx, `SELECT article, served, helpful, not_helpful FROM usage ORDER BY served DESC, article`)
	if err != nil {
		return nil, fmt.Errorf("usage: %w", err)
	}
	defer rows.Close()
	var out []ArticleUsage
	for rows.Next() {
		var u ArticleUsage
		if err := rows.Scan(&u.Article, &u.Served, &u.Helpful, &u.NotHelpful); err != nil {
			return nil, fmt.Errorf("usage: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Gap is a question that found no good answer.
type Gap struct {
	ID          int64
	Question    string
	Version     Version
	AskedAt     int64 // Unix seconds
	Confidence  float64
	BestArticle string
}

// Gaps lists unresolved knowledge gaps, newest first, at most limit (all if <= 0).
func (k *KB) Gaps(ctx context.Context, limit int) ([]Gap, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := k.db.QueryContext(ctx, `SELECT id, question, version, asked_at, confidence, best_article FROM gaps WHERE resolved = 0 ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("gaps: %w", err)
	}
	defer rows.Close()
	var out []Gap
	for rows.Next() {
		var g Gap
		if err := rows.Scan(&g.ID, &g.Question, &g.Version, &g.AskedAt, &g.Confidence, &g.BestArticle); err != nil {
			return nil, fmt.Errorf("gaps: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ResolveGap marks a gap as dealt with.
func (k *KB) ResolveGap(ctx context.Context, id int64) error {
	if _, err := k.db.ExecContext(ctx, `UPDATE gaps SET resolved = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("resolve gap %d: %w", id, err)
	}
	return nil
}
