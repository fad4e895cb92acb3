package espeak

import (
	"fmt"
	"strings"

	"github.com/parley-cc/parley/mrcp/speech"
)

// rawVoice is a voice as espeak-ng's voice list describes it.
type rawVoice struct {
	name       string // "English (America)"
	identifier string // "gmw/en-US", "!v/f3"
	languages  []byte // espeak's list: (priority byte, NUL-terminated tag)*, then a 0 byte
	gender     int    // 0 none, 1 male, 2 female
	age        int    // years, 0 unknown
}

// language is one entry of a voice's language list.
type language struct {
	priority int // lower is preferred
	tag      string
}

// parseLanguages decodes espeak-ng's language list: pairs of a priority
// byte and a NUL-terminated tag, up to a 0 priority byte or the end of b.
// A tag cut short by the end of b is dropped, as are empty tags.
func parseLanguages(b []byte) []language {
	var out []language
	for len(b) > 0 && b[0] != 0 {
		prio := int(b[0])
		b = b[1:]
		end := 0
		for end < len(b) && b[end] != 0 {
			end++
		}
		if end == len(b) {
			break // unterminated
		}
		if end > 0 {
			out = append(out, language{prio, string(b[:end])})
		}
		b = b[end+1:]
	}
	return out
}

// bcp47 writes an espeak-ng language name as a BCP 47 tag in its usual
// case: "en-us" is "en-US", "cmn-latn-pinyin" is "cmn-Latn-pinyin",
// "en-gb-x-rp" is "en-GB-x-rp". Underscores count as hyphens.
func bcp47(tag string) string {
	parts := strings.FieldsFunc(tag, func(r rune) bool { return r == '-' || r == '_' })
	private := false
	for i, p := range parts {
		p = asciiCase(p, false)
		switch {
		case i == 0 || private:
		case p == "x":
			private = true
		case len(p) == 2 && isAlpha(p):
			p = asciiCase(p, true)
		case len(p) == 4 && isAlpha(p):
			p = asciiCase(p[:1], true) + p[1:]
		}
		parts[i] = p
	}
	return strings.Join(parts, "-")
}

// asciiCase maps the ASCII letters of s to upper or lower case, leaving
// other bytes alone (tags are ASCII; Unicode case rules do not apply).
func asciiCase(s string, upper bool) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// gender names espeak-ng's gender code.
func gender(code int) string {
	switch code {
	case 1:
		return "male"
	case 2:
		return "female"
	}
	return "neutral"
}

// voice is a voice the engine offers or accepts.
type voice struct {
	speech.Voice
	// id is what espeak_SetVoiceByName takes: the voice file's
	// identifier, plus "+variant".
	id string
	// base is the name of the voice without its variant; variant is the
	// variant's name, "" for none.
	base, variant string
}

// variantInfo is an installed voice variant.
type variantInfo struct {
	name   string // "f3", the file name in espeak-ng-data/voices/!v
	gender string
	age    int
}

// catalog is the voices and variants installed.
type catalog struct {
	voices   []*voice // base voices, then base+variant for each configured variant
	byName   map[string]*voice
	variants map[string]variantInfo
}

// newCatalog builds the voice catalog from espeak-ng's lists of voices and
// of variants: every voice is named after its first language ("en-us"),
// and each of the variants named in offer is offered with every voice
// ("en-us+f3"). A variant in offer that is not installed is an error.
func newCatalog(voices, variants []rawVoice, offer []string) (*catalog, error) {
	c := &catalog{byName: map[string]*voice{}, variants: map[string]variantInfo{}}
	for _, v := range variants {
		name := strings.ToLower(v.identifier[strings.LastIndexByte(v.identifier, '/')+1:])
		if name == "" {
			continue
		}
		if _, dup := c.variants[name]; !dup {
			c.variants[name] = variantInfo{name: name, gender: gender(v.gender), age: v.age}
		}
	}
	var bases []*voice
	for _, v := range voices {
		langs := parseLanguages(v.languages)
		if len(langs) == 0 || v.identifier == "" {
			continue
		}
		name := strings.ToLower(langs[0].tag)
		if _, dup := c.byName[name]; dup {
			continue
		}
		b := &voice{
			Voice: speech.Voice{Name: name, Engine: EngineName, Language: bcp47(name), Gender: gender(v.gender), Age: v.age},
			id:    v.identifier,
			base:  name,
		}
		c.byName[name] = b
		bases = append(bases, b)
	}
	c.voices = append(c.voices, bases...)
	for _, vn := range offer {
		vi, ok := c.variants[strings.ToLower(vn)]
		if !ok {
			return nil, fmt.Errorf("espeak: %w: no variant %q", speech.ErrNoVoice, vn)
		}
		for _, b := range bases {
			v := c.withVariant(b, vi)
			c.byName[v.Name] = v
			c.voices = append(c.voices, v)
		}
	}
	return c, nil
}

// withVariant returns base voice b with variant vi.
func (c *catalog) withVariant(b *voice, vi variantInfo) *voice {
	v := *b
	v.Name = b.base + "+" + vi.name
	v.id = b.id + "+" + vi.name
	v.variant = vi.name
	v.Gender, v.Age = vi.gender, vi.age
	return &v
}

// lookup finds a voice by name: an offered voice ("en-us", "en-us+f3"),
// or any installed variant of an offered base voice ("en-us+klatt"), in
// any case, with or without "espeak-ng/" in front.
func (c *catalog) lookup(name string) *voice {
	name = strings.ToLower(strings.TrimSpace(name))
	name = strings.TrimPrefix(name, EngineName+"/")
	name = strings.ReplaceAll(name, "_", "-")
	if v, ok := c.byName[name]; ok {
		return v
	}
	base, variant, ok := strings.Cut(name, "+")
	if !ok {
		return nil
	}
	b, okb := c.byName[base]
	vi, okv := c.variants[variant]
	if !okb || !okv || b.variant != "" {
		return nil
	}
	return c.withVariant(b, vi)
}

// forLanguage returns the voice to speak tag with, keeping cur's variant:
// the voice of that exact tag, else the first whose primary language
// matches; nil if none.
func (c *catalog) forLanguage(cur *voice, tag string) *voice {
	tag = strings.ToLower(strings.ReplaceAll(tag, "_", "-"))
	if tag == "" || strings.EqualFold(cur.Language, tag) {
		return cur
	}
	b, ok := c.byName[tag]
	if ok && b.variant != "" {
		ok = false // a variant's name, not a language
	}
	if !ok {
		primary, _, _ := strings.Cut(tag, "-")
		curPrimary, _, _ := strings.Cut(strings.ToLower(cur.Language), "-")
		if primary == curPrimary {
			return cur // same language, another region: keep the voice
		}
		for _, v := range c.voices {
			p, _, _ := strings.Cut(v.base, "-")
			if v.variant == "" && p == primary {
				b, ok = v, true
				break
			}
		}
		if !ok {
			return nil
		}
	}
	if cur.variant == "" {
		return b
	}
	return c.withVariant(b, c.variants[cur.variant])
}

// forGender returns cur, or cur's base voice with a variant of gender g
// when cur's gender is another: the first of the offered variants of
// that gender, else f3 for female and m3 for male. nil if none fits.
func (c *catalog) forGender(cur *voice, g string, offered []string) *voice {
	g = strings.ToLower(g)
	if g == "" || g == cur.Gender {
		return cur
	}
	b := c.byName[cur.base]
	if b.Gender == g {
		return b
	}
	for _, name := range append(offered, "f3", "m3") {
		if vi, ok := c.variants[strings.ToLower(name)]; ok && vi.gender == g {
			return c.withVariant(b, vi)
		}
	}
	return nil
}
