package console

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLen is the shortest password an account may have.
const MinPasswordLen = 8

// maxPasswordLen is bcrypt's limit: it ignores bytes beyond 72.
const maxPasswordLen = 72

// HashPassword returns the bcrypt hash of password at cost (0: bcrypt's
// default). Passwords shorter than MinPasswordLen or longer than 72 bytes
// are refused.
func HashPassword(password string, cost int) (string, error) {
	switch {
	case len(password) < MinPasswordLen:
		return "", fmt.Errorf("password: at least %d characters", MinPasswordLen)
	case len(password) > maxPasswordLen:
		return "", fmt.Errorf("password: at most %d bytes", maxPasswordLen)
	}
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when a login names no account, so that
// an unknown id takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("parley-no-such-account"), bcrypt.DefaultCost)
	return h
})

// checkPassword reports whether password matches hash; an empty hash
// (no account) still costs one bcrypt comparison.
func checkPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// SecretFile is the name of the generated secret in the data directory.
const SecretFile = "console.secret"

// LoadSecret returns the token secret: configured if it is not empty
// (at least MinSecretLen bytes), else the one kept in
// <dataDir>/console.secret, generated (32 random bytes, hex, mode 0600)
// the first time. Nodes behind one load balancer need the same secret:
// configure it, or share the file.
func LoadSecret(configured, dataDir string) ([]byte, error) {
	if configured != "" {
		if len(configured) < MinSecretLen {
			return nil, fmt.Errorf("%w: console.secret must have at least %d characters", ErrConfig, MinSecretLen)
		}
		return []byte(configured), nil
	}
	path := filepath.Join(dataDir, SecretFile)
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < MinSecretLen {
			return nil, fmt.Errorf("%w: %s holds fewer than %d characters", ErrConfig, path, MinSecretLen)
		}
		return []byte(s), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("console secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("console secret: %w", err)
	}
	s := hex.EncodeToString(raw)
	// Write a temporary file, then link it into place: the link fails if
	// another process got there first, and nobody reads a half-written file.
	tmp, err := os.CreateTemp(dataDir, SecretFile+".*")
	if err != nil {
		return nil, fmt.Errorf("console secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(s + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600)
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if errors.Is(err, os.ErrExist) {
		return LoadSecret("", dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("console secret: %w", err)
	}
	return []byte(s), nil
}
