package console_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/console"
	"github.com/parley-cc/parley/store"
)

const password = "correct horse"

var quiet = slog.New(slog.DiscardHandler)

var secret = []byte("0123456789abcdef0123456789abcdef")

// env is a console on a real in-memory ACD and a real SQLite store,
// mounted like parley serve mounts it, behind an httptest server.
type env struct {
	t       testing.TB
	acd     *acd.ACD
	st      *store.SQLite
	srv     *console.Server
	ts      *httptest.Server
	dir     string
	clock   *clock
	cancel  context.CancelFunc
	stopped chan struct{}
}

// clock is the console's injected time; zero offset means real time.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

func newEnv(t testing.TB, tweak func(*console.Config)) *env {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, filepath.Join(dir, "calls.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := acd.New(acd.Config{
		Backend: acd.NewMemory(),
		Queues: []acd.QueueConfig{
			{Name: "cards", Skills: map[string]int{"cards": 1}},
			{Name: "loans", Skills: map[string]int{"loans": 1}},
		},
		Tick: 10 * time.Millisecond,
		Log:  quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ag := range []acd.AgentConfig{
		{ID: "alice", Name: "Alice", Skills: map[string]int{"cards": 5, "loans": 2}},
		{ID: "bob", Name: "Bob", Skills: map[string]int{"cards": 3, "loans": 3}},
	} {
		if err := a.PutAgent(ctx, ag); err != nil {
			t.Fatal(err)
		}
	}
	for _, acct := range []store.AgentAccount{
		{ID: "alice", Name: "Alice", Role: store.AccountAgent},
		{ID: "bob", Name: "Bob", Role: store.AccountAgent},
		{ID: "sam", Name: "Sam", Role: store.AccountSupervisor},
		{ID: "ghost", Name: "Not in the ACD", Role: store.AccountAgent},
	} {
		acct.PasswordHash, err = console.HashPassword(password, bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutAgentAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, acd: a, st: st, dir: dir, clock: &clock{}, cancel: cancel, stopped: make(chan struct{})}
	cfg := console.Config{ACD: a, Store: st, Secret: secret, DataDir: dir, Now: e.clock.Now, Log: quiet}
	if tweak != nil {
		tweak(&cfg)
	}
	e.srv, err = console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Mount(console.Prefix, e.srv.Handler())
	e.ts = httptest.NewServer(r)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.Run(ctx) }()
	go func() { defer wg.Done(); e.srv.Run(ctx) }()
	go func() { wg.Wait(); close(e.stopped) }()
	t.Cleanup(func() {
		e.stop()
		e.ts.Close()
		st.Close()
	})
	e.waitEvents()
	return e
}

// stop ends the ACD and the console's Run and waits for them.
func (e *env) stop() {
	e.cancel()
	select {
	case <-e.stopped:
	case <-time.After(10 * time.Second):
		e.t.Error("ACD or console Run did not stop within 10 s")
	}
}

// waitEvents waits until the console's Run serves WebSockets.
func (e *env) waitEvents() {
	e.t.Helper()
	tok := e.login("sam")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		resp := e.do(tok, "GET", "/events", "")
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatal("console events never became available")
}

// do sends a request with an optional bearer token and JSON body.
func (e *env) do(token, method, path, body string) *http.Response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+console.Prefix+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// call sends a request and decodes a JSON answer of the wanted status.
func (e *env) call(token, method, path, body string, want int, out any) {
	e.t.Helper()
	resp := e.do(token, method, path, body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, b, err)
		}
	}
}

// problem sends a request that must fail with status and returns the problem.
func (e *env) problem(token, method, path, body string, status int) console.Problem {
	e.t.Helper()
	resp := e.do(token, method, path, body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		e.t.Fatalf("%s %s: Content-Type %q, want application/problem+json", method, path, ct)
	}
	var p console.Problem
	if err := json.Unmarshal(b, &p); err != nil || p.Status != status || p.Code == "" || p.Title == "" {
		e.t.Fatalf("%s %s: bad problem body %s (%v)", method, path, b, err)
	}
	return p
}

func (e *env) login(id string) string {
	e.t.Helper()
	var lr console.LoginResponse
	e.call("", "POST", "/login", `{"id":"`+id+`","password":"`+password+`"}`, http.StatusOK, &lr)
	if lr.Token == "" {
		e.t.Fatalf("login %s: no token", id)
	}
	return lr.Token
}

// enqueue queues a call with a context packet and returns its id.
func (e *env) enqueue(id, queue string, packet any) {
	e.t.Helper()
	b, _ := json.Marshal(packet)
	if _, err := e.acd.Enqueue(context.Background(), acd.CallRequest{ID: id, Queue: queue, Caller: "+15550100", Context: b}); err != nil {
		e.t.Fatal(err)
	}
}

// waitOffer waits until the agent is offered a call.
func (e *env) waitOffer(token string) console.OfferView {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		resp := e.do(token, "GET", "/me/offer", "")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			var o console.OfferView
			if err := json.Unmarshal(b, &o); err != nil {
				e.t.Fatal(err)
			}
			return o
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatal("no offer within 5 s")
	return console.OfferView{}
}
