package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/store"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// testConfig is the default configuration with the speech server on free
// loopback ports, so tests never collide.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Speech.SIPAddr = "127.0.0.1:0"
	cfg.Speech.ControlAddr = "127.0.0.1:0"
	cfg.Speech.RTPPortMin, cfg.Speech.RTPPortMax = 48000, 49000
	cfg.SIP.Addr = "127.0.0.1:0"
	cfg.Media.RTPPortMin, cfg.Media.RTPPortMax = 46000, 47000
	return cfg
}

func TestServeHealthMetricsAndDrain(t *testing.T) {
	cfg := testConfig()
	cfg.HTTP.Addr = freeAddr(t)
	cfg.DataDir = t.TempDir()
	cfg.ShutdownTimeout = 5 * time.Second
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	drain, stopDraining := context.WithCancel(context.Background())
	defer stopDraining()
	done := make(chan error, 1)
	go func() { done <- serve(drain, context.Background(), cfg, log) }()

	base := "http://" + cfg.HTTP.Addr
	var resp *http.Response
	var err error
	for range 100 {
		if resp, err = http.Get(base + "/healthz"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	var rep healthReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || rep.Status != "ok" || rep.Checks["data_dir"] != "ok" {
		t.Fatalf("healthz = %d %+v", resp.StatusCode, rep)
	}

	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"parley_build_info", "parley_speech_sessions", "go_goroutines", "process_open_fds"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	stopDraining()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after drain")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("HTTP still accepting after shutdown")
	}
}

func TestServeRefusesBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := testConfig()
	cfg.HTTP.Addr = ln.Addr().String()
	cfg.DataDir = t.TempDir()
	err = serve(context.Background(), context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "http listen") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"version", []string{"version"}, 0, "parley ", ""},
		{"no command", nil, 2, "", "Usage:"},
		{"unknown command", []string{"dance"}, 2, "", `unknown command "dance"`},
		{"config prints yaml", []string{"config", "--sip-addr", "127.0.0.1:5099"}, 0, "addr: 127.0.0.1:5099", ""},
		{"config rejects bad setting", []string{"config", "--set", "log.level=loud"}, 1, "", "log.level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, &out, &errb)
			if code != tc.code || !strings.Contains(out.String(), tc.inStdout) || !strings.Contains(errb.String(), tc.inStderr) {
				t.Fatalf("code %d stdout %q stderr %q", code, out.String(), errb.String())
			}
		})
	}
}

// TestServeRepairsUnclosedRecording simulates a crash mid-recording: a WAV
// whose header still says zero data must be repaired at start-up.
func TestServeRepairsUnclosedRecording(t *testing.T) {
	cfg := testConfig()
	cfg.HTTP.Addr = freeAddr(t)
	cfg.DataDir = t.TempDir()
	recDir := filepath.Join(cfg.DataDir, cfg.Recording.Dir)
	if err := os.MkdirAll(recDir, 0o750); err != nil {
		t.Fatal(err)
	}
	// A 44-byte canonical header with zero sizes, then 1 s of 8 kHz stereo
	// audio (and half a sample frame, cut by the crash).
	path := filepath.Join(recDir, "crashed.wav")
	hdr := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x40\x1f\x00\x00\x00\x7d\x00\x00\x04\x00\x10\x00data\x00\x00\x00\x00")
	body := make([]byte, 8000*4+2)
	for i := range body {
		body[i] = byte(i)
	}
	if err := os.WriteFile(path, append(hdr, body...), 0o640); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	drain, stop := context.WithCancel(context.Background())
	stop() // start, repair, then shut down at once
	if err := serve(drain, context.Background(), cfg, log); err != nil {
		t.Fatal(err)
	}
	_, pcm, err := wav.ReadFile(path)
	if err != nil {
		t.Fatalf("recording still unreadable after start-up: %v", err)
	}
	if len(pcm) != 8000*2 {
		t.Fatalf("repaired recording has %d samples, want %d", len(pcm), 8000*2)
	}
	if !strings.Contains(logs.String(), "repaired recording") {
		t.Fatalf("repair not logged: %s", logs.String())
	}
}

// TestServeClosesCallsLeftOpen simulates a crash during a call: the call
// record has no end. Start-up closes it as failed / parley-restart.
func TestServeClosesCallsLeftOpen(t *testing.T) {
	cfg := testConfig()
	cfg.HTTP.Addr = freeAddr(t)
	cfg.DataDir = t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(cfg.DataDir, "calls.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Minute)
	if err := st.CreateCall(ctx, store.Call{ID: "crashed-call", Direction: store.Inbound, FromURI: "sip:alice@example.com", ToURI: "sip:bank@parley", Started: started}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	drain, stop := context.WithCancel(context.Background())
	stop()
	if err := serve(drain, context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, filepath.Join(cfg.DataDir, "calls.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Call(ctx, "crashed-call")
	if err != nil {
		t.Fatal(err)
	}
	if c.Disposition != store.Failed || c.Cause != store.RestartCause || c.Ended.IsZero() {
		t.Fatalf("call after start-up: %+v", c)
	}
	if !strings.Contains(logs.String(), "closed call records a crash left open") {
		t.Fatalf("repair not logged: %s", logs.String())
	}
}
