package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/console"
	"github.com/parley-cc/parley/store"
)

func TestLoginLogout(t *testing.T) {
	e := newEnv(t, nil)
	if p := e.problem("", "POST", "/login", `{"id":"alice","password":"wrong password"}`, http.StatusUnauthorized); p.Code != "bad-credentials" {
		t.Errorf("wrong password: %+v", p)
	}
	e.problem("", "POST", "/login", `{"id":"nobody","password":"whatever1"}`, http.StatusUnauthorized)
	if p := e.problem("", "POST", "/login", `{"id":"ghost","password":"`+password+`"}`, http.StatusNotFound); p.Code != "unknown-agent" {
		t.Errorf("agent unknown to the ACD: %+v", p)
	}

	var lr console.LoginResponse
	e.call("", "POST", "/login", `{"id":"alice","password":"`+password+`"}`, http.StatusOK, &lr)
	if lr.Role != store.AccountAgent || lr.Agent == nil || lr.Agent.State != acd.StateNotReady || !lr.Expires.After(time.Now().Add(11*time.Hour)) {
		t.Fatalf("login: %+v", lr)
	}
	var me console.MeResponse
	e.call(lr.Token, "GET", "/me", "", http.StatusOK, &me)
	if me.ID != "alice" || me.Name != "Alice" || me.Agent == nil || me.Agent.State != acd.StateNotReady {
		t.Fatalf("me: %+v", me)
	}
	e.call(lr.Token, "POST", "/logout", "", http.StatusNoContent, nil)
	if p := e.problem(lr.Token, "GET", "/me", "", http.StatusUnauthorized); !strings.Contains(p.Detail, "logged out") {
		t.Errorf("token after logout: %+v", p)
	}
	if ag, _ := e.acd.Agent(context.Background(), "alice"); ag.State != acd.StateLoggedOut {
		t.Errorf("ACD state after logout: %s", ag.State)
	}
	tok := e.login("alice") // a new login right after works
	e.call(tok, "GET", "/me", "", http.StatusOK, &me)

	sup := e.login("sam")
	me = console.MeResponse{}
	e.call(sup, "GET", "/me", "", http.StatusOK, &me)
	if me.Role != store.AccountSupervisor || me.Agent != nil {
		t.Fatalf("supervisor me: %+v", me)
	}
	// Removing an account ends its tokens.
	if err := e.st.DeleteAgentAccount(context.Background(), "sam"); err != nil {
		t.Fatal(err)
	}
	e.problem(sup, "GET", "/me", "", http.StatusUnauthorized)
}

func TestTokenExpiry(t *testing.T) {
	e := newEnv(t, func(c *console.Config) { c.TokenTTL = time.Hour })
	tok := e.login("sam")
	e.call(tok, "GET", "/queues", "", http.StatusOK, nil)
	e.clock.Advance(59 * time.Minute)
	e.call(tok, "GET", "/queues", "", http.StatusOK, nil)
	e.clock.Advance(time.Minute)
	if p := e.problem(tok, "GET", "/queues", "", http.StatusUnauthorized); !strings.Contains(p.Detail, "expired") {
		t.Errorf("expired token: %+v", p)
	}
	// A token signed with another secret, and garbage.
	other, err := console.IssueToken([]byte(strings.Repeat("x", 32)), console.Claims{Subject: "sam", Role: store.AccountSupervisor,
		IssuedAt: e.clock.Now().UnixNano(), Expires: e.clock.Now().Add(time.Hour).UnixNano()})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{other, "v1.e30.AAAA", "garbage"} {
		e.problem(bad, "GET", "/queues", "", http.StatusUnauthorized)
	}
	e.problem("", "GET", "/queues", "", http.StatusUnauthorized)
}

func TestLoginThrottling(t *testing.T) {
	e := newEnv(t, func(c *console.Config) {
		c.LoginFailuresPerID = 3
		c.LoginFailuresPerSource = 5
		c.LoginLockout = time.Minute
	})
	for range 3 {
		e.problem("", "POST", "/login", `{"id":"alice","password":"wrong password"}`, http.StatusUnauthorized)
	}
	resp := e.do("", "POST", "/login", `{"id":"alice","password":"`+password+`"}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("4th login of alice: %d (Retry-After %q), want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e.login("bob") // another id from the same source still works
	for range 2 {
		e.problem("", "POST", "/login", `{"id":"bob","password":"wrong password"}`, http.StatusUnauthorized)
	}
	// Five failures from this address: every id is refused now.
	e.problem("", "POST", "/login", `{"id":"sam","password":"`+password+`"}`, http.StatusTooManyRequests)
	e.clock.Advance(time.Minute)
	e.login("alice")
}

func TestOfferOverWebSocket(t *testing.T) {
	e := newEnv(t, nil)
	alice, bob, sam := e.login("alice"), e.login("bob"), e.login("sam")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Alice's desktop (token in the query, as a browser does) and a supervisor's.
	wsURL := "ws" + strings.TrimPrefix(e.ts.URL, "http") + console.Prefix + "/events"
	ac, _, err := websocket.Dial(ctx, wsURL+"?token="+alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ac.CloseNow()
	sc, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + sam}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.CloseNow()
	if _, _, err := websocket.Dial(ctx, wsURL, nil); err == nil {
		t.Fatal("WebSocket without a token was accepted")
	}
	hello := readEvent(ctx, t, ac)
	if hello["kind"] != "hello" || hello["id"] != "alice" {
		t.Fatalf("first message: %v", hello)
	}

	var av console.AgentView
	e.call(alice, "POST", "/me/state", `{"state":"ready"}`, http.StatusOK, &av)
	if av.State != acd.StateReady {
		t.Fatalf("ready: %+v", av)
	}
	packet := map[string]any{"caller": map[string]any{"number": "+15550100"}, "summary": "Lost debit card, wants it blocked."}
	e.enqueue("call-1", "cards", packet)

	// Alice's socket carries the offer with the packet.
	var offer map[string]any
	for offer == nil {
		ev := readEvent(ctx, t, ac)
		if ev["kind"] == "offer" {
			offer = ev["offer"].(map[string]any)
		}
	}
	if offer["call_id"] != "call-1" || offer["agent_id"] != "alice" ||
		offer["context"].(map[string]any)["summary"] != "Lost debit card, wants it blocked." {
		t.Fatalf("offer event: %v", offer)
	}
	got := e.waitOffer(alice)
	var pkt map[string]any
	if err := json.Unmarshal(got.Context, &pkt); err != nil || pkt["summary"] == nil || got.Recording != console.Prefix+"/calls/call-1/recording" {
		t.Fatalf("GET /me/offer: %+v", got)
	}
	// The supervisor saw it too.
	for {
		ev := readEvent(ctx, t, sc)
		if ev["kind"] == "offer" {
			break
		}
	}

	// Bob may not touch Alice's offer; a made-up offer is stale.
	if p := e.problem(bob, "POST", "/offers/"+got.ID+"/accept", "", http.StatusForbidden); p.Code != "forbidden" {
		t.Errorf("bob accepts alice's offer: %+v", p)
	}
	e.problem(bob, "POST", "/offers/"+got.ID+"/decline", `{"reason":"mine now"}`, http.StatusForbidden)
	if p := e.problem(alice, "POST", "/offers/nonsense/accept", "", http.StatusConflict); p.Code != "stale-offer" {
		t.Errorf("stale offer: %+v", p)
	}
	e.problem(bob, "GET", "/calls/call-1/wrapup", "", http.StatusForbidden)

	var or console.OfferResponse
	e.call(alice, "POST", "/offers/"+got.ID+"/accept", "", http.StatusOK, &or)
	if or.CallID != "call-1" || or.Agent == nil || or.Agent.State != acd.StateOnCall {
		t.Fatalf("accept: %+v", or)
	}
	if p := e.problem(alice, "POST", "/offers/"+got.ID+"/accept", "", http.StatusConflict); p.Code != "stale-offer" {
		t.Errorf("accepting twice: %+v", p)
	}
	// Illegal state change: ready while on a call is refused by the ACD, or
	// logout while on a call.
	if p := e.problem(alice, "POST", "/logout", "", http.StatusConflict); p.Code != "illegal-state" || !strings.Contains(p.Detail, "acd:") {
		t.Errorf("logout on a call: %+v", p)
	}
	e.call(alice, "GET", "/me", "", http.StatusOK, nil) // still logged in

	// Transfers: bad requests, unknown queue, then to the loans queue.
	e.problem(alice, "POST", "/calls/call-1/transfer", `{}`, http.StatusBadRequest)
	e.problem(alice, "POST", "/calls/call-1/transfer", `{"queue":"x","agent":"bob"}`, http.StatusBadRequest)
	e.problem(bob, "POST", "/calls/call-1/transfer", `{"queue":"loans"}`, http.StatusForbidden)
	if p := e.problem(alice, "POST", "/calls/call-1/transfer", `{"queue":"nowhere"}`, http.StatusNotFound); p.Code != "unknown-queue" {
		t.Errorf("unknown queue: %+v", p)
	}
	e.call(alice, "POST", "/calls/call-1/transfer", `{"queue":"loans"}`, http.StatusNoContent, nil)

	// Alice wraps up (no longer on the call, but she served it).
	var wraps []console.WrapUpView
	e.call(alice, "POST", "/calls/call-1/wrapup", `{"notes":"card blocked","disposition":"transferred","end_wrapup":true}`, http.StatusOK, &wraps)
	if len(wraps) != 1 || wraps[0].AgentID != "alice" || wraps[0].Notes != "card blocked" || wraps[0].WrappedUp == nil {
		t.Fatalf("wrap-up: %+v", wraps)
	}
	stored, err := e.st.CallAgents(context.Background(), "call-1")
	if err != nil || len(stored) != 1 || stored[0].Disposition != "transferred" {
		t.Fatalf("stored wrap-up: %+v, %v", stored, err)
	}
	e.call(sam, "GET", "/calls/call-1/wrapup", "", http.StatusOK, &wraps)
	e.problem(alice, "POST", "/calls/call-1/wrapup", `{"notes":"`+strings.Repeat("n", store.MaxNotesLen+1)+`"}`, http.StatusUnprocessableEntity)
}

func readEvent(ctx context.Context, t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("reading an event: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("event %s: %v", b, err)
	}
	return m
}

func TestSupervisor(t *testing.T) {
	e := newEnv(t, nil)
	alice, sam := e.login("alice"), e.login("sam")
	for _, path := range []string{"/queues", "/agents", "/queues/cards"} {
		if p := e.problem(alice, "GET", path, "", http.StatusForbidden); p.Code != "forbidden" {
			t.Errorf("agent GET %s: %+v", path, p)
		}
	}
	e.call(alice, "POST", "/me/state", `{"state":"ready"}`, http.StatusOK, nil)
	e.enqueue("call-7", "loans", map[string]string{"summary": "loan"})
	e.waitOffer(alice)
	e.enqueue("call-8", "loans", nil)

	var qs []console.QueueView
	e.call(sam, "GET", "/queues", "", http.StatusOK, &qs)
	if len(qs) != 2 || qs[0].Name != "cards" || qs[1].Name != "loans" || qs[1].Waiting < 1 || qs[1].Offered < 1 || qs[1].AgentsLoggedIn != 1 {
		t.Fatalf("queues: %+v", qs)
	}
	e.problem(sam, "GET", "/queues/nope", "", http.StatusNotFound)
	var agents []console.AgentView
	e.call(sam, "GET", "/agents", "", http.StatusOK, &agents)
	if len(agents) != 2 || agents[0].ID != "alice" || agents[0].State != acd.StateOffered || agents[1].State != acd.StateLoggedOut {
		t.Fatalf("agents: %+v", agents)
	}
	// Forcing states: an offered agent cannot be logged out; bad states,
	// unknown agents.
	e.problem(sam, "POST", "/agents/alice/state", `{"state":"logged-out"}`, http.StatusConflict)
	e.problem(sam, "POST", "/agents/alice/state", `{"state":"ready"}`, http.StatusUnprocessableEntity)
	e.problem(sam, "POST", "/agents/zed/state", `{"state":"not-ready"}`, http.StatusNotFound)
	var av console.AgentView
	e.call(sam, "POST", "/agents/bob/state", `{"state":"logged-out"}`, http.StatusOK, &av)
	e.call(alice, "POST", "/offers/"+e.waitOffer(alice).ID+"/decline", `{"reason":"not now"}`, http.StatusOK, nil)
	e.call(sam, "POST", "/agents/alice/state", `{"state":"not-ready","reason":"coaching"}`, http.StatusOK, &av)
	if av.State != acd.StateNotReady || av.Reason != "coaching" {
		t.Fatalf("forced not-ready: %+v", av)
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t, nil)
	alice := e.login("alice")
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"malformed JSON", "POST", "/me/state", `{"state":`, http.StatusBadRequest},
		{"unknown field", "POST", "/me/state", `{"state":"ready","colour":"red"}`, http.StatusBadRequest},
		{"two objects", "POST", "/me/state", `{"state":"ready"}{}`, http.StatusBadRequest},
		{"wrong type", "POST", "/me/state", `{"state":7}`, http.StatusBadRequest},
		{"empty body", "POST", "/me/state", ``, http.StatusBadRequest},
		{"array", "POST", "/me/state", `[]`, http.StatusBadRequest},
		{"oversized", "POST", "/me/state", `{"reason":"` + strings.Repeat("x", console.MaxBodyBytes) + `"}`, http.StatusRequestEntityTooLarge},
		{"bad state", "POST", "/me/state", `{"state":"on-call"}`, http.StatusUnprocessableEntity},
		{"long reason", "POST", "/me/state", `{"state":"not-ready","reason":"` + strings.Repeat("r", 65) + `"}`, http.StatusBadRequest},
		{"wrong method", "GET", "/me/state", ``, http.StatusMethodNotAllowed},
		{"wrong method on login", "GET", "/login", ``, http.StatusMethodNotAllowed},
		{"no route", "GET", "/nothing", ``, http.StatusNotFound},
		{"no offer", "GET", "/me/offer", ``, http.StatusNotFound},
		{"hangup without call control", "POST", "/calls/c9/hangup", ``, http.StatusForbidden},
		{"recording of another's call", "GET", "/calls/c9/recording", ``, http.StatusForbidden},
		{"login without password", "POST", "/login", `{"id":"alice"}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.problem(alice, tc.method, tc.path, tc.body, tc.status)
		})
	}
	e.t = t
	resp := e.do(alice, "DELETE", "/me/state", "")
	resp.Body.Close()
	if resp.Header.Get("Allow") != "POST" {
		t.Errorf("405 Allow = %q, want POST", resp.Header.Get("Allow"))
	}
	req, _ := http.NewRequest("POST", e.ts.URL+console.Prefix+"/me/state", strings.NewReader(`state=ready`))
	req.Header.Set("Authorization", "Bearer "+alice)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form body: %d, want 415", resp.StatusCode)
	}
}

func TestHangupAndRecording(t *testing.T) {
	var hungUp atomic.Value
	e := newEnv(t, func(c *console.Config) {
		c.Calls = console.CallControlFunc(func(ctx context.Context, id string) error {
			if id != "call-2" {
				return errors.New("no such call here")
			}
			hungUp.Store(id)
			return nil
		})
	})
	alice, bob, sam := e.login("alice"), e.login("bob"), e.login("sam")
	e.call(alice, "POST", "/me/state", `{"state":"ready"}`, http.StatusOK, nil)
	e.enqueue("call-2", "cards", map[string]string{"summary": "s"})
	e.call(alice, "POST", "/offers/"+e.waitOffer(alice).ID+"/accept", "", http.StatusOK, nil)

	// A recording indexed in the store, relative to the data directory.
	ctx := context.Background()
	if err := e.st.CreateCall(ctx, store.Call{ID: "call-2", Direction: store.Inbound}); err != nil {
		t.Fatal(err)
	}
	wav := make([]byte, 44+16000)
	copy(wav, "RIFF")
	for i := 44; i < len(wav); i++ {
		wav[i] = byte(i)
	}
	if err := os.MkdirAll(filepath.Join(e.dir, "recordings", "2026-01-02"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "recordings", "2026-01-02", "call-2.wav"), wav, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetRecording(ctx, store.Recording{CallID: "call-2", Path: "recordings/2026-01-02/call-2.wav", Format: store.FormatWAV, Bytes: int64(len(wav))}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.ts.URL+console.Prefix+"/calls/call-2/recording", nil)
	req.Header.Set("Authorization", "Bearer "+alice)
	req.Header.Set("Range", "bytes=100-199")
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Type") != "audio/wav" || string(body) != string(wav[100:200]) {
		t.Fatalf("range: %d %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	resp = e.do(sam, "GET", "/calls/call-2/recording", "")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) != len(wav) {
		t.Fatalf("supervisor: %d, %d bytes", resp.StatusCode, len(body))
	}
	e.problem(bob, "GET", "/calls/call-2/recording", "", http.StatusForbidden)
	e.problem(sam, "GET", "/calls/call-3/recording", "", http.StatusNotFound)

	e.problem(bob, "POST", "/calls/call-2/hangup", "", http.StatusForbidden)
	e.problem(sam, "POST", "/calls/call-404/hangup", "", http.StatusInternalServerError)
	e.call(alice, "POST", "/calls/call-2/hangup", "", http.StatusNoContent, nil)
	if hungUp.Load() != "call-2" {
		t.Fatal("CallControl.Hangup was not called")
	}
}

func TestHangupWithoutCallControl(t *testing.T) {
	e := newEnv(t, nil)
	alice := e.login("alice")
	e.call(alice, "POST", "/me/state", `{"state":"ready"}`, http.StatusOK, nil)
	e.enqueue("call-5", "cards", nil)
	e.call(alice, "POST", "/offers/"+e.waitOffer(alice).ID+"/accept", "", http.StatusOK, nil)
	if p := e.problem(alice, "POST", "/calls/call-5/hangup", "", http.StatusNotImplemented); p.Code != "no-call-control" {
		t.Fatalf("hangup: %+v", p)
	}
}

// TestShutdownClosesSockets: when Run's context ends, connected clients
// are told the server is going away and Run returns.
func TestShutdownClosesSockets(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.login("alice")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(e.ts.URL, "http") + console.Prefix + "/events"
	var conns []*websocket.Conn
	for range 3 {
		c, _, err := websocket.Dial(ctx, wsURL+"?token="+tok, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		readEvent(ctx, t, c) // hello
		conns = append(conns, c)
	}
	e.stop()
	for i, c := range conns {
		for {
			_, _, err := c.Read(ctx)
			if err == nil {
				continue
			}
			if websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Errorf("client %d: %v, want close status going away", i, err)
			}
			break
		}
	}
	e.problem(tok, "GET", "/events", "", http.StatusServiceUnavailable)
}

func TestLogoutClosesSocket(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.login("sam")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.ts.URL, "http")+console.Prefix+"/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	readEvent(ctx, t, c)
	e.call(tok, "POST", "/logout", "", http.StatusNoContent, nil)
	for {
		if _, _, err = c.Read(ctx); err != nil {
			break
		}
	}
	if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("after logout: %v", err)
	}
}

func TestLoadSecret(t *testing.T) {
	dir := t.TempDir()
	s1, err := console.LoadSecret("", dir)
	if err != nil || len(s1) < console.MinSecretLen {
		t.Fatalf("generated secret: %q, %v", s1, err)
	}
	fi, err := os.Stat(filepath.Join(dir, console.SecretFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v", fi, err)
	}
	s2, err := console.LoadSecret("", dir)
	if err != nil || string(s2) != string(s1) {
		t.Fatalf("second load: %q != %q (%v)", s2, s1, err)
	}
	if s, err := console.LoadSecret(strings.Repeat("k", 32), dir); err != nil || string(s) != strings.Repeat("k", 32) {
		t.Fatalf("configured: %q %v", s, err)
	}
	if _, err := console.LoadSecret("short", dir); !errors.Is(err, console.ErrConfig) {
		t.Fatalf("short secret: %v", err)
	}
	if _, err := console.New(console.Config{}); !errors.Is(err, console.ErrConfig) {
		t.Fatalf("empty config: %v", err)
	}
}
