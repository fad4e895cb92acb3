package ssml

import "time"

// Document is a parsed SSML document flattened into the sequence of things
// a synthesizer does, in order. Each Item carries the effective language,
// voice and prosody that the enclosing elements give it, so an engine
// never walks the element tree.
type Document struct {
	// Lang is the document's xml:lang ("en-US"), or "" when none is given.
	Lang string
	// Items are the things to do, in document order.
	Items []Item
}

// Kind says what an Item is.
type Kind uint8

// Item kinds.
const (
	// Text is words to speak.
	Text Kind = iota + 1
	// Break is a pause of Item.Break.
	Break
	// Mark is a <mark name="..."/>: the synthesizer reports reaching it
	// (SPEECH-MARKER, RFC 6787 section 8.4.11).
	Mark
	// Audio is an <audio src="..."/>; Item.Text holds its fallback text.
	Audio
)

// Item is one step of a Document.
type Item struct {
	Kind Kind
	// Text is, for Text items, what to say, already normalized for
	// speaking: say-as expanded ("123" as digits becomes "one two three"),
	// whitespace collapsed, <sub> replaced by its alias. For Audio items it
	// is the fallback content.
	Text string
	// Source is the text as written in the document, before say-as and
	// sub were applied.
	Source string
	// SayAs is the say-as that produced Text, if any.
	SayAs SayAs
	// Break is the length of a Break item.
	Break time.Duration
	// Name is the name of a Mark, or the src of an Audio item.
	Name string
	// Lang is the effective xml:lang.
	Lang string
	// Voice is the effective voice selection.
	Voice Voice
	// Prosody is the effective prosody.
	Prosody Prosody
}

// SayAs is a <say-as> element's attributes.
type SayAs struct {
	InterpretAs string // "characters", "digits", "cardinal", "ordinal", "date", "time", "telephone", "currency", ...
	Format      string
	Detail      string
}

// Voice is the effective <voice> selection. Empty fields leave the choice
// to the synthesizer.
type Voice struct {
	Name    string // a name, or the first of a space-separated list
	Gender  string // "male", "female", "neutral" or ""
	Age     int    // years, 0 when not given
	Variant int    // 0 when not given
}

// Prosody is the effective <prosody> (and <emphasis>) setting, as factors
// an engine can apply to its own defaults. The zero value is not valid;
// use DefaultProsody.
type Prosody struct {
	// Rate multiplies the speaking rate (1 = default, 2 = twice as fast).
	Rate float64
	// Pitch multiplies the base pitch (1 = default).
	Pitch float64
	// Range multiplies the pitch range (1 = default).
	Range float64
	// Volume multiplies the amplitude (1 = default, 0 = silent).
	Volume float64
}

// DefaultProsody is the engine's own default speaking style.
var DefaultProsody = Prosody{Rate: 1, Pitch: 1, Range: 1, Volume: 1}

var kindNames = [...]string{Text: "text", Break: "break", Mark: "mark", Audio: "audio"}

// String returns "text", "break", "mark" or "audio".
func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "Kind(" + itoa(int(k)) + ")"
}

// Mul composes two prosody settings, as nested <prosody> elements or a
// request's baseline under a document's do: each factor is the product.
func (p Prosody) Mul(q Prosody) Prosody {
	return Prosody{Rate: p.Rate * q.Rate, Pitch: p.Pitch * q.Pitch, Range: p.Range * q.Range, Volume: p.Volume * q.Volume}
}
