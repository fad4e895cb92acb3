package intent

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCLINC150 measures the classifier on CLINC150 (Larson et al., EMNLP 2019,
// github.com/clinc/oos-eval, data/data_full.json) with its standard split: trained on
// train + oos_train, tested on test + oos_test; val is not used. It runs when
// PARLEY_NLU_BENCH=1 and reads the data from PARLEY_CLINC150 (a path to
// data_full.json) or fetches it through the Go module proxy into the module cache.
func TestCLINC150(t *testing.T) {
	if os.Getenv("PARLEY_NLU_BENCH") != "1" {
		t.Skip("set PARLEY_NLU_BENCH=1 to run the CLINC150 benchmark")
	}
	path := os.Getenv("PARLEY_CLINC150")
	if path == "" {
		path = fetchCLINC(t)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read CLINC150: %v", err)
	}
	var d map[string][][2]string
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	conv := func(keys ...string) []Example {
		var out []Example
		for _, k := range keys {
			for _, p := range d[k] {
				out = append(out, Example{Text: p[0], Label: p[1]})
			}
		}
		return out
	}
	train, test := conv("train", "oos_train"), conv("test", "oos_test")
	ctx := context.Background()
	c, err := Train(ctx, train, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Evaluate(ctx, c, test)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CLINC150 full: train %d, test %d (%d oos); in-scope accuracy %.1f%%, oos recall %.1f%%, macro-F1 %.1f%%, training %v (T=%.2f, threshold %.2f)",
		len(train), r.N, r.OOSN, 100*r.InScopeAccuracy, 100*r.OOSRecall, 100*r.MacroF1, c.TrainTime(), c.Temperature(), c.Threshold())
	// Larson et al. 2019, Table 1, "Full", oos-train: bag-of-words SVM.
	if r.InScopeAccuracy < 0.910 || r.OOSRecall < 0.145 {
		t.Errorf("does not beat the published SVM baseline (in-scope 91.0%%, oos recall 14.5%%)")
	}
}

func fetchCLINC(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/clinc/oos-eval@latest")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	_ = json.Unmarshal(out, &m)
	if err != nil || m.Dir == "" {
		t.Fatalf("CLINC150 is not reachable through the Go module proxy (%v: %s); set PARLEY_CLINC150 to a local copy of data/data_full.json from github.com/clinc/oos-eval", err, m.Error)
	}
	return filepath.Join(m.Dir, "data", "data_full.json")
}
