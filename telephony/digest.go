package telephony

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"
)

// Digest authentication (RFC 2617, RFC 7616, and RFC 8760 for SIP) as a
// registrar needs it: challenges with signed nonces and verification of
// the response with qop=auth (or none, RFC 2069 style).

// Digest algorithms a Registrar offers, in the order of its challenges.
const (
	AlgorithmMD5    = "MD5"
	AlgorithmSHA256 = "SHA-256"
)

var errBadDigest = errors.New("malformed digest credentials")

// maxAuthHeader caps the Authorization value parsed, against abuse.
const maxAuthHeader = 4096

// digestCredentials are the fields of an Authorization: Digest header.
type digestCredentials struct {
	Username, Realm, Nonce, URI, Response string
	Algorithm, CNonce, NC, QOP, Opaque    string
}

// parseDigestCredentials parses an Authorization header value of the
// Digest scheme (RFC 7616 3.4): comma-separated auth-params, values
// either tokens or quoted strings with backslash escapes.
func parseDigestCredentials(v string) (digestCredentials, error) {
	var c digestCredentials
	if len(v) > maxAuthHeader {
		return c, fmt.Errorf("%w: %d bytes", errBadDigest, len(v))
	}
	v = strings.TrimSpace(v)
	scheme, rest, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Digest") {
		return c, fmt.Errorf("%w: scheme %q", errBadDigest, scheme)
	}
	params, err := parseAuthParams(rest)
	if err != nil {
		return c, err
	}
	for k, val := range params {
		switch k {
		case "username":
			c.Username = val
		case "realm":
			c.Realm = val
		case "nonce":
			c.Nonce = val
		case "uri":
			c.URI = val
		case "response":
			c.Response = val
		case "algorithm":
			c.Algorithm = strings.ToUpper(val)
		case "cnonce":
			c.CNonce = val
		case "nc":
			c.NC = val
		case "qop":
			c.QOP = val
		case "opaque":
			c.Opaque = val
		}
	}
	if c.Username == "" || c.Nonce == "" || c.Response == "" || c.URI == "" {
		return c, fmt.Errorf("%w: username, nonce, uri and response are required", errBadDigest)
	}
	if c.QOP != "" && c.QOP != "auth" {
		return c, fmt.Errorf("%w: qop %q", errBadDigest, c.QOP)
	}
	if c.QOP != "" && (c.CNonce == "" || c.NC == "") {
		return c, fmt.Errorf("%w: qop without cnonce or nc", errBadDigest)
	}
	return c, nil
}

// parseAuthParams splits `k=v, k="quoted, v"` into a map with lower-case
// keys. A duplicated key is an error (RFC 7616 3.4: each at most once).
func parseAuthParams(s string) (map[string]string, error) {
	out := map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t\r\n,")
		if s == "" {
			return out, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("%w: parameter without value", errBadDigest)
		}
		key := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i, closed := 1, false
			for ; i < len(s); i++ {
				switch s[i] {
				case '\\':
					if i+1 < len(s) {
						i++
						b.WriteByte(s[i])
					}
					continue
				case '"':
					closed = true
				default:
					b.WriteByte(s[i])
					continue
				}
				break
			}
			if !closed {
				return nil, fmt.Errorf("%w: unterminated quoted string", errBadDigest)
			}
			val, s = b.String(), s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val, s = strings.TrimSpace(s[:end]), s[end:]
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%w: parameter %q repeated", errBadDigest, key)
		}
		out[key] = val
	}
}

// digestHash returns the hash of an algorithm name ("" means MD5), or nil.
func digestHash(alg string) func() hash.Hash {
	switch alg {
	case "", AlgorithmMD5:
		return md5.New
	case AlgorithmSHA256:
		return sha256.New
	}
	return nil
}

// hashHex hashes parts joined with ':' and returns lower-case hex.
func hashHex(h func() hash.Hash, parts ...string) string {
	d := h()
	for i, p := range parts {
		if i > 0 {
			d.Write([]byte{':'})
		}
		d.Write([]byte(p))
	}
	return hex.EncodeToString(d.Sum(nil))
}

// HA1 computes H(username:realm:password) for the algorithm, the value a
// UserSource may store instead of the password (RFC 7616 3.4.2).
func HA1(alg, user, realm, password string) (string, error) {
	h := digestHash(alg)
	if h == nil {
		return "", fmt.Errorf("digest: unsupported algorithm %q", alg)
	}
	return hashHex(h, user, realm, password), nil
}

// digestResponse computes the expected response (RFC 7616 3.4.1; RFC
// 2617 3.2.2.1 without qop).
func digestResponse(alg, ha1, method string, c digestCredentials) string {
	h := digestHash(alg)
	ha2 := hashHex(h, method, c.URI)
	if c.QOP == "" {
		return hashHex(h, ha1, c.Nonce, ha2)
	}
	return hashHex(h, ha1, c.Nonce, c.NC, c.CNonce, c.QOP, ha2)
}

// nonceSigner issues and checks nonces: base64url(issued unix-nano ||
// 8 random bytes || first 16 bytes of HMAC-SHA256(secret, both)). It
// keeps no state, so a nonce is valid on any goroutine until its TTL.
type nonceSigner struct {
	secret []byte
	ttl    time.Duration
}

const nonceRawLen = 8 + 8 + 16

func newNonceSigner(secret []byte, ttl time.Duration) nonceSigner {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	return nonceSigner{secret: secret, ttl: ttl}
}

func (s nonceSigner) issue(now time.Time) string {
	var raw [nonceRawLen]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(raw[8:16])
	copy(raw[16:], s.mac(raw[:16]))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

func (s nonceSigner) mac(b []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write(b)
	return m.Sum(nil)[:16]
}

// check reports whether the nonce is one of ours, and if so whether it is
// stale (older than the TTL, or from the future).
func (s nonceSigner) check(nonce string, now time.Time) (ok, stale bool) {
	raw, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(raw) != nonceRawLen {
		return false, false
	}
	if !hmac.Equal(raw[16:], s.mac(raw[:16])) {
		return false, false
	}
	issued := time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
	age := now.Sub(issued)
	return true, age > s.ttl || age < -time.Minute
}

// equalHex compares two hex digests in constant time, ignoring case.
func equalHex(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(a)), []byte(strings.ToLower(b))) == 1
}
