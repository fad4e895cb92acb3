package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestNLUEval(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"nlu", "eval", "--train", "../../testdata/nlu/train.csv", "--test", "../../testdata/nlu/test.csv"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"in-scope accuracy:", "macro-F1:", "out-of-scope recall:", "accuracy:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"nlu", "eval", "--train", "nope.csv", "--test", "x.csv"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "nope.csv") {
		t.Errorf("missing file: exit %d, stderr %q", code, errb.String())
	}
	if code := run([]string{"nlu"}, &out, &errb); code != 2 {
		t.Errorf("no subcommand: exit %d", code)
	}
}
