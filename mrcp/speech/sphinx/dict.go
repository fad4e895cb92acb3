package sphinx

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// dictionary holds the pronunciations of a CMU pronouncing dictionary
// file: each word's phones, alternatives ("word(2)") after the first. It
// is read once and then only read, so it is safe for concurrent use.
type dictionary map[string][]string

func loadDictionary(path string) (dictionary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := make(dictionary, 140_000)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], ";;;") {
			continue
		}
		word := fields[0]
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s:%d: no pronunciation for %q", path, n, word)
		}
		if i := strings.IndexByte(word, '('); i > 0 && strings.HasSuffix(word, ")") {
			word = word[:i]
		}
		d[word] = append(d[word], strings.Join(fields[1:], " "))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("%s: no words", path)
	}
	return d, nil
}
