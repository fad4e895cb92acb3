package sphinx

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
)

// audioDir holds the utterances the tests synthesize, shared by all the
// tests of one run.
var audioDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sphinx-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	audioDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// A voice synthesizes test utterances.
type voice string

const (
	flite  voice = "flite-slt"
	espeak voice = "espeak-ng"
)

var synthMu sync.Mutex

// utterance returns text spoken by v as mono 16-bit PCM at rate, with
// 0.3 s of silence before and 0.5 s after, as a caller's turn would have.
func utterance(t testing.TB, v voice, text string, rate int) []int16 {
	t.Helper()
	synthMu.Lock()
	defer synthMu.Unlock()
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d", v, text, rate)))
	raw := filepath.Join(audioDir, hex.EncodeToString(sum[:8])+".raw")
	if _, err := os.Stat(raw); err != nil {
		wav := raw + ".wav"
		switch v {
		case flite:
			mediatest.Run(t, "flite", "-voice", "slt", "-t", text, "-o", wav)
		case espeak:
			mediatest.Run(t, "espeak-ng", "-v", "en-us", "-s", "150", "-w", wav, text)
		}
		mediatest.Run(t, "sox", wav, "-r", fmt.Sprint(rate), "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", raw, "pad", "0.3", "0.5")
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// recognize runs one utterance through a stream in 20 ms writes.
func recognize(t testing.TB, e *Engine, req speech.RecogRequest, pcm []int16) []speech.Hypothesis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := e.Start(ctx, req)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Close()
	frame := req.Rate / 50
	for i := 0; i < len(pcm); i += frame {
		if err := s.Write(pcm[i:min(i+frame, len(pcm))]); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	hyps, err := s.End(ctx)
	if err != nil {
		t.Fatalf("End: %v", err)
	}
	return hyps
}

// newTestEngine makes an engine for a test and closes it at the end.
func newTestEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	mediatest.RequireTools(t, "espeak-ng", "flite", "sox")
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}
