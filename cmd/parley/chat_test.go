package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestChatBankBalance(t *testing.T) {
	in := strings.NewReader("what's left in my current account\n#12345678#\ndtmf 4321\nno thanks bye\n")
	var out bytes.Buffer
	now := time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)
	err := chat(context.Background(), "../../scripts/bank/bank.yaml", chatOptions{
		dataDir: t.TempDir(), now: func() time.Time { return now },
		accounts: accountFlags{"12345678": {"pin": "4321", "balance": "42 pounds"}},
		log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, in, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[step main] intent: balance", "account number", "Your available balance is 42 pounds", "path: welcome > main > verify > say_balance > anything_else > goodbye"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("chat output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestScriptTestCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cmdScript([]string{"test", "../../scripts/isp/isp.yaml"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "PASS  outage in a known area") || !strings.Contains(out.String(), "coverage: steps") {
		t.Errorf("output:\n%s", out.String())
	}
	if code := cmdScript([]string{"test", "testdata/nonexistent.yaml"}, &out, &errb); code != 1 {
		t.Errorf("a missing script exits %d, want 1", code)
	}
}
