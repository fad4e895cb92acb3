package corpus

import (
	"context"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
)

var threePhrases = []Phrase{
	{ID: "balance-01", Intent: "balance", Text: "i would like to check my balance"},
	{ID: "yes-01", Intent: "yes", Text: "yes"},
	{ID: "digits-01", Intent: "digits", Text: "four five six seven"},
}

func requireSynths(t testing.TB) {
	t.Helper()
	mediatest.RequireTools(t, "espeak-ng", "flite")
}

// readUtterance reads a corpus file and checks it is 16 kHz mono 16-bit.
func readUtterance(t testing.TB, path string) []int16 {
	t.Helper()
	f, pcm, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.SampleRate != SampleRate || f.Channels != 1 || f.BitsPerSample != 16 || f.Encoding != wav.EncodingPCM {
		t.Fatalf("%s: format %s, want pcm 16-bit 16000 Hz 1 ch", path, f)
	}
	return pcm
}

func rms(pcm []int16) float64 {
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(len(pcm), 1)))
}

func TestBuild(t *testing.T) {
	requireSynths(t)
	dir := t.TempDir()
	us, err := Build(t.Context(), dir, threePhrases, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != len(threePhrases) {
		t.Fatalf("%d utterances, want %d", len(us), len(threePhrases))
	}
	engines := map[string]bool{}
	for i, u := range us {
		p := threePhrases[i]
		if u.ID != p.ID || u.Intent != p.Intent || u.Text != p.Text {
			t.Errorf("utterance %d = %+v, want phrase %+v", i, u, p)
		}
		if v := DefaultVoices()[i]; u.Engine != v.Engine || u.Voice != v.Name || u.Rate != v.Rate {
			t.Errorf("utterance %d spoken by %s/%s@%d, want %s", i, u.Engine, u.Voice, u.Rate, v)
		}
		engines[u.Engine] = true
		pcm := readUtterance(t, u.WAV)
		dur := time.Duration(len(pcm)) * time.Second / SampleRate
		words := len(strings.Fields(u.Text))
		// Slow speech is about 2 words a second; fast 4; espeak-ng and
		// flite add up to half a second of silence around an utterance.
		lo := time.Duration(words) * 150 * time.Millisecond
		hi := time.Duration(words)*700*time.Millisecond + 800*time.Millisecond
		if dur < lo || dur > hi {
			t.Errorf("%s by %s: %v of audio for %d words, want %v to %v", u.ID, u.Voice, dur, words, lo, hi)
		}
		if r := rms(pcm); r < 300 {
			t.Errorf("%s by %s: RMS %.0f, want speech (>= 300)", u.ID, u.Voice, r)
		}
		t.Logf("%s %s/%s@%d: %v, RMS %.0f", u.ID, u.Engine, u.Voice, u.Rate, dur, rms(pcm))
	}
	if !engines[EngineEspeak] || !engines[EngineFlite] {
		t.Errorf("engines used %v, want both", engines)
	}
	leftovers, _ := os.ReadDir(dir)
	if len(leftovers) != len(us) {
		t.Errorf("%d files in the cache, want %d (temporary files left?)", len(leftovers), len(us))
	}
}

// TestBuildCache checks that a second Build of the same phrases reuses
// every file: same inode, same modification time.
func TestBuildCache(t *testing.T) {
	requireSynths(t)
	dir := t.TempDir()
	first, err := Build(t.Context(), dir, threePhrases, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stats := make([]os.FileInfo, len(first))
	for i, u := range first {
		if stats[i], err = os.Stat(u.WAV); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	second, err := Build(t.Context(), dir, threePhrases, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cached Build of %d phrases: %v", len(second), time.Since(start))
	for i, u := range second {
		if u != first[i] {
			t.Errorf("second Build %d = %+v, want %+v", i, u, first[i])
		}
		st, err := os.Stat(u.WAV)
		if err != nil {
			t.Fatal(err)
		}
		if !os.SameFile(st, stats[i]) || !st.ModTime().Equal(stats[i].ModTime()) {
			t.Errorf("%s was rewritten on the second Build", u.WAV)
		}
	}
	// Another voice for the same text is another file.
	other, err := Build(t.Context(), dir, threePhrases[:1], Options{Voices: []Voice{{Engine: EngineEspeak, Name: "en-us", Rate: 140}}})
	if err != nil {
		t.Fatal(err)
	}
	if other[0].WAV == first[0].WAV {
		t.Errorf("en-us@140 and %s@%d share %s", first[0].Voice, first[0].Rate, other[0].WAV)
	}
}

// TestDefaultVoices speaks one phrase with every voice of the rotation and
// checks that each works and that the rate setting changes the duration.
func TestDefaultVoices(t *testing.T) {
	requireSynths(t)
	vs := DefaultVoices()
	if len(vs) != 24 {
		t.Fatalf("%d default voices, want 24", len(vs))
	}
	seen := map[Voice]bool{}
	phrase := Phrase{ID: "p", Intent: "payment", Text: "i would like to pay my credit card bill"}
	us, err := Build(t.Context(), t.TempDir(), []Phrase{phrase}, Options{PerPhrase: len(vs)})
	if err != nil {
		t.Fatal(err)
	}
	dur := map[Voice]int{}
	for i, u := range us {
		v := Voice{Engine: u.Engine, Name: u.Voice, Rate: u.Rate}
		if v != vs[i] {
			t.Errorf("rendition %d by %s, want %s", i, v, vs[i])
		}
		if seen[v] {
			t.Errorf("%s twice in the rotation", v)
		}
		seen[v] = true
		pcm := readUtterance(t, u.WAV)
		if r := rms(pcm); r < 300 {
			t.Errorf("%s: RMS %.0f, want speech", v, r)
		}
		dur[v] = len(pcm)
	}
	for _, name := range []string{"en-us", "en-gb", "en-us+f3", "en-us+m3"} {
		slow, fast := dur[Voice{EngineEspeak, name, 140}], dur[Voice{EngineEspeak, name, 200}]
		if float64(slow) < 1.2*float64(fast) {
			t.Errorf("espeak-ng %s: %d samples at 140 wpm, %d at 200; want the slow one 1.2 times longer", name, slow, fast)
		}
	}
	for _, name := range []string{"kal16", "slt", "rms", "awb"} {
		slow, fast := dur[Voice{EngineFlite, name, 115}], dur[Voice{EngineFlite, name, 90}]
		if float64(slow) < 1.15*float64(fast) {
			t.Errorf("flite %s: %d samples at stretch 1.15, %d at 0.9; want the slow one 1.15 times longer", name, slow, fast)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	requireSynths(t)
	ctx := t.Context()
	tests := []struct {
		name    string
		phrases []Phrase
		opts    Options
		want    error
	}{
		{"bad text", []Phrase{{ID: "x", Text: "Hello!"}}, Options{}, nil},
		{"unknown engine", threePhrases, Options{Voices: []Voice{{Engine: "say", Name: "x", Rate: 100}}}, nil},
		{"rate out of range", threePhrases, Options{Voices: []Voice{{Engine: EngineEspeak, Name: "en-us", Rate: 5}}}, nil},
		{"name with option", threePhrases, Options{Voices: []Voice{{Engine: EngineFlite, Name: "-o", Rate: 100}}}, nil},
		{"name with slash", threePhrases, Options{Voices: []Voice{{Engine: EngineFlite, Name: "a/b", Rate: 100}}}, nil},
		{"unknown flite voice", threePhrases[:1], Options{Voices: []Voice{{Engine: EngineFlite, Name: "nosuch", Rate: 100}}}, ErrTool},
		{"unknown espeak voice", threePhrases[:1], Options{Voices: []Voice{{Engine: EngineEspeak, Name: "xx-nosuch", Rate: 175}}}, ErrTool},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			us, err := Build(ctx, t.TempDir(), tc.phrases, tc.opts)
			if err == nil {
				t.Fatalf("Build = %+v, want an error", us)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Build: %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
}

func TestBuildCancel(t *testing.T) {
	requireSynths(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Build(ctx, t.TempDir(), threePhrases, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Build with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestBuildWholeCorpus builds the module's phrase list as the issue asks:
// at least 100 utterances, every voice and rate of the rotation used, all
// of them speech.
func TestBuildWholeCorpus(t *testing.T) {
	requireSynths(t)
	path, err := PhrasesFile()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	us, err := Build(t.Context(), t.TempDir(), ps, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d utterances in %v", len(us), time.Since(start))
	if len(us) < 100 {
		t.Errorf("%d utterances, want at least 100", len(us))
	}
	used := map[Voice]int{}
	for _, u := range us {
		used[Voice{u.Engine, u.Voice, u.Rate}]++
		if r := rms(readUtterance(t, u.WAV)); r < 300 {
			t.Errorf("%s by %s@%d: RMS %.0f", u.ID, u.Voice, u.Rate, r)
		}
	}
	for _, v := range DefaultVoices() {
		if used[v] < 4 {
			t.Errorf("%s spoke %d utterances, want at least 4", v, used[v])
		}
	}
}
