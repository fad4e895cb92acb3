package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the schema's numbered steps: migrations[i] takes the
// schema from version i to i+1. Append only; never edit a released step.
var migrations = []string{
	// 1: calls, legs, events, recordings.
	`CREATE TABLE calls (
		id          TEXT PRIMARY KEY,
		direction   TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
		from_uri    TEXT NOT NULL DEFAULT '',
		to_uri      TEXT NOT NULL DEFAULT '',
		from_number TEXT NOT NULL DEFAULT '',
		to_number   TEXT NOT NULL DEFAULT '',
		trunk       TEXT NOT NULL DEFAULT '',
		started_at  INTEGER NOT NULL,
		answered_at INTEGER,
		ended_at    INTEGER,
		disposition TEXT,
		cause       TEXT NOT NULL DEFAULT '',
		sip_code    INTEGER NOT NULL DEFAULT 0
	) WITHOUT ROWID;
	CREATE INDEX calls_started ON calls (started_at DESC, id DESC);
	CREATE INDEX calls_from_number ON calls (from_number, started_at DESC);
	CREATE INDEX calls_to_number ON calls (to_number, started_at DESC);
	CREATE INDEX calls_open ON calls (ended_at) WHERE ended_at IS NULL;
	CREATE TABLE legs (
		call_id     TEXT NOT NULL REFERENCES calls (id),
		leg_id      TEXT NOT NULL,
		role        TEXT NOT NULL,
		sip_call_id TEXT NOT NULL DEFAULT '',
		remote      TEXT NOT NULL DEFAULT '',
		codec       TEXT NOT NULL DEFAULT '',
		started_at  INTEGER NOT NULL,
		answered_at INTEGER,
		ended_at    INTEGER,
		end_reason  TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (call_id, leg_id)
	) WITHOUT ROWID;
	CREATE TABLE events (
		seq     INTEGER PRIMARY KEY AUTOINCREMENT,
		call_id TEXT NOT NULL REFERENCES calls (id),
		leg_id  TEXT NOT NULL DEFAULT '',
		at      INTEGER NOT NULL,
		type    TEXT NOT NULL,
		code    INTEGER NOT NULL DEFAULT 0,
		detail  TEXT
	);
	CREATE INDEX events_call ON events (call_id, seq);
	CREATE TABLE recordings (
		call_id     TEXT PRIMARY KEY REFERENCES calls (id),
		path        TEXT NOT NULL,
		format      TEXT NOT NULL,
		duration_ns INTEGER NOT NULL,
		bytes       INTEGER NOT NULL,
		channels    TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID;`,
	// 2: phone accounts (SIP users registering agents' phones), digest HA1s only.
	`CREATE TABLE phone_accounts (
		user        TEXT PRIMARY KEY,
		realm       TEXT NOT NULL,
		ha1_md5     TEXT NOT NULL,
		ha1_sha256  TEXT NOT NULL,
		created_at  INTEGER NOT NULL,
		updated_at  INTEGER NOT NULL
	) WITHOUT ROWID;`,
	// 3: the bot's transcript of a call (turns, path, outcome) and the
	// latency of each caller turn.
	`CREATE TABLE bot_transcripts (
		call_id    TEXT PRIMARY KEY REFERENCES calls (id),
		script     TEXT NOT NULL,
		version    TEXT NOT NULL DEFAULT '',
		path       TEXT NOT NULL DEFAULT '[]',
		outcome    TEXT NOT NULL DEFAULT '',
		stored_at  INTEGER NOT NULL
	) WITHOUT ROWID;
	CREATE TABLE transcript_turns (
		call_id           TEXT NOT NULL REFERENCES calls (id),
		seq               INTEGER NOT NULL,
		speaker           TEXT NOT NULL CHECK (speaker IN ('caller', 'bot')),
		text              TEXT NOT NULL DEFAULT '',
		dtmf              TEXT NOT NULL DEFAULT '',
		step              TEXT NOT NULL DEFAULT '',
		started_at        INTEGER NOT NULL,
		ended_at          INTEGER NOT NULL,
		asr_confidence    REAL NOT NULL DEFAULT 0,
		intent            TEXT NOT NULL DEFAULT '',
		intent_confidence REAL NOT NULL DEFAULT 0,
		slots             TEXT NOT NULL DEFAULT '{}',
		sentiment         REAL NOT NULL DEFAULT 0,
		PRIMARY KEY (call_id, seq)
	) WITHOUT ROWID;
	CREATE INDEX transcript_turns_intent ON transcript_turns (intent) WHERE intent != '';
	CREATE TABLE turn_latency (
		call_id     TEXT NOT NULL REFERENCES calls (id),
		seq         INTEGER NOT NULL,
		speech_end  INTEGER NOT NULL,
		asr_ns      INTEGER NOT NULL,
		nlu_ns      INTEGER NOT NULL,
		tts_ns      INTEGER NOT NULL,
		send_ns     INTEGER NOT NULL,
		total_ns    INTEGER NOT NULL,
		PRIMARY KEY (call_id, seq)
	) WITHOUT ROWID;`,
	// 4: console accounts of agents and supervisors (bcrypt hashes only),
	// and which agents served a call, with their wrap-up notes and
	// disposition. call_agents is keyed by the call ID without a foreign
	// key: the ACD may report an agent on a call before its record lands.
	`CREATE TABLE agent_accounts (
		id            TEXT PRIMARY KEY,
		name          TEXT NOT NULL DEFAULT '',
		role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
		password_hash TEXT NOT NULL,
		tokens_after  INTEGER NOT NULL DEFAULT 0,
		created_at    INTEGER NOT NULL,
		updated_at    INTEGER NOT NULL
	) WITHOUT ROWID;
	CREATE TABLE call_agents (
		call_id       TEXT NOT NULL,
		agent_id      TEXT NOT NULL,
		connected_at  INTEGER NOT NULL,
		disposition   TEXT NOT NULL DEFAULT '',
		notes         TEXT NOT NULL DEFAULT '',
		wrapped_up_at INTEGER,
		PRIMARY KEY (call_id, agent_id)
	) WITHOUT ROWID;
	CREATE INDEX call_agents_agent ON call_agents (agent_id, connected_at DESC);`,
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int { return len(migrations) }

// migrate applies the pending migrations, each in its own transaction
// together with its row in schema_version, so a crash leaves the schema at
// one version or the next. A database newer than this build is refused.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	for {
		done, err := migrateOne(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

func migrateOne(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one process migrates at a time
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case v > len(migrations):
		return false, fmt.Errorf("%w: database schema version %d is newer than this Parley's %d", ErrConflict, v, len(migrations))
	case v == len(migrations):
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migration %d: %w", v+1, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`,
		v+1, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("migration %d: record version: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %d: commit: %w", v+1, err)
	}
	return false, nil
}
