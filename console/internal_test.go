package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/store"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// TestSlowClientDropped: a client whose queue is full is cancelled, and
// fan-out never blocks.
func TestSlowClientDropped(t *testing.T) {
	h := newHub(2, slog.Default())
	h.running = true
	slow, _ := h.add(principal{ID: "sam", Role: store.AccountSupervisor})
	other, _ := h.add(principal{ID: "alice", Role: store.AccountAgent})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 5 {
			h.fanout(acd.Event{Kind: acd.EventCallQueued, CallID: "c" + string(rune('0'+i))})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("fanout blocked on a slow client")
	}
	if !errors.Is(context.Cause(slow.ctx), errSlowClient) || h.dropped.Load() != 1 {
		t.Fatalf("slow client: cause %v, dropped %d", context.Cause(slow.ctx), h.dropped.Load())
	}
	if other.ctx.Err() != nil || len(other.ch) != 0 {
		t.Fatal("an agent got other calls' events")
	}
	h.remove(slow)
	h.remove(other)
}

func TestVisible(t *testing.T) {
	alice := principal{ID: "alice", Role: store.AccountAgent}
	for _, tc := range []struct {
		ev   acd.Event
		want bool
	}{
		{acd.Event{Kind: acd.EventOffer, AgentID: "alice"}, true},
		{acd.Event{Kind: acd.EventOffer, AgentID: "bob"}, false},
		{acd.Event{Kind: acd.EventOfferCancelled, Offer: &acd.Offer{AgentID: "alice"}}, true},
		{acd.Event{Kind: acd.EventAgentState, Agent: &acd.Agent{AgentConfig: acd.AgentConfig{ID: "alice"}}}, true},
		{acd.Event{Kind: acd.EventCallQueued, CallID: "c1"}, false},
	} {
		if got := visible(alice, tc.ev); got != tc.want {
			t.Errorf("visible(alice, %+v) = %v", tc.ev, got)
		}
	}
}

func TestTokenRoundTrip(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := Claims{Subject: "alice", Role: store.AccountAgent, IssuedAt: now.UnixNano(), Expires: now.Add(time.Hour).UnixNano()}
	tok, err := IssueToken(testSecret, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseToken(testSecret, tok, now)
	if err != nil || got != c {
		t.Fatalf("ParseToken = %+v, %v", got, err)
	}
	if _, err := ParseToken(testSecret, tok, now.Add(time.Hour)); !errors.Is(err, ErrToken) {
		t.Fatalf("expired: %v", err)
	}
	// Flip each character: never accepted.
	for i := range tok {
		b := []byte(tok)
		b[i] ^= 1
		if _, err := ParseToken(testSecret, string(b), now); err == nil {
			t.Fatalf("token altered at %d accepted", i)
		}
	}
	if _, err := IssueToken([]byte("short"), c); err == nil {
		t.Fatal("short secret accepted")
	}
}

// FuzzParseToken: any input is refused or accepted without panic, and
// only the untouched token is accepted.
func FuzzParseToken(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	good, _ := IssueToken(testSecret, Claims{Subject: "alice", Role: store.AccountAgent, IssuedAt: now.UnixNano(), Expires: now.Add(time.Hour).UnixNano()})
	for _, s := range []string{good, "", "v1.", "v1..", "v1.e30.", "v1.e30.AAAA", good[:len(good)-3], strings.Repeat("v1.", 400), "v1.bnVsbA." + good[len(good)-43:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseToken(testSecret, s, now)
		if err == nil && s != good {
			t.Fatalf("forged token accepted: %q -> %+v", s, c)
		}
	})
}

// FuzzDecodeJSON: request bodies never panic, and every refusal is a
// 400 problem.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"state":"ready"}`, `{"state":"not-ready","reason":"lunch"}`, `{"queue":"cards"}`, `{"notes":"x","disposition":"y","end_wrapup":true}`,
		`{"id":"alice","password":"pw"}`, ``, `[]`, `{"a":1}`, `{"state":`, `{} {}`, `null`, `{"reason":"\u00e9"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		targets := []func() any{
			func() any { return &StateRequest{} }, func() any { return &TransferRequest{} },
			func() any { return &WrapUpRequest{} }, func() any { return &LoginRequest{} }, func() any { return &DeclineRequest{} },
		}
		for _, mk := range targets {
			v := mk()
			err := decodeJSON(b, v, true)
			if err == nil {
				continue
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != http.StatusBadRequest {
				t.Fatalf("decode %q: %v is not a 400", b, err)
			}
		}
	})
}

func TestThrottle(t *testing.T) {
	th := newThrottle(2, time.Minute)
	now := time.Unix(0, 0)
	th.fail("k", now)
	if _, b := th.blocked("k", now); b {
		t.Fatal("blocked after 1 failure")
	}
	th.fail("k", now.Add(time.Second))
	if wait, b := th.blocked("k", now.Add(2*time.Second)); !b || wait != 58*time.Second {
		t.Fatalf("after 2 failures: %v %v", wait, b)
	}
	if _, b := th.blocked("k", now.Add(time.Minute)); b {
		t.Fatal("still blocked after the window")
	}
	for i := range maxThrottleKeys + 10 {
		th.fail(string(rune(i)), now)
	}
	if len(th.m) > maxThrottleKeys {
		t.Fatalf("throttle holds %d keys", len(th.m))
	}
}
