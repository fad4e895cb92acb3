package bot

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLibraryHotReloadAndDrafts(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile("script/testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "mini.yaml")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(path, string(src))
	lib := NewLibrary(LibraryConfig{DataDir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer lib.Close()
	if err := lib.Add(ctx, path); err != nil {
		t.Fatal(err)
	}
	version := func(number string) string {
		t.Helper()
		b, ok := lib.Lookup(number)
		if !ok {
			t.Fatalf("no bot for %s", number)
		}
		return b.Script.Version
	}
	if v := version("100"); v != "1" {
		t.Fatalf("published version %q", v)
	}
	if v := version("199"); v != "1" {
		t.Fatalf("draft number without a draft serves %q, want the published 1", v)
	}
	if _, ok := lib.Lookup("555"); ok {
		t.Fatal("an unknown number found a bot")
	}

	// A broken edit is rejected with its line and the running version stays.
	write(path, strings.Replace(string(src), "next: question", "next: nowhere", 1))
	lib.Reload(ctx)
	if v := version("100"); v != "1" {
		t.Fatalf("after a broken edit version %q, want 1", v)
	}
	if err := lib.Errors()[path]; err == nil || !strings.Contains(err.Error(), `mini.yaml:21: step "start": unknown step "nowhere"`) {
		t.Fatalf("load error %v", err)
	}

	// A good edit replaces it.
	write(path, strings.Replace(string(src), `version: "1"`, `version: "2"`, 1))
	lib.Reload(ctx)
	if v := version("100"); v != "2" {
		t.Fatalf("after a good edit version %q, want 2", v)
	}

	// A draft serves the draft number only.
	write(DraftPath(path), strings.Replace(string(src), `version: "1"`, `version: "3-draft"`, 1))
	lib.Reload(ctx)
	if v := version("199"); v != "3-draft" {
		t.Fatalf("draft number serves %q", v)
	}
	if v := version("100"); v != "2" {
		t.Fatalf("published number serves %q while a draft exists", v)
	}
	os.Remove(DraftPath(path))
	lib.Reload(ctx)
	if v := version("199"); v != "2" {
		t.Fatalf("after removing the draft the draft number serves %q", v)
	}
}

func TestLibraryRunStops(t *testing.T) {
	lib := NewLibrary(LibraryConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- lib.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
