package resource

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-cc/parley/mrcp"
)

// usage says what a resource does with a header field.
type usage uint8

const (
	// used: the field is read and acted on.
	used usage = iota
	// advisory: the field is accepted and has no effect that the client
	// could miss (Fetch-Hint, Speed-Vs-Accuracy, Proxy-Sync-Id); the
	// request succeeds with 200.
	advisory
	// ignored: an optional RFC 6787 field this server does not implement
	// (Speaker-Profile, Save-Waveform); the request succeeds with 201.
	ignored
)

// errUnsupportedValue marks a value that is legal but beyond what this
// server does: 409 rather than 404.
var errUnsupportedValue = errors.New("unsupported value")

// paramSpec describes one header field a resource knows.
type paramSpec struct {
	// name is the spelling used in responses.
	name string
	// def is the value GET-PARAMS reports when SET-PARAMS has not set
	// one; "" when the field has no default.
	def string
	// check validates a value: nil means the value is legal, an error
	// wrapping errUnsupportedValue a 409, any other error a 404. A nil
	// check accepts every value.
	check func(string) error
	// settable: SET-PARAMS may set the field and GET-PARAMS report it.
	settable bool
	use      usage
}

// paramTable is the header fields of one resource, in the order
// GET-PARAMS lists them.
type paramTable struct {
	byName map[string]*paramSpec // by lower-case name
	order  []*paramSpec
}

func newParamTable(specs ...[]paramSpec) *paramTable {
	t := &paramTable{byName: make(map[string]*paramSpec)}
	for _, list := range specs {
		for i := range list {
			s := &list[i]
			t.byName[strings.ToLower(s.name)] = s
			t.order = append(t.order, s)
		}
	}
	return t
}

func (t *paramTable) lookup(name string) *paramSpec { return t.byName[strings.ToLower(name)] }

// framing fields belong to the message, not to the request's parameters.
func framing(name string) bool {
	switch strings.ToLower(name) {
	case "channel-identifier", "content-length", "content-type", "content-id",
		"content-base", "content-encoding", "content-location":
		return true
	}
	return false
}

// genericParams are the generic fields of RFC 6787 section 6.2 that
// either resource accepts.
func genericParams() []paramSpec {
	return []paramSpec{
		{name: mrcp.HeaderActiveRequestIDList, check: checkIDList, use: used},
		{name: mrcp.HeaderProxySyncID, use: advisory},
		{name: mrcp.HeaderAccept, use: advisory},
		{name: mrcp.HeaderAcceptCharset, use: advisory},
		{name: mrcp.HeaderFetchTimeout, def: "10000", check: checkMillis, settable: true, use: advisory},
		{name: mrcp.HeaderCacheControl, settable: true, use: advisory},
		{name: mrcp.HeaderSetCookie, settable: true, use: advisory},
		{name: mrcp.HeaderLoggingTag, check: checkText, settable: true, use: used},
		{name: mrcp.HeaderVendorSpecificParameters, check: checkVendor, settable: true, use: used},
	}
}

// Value checks.

func checkText(v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return errors.New("control character")
		}
	}
	return nil
}

func checkBool(v string) error {
	if strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
		return nil
	}
	return errors.New("want true or false")
}

func checkMillis(v string) error {
	h := mrcp.Header{{Name: "x", Value: v}}
	_, err := h.Duration("x")
	return err
}

func checkDigits(maxLen int) func(string) error {
	return func(v string) error {
		if v == "" || len(v) > maxLen {
			return fmt.Errorf("want 1 to %d digits", maxLen)
		}
		for i := 0; i < len(v); i++ {
			if v[i] < '0' || v[i] > '9' {
				return fmt.Errorf("want 1 to %d digits", maxLen)
			}
		}
		return nil
	}
}

// checkUnit accepts a FLOAT from 0.0 to 1.0 (RFC 6787 section 9.4.1).
func checkUnit(v string) error {
	_, err := parseUnit(v)
	return err
}

func parseUnit(v string) (float64, error) {
	if v == "" || strings.Trim(v, "0123456789.") != "" || strings.Count(v, ".") > 1 || v == "." {
		return 0, errors.New("want a number from 0.0 to 1.0")
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 {
		return 0, errors.New("want a number from 0.0 to 1.0")
	}
	return f, nil
}

func checkOneOf(values ...string) func(string) error {
	return func(v string) error {
		for _, w := range values {
			if strings.EqualFold(v, w) {
				return nil
			}
		}
		return fmt.Errorf("want one of %s", strings.Join(values, ", "))
	}
}

// checkLanguage accepts a language tag: letters, digits, '-' and '_'.
func checkLanguage(v string) error {
	if v == "" || len(v) > 64 {
		return errors.New("want a language tag")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return errors.New("want a language tag")
		}
	}
	return nil
}

func checkIDList(v string) error {
	m := mrcp.Message{Header: mrcp.Header{{Name: mrcp.HeaderActiveRequestIDList, Value: v}}}
	_, err := m.ActiveRequestIDs()
	return err
}

// checkFields is the outcome of checking a request's header fields.
type checkFields struct {
	bad      mrcp.Header // illegal values: 404
	unknown  mrcp.Header // unsupported fields: 403
	unsupVal mrcp.Header // unsupported values: 409
	ignored  bool        // optional fields ignored: 201
}

// status returns the failure status RFC 6787 section 6.1.1 gives
// precedence (404, then 403, then 409) and the fields to echo, or 0.
func (c *checkFields) status() (mrcp.StatusCode, mrcp.Header) {
	switch {
	case len(c.bad) > 0:
		return mrcp.StatusIllegalHeaderValue, c.bad
	case len(c.unknown) > 0:
		return mrcp.StatusUnsupportedHeader, c.unknown
	case len(c.unsupVal) > 0:
		return mrcp.StatusUnsupportedHeaderValue, c.unsupVal
	}
	return 0, nil
}

// check validates the header fields of a request. In SET-PARAMS
// (setParams true) a field the resource does not know, or cannot set, is
// a 403; elsewhere it is ignored (201).
func (t *paramTable) check(h mrcp.Header, setParams bool) checkFields {
	var c checkFields
	for _, f := range h {
		if framing(f.Name) {
			continue
		}
		spec := t.lookup(f.Name)
		if spec == nil || setParams && !spec.settable {
			if setParams {
				c.unknown = append(c.unknown, f)
			} else {
				c.ignored = true
			}
			continue
		}
		if spec.check != nil {
			if err := spec.check(f.Value); err != nil {
				if errors.Is(err, errUnsupportedValue) {
					c.unsupVal = append(c.unsupVal, f)
				} else {
					c.bad = append(c.bad, f)
				}
				continue
			}
		}
		if spec.use == ignored {
			c.ignored = true
		}
	}
	return c
}

// Timer values are capped so that arithmetic on them cannot overflow.
const maxTimer = 24 * time.Hour
