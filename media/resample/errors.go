package resample

import "errors"

// ErrRate reports a sample rate, or a pair of rates, that New does not
// support.
var ErrRate = errors.New("resample: unsupported sample rate")
