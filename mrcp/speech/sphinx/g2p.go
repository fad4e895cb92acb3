package sphinx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxPronunciations bounds the pronouncer's cache; past it the cache
// starts again empty.
const maxPronunciations = 100_000

// errNoPronunciation means a word is missing from the dictionary and no
// pronunciation could be made for it.
var errNoPronunciation = errors.New("no pronunciation")

// pronouncer makes CMU (ARPAbet) pronunciations for words the dictionary
// lacks, from the IPA transcription of espeak-ng's English rules and
// exception lists (espeak-ng -q -x --ipa -v en-us). It is safe for
// concurrent use.
type pronouncer struct {
	espeak string // path of espeak-ng; "" when none is available

	mu    sync.Mutex
	cache map[string]string // word -> phones, "" for a failure
}

// pronounce returns the pronunciation of each word it can make, running
// espeak-ng once for all the words not already cached.
func (p *pronouncer) pronounce(ctx context.Context, ws []string) (map[string]string, error) {
	out := make(map[string]string, len(ws))
	var todo []string
	p.mu.Lock()
	for _, w := range ws {
		if ph, ok := p.cache[w]; ok {
			if ph != "" {
				out[w] = ph
			}
		} else if !slicesContains(todo, w) {
			todo = append(todo, w)
		}
	}
	p.mu.Unlock()
	if len(todo) == 0 {
		return out, nil
	}
	if p.espeak == "" {
		return out, fmt.Errorf("%w: espeak-ng not available for %q", errNoPronunciation, todo)
	}
	ipa, err := p.transcribe(ctx, todo)
	if err != nil {
		return out, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cache == nil || len(p.cache)+len(todo) > maxPronunciations {
		p.cache = make(map[string]string)
	}
	for i, w := range todo {
		ph, _ := ipaToARPAbet(ipa[i])
		p.cache[w] = ph
		if ph != "" {
			out[w] = ph
		}
	}
	return out, nil
}

func slicesContains(s []string, w string) bool {
	for _, x := range s {
		if x == w {
			return true
		}
	}
	return false
}

// transcribe returns espeak-ng's IPA for each word. espeak-ng writes one
// line per input line; should that ever not hold, the words are done one
// by one.
func (p *pronouncer) transcribe(ctx context.Context, ws []string) ([]string, error) {
	lines, err := p.run(ctx, strings.Join(ws, "\n"))
	if err != nil {
		return nil, err
	}
	if len(lines) == len(ws) {
		return lines, nil
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		l, err := p.run(ctx, w)
		if err != nil {
			return nil, err
		}
		out[i] = strings.Join(l, " ")
	}
	return out, nil
}

func (p *pronouncer) run(ctx context.Context, text string) ([]string, error) {
	cmd := exec.CommandContext(ctx, p.espeak, "-q", "-x", "--ipa", "-v", "en-us")
	cmd.Stdin = strings.NewReader(text + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: espeak-ng: %v: %s", errNoPronunciation, err, bytes.TrimSpace(stderr.Bytes()))
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return lines, nil
}

// ipaPhones maps espeak-ng's American English IPA to the phones of the CMU
// dictionary (and of the en-us acoustic model). Longer keys win.
var ipaPhones = map[string]string{
	// r-coloured vowels and vowel + r.
	"ɚ": "ER", "ɝ": "ER", "ɜː": "ER", "ɜ": "ER", "ɜːɹ": "ER",
	"ɑːɹ": "AA R", "ɑɹ": "AA R", "oːɹ": "AO R", "ɔːɹ": "AO R", "ɔɹ": "AO R", "oɹ": "AO R",
	"ɛɹ": "EH R", "ɪɹ": "IH R", "iɹ": "IY R", "ʊɹ": "UH R", "uɹ": "UW R",
	"aɪɚ": "AY ER", "aʊɚ": "AW ER", "aɪə": "AY AH", "aʊə": "AW AH",
	// Diphthongs.
	"eɪ": "EY", "aɪ": "AY", "aʊ": "AW", "ɔɪ": "OY", "oʊ": "OW", "əʊ": "OW",
	// Monophthongs.
	"iː": "IY", "i": "IY", "ɪ": "IH", "ᵻ": "IH", "ɨ": "IH", "e": "EH", "ɛ": "EH",
	"æ": "AE", "a": "AE", "ɑː": "AA", "ɑ": "AA", "ɒ": "AA", "ɔː": "AO", "ɔ": "AO",
	"oː": "AO", "o": "OW", "ʊ": "UH", "uː": "UW", "u": "UW", "ʌ": "AH", "ə": "AH", "ɐ": "AH",
	// Syllabic consonants (combining U+0329).
	"n̩": "AH N", "l̩": "AH L", "m̩": "AH M",
	// Consonants. A flap is written T, as the dictionary mostly does
	// ("water", "little"); a glottal stop stands for T ("button").
	"tʃ": "CH", "dʒ": "JH", "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "ɡ": "G", "g": "G",
	"f": "F", "v": "V", "θ": "TH", "ð": "DH", "s": "S", "z": "Z", "ʃ": "SH", "ʒ": "ZH",
	"h": "HH", "m": "M", "n": "N", "ŋ": "NG", "l": "L", "ɫ": "L", "ɹ": "R", "r": "R",
	"ɾ": "T", "ʔ": "T", "w": "W", "ʍ": "W", "j": "Y", "x": "K", "ç": "HH", "ɬ": "L",
	"c": "K", "ɲ": "N", "ʋ": "V", "β": "B", "ɣ": "G", "χ": "K",
}

// ipaIgnored are marks that carry no phone: stress, length left over,
// syllable and word boundaries, a stray syllabic mark.
const ipaIgnored = "ˈˌː.-_ '\u0329"

var ipaKeys = func() []string {
	keys := make([]string, 0, len(ipaPhones))
	for k := range ipaPhones {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return utf8.RuneCountInString(keys[i]) > utf8.RuneCountInString(keys[j])
	})
	return keys
}()

// ipaToARPAbet converts an IPA transcription to space-separated CMU phones.
// It drops what it cannot map (and says so with ok false), and returns ""
// when nothing is left. Parenthesized language switches such as "(fr)"
// are removed first.
func ipaToARPAbet(ipa string) (phones string, ok bool) {
	ok = true
	for {
		i := strings.IndexByte(ipa, '(')
		j := strings.IndexByte(ipa, ')')
		if i < 0 || j < i {
			break
		}
		ipa = ipa[:i] + ipa[j+1:]
	}
	// Ties between the letters of one phone (--ipa=3 writes them).
	ipa = strings.NewReplacer("\u200d", "", "\u0361", "").Replace(ipa)
	var out []string
	for len(ipa) > 0 {
		matched := false
		for _, k := range ipaKeys {
			if strings.HasPrefix(ipa, k) {
				out = append(out, ipaPhones[k])
				ipa = ipa[len(k):]
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		r, n := utf8.DecodeRuneInString(ipa)
		if !strings.ContainsRune(ipaIgnored, r) {
			ok = false
		}
		ipa = ipa[n:]
	}
	return strings.Join(out, " "), ok
}
