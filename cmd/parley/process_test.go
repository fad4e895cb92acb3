package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as the real parley command: with
// RUN_AS_PARLEY set, the test binary behaves as `parley` with those
// arguments instead of running tests.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("RUN_AS_PARLEY"); ok {
		os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// startParley runs `parley serve` as its own process on a free HTTP port
// and a fresh data directory, and waits until /healthz answers.
func startParley(t *testing.T) (*exec.Cmd, string, *bufio.Scanner) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(),
		"RUN_AS_PARLEY=serve --log-level debug",
		"PARLEY_HTTP_ADDR="+addr,
		"PARLEY_DATA_DIR="+t.TempDir(),
		"PARLEY_SIP_ADDR=127.0.0.1:0",
		"PARLEY_SPEECH_SIP_ADDR=127.0.0.1:0",
		"PARLEY_SPEECH_CONTROL_ADDR=127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	for range 200 {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return cmd, base, bufio.NewScanner(stderr)
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("parley serve did not answer /healthz")
	return nil, "", nil
}

func TestProcessShutsDownOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, base, logs := startParley(t)
			resp, err := http.Get(base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			var rep healthReport
			json.NewDecoder(resp.Body).Decode(&rep)
			resp.Body.Close()
			if rep.Status != "ok" {
				t.Fatalf("healthz %+v", rep)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			var out strings.Builder
			go func() {
				for logs.Scan() {
					out.WriteString(logs.Text() + "\n")
				}
				done <- cmd.Wait()
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("parley exited with %v after %v; log:\n%s", err, sig, out.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("parley did not stop on %v", sig)
			}
			for _, want := range []string{"parley started", "shutting down: draining", "stopped"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
