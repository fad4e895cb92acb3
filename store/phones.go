package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PhoneAccount is a SIP account an agent's phone registers with. Only the
// digest HA1 values are kept (RFC 7616: H(user:realm:password) for MD5 and
// SHA-256), never the password; they are only valid in Realm.
type PhoneAccount struct {
	User      string
	Realm     string
	HA1MD5    string // hex
	HA1SHA256 string // hex
	Created   time.Time
	Updated   time.Time
}

func validPhoneAccount(a PhoneAccount) error {
	switch {
	case a.User == "" || len(a.User) > 128 || strings.ContainsAny(a.User, " @:;<>\\\"\r\n\t"):
		return fmt.Errorf("%w: phone account user %q", ErrInvalid, a.User)
	case a.Realm == "":
		return fmt.Errorf("%w: phone account %s has no realm", ErrInvalid, a.User)
	case !isHex(a.HA1MD5, 32) || !isHex(a.HA1SHA256, 64):
		return fmt.Errorf("%w: phone account %s: HA1 values must be hex MD5 and SHA-256 digests", ErrInvalid, a.User)
	}
	return nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// PutPhoneAccount creates or replaces a phone account.
func (s *SQLite) PutPhoneAccount(ctx context.Context, a PhoneAccount) error {
	if err := validPhoneAccount(a); err != nil {
		return err
	}
	now := s.now(time.Time{}).UnixNano()
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO phone_accounts (user, realm, ha1_md5, ha1_sha256, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (user) DO UPDATE SET realm = excluded.realm, ha1_md5 = excluded.ha1_md5,
				ha1_sha256 = excluded.ha1_sha256, updated_at = excluded.updated_at`,
			a.User, a.Realm, a.HA1MD5, a.HA1SHA256, now, now)
		if err != nil {
			return fmt.Errorf("put phone account %s: %w", a.User, err)
		}
		return nil
	})
}

// DeletePhoneAccount removes a phone account; ErrNotFound if there is none.
func (s *SQLite) DeletePhoneAccount(ctx context.Context, user string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM phone_accounts WHERE user = ?`, user)
		if err != nil {
			return fmt.Errorf("delete phone account %s: %w", user, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("phone account %s: %w", user, ErrNotFound)
		}
		return nil
	})
}

// PhoneAccount returns one account and whether it exists.
func (s *SQLite) PhoneAccount(ctx context.Context, user string) (PhoneAccount, bool, error) {
	var a PhoneAccount
	var created, updated int64
	err := s.rdb.QueryRowContext(ctx, `SELECT user, realm, ha1_md5, ha1_sha256, created_at, updated_at
		FROM phone_accounts WHERE user = ?`, user).Scan(&a.User, &a.Realm, &a.HA1MD5, &a.HA1SHA256, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return PhoneAccount{}, false, nil
	}
	if err != nil {
		return PhoneAccount{}, false, fmt.Errorf("phone account %s: %w", user, err)
	}
	a.Created, a.Updated = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return a, true, nil
}

// PhoneAccounts lists every account, by user.
func (s *SQLite) PhoneAccounts(ctx context.Context) ([]PhoneAccount, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT user, realm, ha1_md5, ha1_sha256, created_at, updated_at
		FROM phone_accounts ORDER BY user`)
	if err != nil {
		return nil, fmt.Errorf("phone accounts: %w", err)
	}
	defer rows.Close()
	var out []PhoneAccount
	for rows.Next() {
		var a PhoneAccount
		var created, updated int64
		if err := rows.Scan(&a.User, &a.Realm, &a.HA1MD5, &a.HA1SHA256, &created, &updated); err != nil {
			return nil, fmt.Errorf("phone accounts: %w", err)
		}
		a.Created, a.Updated = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}
