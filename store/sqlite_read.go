package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

const callColumns = `id, direction, from_uri, to_uri, from_number, to_number, trunk,
	started_at, answered_at, ended_at, COALESCE(disposition, ''), cause, sip_code`

type scanner interface{ Scan(dest ...any) error }

func scanCall(r scanner) (Call, error) {
	var (
		c               Call
		dir, disp       string
		started         int64
		answered, ended sql.NullInt64
	)
	err := r.Scan(&c.ID, &dir, &c.FromURI, &c.ToURI, &c.FromNumber, &c.ToNumber, &c.Trunk,
		&started, &answered, &ended, &disp, &c.Cause, &c.SIPCode)
	if err != nil {
		return Call{}, err
	}
	c.Started = time.Unix(0, started).UTC()
	c.Answered, c.Ended = fromNS(answered), fromNS(ended)
	if c.Direction, err = ParseDirection(dir); err != nil {
		return Call{}, fmt.Errorf("call %s: stored %w", c.ID, err)
	}
	if disp != "" {
		if c.Disposition, err = ParseDisposition(disp); err != nil {
			return Call{}, fmt.Errorf("call %s: stored %w", c.ID, err)
		}
	}
	return c, nil
}

// Call returns a call's record.
func (s *SQLite) Call(ctx context.Context, id CallID) (Call, error) {
	if err := checkID("call id", string(id)); err != nil {
		return Call{}, err
	}
	c, err := scanCall(s.rdb.QueryRowContext(ctx, `SELECT `+callColumns+` FROM calls WHERE id = ?`, string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return Call{}, fmt.Errorf("call %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Call{}, fmt.Errorf("call %s: %w", id, err)
	}
	return c, nil
}

// ListCalls returns calls matching f, newest first (by start, then id
// descending), a page at a time.
func (s *SQLite) ListCalls(ctx context.Context, f Filter) (Page, error) {
	limit, cur, err := f.check()
	if err != nil {
		return Page{}, err
	}
	var (
		where []string
		args  []any
	)
	if !f.Since.IsZero() {
		where, args = append(where, "started_at >= ?"), append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "started_at < ?"), append(args, f.Until.UnixNano())
	}
	if f.Disposition != DispositionUnknown {
		where, args = append(where, "disposition = ?"), append(args, f.Disposition.String())
	}
	if f.Number != "" {
		where, args = append(where, "(from_number = ? OR to_number = ?)"), append(args, f.Number, f.Number)
	}
	if cur != nil {
		where = append(where, "(started_at < ? OR (started_at = ? AND id < ?))")
		args = append(args, cur.started, cur.started, string(cur.id))
	}
	q := `SELECT ` + callColumns + ` FROM calls`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY started_at DESC, id DESC LIMIT ?"
	args = append(args, limit+1)
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list calls: %w", err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return Page{}, fmt.Errorf("list calls: %w", err)
		}
		p.Calls = append(p.Calls, c)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("list calls: %w", err)
	}
	if len(p.Calls) > limit {
		p.Calls = p.Calls[:limit]
		last := p.Calls[limit-1]
		p.Next = cursor{started: last.Started.UnixNano(), id: last.ID}.encode()
	}
	return p, nil
}

// hasCall makes an empty list of a missing call ErrNotFound.
func (s *SQLite) hasCall(ctx context.Context, id CallID) error {
	var n int
	if err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM calls WHERE id = ?`, string(id)).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Legs returns a call's legs in start order.
func (s *SQLite) Legs(ctx context.Context, id CallID) ([]Leg, error) {
	if err := checkID("call id", string(id)); err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT leg_id, role, sip_call_id, remote, codec, started_at, answered_at, ended_at, end_reason
		FROM legs WHERE call_id = ? ORDER BY started_at, leg_id`, string(id))
	if err != nil {
		return nil, fmt.Errorf("legs of call %s: %w", id, err)
	}
	defer rows.Close()
	var legs []Leg
	for rows.Next() {
		var (
			l               Leg
			role            string
			started         int64
			answered, ended sql.NullInt64
		)
		if err := rows.Scan(&l.ID, &role, &l.SIPCallID, &l.Remote, &l.Codec, &started, &answered, &ended, &l.EndReason); err != nil {
			return nil, fmt.Errorf("legs of call %s: %w", id, err)
		}
		if l.Role, err = ParseRole(role); err != nil {
			return nil, fmt.Errorf("legs of call %s: stored %w", id, err)
		}
		l.CallID = id
		l.Started = time.Unix(0, started).UTC()
		l.Answered, l.Ended = fromNS(answered), fromNS(ended)
		legs = append(legs, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("legs of call %s: %w", id, err)
	}
	if len(legs) == 0 {
		if err := s.hasCall(ctx, id); err != nil {
			return nil, fmt.Errorf("legs of call %s: %w", id, err)
		}
	}
	return legs, nil
}

// Events returns a call's events in the order they were stored.
func (s *SQLite) Events(ctx context.Context, id CallID) ([]Event, error) {
	if err := checkID("call id", string(id)); err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT seq, leg_id, at, type, code, detail FROM events WHERE call_id = ? ORDER BY seq`, string(id))
	if err != nil {
		return nil, fmt.Errorf("events of call %s: %w", id, err)
	}
	defer rows.Close()
	var evs []Event
	for rows.Next() {
		var (
			e      Event
			at     int64
			detail sql.NullString
		)
		if err := rows.Scan(&e.Seq, &e.LegID, &at, &e.Type, &e.Code, &detail); err != nil {
			return nil, fmt.Errorf("events of call %s: %w", id, err)
		}
		e.CallID = id
		e.At = time.Unix(0, at).UTC()
		if detail.Valid {
			e.Detail = []byte(detail.String)
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events of call %s: %w", id, err)
	}
	if len(evs) == 0 {
		if err := s.hasCall(ctx, id); err != nil {
			return nil, fmt.Errorf("events of call %s: %w", id, err)
		}
	}
	return evs, nil
}

// Recording returns a call's recording, ErrNotFound if it has none.
func (s *SQLite) Recording(ctx context.Context, id CallID) (Recording, error) {
	if err := checkID("call id", string(id)); err != nil {
		return Recording{}, err
	}
	r := Recording{CallID: id}
	var format string
	var dur int64
	err := s.rdb.QueryRowContext(ctx, `SELECT path, format, duration_ns, bytes, channels FROM recordings WHERE call_id = ?`,
		string(id)).Scan(&r.Path, &format, &dur, &r.Bytes, &r.Channels)
	if errors.Is(err, sql.ErrNoRows) {
		return Recording{}, fmt.Errorf("recording of call %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Recording{}, fmt.Errorf("recording of call %s: %w", id, err)
	}
	r.Duration = time.Duration(dur)
	if r.Format, err = ParseFormat(format); err != nil {
		return Recording{}, fmt.Errorf("recording of call %s: stored %w", id, err)
	}
	return r, nil
}
