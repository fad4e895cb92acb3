package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/console"
)

func TestAgentCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	run := func(stdin string, args ...string) int {
		out.Reset()
		errb.Reset()
		return cmdAgent(append(args[:1:1], append([]string{"--data-dir", dir}, args[1:]...)...), strings.NewReader(stdin), &out, &errb)
	}
	if code := run("correct horse\n", "add", "alice", "--name", "Alice Smith", "--role", "agent"); code != 0 {
		t.Fatalf("add alice: %d %s", code, errb.String())
	}
	if code := run("correct horse\n", "add", "--role=supervisor", "sam"); code != 0 {
		t.Fatalf("add sam: %d %s", code, errb.String())
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
	}{
		{"short\n", []string{"add", "bob"}, 1},
		{"correct horse\n", []string{"add", "bob", "--role", "admin"}, 2},
		{"correct horse\n", []string{"add", "bad id"}, 1},
		{"", []string{"add"}, 2},
		{"", []string{"frobnicate"}, 2},
		{"", []string{"remove", "nobody"}, 1},
	} {
		if code := run(tc.stdin, tc.args...); code != tc.code {
			t.Errorf("parley agent %v: exit %d, want %d (%s)", tc.args, code, tc.code, errb.String())
		}
	}
	if code := run("", "list"); code != 0 || !strings.HasPrefix(out.String(), "alice\tagent\tAlice Smith\t") || !strings.Contains(out.String(), "\nsam\tsupervisor\t") {
		t.Fatalf("list: %d %q", code, out.String())
	}
	if code := run("", "remove", "sam"); code != 0 {
		t.Fatalf("remove: %d %s", code, errb.String())
	}
	if code := run("", "list"); code != 0 || strings.Contains(out.String(), "sam") {
		t.Fatalf("list after remove: %q", out.String())
	}
}

// TestConsoleService: the console as serve starts it, on a real ACD, with
// an account made by parley agent add; and the 503 while it is not started.
func TestConsoleService(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := cmdAgent([]string{"add", "--data-dir", dir, "alice"}, strings.NewReader("correct horse\n"), &out, &errb); code != 0 {
		t.Fatalf("add: %s", errb.String())
	}
	cfg := DefaultConfig()
	cfg.DataDir = dir
	s := &server{cfg: cfg, log: newLogger(cfg.Log, &errb), reg: prometheus.NewRegistry()}
	if err := s.openStore(); err != nil {
		t.Fatal(err)
	}
	defer s.closeStore()

	ts := httptest.NewServer(s.routes())
	resp, err := http.Get(ts.URL + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ts.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("console not started: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	a, err := acd.New(acd.Config{Agents: []acd.AgentConfig{{ID: "alice"}}, Queues: []acd.QueueConfig{{Name: "general"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	acdDone := make(chan error, 1)
	go func() { acdDone <- a.Run(ctx) }()
	defer func() { cancel(); <-acdDone }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := a.Agent(ctx, "alice"); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	s.cfg.Console.Secret = ""
	cs, err := s.startConsole(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Mount(console.Prefix, cs.handler())
	ts = httptest.NewServer(r)
	defer ts.Close()
	resp, err = http.Post(ts.URL+"/api/v1/login", "application/json", strings.NewReader(`{"id":"alice","password":"correct horse"}`))
	if err != nil {
		t.Fatal(err)
	}
	var lr console.LoginResponse
	err = json.NewDecoder(resp.Body).Decode(&lr)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || lr.Agent == nil || lr.Agent.State != acd.StateNotReady {
		t.Fatalf("login: %d %+v %v", resp.StatusCode, lr, err)
	}
	if err := cs.stop(); err != nil {
		t.Fatal(err)
	}
	s.cfg.Console.Secret = "short"
	if _, err := s.startConsole(a, nil); err == nil || !strings.Contains(err.Error(), "console.secret") {
		t.Fatalf("short secret: %v", err)
	}
}
