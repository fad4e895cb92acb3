package sphinx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// arpaModel is an ARPA back-off model read back for checking.
type arpaModel struct {
	order  int
	counts []int // declared count per order, from \data\
	vocab  []string
	prob   map[string]float64 // log10, by space-joined n-gram
	bow    map[string]float64
}

// parseARPA reads an ARPA text model strictly: the \data\ header, every
// section its header announces with exactly the announced number of
// entries, words that the unigrams list, and \end\.
func parseARPA(text []byte) (*arpaModel, error) {
	m := &arpaModel{prob: map[string]float64{}, bow: map[string]float64{}}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<20)
	state, section, seen := "start", 0, 0
	known := map[string]bool{}
	for sc.Scan() {
		ln := strings.TrimSpace(sc.Text())
		switch {
		case ln == "":
			continue
		case state == "start":
			if ln != `\data\` {
				return nil, fmt.Errorf("want \\data\\, got %q", ln)
			}
			state = "data"
		case state == "data" && strings.HasPrefix(ln, "ngram "):
			var n, c int
			if _, err := fmt.Sscanf(ln, "ngram %d=%d", &n, &c); err != nil || n != len(m.counts)+1 || c < 0 {
				return nil, fmt.Errorf("bad count line %q", ln)
			}
			m.counts = append(m.counts, c)
		case ln == `\end\`:
			if section != len(m.counts) || seen != m.counts[section-1] {
				return nil, fmt.Errorf("\\end\\ after %d of %d sections", section, len(m.counts))
			}
			m.order = len(m.counts)
			return m, nil
		case strings.HasSuffix(ln, "-grams:"):
			if section > 0 && seen != m.counts[section-1] {
				return nil, fmt.Errorf("section %d: %d entries, %d announced", section, seen, m.counts[section-1])
			}
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(ln, `\`), "-grams:"))
			if err != nil || n != section+1 || n > len(m.counts) {
				return nil, fmt.Errorf("bad section header %q", ln)
			}
			section, seen, state = n, 0, "grams"
		case state == "grams":
			f := strings.Fields(ln)
			if len(f) != section+1 && len(f) != section+2 {
				return nil, fmt.Errorf("bad %d-gram line %q", section, ln)
			}
			p, err := strconv.ParseFloat(f[0], 64)
			if err != nil || p > 0 {
				return nil, fmt.Errorf("bad probability in %q", ln)
			}
			ws := f[1 : section+1]
			for _, w := range ws {
				if section > 1 && !known[w] {
					return nil, fmt.Errorf("%q: word %q is not a unigram", ln, w)
				}
			}
			key := strings.Join(ws, " ")
			if _, dup := m.prob[key]; dup {
				return nil, fmt.Errorf("duplicate n-gram %q", key)
			}
			if section > 1 {
				if _, ok := m.prob[strings.Join(ws[:section-1], " ")]; !ok {
					return nil, fmt.Errorf("%q: history not listed", ln)
				}
			}
			m.prob[key] = p
			if len(f) == section+2 {
				b, err := strconv.ParseFloat(f[section+1], 64)
				if err != nil {
					return nil, fmt.Errorf("bad backoff in %q", ln)
				}
				m.bow[key] = b
			}
			if section == 1 {
				known[ws[0]] = true
				if ws[0] != sentStart {
					m.vocab = append(m.vocab, ws[0])
				}
			}
			seen++
		default:
			return nil, fmt.Errorf("unexpected line %q", ln)
		}
	}
	return nil, errors.New("no \\end\\")
}

// logProb is log10 P(w | hist) by the back-off rule.
func (m *arpaModel) logProb(hist []string, w string) float64 {
	if len(hist) > m.order-1 {
		hist = hist[len(hist)-m.order+1:]
	}
	if p, ok := m.prob[strings.Join(append(append([]string{}, hist...), w), " ")]; ok {
		return p
	}
	if len(hist) == 0 {
		return math.Inf(-1)
	}
	return m.bow[strings.Join(hist, " ")] + m.logProb(hist[1:], w)
}

// checkSums asserts that P(. | h) sums to 1 over the vocabulary for every
// history the model lists, and for a history it never saw.
func checkSums(t testing.TB, m *arpaModel) {
	t.Helper()
	hists := [][]string{nil, {"never-seen-word"}}
	for key := range m.prob {
		ws := strings.Fields(key)
		if len(ws) < m.order && ws[len(ws)-1] != sentEnd {
			hists = append(hists, ws)
		}
	}
	for _, h := range hists {
		sum := 0.0
		for _, w := range m.vocab {
			sum += math.Pow(10, m.logProb(h, w))
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Fatalf("P(. | %q) sums to %.6f", strings.Join(h, " "), sum)
		}
	}
}

func sentencesOf(phrases ...string) [][]string {
	var s [][]string
	for _, p := range phrases {
		s = append(s, words(p))
	}
	return s
}

func TestARPASumsToOne(t *testing.T) {
	for _, tc := range []struct {
		name    string
		phrases []string
	}{
		{"one word", []string{"yes"}},
		{"one sentence", []string{"i lost my card"}},
		{"repeats", []string{"yes", "yes", "no", "yes please", "no thanks", "no no no"}},
		{"banking", bankingPhrases},
		{"empty phrases kept out", []string{"", "i want an agent", "  ", "agent"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, err := buildARPA(sentencesOf(tc.phrases...))
			if err != nil {
				t.Fatal(err)
			}
			m, err := parseARPA(text)
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			if m.order != 3 {
				t.Fatalf("order %d", m.order)
			}
			checkSums(t, m)
		})
	}
}

func TestARPAProbabilities(t *testing.T) {
	text, err := buildARPA(sentencesOf("a b", "a c"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseARPA(text)
	if err != nil {
		t.Fatal(err)
	}
	// N = 6 tokens (a b </s> a c </s>), V = 4 (a b c </s>).
	for _, tc := range []struct {
		hist []string
		w    string
		want float64
	}{
		{nil, "a", 3.0 / 10},
		{nil, sentEnd, 3.0 / 10},
		{nil, "b", 2.0 / 10},
		// After a: c=2, T=2: (1 + 2*0.2)/4.
		{[]string{"a"}, "b", (1 + 2*0.2) / 4},
		// Unseen after a: bow 2/4 times P(</s>).
		{[]string{"a"}, sentEnd, 0.5 * 0.3},
		// <s> a: c=2, T=2: (1 + 2*P(b|a)) / 4.
		{[]string{sentStart, "a"}, "b", (1 + 2*0.35) / 4},
	} {
		got := math.Pow(10, m.logProb(tc.hist, tc.w))
		if math.Abs(got-tc.want) > 1e-5 {
			t.Errorf("P(%s | %v) = %.6f, want %.6f", tc.w, tc.hist, got, tc.want)
		}
	}
}

func TestARPANoWords(t *testing.T) {
	if _, err := buildARPA(sentencesOf("", "?!", "...")); !errors.Is(err, errNoWords) {
		t.Fatalf("got %v, want errNoWords", err)
	}
}

func TestARPADeterministic(t *testing.T) {
	a, _ := buildARPA(sentencesOf(bankingPhrases...))
	b, _ := buildARPA(sentencesOf(bankingPhrases...))
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of the same phrases differ")
	}
}
