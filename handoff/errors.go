package handoff

import "errors"

var (
	// ErrPacketTooLarge is returned for a packet over MaxPacketSize even
	// without its transcript, and by ParsePacket for input over it.
	ErrPacketTooLarge = errors.New("handoff: context packet too large")
	// ErrBadPacket is returned by ParsePacket for a packet of another version.
	ErrBadPacket = errors.New("handoff: bad context packet")
)
