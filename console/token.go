package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parley-cc/parley/store"
)

// Tokens are "v1.<payload>.<mac>": the payload is base64url (no padding)
// JSON Claims, the MAC is base64url HMAC-SHA256 over "v1.<payload>" with
// the console secret. Every node sharing the secret accepts every other
// node's tokens; none needs to remember them.
const tokenPrefix = "v1."

// maxTokenLen bounds what ParseToken looks at (a real token is ~200 bytes).
const maxTokenLen = 1024

// MinSecretLen is the shortest HMAC secret accepted.
const MinSecretLen = 32

// Claims are what a token says about its bearer.
type Claims struct {
	Subject string            `json:"sub"`
	Role    store.AccountRole `json:"role"`
	// IssuedAt and Expires are Unix nanoseconds: a logout revokes the
	// tokens issued at or before it, to the nanosecond.
	IssuedAt int64 `json:"iat"`
	Expires  int64 `json:"exp"`
}

// Issued is when the token was issued.
func (c Claims) Issued() time.Time { return time.Unix(0, c.IssuedAt) }

// Expiry is when the token stops being accepted.
func (c Claims) Expiry() time.Time { return time.Unix(0, c.Expires) }

// IssueToken signs claims with secret.
func IssueToken(secret []byte, c Claims) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("%w: secret shorter than %d bytes", ErrToken, MinSecretLen)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	signed := tokenPrefix + base64.RawURLEncoding.EncodeToString(payload)
	return signed + "." + base64.RawURLEncoding.EncodeToString(tokenMAC(secret, signed)), nil
}

func tokenMAC(secret []byte, signed string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// ParseToken checks a token's signature and expiry at now and returns its
// claims. Any malformed, forged or expired token is ErrToken.
func ParseToken(secret []byte, token string, now time.Time) (Claims, error) {
	if len(token) > maxTokenLen || !strings.HasPrefix(token, tokenPrefix) {
		return Claims{}, fmt.Errorf("%w: malformed", ErrToken)
	}
	dot := strings.LastIndexByte(token, '.')
	if dot < len(tokenPrefix) {
		return Claims{}, fmt.Errorf("%w: malformed", ErrToken)
	}
	signed, macText := token[:dot], token[dot+1:]
	mac, err := base64.RawURLEncoding.DecodeString(macText)
	if err != nil || !hmac.Equal(mac, tokenMAC(secret, signed)) {
		return Claims{}, fmt.Errorf("%w: bad signature", ErrToken)
	}
	payload, err := base64.RawURLEncoding.DecodeString(signed[len(tokenPrefix):])
	if err != nil {
		return Claims{}, fmt.Errorf("%w: malformed payload", ErrToken)
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Claims{}, fmt.Errorf("%w: malformed payload", ErrToken)
	}
	switch {
	case c.Subject == "" || (c.Role != store.AccountAgent && c.Role != store.AccountSupervisor):
		return Claims{}, fmt.Errorf("%w: incomplete claims", ErrToken)
	case now.UnixNano() >= c.Expires:
		return Claims{}, fmt.Errorf("%w: expired", ErrToken)
	}
	return c, nil
}
