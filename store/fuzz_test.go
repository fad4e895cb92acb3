package store

import (
	"errors"
	"net/url"
	"testing"
)

// FuzzCursor checks that decoding never panics, that whatever decodes
// re-encodes to a cursor that decodes to the same position, and that
// every error is ErrInvalid.
func FuzzCursor(f *testing.F) {
	f.Add(cursor{started: t0.UnixNano(), id: "c1"}.encode())
	f.Add(cursor{started: -1, id: "a.b.c"}.encode())
	f.Add("")
	f.Add("djEuMTIzLg")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("decodeCursor(%q) = %v, not ErrInvalid", s, err)
			}
			return
		}
		c2, err := decodeCursor(c.encode())
		if err != nil || c2 != c {
			t.Fatalf("round trip of %+v: %+v, %v", c, c2, err)
		}
	})
}

// FuzzParseFilter checks that a query string never panics ParseFilter and
// that an accepted filter is valid for ListCalls.
func FuzzParseFilter(f *testing.F) {
	f.Add("since=2026-11-21T10:00:00Z&until=2026-11-22T00:00:00Z&disposition=no-answer&number=%2B4930111&limit=20")
	f.Add("cursor=" + cursor{started: 1, id: "x"}.encode())
	f.Add("limit=-1")
	f.Add("disposition=hung-up")
	f.Add("foo=bar")
	f.Add("limit=1&limit=2")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := ParseFilter(q)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseFilter(%q) = %v, not ErrInvalid", raw, err)
			}
			return
		}
		limit, _, err := flt.check()
		if err != nil || limit < 1 || limit > MaxLimit {
			t.Fatalf("accepted filter %+v: limit %d, %v", flt, limit, err)
		}
		if !flt.Since.IsZero() && !flt.Until.IsZero() && !flt.Until.After(flt.Since) {
			t.Fatalf("accepted empty range %v..%v", flt.Since, flt.Until)
		}
	})
}
