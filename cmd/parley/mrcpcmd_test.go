package main

import (
	"bytes"
	"context"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
)

// `parley mrcp synth` and `parley mrcp recog` against the speech server
// `parley speechd` runs, with its real engines: what synth writes, recog
// hears back.
func TestMRCPCommand(t *testing.T) {
	mediatest.RequireTool(t, "espeak-ng")
	cfg := testConfig().Speech
	log := slog.New(slog.DiscardHandler)
	eng, err := newSpeechEngines(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	srv, err := newSpeechServer(cfg, eng, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	defer func() { cancel(); <-done }()

	dir := t.TempDir()
	heard := filepath.Join(dir, "heard.wav")
	// sipgo's transport goroutines may still log a line through the
	// process logger just after a command returns: stderr must be safe
	// for that.
	var out bytes.Buffer
	var errb lockedBuffer
	code := run([]string{"mrcp", "synth", "--server", srv.URI(), "--codec", "g722", "--voice", "kal16",
		"--text", "I would like to check my balance", "--out", heard}, &out, &errb)
	if code != 0 {
		t.Fatalf("mrcp synth: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"session open", "SPEAK", "200 IN-PROGRESS", "SPEAK-COMPLETE", "first audio", "wrote"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("synth output lacks %q:\n%s", want, out.String())
		}
	}
	f, pcm, err := wav.ReadFile(heard)
	if err != nil || f.SampleRate != 16000 || len(pcm) < 16000 {
		t.Fatalf("heard.wav: %v, %+v, %d samples", err, f, len(pcm))
	}

	// What was heard goes back to the recognizer, with the phrases of the
	// domain.
	phrases := filepath.Join(dir, "phrases.txt")
	if err := exec.Command("sh", "-c", "printf 'i would like to check my balance\\ni lost my card\\nspeak to an agent\\n' > "+phrases).Run(); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code = run([]string{"mrcp", "recog", "--server", srv.URI(), "--codec", "g722", "--audio", heard, "--phrases", phrases}, &out, &errb)
	if code != 0 {
		t.Fatalf("mrcp recog: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "check my balance") || !strings.Contains(out.String(), "000") {
		t.Errorf("recog output:\n%s", out.String())
	}

	// Bad use: exit 2 with a message.
	if code := run([]string{"mrcp", "synth"}, &out, &errb); code != 2 {
		t.Errorf("mrcp synth without --server: exit %d, want 2", code)
	}
	if code := run([]string{"mrcp", "recog", "--server", "sip:x@127.0.0.1:1", "--codec", "gsm", "--audio", heard}, &out, &errb); code != 2 {
		t.Errorf("unknown codec: exit %d, want 2", code)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
