package store

import (
	"context"
	"time"
)

// Store is the contract of a call store backend: SQLite now, PostgreSQL
// later. Every method is safe for concurrent use; errors wrap ErrNotFound,
// ErrInvalid, ErrConflict or ErrClosed where those apply.
type Store interface {
	// CreateCall records a new call. Started zero means now. A second call
	// with the same id is ErrConflict.
	CreateCall(ctx context.Context, c Call) error
	// AnswerCall sets the answer time (zero: now) of a call not yet
	// answered nor ended.
	AnswerCall(ctx context.Context, id CallID, at time.Time) error
	// EndCall closes a call once; a second end is ErrConflict.
	EndCall(ctx context.Context, id CallID, end End) error
	// AddLeg records a new leg of an existing call.
	AddLeg(ctx context.Context, l Leg) error
	// AnswerLeg sets a leg's answer time (zero: now).
	AnswerLeg(ctx context.Context, call CallID, leg LegID, at time.Time) error
	// EndLeg closes a leg once, with the reason it ended.
	EndLeg(ctx context.Context, call CallID, leg LegID, at time.Time, reason string) error
	// AddEvent appends an event to an existing call. At zero means now.
	AddEvent(ctx context.Context, e Event) error
	// SetRecording records or replaces the recording of a call.
	SetRecording(ctx context.Context, r Recording) error

	// Call returns a call's record.
	Call(ctx context.Context, id CallID) (Call, error)
	// Legs returns a call's legs in start order.
	Legs(ctx context.Context, id CallID) ([]Leg, error)
	// Events returns a call's events in the order they were stored.
	Events(ctx context.Context, id CallID) ([]Event, error)
	// Recording returns a call's recording, ErrNotFound if it has none.
	Recording(ctx context.Context, id CallID) (Recording, error)
	// ListCalls returns calls matching f, newest first, a page at a time.
	ListCalls(ctx context.Context, f Filter) (Page, error)

	// RepairOpen closes the calls and legs a crash left open and returns
	// how many calls it closed.
	RepairOpen(ctx context.Context) (int, error)
	Close() error
}
