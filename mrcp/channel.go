package mrcp

import (
	"fmt"
	"strings"
)

// ChannelID is a Channel-Identifier value: a hard-to-guess token that the
// server chose, "@", and the resource type, as in
// "32AECB23433801@speechrecog" (RFC 6787 sections 4.2 and 6.2.1;
// channel-id = 1*alphanum "@" 1*alphanum).
type ChannelID string

// ParseChannelID checks s against the channel-id syntax.
func ParseChannelID(s string) (ChannelID, error) {
	token, resource, ok := strings.Cut(s, "@")
	if !ok || !isAlphanum(token) || !isAlphanum(resource) {
		return "", fmt.Errorf("%w: Channel-Identifier %q: want token@resource, both alphanumeric", ErrMalformed, clip(s))
	}
	return ChannelID(s), nil
}

// Token returns the part before "@".
func (c ChannelID) Token() string {
	token, _, _ := strings.Cut(string(c), "@")
	return token
}

// Resource returns the resource type after "@".
func (c ChannelID) Resource() Resource {
	_, r, _ := strings.Cut(string(c), "@")
	return Resource(r)
}

func isAlphanum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
