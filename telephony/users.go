package telephony

import (
	"context"
	"fmt"

	"github.com/parley-cc/parley/store"
)

// PhoneAccounts reads phone accounts kept in the store; *store.SQLite
// satisfies it.
type PhoneAccounts interface {
	PhoneAccount(ctx context.Context, user string) (store.PhoneAccount, bool, error)
}

// StoreUsers is a UserSource of phone accounts kept in the store, which
// holds only their digest HA1 values. An account made for another realm
// cannot be checked and counts as unknown.
type StoreUsers struct {
	Accounts PhoneAccounts
	Realm    string
}

// Password implements UserSource.
func (s StoreUsers) Password(ctx context.Context, user string) (Secret, bool, error) {
	a, ok, err := s.Accounts.PhoneAccount(ctx, user)
	if err != nil || !ok || a.Realm != s.Realm {
		return Secret{}, false, err
	}
	return Secret{HA1MD5: a.HA1MD5, HA1SHA256: a.HA1SHA256}, true, nil
}

// Users chains user sources: the first that knows a user answers for it
// (accounts in the configuration file first, then those in the store).
type Users []UserSource

// Password implements UserSource.
func (us Users) Password(ctx context.Context, user string) (Secret, bool, error) {
	for _, u := range us {
		sec, ok, err := u.Password(ctx, user)
		if err != nil || ok {
			return sec, ok, err
		}
	}
	return Secret{}, false, nil
}

// NewPhoneAccount makes the stored form of a phone account: the HA1 of
// user:realm:password for MD5 and SHA-256; the password is not kept.
func NewPhoneAccount(user, realm, password string) (store.PhoneAccount, error) {
	if password == "" {
		return store.PhoneAccount{}, fmt.Errorf("%w: phone account %s: empty password", ErrInvalidConfig, user)
	}
	md5, err := HA1(AlgorithmMD5, user, realm, password)
	if err != nil {
		return store.PhoneAccount{}, err
	}
	sha, err := HA1(AlgorithmSHA256, user, realm, password)
	if err != nil {
		return store.PhoneAccount{}, err
	}
	return store.PhoneAccount{User: user, Realm: realm, HA1MD5: md5, HA1SHA256: sha}, nil
}

var (
	_ UserSource    = StoreUsers{}
	_ UserSource    = Users(nil)
	_ PhoneAccounts = (*store.SQLite)(nil)
)
