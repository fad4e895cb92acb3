package resource

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/srgs"
)

// Content types of grammar bodies (RFC 6787 sections 9.5 and 9.8) and
// Parley's phrase lists.
const (
	ContentTypeSRGSXML   = "application/srgs+xml"
	ContentTypeSRGSABNF  = "application/srgs"
	ContentTypeURIList   = "text/uri-list"
	ContentTypeGrammarRL = "text/grammar-ref-list"
	// ContentTypePhrases is Parley's extension: example utterances of
	// the domain, one per line, from which the recognizer builds a
	// language model (speech.RecogRequest.Phrases). Empty lines and
	// lines starting with "#" are skipped.
	ContentTypePhrases = "application/x-parley-phrases"
)

// Limits on what a channel holds.
const (
	maxGrammars   = 256
	maxPhrases    = 10000
	maxPhraseLen  = 500
	maxGrammarURI = 64 // URIs in one uri-list
)

// grammarRef is a grammar as the recognizer uses it: an SRGS grammar or
// a phrase list, and the URI results name it by.
type grammarRef struct {
	uri     string        // "session:id", "builtin:...", or "" for an inline grammar without Content-ID
	g       *srgs.Grammar // nil for a phrase list
	phrases []string
}

// grammarSet is the grammars of one RECOGNIZE or INTERPRET.
type grammarSet struct {
	all     []*grammarRef // in request order
	voice   []*grammarRef // SRGS voice grammars, not transcription
	dtmf    []*grammarRef
	phrases []string
	phrased *grammarRef // the first phrase list, naming phrase results
	transc  *grammarRef // builtin:speech/transcribe
}

func (gs *grammarSet) add(ref *grammarRef) {
	gs.all = append(gs.all, ref)
	switch {
	case ref.g == nil:
		gs.phrases = append(gs.phrases, ref.phrases...)
		if gs.phrased == nil {
			gs.phrased = ref
		}
	case ref.g.Transcribe():
		if gs.transc == nil {
			gs.transc = ref
		}
	case ref.g.Mode() == srgs.DTMF:
		gs.dtmf = append(gs.dtmf, ref)
	default:
		gs.voice = append(gs.voice, ref)
	}
}

// speech reports whether the set listens to speech.
func (gs *grammarSet) speech() bool {
	return len(gs.voice) > 0 || len(gs.phrases) > 0 || gs.transc != nil
}

// lang returns the language the first SRGS grammar declares, or "".
func (gs *grammarSet) lang() string {
	for _, ref := range gs.all {
		if ref.g != nil && ref.g.Lang() != "" {
			return ref.g.Lang()
		}
	}
	return ""
}

func (gs *grammarSet) engineGrammars() []speech.Grammar {
	out := make([]speech.Grammar, 0, len(gs.voice))
	for _, ref := range gs.voice {
		out = append(out, ref.g)
	}
	return out
}

// matchSpeech matches recognized text: the first voice grammar that
// matches it wins; failing those, a phrase list or transcription takes
// the text itself as the instance.
func (gs *grammarSet) matchSpeech(text string) (ref *grammarRef, instance any, ok bool) {
	for _, ref := range gs.voice {
		if m, ok := ref.g.Match(text); ok {
			return ref, m.Instance, true
		}
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil, false
	}
	if gs.phrased != nil {
		return gs.phrased, text, true
	}
	if gs.transc != nil {
		return gs.transc, text, true
	}
	return nil, nil, false
}

// prefixSpeech reports whether recognized text so far is a complete
// match of some grammar, and whether more words could make or extend a
// match (RFC 6787 sections 9.4.15 and 9.4.16).
func (gs *grammarSet) prefixSpeech(text string) (complete, viable bool) {
	for _, ref := range gs.voice {
		c, v := ref.g.Prefix(text)
		complete = complete || c
		viable = viable || v
	}
	if (gs.phrased != nil || gs.transc != nil) && strings.TrimSpace(text) != "" {
		complete, viable = true, true
	}
	return complete, viable
}

// matchDTMF matches keys against the DTMF grammars in order.
func (gs *grammarSet) matchDTMF(keys string) (*grammarRef, *srgs.Match, bool) {
	for _, ref := range gs.dtmf {
		if m, ok := ref.g.Match(keys); ok {
			return ref, m, true
		}
	}
	return nil, nil, false
}

func (gs *grammarSet) prefixDTMF(keys string) (complete, viable bool) {
	for _, ref := range gs.dtmf {
		c, v := ref.g.Prefix(keys)
		complete = complete || c
		viable = viable || v
	}
	return complete, viable
}

// grammarError is a grammar that cannot be used: the status and
// Completion-Cause to answer with, and the URI that failed, if any.
type grammarError struct {
	status mrcp.StatusCode
	cause  mrcp.RecogCause
	reason string
	uri    string
}

func (e *grammarError) fields() []mrcp.HeaderField {
	f := causeFields(e.cause.String(), e.reason)
	if e.uri != "" {
		f = append(f, mrcp.HeaderField{Name: mrcp.HeaderFailedURI, Value: clean(e.uri)})
	}
	return f
}

func compileError(err error) *grammarError {
	return &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogGrammarCompilationFailure, reason: err.Error()}
}

// contentID returns a request's Content-ID without the angle brackets of
// RFC 2392, and whether it has one.
func contentID(req *mrcp.Message) (string, bool) {
	v, ok := req.Header.Lookup(mrcp.HeaderContentID)
	if !ok {
		return "", false
	}
	v = strings.TrimSpace(v)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	return v, v != ""
}

// resolve returns the grammars a RECOGNIZE or INTERPRET names: its inline
// grammar or phrase list (defined for the session too when it has a
// Content-ID), the grammars its uri-list names, or, without a body, every
// grammar DEFINE-GRAMMAR defined.
func (r *Recog) resolve(req *mrcp.Message) (*grammarSet, *grammarError) {
	gs := &grammarSet{}
	mt := mediaType(req.ContentType())
	switch {
	case len(req.Body) == 0:
		for _, id := range r.order {
			gs.add(r.grammars[id])
		}
		if len(gs.all) == 0 {
			return nil, &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogGrammarLoadFailure, reason: "no grammar given or defined"}
		}
		return gs, nil
	case mt == ContentTypeURIList || mt == ContentTypeGrammarRL:
		uris, gerr := uriList(req.Body)
		if gerr != nil {
			return nil, gerr
		}
		for _, uri := range uris {
			ref, gerr := r.lookup(uri)
			if gerr != nil {
				return nil, gerr
			}
			gs.add(ref)
		}
		return gs, nil
	}
	ref, gerr := compile(mt, req)
	if gerr != nil {
		return nil, gerr
	}
	if id, ok := contentID(req); ok {
		if gerr := r.define(id, ref); gerr != nil {
			return nil, gerr
		}
	}
	gs.add(ref)
	return gs, nil
}

// compile reads an inline grammar or phrase list.
func compile(mt string, req *mrcp.Message) (*grammarRef, *grammarError) {
	ref := &grammarRef{}
	if id, ok := contentID(req); ok {
		ref.uri = "session:" + id
	}
	switch mt {
	case ContentTypeSRGSXML, ContentTypeSRGSABNF:
		g, err := srgs.Parse(mt, req.Body)
		if err != nil {
			return nil, compileError(err)
		}
		ref.g = g
	case ContentTypePhrases:
		phrases, err := parsePhrases(req.Body)
		if err != nil {
			return nil, compileError(err)
		}
		ref.phrases = phrases
	default:
		return nil, &grammarError{status: mrcp.StatusUnrecognizedEntity, cause: mrcp.RecogGrammarCompilationFailure,
			reason: fmt.Sprintf("unsupported grammar type %q", mt)}
	}
	return ref, nil
}

// define stores a grammar under its Content-ID, replacing one of the
// same id.
func (r *Recog) define(id string, ref *grammarRef) *grammarError {
	if _, ok := r.grammars[id]; !ok {
		if len(r.order) >= maxGrammars {
			return &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogGrammarDefinitionFailure, reason: "too many grammars defined"}
		}
		r.order = append(r.order, id)
	}
	r.grammars[id] = ref
	return nil
}

func (r *Recog) undefine(id string) {
	if _, ok := r.grammars[id]; !ok {
		return
	}
	delete(r.grammars, id)
	for i, o := range r.order {
		if o == id {
			r.order = append(r.order[:i], r.order[i+1:]...)
			break
		}
	}
}

// lookup resolves one grammar URI: session: names a defined grammar,
// builtin: one of srgs.Builtin's. Nothing is fetched: other schemes are
// 009 uri-failure.
func (r *Recog) lookup(uri string) (*grammarRef, *grammarError) {
	scheme, rest, _ := strings.Cut(uri, ":")
	switch strings.ToLower(scheme) {
	case "session":
		if ref, ok := r.grammars[rest]; ok {
			return ref, nil
		}
		return nil, &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogGrammarLoadFailure, reason: "grammar not defined", uri: uri}
	case "builtin":
		g, err := srgs.Builtin(uri)
		switch {
		case errors.Is(err, srgs.ErrUnsupported):
			return nil, &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogGrammarLoadFailure, reason: err.Error(), uri: uri}
		case err != nil:
			e := compileError(err)
			e.uri = uri
			return nil, e
		}
		return &grammarRef{uri: uri, g: g}, nil
	}
	return nil, &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogURIFailure, reason: "grammars are not fetched", uri: uri}
}

// uriList reads a text/uri-list (RFC 2483: one URI per line, "#"
// comments) or text/grammar-ref-list body ("<uri>;weight=...").
func uriList(body []byte) ([]string, *grammarError) {
	var uris []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 64*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "<") {
			if end := strings.IndexByte(line, '>'); end > 0 {
				line = line[1:end]
			}
		}
		uris = append(uris, strings.TrimSpace(line))
		if len(uris) > maxGrammarURI {
			return nil, &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogGrammarLoadFailure, reason: "too many grammar URIs"}
		}
	}
	if sc.Err() != nil || len(uris) == 0 {
		return nil, &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogGrammarLoadFailure, reason: "empty or unreadable uri-list"}
	}
	return uris, nil
}

// parsePhrases reads an application/x-parley-phrases body.
func parsePhrases(body []byte) ([]string, error) {
	var out []string
	for line := range strings.SplitSeq(strings.ToValidUTF8(string(body), "\uFFFD"), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) > maxPhraseLen {
			return nil, errors.New("phrase too long")
		}
		if len(out) == maxPhrases {
			return nil, errors.New("too many phrases")
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, errors.New("no phrases")
	}
	return out, nil
}

// defineGrammar handles DEFINE-GRAMMAR (RFC 6787 section 9.8): the body
// is compiled now and kept under its Content-ID, which later requests
// name as session:<Content-ID>. An empty body forgets the grammar. It is
// refused with 402 while a RECOGNIZE is in progress.
func (r *Recog) defineGrammar(req *mrcp.Message) {
	if _, ok := r.ch.checkRequest(req); !ok {
		return
	}
	if r.active != nil {
		r.ch.reply(req, mrcp.StatusMethodNotValidInState)
		return
	}
	r.recognized = false
	id, ok := contentID(req)
	if !ok {
		r.ch.reply(req, mrcp.StatusMandatoryHeaderMissing, causeFields(mrcp.RecogGrammarDefinitionFailure.String(), "Content-ID missing")...)
		return
	}
	success := causeFields(mrcp.RecogSuccess.String(), "")
	if len(req.Body) == 0 {
		r.undefine(id)
		r.ch.reply(req, mrcp.StatusSuccess, success...)
		return
	}
	mt := mediaType(req.ContentType())
	var ref *grammarRef
	var gerr *grammarError
	if mt == ContentTypeURIList || mt == ContentTypeGrammarRL {
		// A definition by reference: one builtin or session grammar.
		var uris []string
		if uris, gerr = uriList(req.Body); gerr == nil {
			if len(uris) != 1 {
				gerr = &grammarError{status: mrcp.StatusMethodFailed, cause: mrcp.RecogGrammarDefinitionFailure, reason: "define one grammar at a time"}
			} else if ref, gerr = r.lookup(uris[0]); gerr == nil {
				ref = &grammarRef{uri: "session:" + id, g: ref.g, phrases: ref.phrases}
			}
		}
	} else {
		ref, gerr = compile(mt, req)
	}
	if gerr == nil {
		gerr = r.define(id, ref)
	}
	if gerr != nil {
		r.ch.reply(req, gerr.status, gerr.fields()...)
		return
	}
	r.ch.reply(req, mrcp.StatusSuccess, success...)
}
