package telephony

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// FuzzRegister feeds REGISTER requests with fuzzed Contact, Expires and
// Authorization headers to a Registrar. With signed set, a valid digest
// for alice replaces the fuzzed Authorization, so the contact handling
// behind authentication is reached too. It must never panic, and always
// answer with one of the statuses a registrar sends.
func FuzzRegister(f *testing.F) {
	f.Add("<sip:alice@10.0.0.1:5060>", "3600", "", true)
	f.Add("<sip:alice@10.0.0.1>;expires=0, <sip:alice@10.0.0.2>;q=0.5;expires=99999999999", "", "", true)
	f.Add("*", "0", "", true)
	f.Add("*, <sip:a@b>", "0", "", true)
	f.Add("<sip:alice@10.0.0.1>;q=2", "x", "", true)
	f.Add("<sip:alice@10.0.0.1:5060>", "3600", `Digest username="alice", realm="parley", nonce="AAAA", uri="sip:x", response="00", qop=auth, nc=00000001, cnonce="c"`, false)
	f.Add("<sip:alice@10.0.0.1:5060>", "3600", `Digest username="alice", realm="parley", nonce="AAAA`, false)
	f.Add("", "", `Digest ,,,=,"`, false)
	f.Add("<tel:+123>", "-1", `Basic abc`, false)

	ok := map[int]bool{200: true, 400: true, 401: true, 403: true, 423: true, 500: true}
	f.Fuzz(func(t *testing.T, contact, expires, auth string, signed bool) {
		for _, s := range []string{contact, expires, auth} {
			if strings.ContainsAny(s, "\r\n") {
				return
			}
		}
		if _, err := parseDigestCredentials(auth); err == nil && len(auth) > maxAuthHeader {
			t.Fatalf("over-long credentials accepted")
		}
		msg := "REGISTER sip:127.0.0.1 SIP/2.0\r\n" +
			"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n" +
			"From: <sip:alice@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n" +
			"Call-ID: fuzz\r\nCSeq: 1 REGISTER\r\n"
		if contact != "" {
			msg += "Contact: " + contact + "\r\n"
		}
		if expires != "" {
			msg += "Expires: " + expires + "\r\n"
		}
		if auth != "" && !signed {
			msg += "Authorization: " + auth + "\r\n"
		}
		m, err := sip.ParseMessage([]byte(msg + "Content-Length: 0\r\n\r\n"))
		if err != nil {
			return
		}
		req, isReq := m.(*sip.Request)
		if !isReq {
			return
		}
		// A fresh registrar each time: the checks below do not depend
		// on earlier inputs.
		clock := time.Unix(1_800_000_000, 0)
		reg, err := NewRegistrar(RegistrarConfig{Users: StaticUsers{"alice": "pw"}, Secret: []byte("fuzz"),
			Now: func() time.Time { return clock }, Log: slog.New(slog.DiscardHandler), AuthFailures: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		if signed {
			signDigest(t, reg, req, "alice", "pw")
		}
		res := reg.Register(context.Background(), req)
		if res == nil || !ok[res.StatusCode] {
			t.Fatalf("response %v to\n%s", res, msg)
		}
		if signed && contact == "<sip:alice@10.0.0.1:5060>" && expires == "3600" && res.StatusCode != 200 {
			t.Fatalf("signed seed: %d %s, want 200", res.StatusCode, res.Reason)
		}
		reg.Sweep()
	})
}

// signDigest adds a valid MD5 Authorization to req with a fresh nonce.
func signDigest(t *testing.T, reg *Registrar, req *sip.Request, user, password string) {
	t.Helper()
	c := digestCredentials{Username: user, Realm: reg.cfg.Realm, Nonce: reg.nonces.issue(reg.cfg.Now()),
		URI: req.Recipient.String(), QOP: "auth", NC: "00000001", CNonce: "fz"}
	ha1, err := HA1(AlgorithmMD5, user, c.Realm, password)
	if err != nil {
		t.Fatal(err)
	}
	c.Response = digestResponse(AlgorithmMD5, ha1, string(req.Method), c)
	req.AppendHeader(sip.NewHeader("Authorization", `Digest username="`+user+`", realm="`+c.Realm+`", nonce="`+c.Nonce+
		`", uri="`+c.URI+`", response="`+c.Response+`", qop=auth, nc=00000001, cnonce="fz"`))
}
