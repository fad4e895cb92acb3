package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// isConstraint reports a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || c == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// callExists tells a missing call (ErrNotFound) from one in the wrong
// state (ErrConflict) after an UPDATE changed no row.
func callExists(ctx context.Context, tx *sql.Tx, id CallID) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM calls WHERE id = ?`, string(id)).Scan(&n)
	return n > 0, err
}

func updateOne(ctx context.Context, tx *sql.Tx, what string, id CallID, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	ok, err := callExists(ctx, tx, id)
	switch {
	case err != nil:
		return fmt.Errorf("%s %s: %w", what, id, err)
	case !ok:
		return fmt.Errorf("%s %s: %w", what, id, ErrNotFound)
	}
	return fmt.Errorf("%s %s: %w: already done or ended", what, id, ErrConflict)
}

// CreateCall records a new call. Started zero means now.
func (s *SQLite) CreateCall(ctx context.Context, c Call) error {
	if err := validCall(&c); err != nil {
		return err
	}
	c.Started = s.now(c.Started)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO calls (id, direction, from_uri, to_uri, from_number, to_number, trunk, started_at, answered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(c.ID), c.Direction.String(), c.FromURI, c.ToURI, c.FromNumber, c.ToNumber, c.Trunk,
			c.Started.UnixNano(), nsOrNil(c.Answered))
		if isUnique(err) {
			return fmt.Errorf("create call %s: %w: exists", c.ID, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("create call %s: %w", c.ID, err)
		}
		return nil
	})
}

// AnswerCall sets the answer time (zero: now) of a call not yet answered
// nor ended.
func (s *SQLite) AnswerCall(ctx context.Context, id CallID, at time.Time) error {
	if err := checkID("call id", string(id)); err != nil {
		return err
	}
	at = s.now(at)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return updateOne(ctx, tx, "answer call", id,
			`UPDATE calls SET answered_at = ? WHERE id = ? AND answered_at IS NULL AND ended_at IS NULL`,
			at.UnixNano(), string(id))
	})
}

// EndCall closes a call once, and any of its legs still open with the
// call's cause; a second end is ErrConflict.
func (s *SQLite) EndCall(ctx context.Context, id CallID, end End) error {
	if err := validEnd(id, &end); err != nil {
		return err
	}
	end.At = s.now(end.At)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return endCall(ctx, tx, id, end)
	})
}

func endCall(ctx context.Context, tx *sql.Tx, id CallID, end End) error {
	err := updateOne(ctx, tx, "end call", id,
		`UPDATE calls SET ended_at = ?, disposition = ?, cause = ?, sip_code = ? WHERE id = ? AND ended_at IS NULL`,
		end.At.UnixNano(), end.Disposition.String(), end.Cause, end.SIPCode, string(id))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE legs SET ended_at = ?, end_reason = ? WHERE call_id = ? AND ended_at IS NULL`,
		end.At.UnixNano(), end.Cause, string(id)); err != nil {
		return fmt.Errorf("end call %s: legs: %w", id, err)
	}
	return nil
}

// AddLeg records a new leg of an existing call. Started zero means now.
func (s *SQLite) AddLeg(ctx context.Context, l Leg) error {
	if err := validLeg(&l); err != nil {
		return err
	}
	l.Started = s.now(l.Started)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// The call must exist; foreign_keys would say so too, but not which.
		if ok, err := callExists(ctx, tx, l.CallID); err != nil || !ok {
			return fmt.Errorf("add leg %s to call %s: %w", l.ID, l.CallID, errors.Join(err, notFound(ok, err)))
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO legs (call_id, leg_id, role, sip_call_id, remote, codec, started_at, answered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			string(l.CallID), string(l.ID), l.Role.String(), l.SIPCallID, l.Remote, l.Codec,
			l.Started.UnixNano(), nsOrNil(l.Answered))
		if isUnique(err) {
			return fmt.Errorf("add leg %s to call %s: %w: exists", l.ID, l.CallID, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("add leg %s to call %s: %w", l.ID, l.CallID, err)
		}
		return nil
	})
}

func notFound(ok bool, err error) error {
	if err == nil && !ok {
		return ErrNotFound
	}
	return nil
}

func updateLeg(ctx context.Context, tx *sql.Tx, what string, call CallID, leg LegID, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s %s/%s: %w", what, call, leg, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM legs WHERE call_id = ? AND leg_id = ?`,
		string(call), string(leg)).Scan(&n); err != nil {
		return fmt.Errorf("%s %s/%s: %w", what, call, leg, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %s/%s: %w", what, call, leg, ErrNotFound)
	}
	return fmt.Errorf("%s %s/%s: %w: already done or ended", what, call, leg, ErrConflict)
}

// AnswerLeg sets a leg's answer time (zero: now), once.
func (s *SQLite) AnswerLeg(ctx context.Context, call CallID, leg LegID, at time.Time) error {
	if err := errors.Join(checkID("call id", string(call)), checkID("leg id", string(leg))); err != nil {
		return err
	}
	at = s.now(at)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return updateLeg(ctx, tx, "answer leg", call, leg,
			`UPDATE legs SET answered_at = ? WHERE call_id = ? AND leg_id = ? AND answered_at IS NULL AND ended_at IS NULL`,
			at.UnixNano(), string(call), string(leg))
	})
}

// EndLeg closes a leg once (at zero: now), with the reason it ended.
func (s *SQLite) EndLeg(ctx context.Context, call CallID, leg LegID, at time.Time, reason string) error {
	if err := errors.Join(checkID("call id", string(call)), checkID("leg id", string(leg))); err != nil {
		return err
	}
	at = s.now(at)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return updateLeg(ctx, tx, "end leg", call, leg,
			`UPDATE legs SET ended_at = ?, end_reason = ? WHERE call_id = ? AND leg_id = ? AND ended_at IS NULL`,
			at.UnixNano(), reason, string(call), string(leg))
	})
}

// AddEvent appends an event to an existing call. At zero means now.
func (s *SQLite) AddEvent(ctx context.Context, e Event) error {
	if err := validEvent(&e); err != nil {
		return err
	}
	e.At = s.now(e.At)
	var detail any
	if len(e.Detail) > 0 {
		detail = string(e.Detail)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// INSERT ... SELECT inserts nothing when the call does not exist.
		res, err := tx.ExecContext(ctx, `INSERT INTO events (call_id, leg_id, at, type, code, detail)
			SELECT id, ?, ?, ?, ?, ? FROM calls WHERE id = ?`,
			string(e.LegID), e.At.UnixNano(), e.Type, e.Code, detail, string(e.CallID))
		if err != nil {
			return fmt.Errorf("add event %s to call %s: %w", e.Type, e.CallID, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("add event %s to call %s: %w", e.Type, e.CallID, ErrNotFound)
		}
		return nil
	})
}

// SetRecording records or replaces the recording of an existing call.
func (s *SQLite) SetRecording(ctx context.Context, r Recording) error {
	if err := validRecording(&r); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO recordings (call_id, path, format, duration_ns, bytes, channels)
			SELECT id, ?, ?, ?, ?, ? FROM calls WHERE id = ?
			ON CONFLICT (call_id) DO UPDATE SET path = excluded.path, format = excluded.format,
				duration_ns = excluded.duration_ns, bytes = excluded.bytes, channels = excluded.channels`,
			r.Path, r.Format.String(), int64(r.Duration), r.Bytes, r.Channels, string(r.CallID))
		if err != nil {
			return fmt.Errorf("set recording of call %s: %w", r.CallID, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("set recording of call %s: %w", r.CallID, ErrNotFound)
		}
		return nil
	})
}

// RepairOpen closes every call a crash left without an end: disposition
// Failed, cause RestartCause, ended at the last time known of the call
// (its latest event, leg or answer time, else its start). Their open legs
// end the same way. Run it once at start, before taking calls: a call
// still in progress in this process would be closed too. It returns how
// many calls it closed.
func (s *SQLite) RepairOpen(ctx context.Context) (int, error) {
	var n int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.id, MAX(c.started_at, COALESCE(c.answered_at, 0),
				COALESCE((SELECT MAX(at) FROM events e WHERE e.call_id = c.id), 0),
				COALESCE((SELECT MAX(MAX(started_at, COALESCE(answered_at, 0), COALESCE(ended_at, 0))) FROM legs l WHERE l.call_id = c.id), 0))
			FROM calls c WHERE c.ended_at IS NULL`)
		if err != nil {
			return fmt.Errorf("repair open calls: %w", err)
		}
		type open struct {
			id   CallID
			last int64
		}
		var calls []open
		for rows.Next() {
			var o open
			if err := rows.Scan(&o.id, &o.last); err != nil {
				rows.Close()
				return fmt.Errorf("repair open calls: %w", err)
			}
			calls = append(calls, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("repair open calls: %w", err)
		}
		for _, o := range calls {
			end := End{At: time.Unix(0, o.last), Disposition: Failed, Cause: RestartCause}
			if err := endCall(ctx, tx, o.id, end); err != nil {
				return fmt.Errorf("repair: %w", err)
			}
		}
		n = len(calls)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.opts.Log.Warn("store: closed calls left open by a crash", "calls", n, "cause", RestartCause)
	}
	return n, nil
}
