package resource

import "errors"

// ErrConfig means a SynthConfig or RecogConfig lacks a required field or
// holds an invalid one.
var ErrConfig = errors.New("resource: invalid configuration")
