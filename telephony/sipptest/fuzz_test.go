package sipptest

import (
	"strings"
	"testing"
)

func FuzzParseStats(f *testing.F) {
	f.Add(sampleStats)
	f.Add("a;b;\n1;2;\n")
	f.Add("SuccessfulCall(C);FailedCall(C)\n-1;x\n1;2;3\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		st, err := ParseStats(strings.NewReader(in))
		if err != nil {
			return
		}
		if st.SuccessfulCalls() < 0 || st.FailedCalls() < 0 {
			t.Fatalf("negative count from %q", in)
		}
	})
}
