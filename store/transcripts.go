package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Transcript is the voice bot's record of one call: every turn, the path
// of script steps taken, how the conversation ended and the latency of
// each caller turn. It is stored with the call record.
type Transcript struct {
	CallID  CallID
	Script  string // script name
	Version string // script version
	Path    []string
	// Outcome is how the bot's part ended: "hangup", "transfer:<queue>",
	// "caller-hangup", "failed".
	Outcome string
	Turns   []Turn
	Latency []TurnLatency
	Stored  time.Time
}

// Turn is one utterance or key press of a Transcript.
type Turn struct {
	Speaker          string // "caller" or "bot"
	Text             string
	DTMF             string
	Step             string
	Start, End       time.Time
	ASRConfidence    float64
	Intent           string
	IntentConfidence float64
	Slots            map[string]string
	Sentiment        float64
}

// TurnLatency is the time a caller turn took, stage by stage, from the end
// of the caller's speech to the first RTP packet of the bot's answer.
// Seq numbers the caller turns of the call from 1.
type TurnLatency struct {
	Seq       int
	SpeechEnd time.Time
	ASR       time.Duration // end of speech -> recognition result
	NLU       time.Duration // result -> dialogue decision
	TTS       time.Duration // decision -> first synthesized audio
	Send      time.Duration // first synthesized audio -> first RTP packet to the caller
	Total     time.Duration // end of speech -> first RTP packet
}

// MaxTranscriptTurns bounds the turns stored for one call.
const MaxTranscriptTurns = 10000

func validTranscript(t *Transcript) error {
	if err := checkID("call id", string(t.CallID)); err != nil {
		return err
	}
	if t.Script == "" || !utf8.ValidString(t.Script) {
		return fmt.Errorf("%w: transcript of call %s: script name %q", ErrInvalid, t.CallID, t.Script)
	}
	if len(t.Turns) > MaxTranscriptTurns || len(t.Latency) > MaxTranscriptTurns {
		return fmt.Errorf("%w: transcript of call %s: more than %d turns", ErrInvalid, t.CallID, MaxTranscriptTurns)
	}
	for i, tu := range t.Turns {
		if tu.Speaker != "caller" && tu.Speaker != "bot" {
			return fmt.Errorf("%w: transcript of call %s: turn %d: speaker %q", ErrInvalid, t.CallID, i, tu.Speaker)
		}
	}
	return nil
}

// SaveTranscript stores (or replaces) the transcript of an existing call.
func (s *SQLite) SaveTranscript(ctx context.Context, t Transcript) error {
	if err := validTranscript(&t); err != nil {
		return err
	}
	path, err := json.Marshal(nonNil(t.Path))
	if err != nil {
		return fmt.Errorf("transcript of call %s: path: %w", t.CallID, err)
	}
	stored := s.now(t.Stored).UnixNano()
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO bot_transcripts (call_id, script, version, path, outcome, stored_at)
			SELECT id, ?, ?, ?, ?, ? FROM calls WHERE id = ?
			ON CONFLICT (call_id) DO UPDATE SET script = excluded.script, version = excluded.version,
				path = excluded.path, outcome = excluded.outcome, stored_at = excluded.stored_at`,
			t.Script, t.Version, string(path), t.Outcome, stored, string(t.CallID))
		if err != nil {
			return fmt.Errorf("save transcript of call %s: %w", t.CallID, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("save transcript of call %s: %w", t.CallID, ErrNotFound)
		}
		for _, q := range []string{`DELETE FROM transcript_turns WHERE call_id = ?`, `DELETE FROM turn_latency WHERE call_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, string(t.CallID)); err != nil {
				return fmt.Errorf("save transcript of call %s: %w", t.CallID, err)
			}
		}
		if err := insertTurns(ctx, tx, t); err != nil {
			return err
		}
		return insertLatency(ctx, tx, t)
	})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func insertTurns(ctx context.Context, tx *sql.Tx, t Transcript) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO transcript_turns (call_id, seq, speaker, text, dtmf, step,
		started_at, ended_at, asr_confidence, intent, intent_confidence, slots, sentiment)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("save transcript of call %s: %w", t.CallID, err)
	}
	defer st.Close()
	for i, tu := range t.Turns {
		slots := tu.Slots
		if slots == nil {
			slots = map[string]string{}
		}
		sj, err := json.Marshal(slots)
		if err != nil {
			return fmt.Errorf("save transcript of call %s: turn %d slots: %w", t.CallID, i, err)
		}
		if _, err := st.ExecContext(ctx, string(t.CallID), i+1, tu.Speaker, tu.Text, tu.DTMF, tu.Step,
			tu.Start.UnixNano(), tu.End.UnixNano(), finite(tu.ASRConfidence), tu.Intent, finite(tu.IntentConfidence),
			string(sj), finite(tu.Sentiment)); err != nil {
			return fmt.Errorf("save transcript of call %s: turn %d: %w", t.CallID, i, err)
		}
	}
	return nil
}

func insertLatency(ctx context.Context, tx *sql.Tx, t Transcript) error {
	for _, l := range t.Latency {
		if _, err := tx.ExecContext(ctx, `INSERT INTO turn_latency (call_id, seq, speech_end, asr_ns, nlu_ns, tts_ns, send_ns, total_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(t.CallID), l.Seq, l.SpeechEnd.UnixNano(),
			int64(l.ASR), int64(l.NLU), int64(l.TTS), int64(l.Send), int64(l.Total)); err != nil {
			if isUnique(err) {
				return fmt.Errorf("%w: transcript of call %s: latency seq %d twice", ErrInvalid, t.CallID, l.Seq)
			}
			return fmt.Errorf("save turn latency of call %s: %w", t.CallID, err)
		}
	}
	return nil
}

// finite maps NaN and infinities (which SQLite stores as NULL or refuses)
// to 0.
func finite(f float64) float64 {
	if f != f || f > 1e300 || f < -1e300 {
		return 0
	}
	return f
}

// Transcript returns the stored transcript of a call; ErrNotFound when the
// call has none.
func (s *SQLite) Transcript(ctx context.Context, id CallID) (Transcript, error) {
	t := Transcript{CallID: id}
	var path string
	var stored int64
	err := s.rdb.QueryRowContext(ctx, `SELECT script, version, path, outcome, stored_at FROM bot_transcripts WHERE call_id = ?`,
		string(id)).Scan(&t.Script, &t.Version, &path, &t.Outcome, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return Transcript{}, fmt.Errorf("transcript of call %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Transcript{}, fmt.Errorf("transcript of call %s: %w", id, err)
	}
	t.Stored = time.Unix(0, stored).UTC()
	if err := json.Unmarshal([]byte(path), &t.Path); err != nil {
		return Transcript{}, fmt.Errorf("transcript of call %s: path: %w", id, err)
	}
	if t.Turns, err = s.turns(ctx, id); err != nil {
		return Transcript{}, err
	}
	if t.Latency, err = s.latency(ctx, id); err != nil {
		return Transcript{}, err
	}
	return t, nil
}

func (s *SQLite) turns(ctx context.Context, id CallID) ([]Turn, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT speaker, text, dtmf, step, started_at, ended_at, asr_confidence,
		intent, intent_confidence, slots, sentiment FROM transcript_turns WHERE call_id = ? ORDER BY seq`, string(id))
	if err != nil {
		return nil, fmt.Errorf("transcript of call %s: %w", id, err)
	}
	defer rows.Close()
	var out []Turn
	for rows.Next() {
		var tu Turn
		var start, end int64
		var slots string
		if err := rows.Scan(&tu.Speaker, &tu.Text, &tu.DTMF, &tu.Step, &start, &end, &tu.ASRConfidence,
			&tu.Intent, &tu.IntentConfidence, &slots, &tu.Sentiment); err != nil {
			return nil, fmt.Errorf("transcript of call %s: %w", id, err)
		}
		tu.Start, tu.End = time.Unix(0, start).UTC(), time.Unix(0, end).UTC()
		if err := json.Unmarshal([]byte(slots), &tu.Slots); err != nil {
			return nil, fmt.Errorf("transcript of call %s: slots: %w", id, err)
		}
		if len(tu.Slots) == 0 {
			tu.Slots = nil
		}
		out = append(out, tu)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transcript of call %s: %w", id, err)
	}
	return out, nil
}

func (s *SQLite) latency(ctx context.Context, id CallID) ([]TurnLatency, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT seq, speech_end, asr_ns, nlu_ns, tts_ns, send_ns, total_ns
		FROM turn_latency WHERE call_id = ? ORDER BY seq`, string(id))
	if err != nil {
		return nil, fmt.Errorf("turn latency of call %s: %w", id, err)
	}
	defer rows.Close()
	var out []TurnLatency
	for rows.Next() {
		var l TurnLatency
		var end, asr, nlu, tts, send, total int64
		if err := rows.Scan(&l.Seq, &end, &asr, &nlu, &tts, &send, &total); err != nil {
			return nil, fmt.Errorf("turn latency of call %s: %w", id, err)
		}
		l.SpeechEnd = time.Unix(0, end).UTC()
		l.ASR, l.NLU, l.TTS, l.Send, l.Total = time.Duration(asr), time.Duration(nlu), time.Duration(tts), time.Duration(send), time.Duration(total)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("turn latency of call %s: %w", id, err)
	}
	return out, nil
}
