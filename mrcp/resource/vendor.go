package resource

import (
	"errors"
	"strings"
)

// Limits on Vendor-Specific-Parameters kept per channel.
const (
	maxVendorParams = 64
	maxVendorValue  = 1024
)

// vendorPair is one vendor-av-pair: name "=" value (RFC 6787 section
// 6.2.16). A pair without "=" has hasValue false: GET-PARAMS lists names
// that way.
type vendorPair struct {
	name, value string
	hasValue    bool
}

// splitVendor splits a Vendor-Specific-Parameters value at the
// semicolons outside quoted strings.
func splitVendor(v string) ([]vendorPair, error) {
	var out []vendorPair
	start, quoted := 0, false
	for i := 0; i <= len(v); i++ {
		if i < len(v) {
			switch v[i] {
			case '"':
				quoted = !quoted
				continue
			case '\\':
				if quoted {
					i++
				}
				continue
			case ';':
				if quoted {
					continue
				}
			default:
				continue
			}
		}
		item := strings.TrimSpace(v[start:min(i, len(v))])
		start = i + 1
		if item == "" {
			continue
		}
		name, value, has := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		if name == "" || strings.ContainsAny(name, " \t\"") {
			return nil, errors.New("bad vendor parameter name")
		}
		out = append(out, vendorPair{name: name, value: strings.TrimSpace(value), hasValue: has})
	}
	if quoted {
		return nil, errors.New("unterminated quoted string")
	}
	if len(out) == 0 {
		return nil, errors.New("no vendor parameter")
	}
	return out, nil
}

func checkVendor(v string) error {
	if err := checkText(v); err != nil {
		return err
	}
	pairs, err := splitVendor(v)
	if err != nil {
		return err
	}
	if len(pairs) > maxVendorParams {
		return errUnsupportedValue
	}
	for _, p := range pairs {
		if len(p.value) > maxVendorValue {
			return errUnsupportedValue
		}
	}
	return nil
}

// vendorStore is a channel's Vendor-Specific-Parameters, in the order
// first set.
type vendorStore struct {
	pairs []vendorPair
}

// set stores pairs (all with values), replacing values of known names.
// It reports false, storing nothing, when the store would exceed its
// limit.
func (s *vendorStore) set(pairs []vendorPair) bool {
	n := len(s.pairs)
	for _, p := range pairs {
		if s.index(p.name) < 0 {
			n++
		}
	}
	if n > maxVendorParams {
		return false
	}
	for _, p := range pairs {
		if i := s.index(p.name); i >= 0 {
			s.pairs[i].value = p.value
		} else {
			s.pairs = append(s.pairs, vendorPair{name: p.name, value: p.value, hasValue: true})
		}
	}
	return true
}

func (s *vendorStore) index(name string) int {
	for i, p := range s.pairs {
		if strings.EqualFold(p.name, name) {
			return i
		}
	}
	return -1
}

// get returns the stored pairs for the names (all when names is empty),
// formatted as a Vendor-Specific-Parameters value, or "".
func (s *vendorStore) get(names []vendorPair) string {
	var b strings.Builder
	add := func(p vendorPair) {
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	if len(names) == 0 {
		for _, p := range s.pairs {
			add(p)
		}
		return b.String()
	}
	for _, n := range names {
		if i := s.index(n.name); i >= 0 {
			add(s.pairs[i])
		}
	}
	return b.String()
}
