package srgs

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Hard limits on a grammar. Parse and Builtin return an error wrapping
// ErrTooComplex when a grammar exceeds one; Match gives up (no match)
// on input longer than MaxInputWords.
const (
	// MaxBodySize is the largest grammar body Parse reads, in bytes.
	MaxBodySize = 1 << 20
	// MaxDepth is the deepest nesting of elements (XML form) or groups
	// (ABNF form).
	MaxDepth = 64
	// MaxRules is the most rules one grammar may define.
	MaxRules = 2000
	// MaxNodes is the most expansion nodes (tokens, items, alternatives,
	// references, tags) one grammar may hold.
	MaxNodes = 100000
	// MaxRepeat is the largest repeat count, lower or upper bound, of an
	// item (repeat="0-1000" is allowed, "0-1001" is not).
	MaxRepeat = 1000
	// MaxExpansion bounds the size of the grammar with every repeat
	// written out (its bounded upper count times its item), summed over
	// rules: it bounds Match's work per input word and JSGF's output.
	MaxExpansion = 200000
	// MaxInputWords is the longest input Match and Prefix consider.
	MaxInputWords = 512
)

// Mode is a grammar's input mode (SRGS section 4.6).
type Mode uint8

// The two modes of SRGS 1.0.
const (
	// Voice grammars match spoken words.
	Voice Mode = iota
	// DTMF grammars match telephone keys: 0-9, *, # and A-D.
	DTMF
)

// String returns "voice" or "dtmf".
func (m Mode) String() string {
	if m == DTMF {
		return "dtmf"
	}
	return "voice"
}

// Tag formats (SRGS section 4.8, SISR 1.0 section 3). Under
// TagFormatLiterals a tag's text is its value. Under any other tag
// format, or none, a tag in the supported script subset runs as a
// script and any other tag is a literal.
const (
	// TagFormatLiterals is tag-format="semantics/1.0-literals".
	TagFormatLiterals = "semantics/1.0-literals"
	// TagFormatScript is tag-format="semantics/1.0".
	TagFormatScript = "semantics/1.0"
)

// Grammar is a parsed SRGS 1.0 grammar: its header (mode, language, root
// rule, tag format) and its rules. A Grammar is immutable once Parse or
// Builtin returns it, and its methods may be called from any number of
// goroutines at once.
type Grammar struct {
	mode       Mode
	lang       string
	root       string
	tagFormat  string
	transcribe bool

	rules []*rule // in document order
	byID  map[string]int
	rootI int      // index of the root rule in rules; -1 when transcribing
	words []string // vocabulary, sorted, computed once
}

type rule struct {
	id     string
	public bool
	body   *node
	line   int
	col    int
	// analysis, filled by finish
	productive bool // matches at least one string
	nullable   bool // matches the empty string
	grows      bool // matches at least one non-empty string
}

type kind uint8

const (
	kWord    kind = iota // one normalized word (or DTMF key)
	kSeq                 // kids in order
	kAlt                 // one of kids, with weights
	kRepeat              // kids[0] from min to max times
	kRef                 // rule reference
	kNull                // $NULL: matches the empty string
	kVoid                // $VOID: matches nothing
	kGarbage             // $GARBAGE: matches any words
	kTag                 // a semantic tag
)

type node struct {
	kind   kind
	word   string
	kids   []*node
	choice *choice // kAlt only
	min    int     // kRepeat
	max    int     // kRepeat; -1 for unbounded
	prob   float64 // kRepeat: repeat-prob, -1 if absent
	ref    string  // kRef: rule id
	refI   int     // kRef: index in Grammar.rules
	tag    string  // kTag: the tag's text
	prog   []stmt  // kTag: the compiled script; nil for a literal
	id     int     // unique in the grammar, from 0
	line   int
	col    int
	// analysis, filled by finish
	productive bool
	nullable   bool
	grows      bool
}

// choice holds what only an alternative (kAlt) needs.
type choice struct {
	weights []float64 // one per kid
	order   []int     // kids by weight, heaviest first, then in order
	rank    []int     // each kid's place in order
	first   *altIndex // which kids can start with which word; nil if few
}

// Mode returns the grammar's mode, Voice unless the grammar says
// mode="dtmf".
func (g *Grammar) Mode() Mode { return g.mode }

// Lang returns the grammar's language (xml:lang or the ABNF language
// declaration), "" when it declares none.
func (g *Grammar) Lang() string { return g.lang }

// Root returns the id of the root rule: the grammar's root attribute or
// declaration, or else its first public rule, or else its first rule. It
// is "" for builtin:speech/transcribe.
func (g *Grammar) Root() string { return g.root }

// TagFormat returns the grammar's tag-format ("semantics/1.0",
// "semantics/1.0-literals"), "" when it declares none.
func (g *Grammar) TagFormat() string { return g.tagFormat }

// Transcribe reports whether the grammar asks for free transcription
// (builtin:speech/transcribe): it has no rules, Match accepts any words,
// and a recognizer should use its generic language model.
func (g *Grammar) Transcribe() bool { return g.transcribe }

// Rules returns the ids of the grammar's rules in document order.
func (g *Grammar) Rules() []string {
	ids := make([]string, len(g.rules))
	for i, r := range g.rules {
		ids[i] = r.id
	}
	return ids
}

// Words returns the grammar's vocabulary: every word of every rule
// reachable from the root, lower case, each once, sorted. For a DTMF
// grammar the words are the keys ("0"-"9", "*", "#", "A"-"D"). The caller
// may modify the returned slice.
func (g *Grammar) Words() []string {
	return slices.Clone(g.words)
}

// normWords splits text from a grammar or an input into the words a
// grammar matches: lower case, with punctuation dropped. Letters, digits,
// marks and inner apostrophes make up words; everything else separates
// them ("twenty-one" is two words, "don't" one).
func normWords(s string, dst []string) []string {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.Trim(s[start:end], "'’")
		if w != "" {
			dst = append(dst, strings.ToLower(strings.ReplaceAll(w, "’", "'")))
		}
		start = -1
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return dst
}

// dtmfKey returns the canonical DTMF key for r and whether r is one.
func dtmfKey(r rune) (string, bool) {
	switch {
	case r >= '0' && r <= '9', r == '*', r == '#':
		return string(r), true
	case r >= 'A' && r <= 'D':
		return string(r), true
	case r >= 'a' && r <= 'd':
		return string(r - 'a' + 'A'), true
	}
	return "", false
}

// dtmfWords splits DTMF text into keys, with or without spaces between
// them. It returns the first character that is not a key, if any.
func dtmfWords(s string, dst []string) ([]string, rune, bool) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		k, ok := dtmfKey(r)
		if !ok {
			return dst, r, false
		}
		dst = append(dst, k)
	}
	return dst, 0, true
}

// splitInput turns a recognizer's or a caller's text into words for the
// grammar's mode. Characters that are not DTMF keys are ignored in DTMF
// mode.
func (g *Grammar) splitInput(input string) []string {
	if g.mode == DTMF {
		var out []string
		for _, r := range input {
			if k, ok := dtmfKey(r); ok {
				out = append(out, k)
			}
		}
		return out
	}
	return normWords(input, nil)
}

// String describes the grammar for logs: "srgs(voice en-US root=main
// rules=5)", or "srgs(transcribe)".
func (g *Grammar) String() string {
	if g.transcribe {
		return "srgs(transcribe)"
	}
	var b strings.Builder
	b.WriteString("srgs(" + g.mode.String())
	if g.lang != "" {
		b.WriteString(" " + g.lang)
	}
	b.WriteString(" root=" + g.root + " rules=" + strconv.Itoa(len(g.rules)) + ")")
	return b.String()
}
