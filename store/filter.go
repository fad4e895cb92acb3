package store

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits of ListCalls.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Filter selects calls for ListCalls, newest first. Zero fields select all.
type Filter struct {
	Since       time.Time   // calls started at or after
	Until       time.Time   // calls started before
	Disposition Disposition // DispositionUnknown: any, ended or not
	Number      string      // matches the from or the to number exactly
	Limit       int         // 0: DefaultLimit; at most MaxLimit
	Cursor      string      // Page.Next of the previous page
}

// Page is one page of ListCalls. Next is empty on the last page.
type Page struct {
	Calls []Call
	Next  string
}

// cursor is the position after the last call of a page: calls are ordered
// by (started, id) descending.
type cursor struct {
	started int64 // unix nanoseconds
	id      CallID
}

// encode makes the opaque cursor "v1.<started>.<id>" in unpadded base64url.
func (c cursor) encode() string {
	s := "v1." + strconv.FormatInt(c.started, 10) + "." + string(c.id)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, fmt.Errorf("%w: cursor: %v", ErrInvalid, err)
	}
	v, rest, ok := strings.Cut(string(b), ".")
	if !ok || v != "v1" {
		return cursor{}, fmt.Errorf("%w: cursor: unknown version", ErrInvalid)
	}
	ts, id, ok := strings.Cut(rest, ".")
	if !ok {
		return cursor{}, fmt.Errorf("%w: cursor: no id", ErrInvalid)
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return cursor{}, fmt.Errorf("%w: cursor time: %v", ErrInvalid, err)
	}
	if err := checkID("cursor id", id); err != nil {
		return cursor{}, err
	}
	return cursor{started: n, id: CallID(id)}, nil
}

// check validates the filter and returns its effective limit and cursor.
func (f *Filter) check() (int, *cursor, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return 0, nil, fmt.Errorf("%w: limit %d not in 1..%d", ErrInvalid, limit, MaxLimit)
	}
	if f.Disposition < DispositionUnknown || int(f.Disposition) >= len(dispositionNames) {
		return 0, nil, fmt.Errorf("%w: filter disposition %v", ErrInvalid, f.Disposition)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return 0, nil, fmt.Errorf("%w: filter until %v is not after since %v", ErrInvalid, f.Until, f.Since)
	}
	if f.Cursor == "" {
		return limit, nil, nil
	}
	c, err := decodeCursor(f.Cursor)
	if err != nil {
		return 0, nil, err
	}
	return limit, &c, nil
}

// ParseFilter reads a Filter from URL query parameters, as the console's
// API takes them: since and until (RFC 3339), disposition, number, limit
// and cursor. Unknown parameters are an error, so a typo does not silently
// widen a report.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	for k, vs := range q {
		if len(vs) != 1 {
			return Filter{}, fmt.Errorf("%w: parameter %q given %d times", ErrInvalid, k, len(vs))
		}
		if err := f.set(k, vs[0]); err != nil {
			return Filter{}, err
		}
	}
	if _, _, err := f.check(); err != nil {
		return Filter{}, err
	}
	return f, nil
}

func (f *Filter) set(k, v string) error {
	var err error
	switch k {
	case "since":
		f.Since, err = time.Parse(time.RFC3339Nano, v)
	case "until":
		f.Until, err = time.Parse(time.RFC3339Nano, v)
	case "disposition":
		f.Disposition, err = ParseDisposition(v)
		return err
	case "number":
		f.Number = v
	case "limit":
		f.Limit, err = strconv.Atoi(v)
	case "cursor":
		f.Cursor = v
	default:
		return fmt.Errorf("%w: unknown parameter %q", ErrInvalid, k)
	}
	if err != nil {
		return fmt.Errorf("%w: parameter %s: %v", ErrInvalid, k, err)
	}
	return nil
}
