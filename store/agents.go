package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// AccountRole is what a console account may do: an agent sees their own
// offers and calls, a supervisor sees everything.
type AccountRole string

// Account roles.
const (
	AccountAgent      AccountRole = "agent"
	AccountSupervisor AccountRole = "supervisor"
)

// Limits of the console's records.
const (
	MaxAccountIDLen   = 128
	MaxAccountNameLen = 256
	MaxDispositionLen = 64
	MaxNotesLen       = 16 << 10
)

// AgentAccount is the console login of an agent or a supervisor. Only a
// password hash (bcrypt) is kept. An agent's ID is also their ACD agent ID.
type AgentAccount struct {
	ID           string
	Name         string
	Role         AccountRole
	PasswordHash string
	// TokensAfter revokes every token issued at or before it (logout).
	TokensAfter time.Time
	Created     time.Time
	Updated     time.Time
}

func validAccount(a AgentAccount) error {
	switch {
	case !validAccountID(a.ID):
		return fmt.Errorf("%w: account id %q: want 1-%d letters, digits or . _ - @", ErrInvalid, a.ID, MaxAccountIDLen)
	case len(a.Name) > MaxAccountNameLen || !utf8.ValidString(a.Name):
		return fmt.Errorf("%w: account %s: name too long or not UTF-8", ErrInvalid, a.ID)
	case a.Role != AccountAgent && a.Role != AccountSupervisor:
		return fmt.Errorf("%w: account %s: role %q is not agent or supervisor", ErrInvalid, a.ID, a.Role)
	case a.PasswordHash == "":
		return fmt.Errorf("%w: account %s has no password hash", ErrInvalid, a.ID)
	}
	return nil
}

// validAccountID allows the characters that are safe in URLs, logs and
// SIP user parts.
func validAccountID(id string) bool {
	if id == "" || len(id) > MaxAccountIDLen {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-@", c)) {
			return false
		}
	}
	return true
}

// PutAgentAccount creates an account or replaces its name, role and
// password hash (keeping its creation time and revocations).
func (s *SQLite) PutAgentAccount(ctx context.Context, a AgentAccount) error {
	if err := validAccount(a); err != nil {
		return err
	}
	now := s.now(time.Time{}).UnixNano()
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agent_accounts (id, name, role, password_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
				password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
			a.ID, a.Name, string(a.Role), a.PasswordHash, now, now)
		if err != nil {
			return fmt.Errorf("put agent account %s: %w", a.ID, err)
		}
		return nil
	})
}

// DeleteAgentAccount removes an account; ErrNotFound if there is none.
// The calls it served keep their wrap-up records.
func (s *SQLite) DeleteAgentAccount(ctx context.Context, id string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM agent_accounts WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete agent account %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("agent account %s: %w", id, ErrNotFound)
		}
		return nil
	})
}

// RevokeAgentTokens invalidates every token of an account issued at or
// before at (zero: now). ErrNotFound if there is no such account.
func (s *SQLite) RevokeAgentTokens(ctx context.Context, id string, at time.Time) error {
	at = s.now(at)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE agent_accounts SET tokens_after = MAX(tokens_after, ?) WHERE id = ?`,
			at.UnixNano(), id)
		if err != nil {
			return fmt.Errorf("revoke tokens of %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("agent account %s: %w", id, ErrNotFound)
		}
		return nil
	})
}

const accountColumns = `id, name, role, password_hash, tokens_after, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanAccount(r rowScanner) (AgentAccount, error) {
	var a AgentAccount
	var role string
	var after, created, updated int64
	if err := r.Scan(&a.ID, &a.Name, &role, &a.PasswordHash, &after, &created, &updated); err != nil {
		return AgentAccount{}, err
	}
	a.Role = AccountRole(role)
	if after != 0 {
		a.TokensAfter = time.Unix(0, after).UTC()
	}
	a.Created, a.Updated = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return a, nil
}

// AgentAccount returns one account and whether it exists.
func (s *SQLite) AgentAccount(ctx context.Context, id string) (AgentAccount, bool, error) {
	a, err := scanAccount(s.rdb.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM agent_accounts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return AgentAccount{}, false, nil
	}
	if err != nil {
		return AgentAccount{}, false, fmt.Errorf("agent account %s: %w", id, err)
	}
	return a, true, nil
}

// AgentAccounts lists every account, by id.
func (s *SQLite) AgentAccounts(ctx context.Context) ([]AgentAccount, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+accountColumns+` FROM agent_accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("agent accounts: %w", err)
	}
	defer rows.Close()
	var out []AgentAccount
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("agent accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CallAgent is one agent's part in a call: when they were connected, and
// the wrap-up notes and disposition code they left.
type CallAgent struct {
	CallID      CallID
	AgentID     string
	Connected   time.Time
	Disposition string // the agent's own code, e.g. "resolved", "follow-up"
	Notes       string
	WrappedUp   time.Time // zero until a wrap-up is stored
}

func validCallAgent(call CallID, agent string) error {
	switch {
	case call == "" || len(call) > MaxIDLen:
		return fmt.Errorf("%w: call id %q", ErrInvalid, call)
	case agent == "" || len(agent) > MaxAccountIDLen:
		return fmt.Errorf("%w: agent id %q", ErrInvalid, agent)
	}
	return nil
}

// AssignCallAgent records that an agent was connected to a call at at
// (zero: now). A second assignment of the same pair keeps the first time.
func (s *SQLite) AssignCallAgent(ctx context.Context, call CallID, agent string, at time.Time) error {
	if err := validCallAgent(call, agent); err != nil {
		return err
	}
	at = s.now(at)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO call_agents (call_id, agent_id, connected_at) VALUES (?, ?, ?)
			ON CONFLICT (call_id, agent_id) DO NOTHING`, string(call), agent, at.UnixNano())
		if err != nil {
			return fmt.Errorf("assign agent %s to call %s: %w", agent, call, err)
		}
		return nil
	})
}

// SetWrapUp stores (or replaces) an agent's wrap-up of a call, recording
// the agent on the call if that was not known yet. At zero means now.
func (s *SQLite) SetWrapUp(ctx context.Context, call CallID, agent, disposition, notes string, at time.Time) error {
	if err := validCallAgent(call, agent); err != nil {
		return err
	}
	switch {
	case len(disposition) > MaxDispositionLen || !utf8.ValidString(disposition):
		return fmt.Errorf("%w: disposition longer than %d bytes or not UTF-8", ErrInvalid, MaxDispositionLen)
	case len(notes) > MaxNotesLen || !utf8.ValidString(notes):
		return fmt.Errorf("%w: notes longer than %d bytes or not UTF-8", ErrInvalid, MaxNotesLen)
	}
	ns := s.now(at).UnixNano()
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO call_agents (call_id, agent_id, connected_at, disposition, notes, wrapped_up_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (call_id, agent_id) DO UPDATE SET disposition = excluded.disposition,
				notes = excluded.notes, wrapped_up_at = excluded.wrapped_up_at`,
			string(call), agent, ns, disposition, notes, ns)
		if err != nil {
			return fmt.Errorf("wrap-up of call %s by %s: %w", call, agent, err)
		}
		return nil
	})
}

// CallAgents returns the agents of a call in the order they were connected.
func (s *SQLite) CallAgents(ctx context.Context, call CallID) ([]CallAgent, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT call_id, agent_id, connected_at, disposition, notes, wrapped_up_at
		FROM call_agents WHERE call_id = ? ORDER BY connected_at, agent_id`, string(call))
	if err != nil {
		return nil, fmt.Errorf("agents of call %s: %w", call, err)
	}
	defer rows.Close()
	var out []CallAgent
	for rows.Next() {
		var c CallAgent
		var id string
		var connected int64
		var wrapped sql.NullInt64
		if err := rows.Scan(&id, &c.AgentID, &connected, &c.Disposition, &c.Notes, &wrapped); err != nil {
			return nil, fmt.Errorf("agents of call %s: %w", call, err)
		}
		c.CallID, c.Connected, c.WrappedUp = CallID(id), time.Unix(0, connected).UTC(), fromNS(wrapped)
		out = append(out, c)
	}
	return out, rows.Err()
}
