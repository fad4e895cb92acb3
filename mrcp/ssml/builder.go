package ssml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// state is what enclosing elements give the text inside them.
type state struct {
	lang    string
	voice   Voice
	prosody Prosody
}

// collector gathers the text of an element whose content is rendered as
// a whole when it ends: say-as, sub and audio.
type collector struct {
	name     string // "say-as", "sub" or "audio"
	out, raw strings.Builder
	st       state
	sayAs    SayAs
	alias    string
	hasAlias bool
	src      string
}

// frame is one open element.
type frame struct {
	name     string
	st       state
	coll     *collector // set on the element that started it
	skip     bool       // content is not spoken (desc, meta, ...)
	boundary Strength   // p and s: boundary at start and end
}

// builder flattens the element stream into a Document.
type builder struct {
	doc     *Document
	stack   []frame
	colls   []*collector
	started bool
	done    bool

	// The run: text at the top level not yet made into an item.
	run, src   []byte
	runSt      state
	delivered  bool // the run ends with the space after a say-as or sub
	runHasText bool
	runPlain   bool // text outside say-as in the run
	runSayAs   []SayAs

	pending      Strength // boundary owed before the next Text or Audio
	contentSeen  bool     // a Text or Audio item has been emitted
	breakPending bool     // a Break was emitted since the last content
}

func newBuilder(lang string) *builder {
	return &builder{doc: &Document{Lang: lang}}
}

func (b *builder) cur() state {
	return b.stack[len(b.stack)-1].st
}

func (b *builder) skipping() bool {
	return len(b.stack) > 0 && b.stack[len(b.stack)-1].skip
}

func (b *builder) start(t xml.StartElement) error {
	if !b.started {
		if t.Name.Local != "speak" {
			return fmt.Errorf("root element is <%s>, want <speak>", t.Name.Local)
		}
		b.started = true
		st := state{lang: b.doc.Lang, prosody: DefaultProsody}
		if l, ok := xmlLang(t); ok {
			st.lang = l
			b.doc.Lang = l
		}
		b.stack = append(b.stack, frame{name: "speak", st: st})
		return nil
	}
	if len(b.stack) >= MaxDepth {
		return fmt.Errorf("%w: elements nested deeper than %d", ErrTooLarge, MaxDepth)
	}
	if b.skipping() {
		b.stack = append(b.stack, frame{name: t.Name.Local, st: b.cur(), skip: true})
		return nil
	}
	f := frame{name: t.Name.Local, st: b.cur()}
	if l, ok := xmlLang(t); ok {
		f.st.lang = l
	}
	var err error
	switch f.name {
	case "p", "paragraph":
		f.boundary = XStrong
		err = b.boundary(f.boundary)
	case "s", "sentence":
		f.boundary = Strong
		err = b.boundary(f.boundary)
	case "prosody":
		f.st.prosody = applyProsody(f.st.prosody, t.Attr)
	case "emphasis":
		f.st.prosody = applyEmphasis(f.st.prosody, attr(t, "level"))
	case "voice":
		f.st.voice = applyVoice(f.st.voice, t.Attr)
	case "break":
		err = b.breakElem(t, f.st)
	case "mark":
		err = b.mark(attr(t, "name"), f.st)
	case "say-as":
		f.coll = &collector{name: f.name, st: f.st, sayAs: SayAs{
			InterpretAs: strings.TrimSpace(attr(t, "interpret-as")),
			Format:      strings.TrimSpace(attr(t, "format")),
			Detail:      strings.TrimSpace(attr(t, "detail")),
		}}
	case "sub":
		f.coll = &collector{name: f.name, st: f.st}
		f.coll.alias, f.coll.hasAlias = attrOK(t, "alias")
	case "audio":
		if src := strings.TrimSpace(attr(t, "src")); src != "" {
			f.coll = &collector{name: f.name, st: f.st, src: src}
			if len(b.colls) == 0 {
				err = b.flush()
			}
		}
	case "desc", "meta", "metadata", "lexicon":
		f.skip = true
	}
	if f.coll != nil {
		b.colls = append(b.colls, f.coll)
	}
	b.stack = append(b.stack, f)
	return err
}

func (b *builder) end() error {
	f := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	if len(b.stack) == 0 {
		b.done = true
		return b.flush()
	}
	if f.skip {
		return nil
	}
	if f.boundary != 0 {
		return b.boundary(f.boundary)
	}
	if f.coll == nil {
		return nil
	}
	c := f.coll
	b.colls = b.colls[:len(b.colls)-1]
	raw := collapse(c.raw.String())
	switch c.name {
	case "say-as":
		return b.deliver(normalize(c.st.lang, c.sayAs, raw), raw, &c.sayAs, c.st)
	case "sub":
		out := raw
		if c.hasAlias {
			out = collapse(c.alias)
		}
		return b.deliver(out, raw, nil, c.st)
	default: // audio
		text := collapse(c.out.String())
		if len(b.colls) > 0 {
			return b.deliver(text, raw, nil, c.st)
		}
		return b.emit(Item{Kind: Audio, Name: c.src, Text: text, Source: raw}, c.st)
	}
}

// deliver adds the rendered text of a say-as or sub to the enclosing
// collector or to the run, as words of their own.
func (b *builder) deliver(out, raw string, sa *SayAs, st state) error {
	if n := len(b.colls); n > 0 {
		p := b.colls[n-1]
		p.out.WriteString(" " + out + " ")
		p.raw.WriteString(" " + raw + " ")
		return nil
	}
	if err := b.toRun(" "+out+" ", st); err != nil {
		return err
	}
	b.src = append(b.src, " "+raw+" "...)
	b.delivered = true
	if sa != nil {
		b.runSayAs = append(b.runSayAs, *sa)
	} else if out != "" {
		b.runPlain = true
	}
	return nil
}

func (b *builder) text(s string) error {
	if !b.started || b.skipping() {
		return nil
	}
	if n := len(b.colls); n > 0 {
		b.colls[n-1].out.WriteString(s)
		b.colls[n-1].raw.WriteString(s)
		return nil
	}
	k := punctPrefix(s)
	if b.delivered && k > 0 {
		// "<say-as ...>3</say-as>." keeps its full stop on the word.
		b.run = bytes.TrimSuffix(b.run, []byte(" "))
		b.src = bytes.TrimSuffix(b.src, []byte(" "))
	}
	b.delivered = false
	if k > 0 {
		attached, err := b.attachPunct(s[:k])
		if err != nil {
			return err
		}
		if attached {
			s = s[k:]
		}
	}
	if err := b.toRun(s, b.cur()); err != nil {
		return err
	}
	b.src = append(b.src, s...)
	if !isSpace(s) {
		b.runPlain = true
	}
	return nil
}

// attachPunct puts punctuation that follows text spoken otherwise
// ("say <emphasis>agent</emphasis>.") on the end of that text's item, so
// that no item is punctuation alone. It reports whether it did.
func (b *builder) attachPunct(p string) (bool, error) {
	if b.runHasText && b.cur() != b.runSt {
		if err := b.flush(); err != nil {
			return false, err
		}
	}
	n := len(b.doc.Items)
	if b.runHasText || b.pending != 0 || n == 0 || b.doc.Items[n-1].Kind != Text {
		return false, nil
	}
	b.doc.Items[n-1].Text += p
	b.doc.Items[n-1].Source += p
	return true, nil
}

// toRun appends s, spoken with st, to the run, first making the run an
// item when it holds text spoken otherwise.
func (b *builder) toRun(s string, st state) error {
	if !isSpace(s) {
		if b.runHasText && st != b.runSt {
			if err := b.flush(); err != nil {
				return err
			}
		}
		if !b.runHasText {
			b.runSt = st
			b.runHasText = true
		}
	}
	b.run = append(b.run, s...)
	return nil
}

// flush makes the run a Text item.
func (b *builder) flush() error {
	if !b.runHasText {
		b.resetRun()
		return nil
	}
	it := Item{Kind: Text, Text: collapse(string(b.run)), Source: collapse(string(b.src))}
	if len(b.runSayAs) == 1 && !b.runPlain {
		it.SayAs = b.runSayAs[0]
	}
	st := b.runSt
	b.resetRun()
	if it.Text == "" {
		return nil
	}
	return b.emit(it, st)
}

func (b *builder) resetRun() {
	b.run, b.src = b.run[:0], b.src[:0]
	b.runHasText, b.runPlain, b.delivered = false, false, false
	b.runSayAs = b.runSayAs[:0]
}

// emit appends an item with the settings of st, merging adjacent Text
// items with equal settings and paying a pending boundary before content.
func (b *builder) emit(it Item, st state) error {
	it.Lang, it.Voice, it.Prosody = st.lang, st.voice, st.prosody
	content := it.Kind == Text || it.Kind == Audio
	if content {
		if b.pending != 0 && b.contentSeen && !b.breakPending {
			if err := b.add(Item{Kind: Break, Break: b.pending.Duration(), Lang: it.Lang, Voice: it.Voice, Prosody: it.Prosody}); err != nil {
				return err
			}
		}
		b.pending, b.contentSeen, b.breakPending = 0, true, false
		if n := len(b.doc.Items); it.Kind == Text && n > 0 {
			last := &b.doc.Items[n-1]
			if last.Kind == Text && last.Lang == it.Lang && last.Voice == it.Voice && last.Prosody == it.Prosody {
				last.Text += " " + it.Text
				last.Source += " " + it.Source
				last.SayAs = SayAs{}
				return nil
			}
		}
	}
	if it.Kind == Break {
		b.breakPending = true
	}
	return b.add(it)
}

func (b *builder) add(it Item) error {
	if len(b.doc.Items) >= MaxItems {
		return fmt.Errorf("%w: more than %d items", ErrTooLarge, MaxItems)
	}
	b.doc.Items = append(b.doc.Items, it)
	return nil
}

// boundary ends the run at a paragraph or sentence edge and owes a pause
// of strength s before the next content.
func (b *builder) boundary(s Strength) error {
	if len(b.colls) > 0 {
		b.colls[len(b.colls)-1].out.WriteString(" ")
		b.colls[len(b.colls)-1].raw.WriteString(" ")
		return nil
	}
	if err := b.flush(); err != nil {
		return err
	}
	b.pending = max(b.pending, s)
	return nil
}

func (b *builder) breakElem(t xml.StartElement, st state) error {
	if n := len(b.colls); n > 0 {
		b.colls[n-1].out.WriteString(" ")
		b.colls[n-1].raw.WriteString(" ")
		return nil
	}
	d, ok := parseBreak(attr(t, "time"), attr(t, "strength"))
	if !ok || d == 0 {
		return nil
	}
	if err := b.flush(); err != nil {
		return err
	}
	return b.emit(Item{Kind: Break, Break: d}, st)
}

func (b *builder) mark(name string, st state) error {
	if len(b.colls) > 0 {
		return nil
	}
	if err := b.flush(); err != nil {
		return err
	}
	return b.emit(Item{Kind: Mark, Name: name}, st)
}

// Strength is a <break> strength, from None to XStrong.
type Strength uint8

// Break strengths (SSML 1.1 section 3.2.3).
const (
	None Strength = iota + 1
	XWeak
	Weak
	Medium
	Strong
	XStrong
)

var strengthNames = [...]string{None: "none", XWeak: "x-weak", Weak: "weak", Medium: "medium", Strong: "strong", XStrong: "x-strong"}

var strengthDurations = [...]time.Duration{
	None:    0,
	XWeak:   100 * time.Millisecond,
	Weak:    200 * time.Millisecond,
	Medium:  300 * time.Millisecond,
	Strong:  500 * time.Millisecond,
	XStrong: 800 * time.Millisecond,
}

// String returns the SSML name of s.
func (s Strength) String() string {
	if int(s) < len(strengthNames) && s != 0 {
		return strengthNames[s]
	}
	return fmt.Sprintf("Strength(%d)", s)
}

// Duration is the pause Parse gives a break of strength s: none 0,
// x-weak 100 ms, weak 200 ms, medium 300 ms, strong 500 ms (also the
// pause between sentences), x-strong 800 ms (also between paragraphs).
func (s Strength) Duration() time.Duration {
	if int(s) < len(strengthDurations) {
		return strengthDurations[s]
	}
	return 0
}

// closingPunct is punctuation that ends a word or sentence.
const closingPunct = ".,;:!?)]}\"'…»”’。、，！？；："

// punctPrefix is the length of the closing punctuation s starts with.
func punctPrefix(s string) int {
	for i, r := range s {
		if !strings.ContainsRune(closingPunct, r) {
			return i
		}
	}
	return len(s)
}

func isSpace(s string) bool {
	return strings.TrimSpace(s) == ""
}

func attr(t xml.StartElement, local string) string {
	v, _ := attrOK(t, local)
	return v
}

func attrOK(t xml.StartElement, local string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// xmlLang returns the element's xml:lang.
func xmlLang(t xml.StartElement) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == "lang" && (a.Name.Space == "http://www.w3.org/XML/1998/namespace" || a.Name.Space == "xml") {
			return strings.TrimSpace(a.Value), true
		}
	}
	return "", false
}
