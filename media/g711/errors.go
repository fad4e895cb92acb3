package g711

import "errors"

// ErrShortBuffer is returned when the destination holds fewer elements than
// the source: G.711 produces exactly one byte per sample and one sample per
// byte.
var ErrShortBuffer = errors.New("g711: destination too short")
