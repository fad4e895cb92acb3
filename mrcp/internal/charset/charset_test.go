package charset

import (
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"UTF-8", "caf\u00e9", "caf\u00e9"},
		{"ISO-8859-1", "caf\xe9", "caf\u00e9"},
		{"us-ascii", "cafe", "cafe"},
		{"Latin1", "\xff", "\u00ff"},
	} {
		r, err := Reader(tc.name, strings.NewReader(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(r)
		if string(b) != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, b, tc.want)
		}
	}
	if _, err := Reader("shift_jis", strings.NewReader("x")); err == nil {
		t.Error("Shift_JIS accepted")
	}
}
