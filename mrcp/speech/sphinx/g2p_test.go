package sphinx

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech/corpus"
)

func TestIPAToARPAbet(t *testing.T) {
	for _, tc := range []struct {
		ipa, want string
		ok        bool
	}{
		{"zˈɛl", "Z EH L", true},
		{"tʃˈætbɑːt", "CH AE T B AA T", true},
		{"ɹᵻfaɪnˈæns", "R IH F AY N AE N S", true},
		{"θˈɜːɾi", "TH ER T IY", true},
		{"bˈʌʔn̩", "B AH T AH N", true},
		{"fˈɑːðɚ", "F AA DH ER", true},
		{"kˈɑːɹ dˈoːɹ", "K AA R D AO R", true},
		{"kjˈʊɹ", "K Y UH R", true},
		{"bˈɪɹ kˈɛɹ", "B IH R K EH R", true},
		{"fˈaɪɚ ˈaʊɚ", "F AY ER AW ER", true},
		{"ɡˈoʊ ʃˈoʊ bˈɔɪ hˈaʊs", "G OW SH OW B OY HH AW S", true},
		{"mˈɛʒɚ dʒˈʌdʒ", "M EH ZH ER JH AH JH", true},
		{"sˈɪŋɪŋ", "S IH NG IH NG", true},
		{"ɐbˈaʊt", "AH B AW T", true},
		{"lˈɑːx", "L AA K", true},
		{"(fr)kafe(en)", "K AE F EH", true},
		{"t\u200dʃˈæt", "CH AE T", true}, // --ipa=3 joiners
		{"kˈæt☃", "K AE T", false},
		{"", "", true},
		{"ˈˌː", "", true},
	} {
		got, ok := ipaToARPAbet(tc.ipa)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ipaToARPAbet(%q) = %q, %v; want %q, %v", tc.ipa, got, ok, tc.want, tc.ok)
		}
	}
}

// TestIPAPhonesAreModelPhones checks that the map only makes phones the
// acoustic model has: PocketSphinx refuses a word with any other.
func TestIPAPhonesAreModelPhones(t *testing.T) {
	for ipa, phones := range ipaPhones {
		for _, ph := range strings.Fields(phones) {
			if !slices.Contains(garbagePhones, ph) {
				t.Errorf("%q maps to %q, not a phone of the model", ipa, ph)
			}
		}
	}
}

// phoneErrors is the edit distance between two phone strings.
func phoneErrors(a, b string) int {
	return wordErrors(a, b)
}

// TestPronunciationsAgreeWithDictionary measures the espeak-ng
// pronunciations against the CMU dictionary on words it has: the phone
// error rate to the nearest of a word's dictionary pronunciations.
func TestPronunciationsAgreeWithDictionary(t *testing.T) {
	espeakPath := mediatest.RequireTool(t, "espeak-ng")
	dict, err := loadDictionary(DefaultDict)
	if err != nil {
		t.Fatal(err)
	}
	// A fixed sample: every 500th word of plain letters, in sorted order.
	var all []string
	for w := range dict {
		if strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 && len(w) >= 3 {
			all = append(all, w)
		}
	}
	slices.Sort(all)
	var sample []string
	for i := 0; i < len(all); i += 500 {
		sample = append(sample, all[i])
	}
	p := &pronouncer{espeak: espeakPath}
	made, err := p.pronounce(context.Background(), sample)
	if err != nil {
		t.Fatal(err)
	}
	errs, phones, exact := 0, 0, 0
	for _, w := range sample {
		got := made[w]
		if got == "" {
			t.Errorf("no pronunciation for %q", w)
			continue
		}
		best := -1
		for _, ref := range dict[w] {
			if e := phoneErrors(ref, got); best < 0 || e < best {
				best = e
			}
		}
		if best == 0 {
			exact++
		}
		errs += best
		phones += len(strings.Fields(dict[w][0]))
	}
	per := float64(errs) / float64(phones)
	t.Logf("%d words: phone error rate %.1f%%, %d exact", len(sample), 100*per, exact)
	if per > 0.30 {
		t.Errorf("phone error rate %.1f%% against the dictionary, want at most 30%%", 100*per)
	}
}

func TestPronouncerCachesAndFails(t *testing.T) {
	p := &pronouncer{espeak: mediatest.RequireTool(t, "espeak-ng")}
	ctx := context.Background()
	first, err := p.pronounce(ctx, []string{"venmo", "zorblat", "venmo"})
	if err != nil || first["venmo"] == "" || first["zorblat"] == "" {
		t.Fatalf("pronounce: %v, %v", first, err)
	}
	p.espeak = "/nonexistent/espeak-ng" // cached words need no espeak-ng
	again, err := p.pronounce(ctx, []string{"venmo"})
	if err != nil || again["venmo"] != first["venmo"] {
		t.Fatalf("cached: %v, %v", again, err)
	}
	if _, err := p.pronounce(ctx, []string{"quuxly"}); !errors.Is(err, errNoPronunciation) {
		t.Fatalf("without espeak-ng: %v, want errNoPronunciation", err)
	}
	none := &pronouncer{}
	if _, err := none.pronounce(ctx, []string{"quuxly"}); !errors.Is(err, errNoPronunciation) {
		t.Fatalf("no espeak-ng configured: %v, want errNoPronunciation", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	p.espeak = mediatest.RequireTool(t, "espeak-ng")
	if _, err := p.pronounce(canceled, []string{"blorptastic"}); err == nil {
		t.Fatal("canceled context: no error")
	}
}

// TestSampleVocabulary reports which words of the sample phrase sets the
// dictionary lacks, and checks that each gets a pronunciation.
func TestSampleVocabulary(t *testing.T) {
	e := newTestEngine(t, Config{})
	path, err := corpus.PhrasesFile()
	if err != nil {
		t.Fatal(err)
	}
	phrases, err := corpus.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string][]string{"banking test phrases": bankingPhrases}
	for _, p := range phrases {
		sets["corpus phrases"] = append(sets["corpus phrases"], p.Text)
	}
	for name, set := range sets {
		var vocab []string
		for _, p := range set {
			vocab = append(vocab, words(p)...)
		}
		vocab = distinct(vocab)
		var oov []string
		for _, w := range vocab {
			if _, ok := e.dict[w]; !ok {
				oov = append(oov, w)
			}
		}
		prons, missing, err := e.pronounce(context.Background(), vocab)
		if err != nil || len(missing) > 0 {
			t.Fatalf("%s: %v, missing %q", name, err, missing)
		}
		var made []string
		for _, w := range oov {
			made = append(made, w+" /"+prons[w][0]+"/")
		}
		t.Logf("%s: %d words, %d not in the dictionary: %s", name, len(vocab), len(oov), strings.Join(made, ", "))
	}
}
