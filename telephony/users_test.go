package telephony

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/store"
)

// TestStoredPhoneAccount registers a phone against an account kept in
// the store (HA1 only), behind one from the configuration.
func TestStoredPhoneAccount(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "calls.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, err := NewPhoneAccount("bob", "parley", "builder")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutPhoneAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if err := st.PutPhoneAccount(ctx, store.PhoneAccount{User: "x y", Realm: "parley", HA1MD5: acct.HA1MD5, HA1SHA256: acct.HA1SHA256}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad user name stored: %v", err)
	}
	reg, err := NewRegistrar(RegistrarConfig{Users: Users{StaticUsers{"alice": "wonderland"}, StoreUsers{Accounts: st, Realm: "parley"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	e := &regEnv{addr: "127.0.0.1:5060"}
	for _, tc := range []struct {
		user, password string
		want           int
	}{{"bob", "builder", 200}, {"bob", "wrong", 401}, {"alice", "wonderland", 200}, {"carol", "x", 401}} {
		req := e.regRequest(t, tc.user, "600", "<sip:"+tc.user+"@127.0.0.1:5999>")
		req.AppendHeader(sip.NewHeader("Call-ID", "users-"+tc.user+tc.password))
		req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.REGISTER})
		req.SetSource("127.0.0.1:5999")
		signDigest(t, reg, req, tc.user, tc.password)
		if res := reg.Register(ctx, req); res.StatusCode != tc.want {
			t.Errorf("%s/%s: %d, want %d", tc.user, tc.password, res.StatusCode, tc.want)
		}
	}
	if err := st.DeletePhoneAccount(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeletePhoneAccount(ctx, "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	accts, err := st.PhoneAccounts(ctx)
	if err != nil || len(accts) != 0 {
		t.Errorf("accounts after delete: %v %v", accts, err)
	}
}
