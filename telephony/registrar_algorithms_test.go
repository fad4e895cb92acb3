package telephony

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// An MD5-only registrar challenges with MD5 alone (what libre before 2.0,
// i.e. baresip 1.0, needs: it fails on any other algorithm offered) and
// refuses SHA-256 credentials; an unknown algorithm is a config error.
func TestRegistrarAlgorithms(t *testing.T) {
	if _, err := NewRegistrar(RegistrarConfig{Users: StaticUsers{}, Algorithms: []string{"SHA-512"}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("SHA-512: err %v, want ErrInvalidConfig", err)
	}
	for _, tc := range []struct {
		algs []string
		want string // the challenges' algorithms
	}{
		{nil, "MD5,SHA-256"},
		{[]string{AlgorithmMD5}, "MD5"},
		{[]string{AlgorithmSHA256, AlgorithmMD5}, "SHA-256,MD5"},
	} {
		reg, err := NewRegistrar(RegistrarConfig{Users: StaticUsers{"carol": "s3cret"}, Algorithms: tc.algs})
		if err != nil {
			t.Fatal(err)
		}
		e := &regEnv{addr: "127.0.0.1:5060"}
		req := e.regRequest(t, "carol", "300", "<sip:carol@10.0.0.1:5060>")
		req.AppendHeader(sip.NewHeader("Call-ID", "alg-test"))
		req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.REGISTER})
		req.SetSource("192.0.2.1:5060")
		res := reg.Register(context.Background(), req)
		var got []string
		nonce := ""
		for _, h := range res.GetHeaders("WWW-Authenticate") {
			_, rest, _ := strings.Cut(h.Value(), "algorithm=")
			alg, _, _ := strings.Cut(rest, ",")
			got = append(got, alg)
			_, rest, _ = strings.Cut(h.Value(), `nonce="`)
			nonce, _, _ = strings.Cut(rest, `"`)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("Algorithms %v: challenges %v, want %s", tc.algs, got, tc.want)
		}
		// SHA-256 credentials pass only when SHA-256 is offered.
		ha1, err := HA1(AlgorithmSHA256, "carol", "parley", "s3cret")
		if err != nil {
			t.Fatal(err)
		}
		c := digestCredentials{Username: "carol", Realm: "parley", Nonce: nonce, URI: "sip:127.0.0.1:5060", QOP: "auth", NC: "00000001", CNonce: "abc"}
		req.AppendHeader(sip.NewHeader("Authorization", `Digest username="carol", realm="parley", nonce="`+nonce+
			`", uri="sip:127.0.0.1:5060", response="`+digestResponse(AlgorithmSHA256, ha1, "REGISTER", c)+
			`", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="abc"`))
		req.CSeq().SeqNo++
		want := 200
		if !strings.Contains(tc.want, "SHA-256") {
			want = 401
		}
		if res := reg.Register(context.Background(), req); res.StatusCode != want {
			t.Errorf("Algorithms %v: SHA-256 credentials got %d, want %d", tc.algs, res.StatusCode, want)
		}
		_ = reg.Close()
	}
}
