package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeConsole: parley serve with its embedded defaults runs the ACD
// and the console API on it: an agent provisioned in acd.agents with a
// login from `parley agent add` logs in, goes ready, and a supervisor sees
// the agent and the default queues; hanging up a call this node does not
// hold is a clear 404.
func TestServeConsole(t *testing.T) {
	cfg := testConfig()
	cfg.HTTP.Addr = freeAddr(t)
	cfg.DataDir = t.TempDir()
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.ACD.Agents = []ACDAgentConfig{{ID: "alice", Name: "Alice", Phone: "alice", Skills: map[string]int{"cards": 5}}}
	for _, a := range []struct{ id, role string }{{"alice", "agent"}, {"sam", "supervisor"}} {
		var out, errb bytes.Buffer
		if code := cmdAgent([]string{"add", "--data-dir", cfg.DataDir, "--role", a.role, a.id}, strings.NewReader("correct horse battery\n"), &out, &errb); code != 0 {
			t.Fatalf("agent add %s: %d %s", a.id, code, errb.String())
		}
	}
	drain, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- serve(drain, context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	base := "http://" + cfg.HTTP.Addr + "/api/v1"

	call := func(method, path, token string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		var m map[string]any
		raw, _ := io.ReadAll(resp.Body)
		if len(raw) > 0 && raw[0] == '[' {
			var list []any
			_ = json.Unmarshal(raw, &list)
			m = map[string]any{"list": list}
		} else {
			_ = json.Unmarshal(raw, &m)
		}
		return resp.StatusCode, m
	}
	login := func(id string) string {
		t.Helper()
		var code int
		var m map[string]any
		for range 200 {
			if code, m = call("POST", "/login", "", map[string]string{"id": id, "password": "correct horse battery"}); code != 0 {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		tok, _ := m["token"].(string)
		if code != http.StatusOK || tok == "" {
			t.Fatalf("login %s: %d %v", id, code, m)
		}
		return tok
	}
	alice, sam := login("alice"), login("sam")

	if code, m := call("POST", "/me/state", alice, map[string]string{"state": "ready"}); code != http.StatusOK || m["state"] != "ready" {
		t.Fatalf("alice ready: %d %v", code, m)
	}
	if code, m := call("GET", "/agents", sam, nil); code != http.StatusOK || !strings.Contains(jsonString(m), `"ready"`) {
		t.Fatalf("supervisor agents: %d %v", code, m)
	}
	if code, m := call("GET", "/queues", sam, nil); code != http.StatusOK || !strings.Contains(jsonString(m), "cards") {
		t.Fatalf("supervisor queues: %d %v", code, m)
	}
	if code, _ := call("GET", "/queues", alice, nil); code != http.StatusForbidden {
		t.Fatalf("an agent reads the queue statistics: %d", code)
	}
	if code, m := call("POST", "/calls/no-such-call/hangup", sam, nil); code != http.StatusNotFound {
		t.Fatalf("hang up an unknown call: %d %v", code, m)
	}
	if code, _ := call("GET", "/me", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
