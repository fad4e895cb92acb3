package nlsml

// Namespace is the XML namespace of MRCPv2 NLSML results (RFC 6787
// section 9.6).
const Namespace = "urn:ietf:params:xml:ns:mrcpv2"

// ContentType is the media type of an NLSML body (RFC 6787 section 9.6).
const ContentType = "application/nlsml+xml"

// Limits that Parse enforces and Marshal respects.
const (
	// MaxSize is the largest body Parse reads, in octets.
	MaxSize = 1 << 20
	// MaxDepth is the deepest nesting of elements Parse reads, counting
	// <result> as 1, and the deepest instance map Marshal writes.
	MaxDepth = 32
)

// Result is one NLSML <result>: what a recognizer understood.
type Result struct {
	// Grammar is the result's grammar attribute: the URI (often
	// "session:...") of the grammar that matched, or "".
	Grammar string
	// Interpretations is the n-best list, best first. Parse orders it by
	// confidence; Marshal writes it in the given order.
	Interpretations []Interpretation
}

// Interpretation is one <interpretation>: a meaning with its confidence.
type Interpretation struct {
	// Grammar is the grammar this interpretation matched. Parse fills it
	// from the Result's when the element has none; Marshal leaves it out
	// when it equals the Result's.
	Grammar string
	// Confidence is from 0 (none) to 1 (certain).
	Confidence float64
	// Input is what the caller said or keyed.
	Input Input
	// Instance is the semantic result: nil, a string, a float64, a bool,
	// or a map[string]any whose values are these or []any for repeated
	// elements. Marshal also takes the other integer and float types and
	// map[string]string; Parse returns only strings, maps, []any and nil.
	Instance any
}

// Input is an <input> element: the words heard or the keys pressed, or
// the absence of either.
type Input struct {
	// Mode is "speech", "dtmf", or "" when the result does not say.
	Mode string
	// Text is the recognized words or digits.
	Text string
	// Confidence is the recognizer's confidence in Text, from 0 to 1.
	Confidence float64
	// NoInput is set when nothing was heard (<noinput/>).
	NoInput bool
	// NoMatch is set when input was heard but matched no grammar
	// (<nomatch/>); Text may hold what was heard.
	NoMatch bool
}

// NoInput returns the result of a recognition that heard nothing.
func NoInput() *Result {
	return &Result{Interpretations: []Interpretation{{Input: Input{NoInput: true}}}}
}

// NoMatch returns the result of a recognition that heard text, or
// something it could not transcribe when text is "", that matched no
// grammar.
func NoMatch(text string) *Result {
	return &Result{Interpretations: []Interpretation{{Input: Input{Text: text, NoMatch: true}}}}
}

// Best returns the first interpretation, which is the best one, and
// whether there is one.
func (r *Result) Best() (Interpretation, bool) {
	if r == nil || len(r.Interpretations) == 0 {
		return Interpretation{}, false
	}
	return r.Interpretations[0], true
}

// NoInput reports whether the best interpretation says nothing was heard.
func (r *Result) NoInput() bool {
	b, ok := r.Best()
	return ok && b.Input.NoInput
}

// NoMatch reports whether the best interpretation says the input matched
// no grammar.
func (r *Result) NoMatch() bool {
	b, ok := r.Best()
	return ok && b.Input.NoMatch
}
