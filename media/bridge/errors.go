package bridge

import "errors"

var (
	// ErrClosed is returned by Join after Close.
	ErrClosed = errors.New("bridge: conference closed")
	// ErrNotStarted is returned by Join for a leg without a Receiver and
	// Transmitter yet (a media.Leg before Start).
	ErrNotStarted = errors.New("bridge: leg not started")
	// ErrJoined is returned by Join for a leg already in the conference.
	ErrJoined = errors.New("bridge: leg already joined")
	// ErrFull is returned by Join when the conference has mix.MaxParticipants.
	ErrFull = errors.New("bridge: conference full")
	// ErrInvalidConfig reports a bad Config or a rate that cannot be mixed.
	ErrInvalidConfig = errors.New("bridge: invalid config")
)
