package plc

import "errors"

// ErrFrameLength reports a Conceal request for a negative number of samples
// or for more samples than the output slice holds.
var ErrFrameLength = errors.New("plc: invalid frame length")
