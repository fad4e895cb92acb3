package telephony

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// RFC 7616 3.9.1: Mufasa / "Circle of Life" at http-auth@example.org.
func TestDigestRFC7616Vectors(t *testing.T) {
	c := digestCredentials{
		Username: "Mufasa", Realm: "http-auth@example.org", URI: "/dir/index.html",
		Nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", NC: "00000001",
		CNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", QOP: "auth",
	}
	for _, tc := range []struct{ alg, want string }{
		{AlgorithmMD5, "8ca523f5e9506fed4657c9700eebdbec"},
		{AlgorithmSHA256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			ha1, err := HA1(tc.alg, c.Username, c.Realm, "Circle of Life")
			if err != nil {
				t.Fatal(err)
			}
			if got := digestResponse(tc.alg, ha1, "GET", c); got != tc.want {
				t.Fatalf("response %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseDigestCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
		user     string
	}{
		{"quoted with comma", `Digest username="a,\"b", realm="r", nonce="n", uri="sip:x", response="00", qop=auth, nc=00000001, cnonce="c"`, true, `a,"b`},
		{"no qop", `digest username="a",realm="r",nonce="n",uri="sip:x",response="00",algorithm=MD5`, true, "a"},
		{"basic", `Basic YWxhZGRpbjpvcGVuc2VzYW1l`, false, ""},
		{"unterminated", `Digest username="a`, false, ""},
		{"missing response", `Digest username="a", nonce="n", uri="u"`, false, ""},
		{"repeated", `Digest username="a", username="b", nonce="n", uri="u", response="r"`, false, ""},
		{"auth-int", `Digest username="a", nonce="n", uri="u", response="r", qop=auth-int, nc=1, cnonce=c`, false, ""},
		{"qop without nc", `Digest username="a", nonce="n", uri="u", response="r", qop=auth`, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseDigestCredentials(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if c.Username != tc.user && tc.ok {
				t.Fatalf("user %q, want %q", c.Username, tc.user)
			}
		})
	}
}

func TestNonceStale(t *testing.T) {
	s := newNonceSigner([]byte("k"), 5*time.Minute)
	t0 := time.Unix(1_700_000_000, 0)
	n := s.issue(t0)
	if ok, stale := s.check(n, t0.Add(4*time.Minute)); !ok || stale {
		t.Fatalf("fresh nonce: ok %v stale %v", ok, stale)
	}
	if ok, stale := s.check(n, t0.Add(6*time.Minute)); !ok || !stale {
		t.Fatalf("old nonce: ok %v stale %v", ok, stale)
	}
	other := newNonceSigner([]byte("other"), 5*time.Minute)
	if ok, _ := other.check(n, t0); ok {
		t.Fatal("nonce accepted under another secret")
	}
	if ok, _ := s.check(n[:len(n)-2]+"AA", t0); ok {
		t.Fatal("tampered nonce accepted")
	}
}

// regClock is a settable clock.
type regClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *regClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *regClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// regEnv is a sipgo server on a loopback UDP port wired to a Registrar,
// and a sipgo client.
type regEnv struct {
	reg   *Registrar
	clock *regClock
	addr  string
	cli   *sipgo.Client
}

func startRegistrar(t *testing.T, cfg RegistrarConfig) *regEnv {
	t.Helper()
	clock := &regClock{now: time.Unix(1_800_000_000, 0)}
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.Users == nil {
		cfg.Users = StaticUsers{"alice": "wonderland", "bob": "builder"}
	}
	reg, err := NewRegistrar(cfg)
	if err != nil {
		t.Fatal(err)
	}
	reg.Start()
	sua, err := sipgo.NewUA(sipgo.WithUserAgent("registrar-test"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(sua)
	if err != nil {
		t.Fatal(err)
	}
	srv.OnRegister(reg.HandleRegister)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.ServeUDP(conn) }()

	cua, err := sipgo.NewUA(sipgo.WithUserAgent("phone"))
	if err != nil {
		t.Fatal(err)
	}
	cli, err := sipgo.NewClient(cua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cli.Close()
		_ = cua.Close()
		_ = conn.Close()
		_ = srv.Close()
		_ = sua.Close()
		<-served
		_ = reg.Close()
	})
	return &regEnv{reg: reg, clock: clock, addr: conn.LocalAddr().String(), cli: cli}
}

// regRequest builds a REGISTER for the address-of-record user.
func (e *regEnv) regRequest(t *testing.T, user string, expires string, contacts ...string) *sip.Request {
	t.Helper()
	var ruri sip.Uri
	if err := sip.ParseUri("sip:"+e.addr, &ruri); err != nil {
		t.Fatal(err)
	}
	req := sip.NewRequest(sip.REGISTER, ruri)
	aor := sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1"}
	req.AppendHeader(&sip.FromHeader{Address: aor, Params: sip.HeaderParams{{K: "tag", V: sip.GenerateTagN(8)}}})
	req.AppendHeader(&sip.ToHeader{Address: aor})
	for _, c := range contacts {
		req.AppendHeader(sip.NewHeader("Contact", c))
	}
	if expires != "" {
		req.AppendHeader(sip.NewHeader("Expires", expires))
	}
	// Re-parse so that Contact headers are typed as a received request's.
	parsed, err := sip.ParseMessage([]byte(req.String()))
	if err != nil {
		t.Fatal(err)
	}
	return parsed.(*sip.Request)
}

// do sends req; with a password it answers a 401 with DoDigestAuth.
func (e *regEnv) do(t *testing.T, req *sip.Request, user, password string) *sip.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := e.cli.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != sip.StatusUnauthorized || password == "" {
		return res
	}
	if res, err = e.cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: user, Password: password}); err != nil {
		t.Fatal(err)
	}
	return res
}

// contactExpires maps the contacts of a 200 to their expires parameter.
func contactExpires(t *testing.T, res *sip.Response) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			t.Fatalf("contact %T", h)
		}
		v, _ := c.Params.Get("expires")
		out[c.Address.Host+":"+strconv.Itoa(c.Address.Port)] = v
	}
	return out
}

func lookupHosts(bs []Binding) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Contact.Host + ":" + strconv.Itoa(b.Contact.Port)
	}
	return out
}

func TestRegistrarLifecycle(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 10*time.Second)) // runs after startRegistrar's cleanup
	e := startRegistrar(t, RegistrarConfig{MinExpires: 60 * time.Second})

	// Unauthenticated: 401 with an MD5 and a SHA-256 challenge.
	res := e.do(t, e.regRequest(t, "alice", "3600", "<sip:alice@10.0.0.1:5060>"), "", "")
	if res.StatusCode != 401 {
		t.Fatalf("no credentials: %d, want 401", res.StatusCode)
	}
	chal := res.GetHeaders("WWW-Authenticate")
	if len(chal) != 2 || !strings.Contains(chal[0].Value(), "algorithm=MD5") ||
		!strings.Contains(chal[1].Value(), "algorithm=SHA-256") || !strings.Contains(chal[0].Value(), `qop="auth"`) {
		t.Fatalf("challenges %v", chal)
	}

	// Two contacts, one with its own expiry.
	res = e.do(t, e.regRequest(t, "alice", "3600", "<sip:alice@10.0.0.1:5060>", "<sip:alice@10.0.0.2:5062>;expires=120"), "alice", "wonderland")
	if res.StatusCode != 200 {
		t.Fatalf("register: %d %s", res.StatusCode, res.Reason)
	}
	got := contactExpires(t, res)
	if got["10.0.0.1:5060"] != "3600" || got["10.0.0.2:5062"] != "120" || len(got) != 2 {
		t.Fatalf("200 contacts %v", got)
	}
	bs := e.reg.Lookup("alice")
	if len(bs) != 2 || bs[0].Transport != "UDP" || !strings.HasPrefix(bs[0].Source, "127.0.0.1:") {
		t.Fatalf("lookup %+v", bs)
	}

	// The short one lapses; the 200 of a refresh shows the remaining time.
	e.clock.Add(121 * time.Second)
	if h := lookupHosts(e.reg.Lookup("alice")); len(h) != 1 || h[0] != "10.0.0.1:5060" {
		t.Fatalf("after 121 s: %v", h)
	}
	res = e.do(t, e.regRequest(t, "alice", "", "<sip:alice@10.0.0.3:5060>;expires=600"), "alice", "wonderland")
	got = contactExpires(t, res)
	if res.StatusCode != 200 || got["10.0.0.1:5060"] != "3479" || got["10.0.0.3:5060"] != "600" || len(got) != 2 {
		t.Fatalf("refresh: %d %v", res.StatusCode, got)
	}

	// A query (no Contact) lists the bindings and changes nothing.
	res = e.do(t, e.regRequest(t, "alice", ""), "alice", "wonderland")
	if got := contactExpires(t, res); res.StatusCode != 200 || len(got) != 2 {
		t.Fatalf("query: %d %v", res.StatusCode, got)
	}

	// Expires: 0 on one contact removes it.
	res = e.do(t, e.regRequest(t, "alice", "", "<sip:alice@10.0.0.3:5060>;expires=0"), "alice", "wonderland")
	if got := contactExpires(t, res); res.StatusCode != 200 || len(got) != 1 || got["10.0.0.1:5060"] == "" {
		t.Fatalf("remove one: %d %v", res.StatusCode, got)
	}

	// Bob's bindings are his own; "*" with Expires: 0 removes all of Alice's.
	res = e.do(t, e.regRequest(t, "bob", "300", "<sip:bob@10.0.0.9:5060>"), "bob", "builder")
	if res.StatusCode != 200 {
		t.Fatalf("bob: %d", res.StatusCode)
	}
	res = e.do(t, e.regRequest(t, "alice", "0", "*"), "alice", "wonderland")
	if res.StatusCode != 200 || len(res.GetHeaders("Contact")) != 0 || len(e.reg.Lookup("alice")) != 0 {
		t.Fatalf("unregister all: %d %v", res.StatusCode, e.reg.Lookup("alice"))
	}
	if len(e.reg.Lookup("bob")) != 1 {
		t.Fatal("bob's binding went with alice's")
	}
	// "*" without Expires: 0 is malformed.
	if res = e.do(t, e.regRequest(t, "alice", "60", "*"), "alice", "wonderland"); res.StatusCode != 400 {
		t.Fatalf(`"*" with Expires 60: %d, want 400`, res.StatusCode)
	}

	// The sweep drops what expired.
	e.clock.Add(301 * time.Second)
	if n := e.reg.Sweep(); n != 1 {
		t.Fatalf("sweep dropped %d, want 1", n)
	}
}

func TestRegistrarRefusals(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 10*time.Second)) // runs after startRegistrar's cleanup
	e := startRegistrar(t, RegistrarConfig{MinExpires: 60 * time.Second, AuthFailures: 3, AuthBlock: time.Minute})

	t.Run("interval too brief", func(t *testing.T) {
		res := e.do(t, e.regRequest(t, "alice", "10", "<sip:alice@10.0.0.1:5060>"), "alice", "wonderland")
		if res.StatusCode != 423 {
			t.Fatalf("status %d, want 423", res.StatusCode)
		}
		if h := res.GetHeader("Min-Expires"); h == nil || h.Value() != "60" {
			t.Fatalf("Min-Expires %v", h)
		}
	})
	t.Run("max expires caps", func(t *testing.T) {
		res := e.do(t, e.regRequest(t, "alice", "999999", "<sip:alice@10.0.0.1:5060>"), "alice", "wonderland")
		if got := contactExpires(t, res); res.StatusCode != 200 || got["10.0.0.1:5060"] != "7200" {
			t.Fatalf("status %d contacts %v", res.StatusCode, got)
		}
	})
	t.Run("user mismatch", func(t *testing.T) {
		res := e.do(t, e.regRequest(t, "bob", "300", "<sip:bob@10.0.0.1:5060>"), "alice", "wonderland")
		if res.StatusCode != 403 {
			t.Fatalf("status %d, want 403", res.StatusCode)
		}
	})
	t.Run("stale nonce", func(t *testing.T) {
		req := e.regRequest(t, "alice", "300", "<sip:alice@10.0.0.1:5060>")
		res := e.do(t, req, "", "")
		e.clock.Add(6 * time.Minute)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := e.cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: "alice", Password: "wonderland"})
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 401 || !strings.Contains(res.GetHeader("WWW-Authenticate").Value(), "stale=true") {
			t.Fatalf("status %d %v, want 401 stale", res.StatusCode, res.GetHeader("WWW-Authenticate"))
		}
	})
	t.Run("wrong password then blocked", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			res := e.do(t, e.regRequest(t, "alice", "300", "<sip:alice@10.0.0.1:5060>"), "alice", "guess")
			want := 401
			if i == 3 {
				want = 403
			}
			if res.StatusCode != want {
				t.Fatalf("attempt %d: %d, want %d", i, res.StatusCode, want)
			}
		}
		// Even the right password is refused while blocked ...
		res := e.do(t, e.regRequest(t, "alice", "300", "<sip:alice@10.0.0.1:5060>"), "alice", "wonderland")
		if res.StatusCode != 403 {
			t.Fatalf("blocked, right password: %d, want 403", res.StatusCode)
		}
		// ... and accepted once the block lapses.
		e.clock.Add(61 * time.Second)
		res = e.do(t, e.regRequest(t, "alice", "300", "<sip:alice@10.0.0.1:5060>"), "alice", "wonderland")
		if res.StatusCode != 200 {
			t.Fatalf("after block: %d, want 200", res.StatusCode)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		res := e.do(t, e.regRequest(t, "mallory", "300", "<sip:m@10.0.0.1:5060>"), "mallory", "x")
		if res.StatusCode != 401 {
			t.Fatalf("status %d, want 401", res.StatusCode)
		}
	})
}

// A stored HA1 (SHA-256) instead of a password, checked with a client
// that picks the SHA-256 challenge.
func TestRegistrarHA1SHA256(t *testing.T) {
	ha1, err := HA1(AlgorithmSHA256, "carol", "parley", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := NewRegistrar(RegistrarConfig{Users: regUsers{"carol": {HA1SHA256: ha1}}})
	if err != nil {
		t.Fatal(err)
	}
	e := &regEnv{addr: "127.0.0.1:5060"}
	req := e.regRequest(t, "carol", "300", "<sip:carol@10.0.0.1:5060>")
	req.AppendHeader(sip.NewHeader("Call-ID", "ha1-test"))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.REGISTER})
	req.SetSource("192.0.2.1:5060")
	res := reg.Register(context.Background(), req)
	var nonce string
	for _, h := range res.GetHeaders("WWW-Authenticate") {
		if strings.Contains(h.Value(), "SHA-256") {
			_, rest, _ := strings.Cut(h.Value(), `nonce="`)
			nonce, _, _ = strings.Cut(rest, `"`)
		}
	}
	c := digestCredentials{Username: "carol", Realm: "parley", Nonce: nonce, URI: "sip:127.0.0.1:5060", QOP: "auth", NC: "00000001", CNonce: "abc"}
	for _, tc := range []struct {
		alg  string
		want int
	}{{AlgorithmSHA256, 200}, {AlgorithmMD5, 401}} {
		resp := digestResponse(tc.alg, ha1, "REGISTER", c)
		req.RemoveHeader("Authorization")
		req.AppendHeader(sip.NewHeader("Authorization", `Digest username="carol", realm="parley", nonce="`+nonce+
			`", uri="sip:127.0.0.1:5060", response="`+resp+`", algorithm=`+tc.alg+`, qop=auth, nc=00000001, cnonce="abc"`))
		req.CSeq().SeqNo++
		if res := reg.Register(context.Background(), req); res.StatusCode != tc.want {
			t.Fatalf("%s: %d %s, want %d", tc.alg, res.StatusCode, res.Reason, tc.want)
		}
	}
}

type regUsers map[string]Secret

func (m regUsers) Password(_ context.Context, user string) (Secret, bool, error) {
	s, ok := m[user]
	return s, ok, nil
}

// SIPp registers with digest and un-registers (testdata/sipp/uac_register_digest.xml).
func TestRegistrarSIPp(t *testing.T) {
	logs := &syncBuffer{}
	e := startRegistrar(t, RegistrarConfig{Log: slog.New(slog.NewTextHandler(logs, nil))})
	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_register_digest.xml"),
		Target:   e.addr,
		AuthUser: "alice", AuthPassword: "wonderland",
		Vars: map[string]string{"user": "alice"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if l := logs.String(); !strings.Contains(l, "msg=registered component=registrar user=alice bindings=1") || !strings.Contains(l, "msg=unregistered component=registrar user=alice") {
		t.Errorf("registrar log lacks the registration and un-registration:\n%s", l)
	}
	if bs := e.reg.Lookup("alice"); len(bs) != 0 {
		t.Errorf("bindings after un-REGISTER: %+v", bs)
	}

	// The wrong password never gets a 200.
	res, err = sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_register_digest.xml"),
		Target:   e.addr,
		AuthUser: "alice", AuthPassword: "wrong",
		Vars:    map[string]string{"user": "alice"},
		Timeout: 3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err() == nil {
		t.Fatal("SIPp registered with a wrong password")
	}
	if res.Failed != 1 || !strings.Contains(res.ErrorLog, "401") {
		t.Fatalf("want one call failed on an unexpected 401: %v", res.Err())
	}
}

// syncBuffer is a bytes.Buffer safe for a logger's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// offlineRegister registers contact for alice through Register, with
// valid credentials, as from src.
func offlineRegister(t *testing.T, reg *Registrar, callID string, cseq uint32, src, expires, contact string) *sip.Response {
	t.Helper()
	e := &regEnv{addr: "127.0.0.1:5060"}
	req := e.regRequest(t, "alice", expires, contact)
	req.AppendHeader(sip.NewHeader("Call-ID", callID))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: sip.REGISTER})
	req.SetSource(src)
	signDigest(t, reg, req, "alice", "wonderland")
	return reg.Register(context.Background(), req)
}

func TestRegistrarSweepGoroutine(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 10*time.Second))
	clock := &regClock{now: time.Unix(1_800_000_000, 0)}
	reg, err := NewRegistrar(RegistrarConfig{Users: StaticUsers{"alice": "wonderland"}, Now: clock.Now, SweepInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	reg.Start()
	defer reg.Close()
	if res := offlineRegister(t, reg, "c1", 1, "192.0.2.1:5060", "60", "<sip:alice@192.0.2.1>"); res.StatusCode != 200 {
		t.Fatalf("register: %d %s", res.StatusCode, res.Reason)
	}
	clock.Add(61 * time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		reg.mu.Lock()
		n := len(reg.bindings)
		reg.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sweep goroutine did not drop the expired binding")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRegistrarOutOfOrderCSeq(t *testing.T) {
	reg, err := NewRegistrar(RegistrarConfig{Users: StaticUsers{"alice": "wonderland"}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if res := offlineRegister(t, reg, "c1", 5, "192.0.2.1:5060", "300", "<sip:alice@192.0.2.1>"); res.StatusCode != 200 {
		t.Fatalf("register: %d", res.StatusCode)
	}
	// RFC 3261 10.3 step 7: same Call-ID, CSeq not higher: refused, kept.
	if res := offlineRegister(t, reg, "c1", 5, "192.0.2.1:5060", "0", "<sip:alice@192.0.2.1>"); res.StatusCode != 500 {
		t.Fatalf("replayed CSeq: %d, want 500", res.StatusCode)
	}
	if len(reg.Lookup("alice")) != 1 {
		t.Fatal("binding removed by an out-of-order request")
	}
}

// Registrations, lookups and sweeps from many goroutines (run with -race).
func TestRegistrarConcurrent(t *testing.T) {
	reg, err := NewRegistrar(RegistrarConfig{Users: StaticUsers{"alice": "wonderland"}, MaxContacts: 160, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				contact := "<sip:alice@192.0.2." + strconv.Itoa(g+1) + ":" + strconv.Itoa(5060+i) + ">"
				if res := offlineRegister(t, reg, "g"+strconv.Itoa(g), uint32(i+1), "192.0.2.1:5060", "300", contact); res.StatusCode != 200 {
					t.Errorf("register: %d %s", res.StatusCode, res.Reason)
					return
				}
				reg.Lookup("alice")
				reg.Sweep()
			}
		})
	}
	wg.Wait()
	if n := len(reg.Lookup("alice")); n != 160 {
		t.Fatalf("%d bindings, want 160", n)
	}
}
