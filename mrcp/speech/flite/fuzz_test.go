package flite

import (
	"testing"

	"github.com/parley-cc/parley/mrcp/speech/internal/speechtest"
)

// FuzzSynthesize feeds arbitrary text to flite itself: it must neither
// crash the process (flite exits on internal errors) nor fail.
func FuzzSynthesize(f *testing.F) {
	speechtest.FuzzSynthesize(f, newEngine(f), "kal")
}
