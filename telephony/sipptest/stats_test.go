package sipptest

import (
	"errors"
	"strings"
	"testing"
)

// sampleStats is a cut-down statistics CSV as sipp 3.6.1 writes it: the
// date columns hold tabs, every line ends in ';', and the last row is
// written at exit.
const sampleStats = "StartTime;CurrentTime;IncomingCall(C);OutgoingCall(C);SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);\n" +
	"2026-11-21\t02:32:07.018917\t1795228327.018917;2026-11-21\t02:32:07.019367\t1795228327.019367;0;0;0;0;0;0;\n" +
	"2026-11-21\t02:32:07.018917\t1795228327.018917;2026-11-21\t02:32:07.230492\t1795228327.230492;0;3;1;2;0;1;\n" +
	"2026-11-21\t02:32:07.018917;cut short\n"

func TestParseStats(t *testing.T) {
	st, err := ParseStats(strings.NewReader(sampleStats))
	if err != nil {
		t.Fatal(err)
	}
	if st.SuccessfulCalls() != 2 || st.FailedCalls() != 1 || st.OutgoingCalls() != 3 || st.IncomingCalls() != 0 {
		t.Fatalf("got %+v", st.Fields)
	}
	if _, ok := st.Int("StartTime"); ok {
		t.Fatal("a date parsed as an integer")
	}
}

func TestParseStatsEmpty(t *testing.T) {
	for _, in := range []string{"", "a;b;\n", "a;b;\n1;\n"} {
		if _, err := ParseStats(strings.NewReader(in)); !errors.Is(err, ErrNoStats) {
			t.Errorf("%q: err %v, want ErrNoStats", in, err)
		}
	}
}
