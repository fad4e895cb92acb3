package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAgentAccounts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	alice := AgentAccount{ID: "alice", Name: "Alice", Role: AccountAgent, PasswordHash: "$2a$10$x"}
	if err := s.PutAgentAccount(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAgentAccount(ctx, AgentAccount{ID: "sam", Role: AccountSupervisor, PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.AgentAccount(ctx, "alice")
	if err != nil || !ok || got.Name != "Alice" || got.Role != AccountAgent || got.PasswordHash != "$2a$10$x" || got.Created.IsZero() || !got.TokensAfter.IsZero() {
		t.Fatalf("AgentAccount(alice) = %+v, %v, %v", got, ok, err)
	}
	alice.Role = AccountSupervisor
	if err := s.PutAgentAccount(ctx, alice); err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1_800_000_000, 5).UTC()
	if err := s.RevokeAgentTokens(ctx, "alice", at); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAgentTokens(ctx, "alice", at.Add(-time.Hour)); err != nil { // never moves back
		t.Fatal(err)
	}
	got, _, _ = s.AgentAccount(ctx, "alice")
	if got.Role != AccountSupervisor || !got.TokensAfter.Equal(at) {
		t.Fatalf("after update and revoke: %+v", got)
	}
	list, err := s.AgentAccounts(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "alice" || list[1].ID != "sam" {
		t.Fatalf("AgentAccounts = %+v, %v", list, err)
	}
	if err := s.DeleteAgentAccount(ctx, "sam"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAgentAccount(ctx, "sam"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if err := s.RevokeAgentTokens(ctx, "nobody", time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke unknown: %v, want ErrNotFound", err)
	}
	if _, ok, err := s.AgentAccount(ctx, "sam"); ok || err != nil {
		t.Fatalf("deleted account still there: %v %v", ok, err)
	}
	for _, bad := range []AgentAccount{
		{ID: "", Role: AccountAgent, PasswordHash: "h"},
		{ID: "a b", Role: AccountAgent, PasswordHash: "h"},
		{ID: strings.Repeat("a", MaxAccountIDLen+1), Role: AccountAgent, PasswordHash: "h"},
		{ID: "bob", Role: "admin", PasswordHash: "h"},
		{ID: "bob", Role: AccountAgent},
		{ID: "bob", Name: "\xff", Role: AccountAgent, PasswordHash: "h"},
	} {
		if err := s.PutAgentAccount(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("PutAgentAccount(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestCallAgentsAndWrapUp(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	t1 := t0.Add(time.Minute)
	if err := s.AssignCallAgent(ctx, "c1", "alice", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.AssignCallAgent(ctx, "c1", "alice", t1); err != nil { // keeps the first time
		t.Fatal(err)
	}
	if err := s.SetWrapUp(ctx, "c1", "bob", "resolved", "card blocked", t1); err != nil { // bob not assigned before
		t.Fatal(err)
	}
	if err := s.SetWrapUp(ctx, "c1", "alice", "transferred", "sent to cards", t1.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := s.CallAgents(ctx, "c1")
	if err != nil || len(got) != 2 {
		t.Fatalf("CallAgents = %+v, %v", got, err)
	}
	if a := got[0]; a.AgentID != "alice" || !a.Connected.Equal(t0) || a.Disposition != "transferred" || a.Notes != "sent to cards" || !a.WrappedUp.Equal(t1.Add(time.Second)) {
		t.Errorf("alice: %+v", a)
	}
	if b := got[1]; b.AgentID != "bob" || b.Disposition != "resolved" || !b.WrappedUp.Equal(t1) {
		t.Errorf("bob: %+v", b)
	}
	if none, err := s.CallAgents(ctx, "c2"); err != nil || len(none) != 0 {
		t.Fatalf("CallAgents(c2) = %+v, %v", none, err)
	}
	for name, err := range map[string]error{
		"empty call":   s.AssignCallAgent(ctx, "", "alice", t0),
		"empty agent":  s.SetWrapUp(ctx, "c1", "", "", "", t0),
		"long notes":   s.SetWrapUp(ctx, "c1", "alice", "", strings.Repeat("n", MaxNotesLen+1), t0),
		"long code":    s.SetWrapUp(ctx, "c1", "alice", strings.Repeat("d", MaxDispositionLen+1), "", t0),
		"invalid utf8": s.SetWrapUp(ctx, "c1", "alice", "", "\xff", t0),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
