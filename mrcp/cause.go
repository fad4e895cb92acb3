package mrcp

import (
	"fmt"
	"strings"
)

// SynthCause is a Completion-Cause code of the speechsynth resource (RFC
// 6787 section 8.4, Completion-Cause), carried by SPEAK-COMPLETE and by responses to a
// failed SPEAK.
type SynthCause uint16

// Synthesizer completion causes, RFC 6787 section 8.4 (Completion-Cause).
const (
	SynthNormal              SynthCause = 0 // 000 normal: SPEAK completed normally
	SynthBargeIn             SynthCause = 1 // 001 barge-in: terminated because of barge-in
	SynthParseFailure        SynthCause = 2 // 002 parse-failure: the speech markup did not parse
	SynthURIFailure          SynthCause = 3 // 003 uri-failure: access to a URI failed
	SynthError               SynthCause = 4 // 004 error: synthesizer error
	SynthLanguageUnsupported SynthCause = 5 // 005 language-unsupported
	SynthLexiconLoadFailure  SynthCause = 6 // 006 lexicon-load-failure
	SynthCancelled           SynthCause = 7 // 007 cancelled: a prior SPEAK failed while this one was queued
)

var synthCauseNames = [...]string{
	"normal", "barge-in", "parse-failure", "uri-failure", "error",
	"language-unsupported", "lexicon-load-failure", "cancelled",
}

// Name returns the cause-name, or "" for a code the RFC does not define.
func (c SynthCause) Name() string {
	if int(c) < len(synthCauseNames) {
		return synthCauseNames[c]
	}
	return ""
}

// String returns the Completion-Cause header value, e.g. "001 barge-in".
func (c SynthCause) String() string { return causeValue(uint16(c), c.Name()) }

// RecogCause is a Completion-Cause code of the speechrecog resource (RFC
// 6787 section 9.4, Completion-Cause), carried by RECOGNITION-COMPLETE,
// INTERPRETATION-COMPLETE and responses to DEFINE-GRAMMAR, RECOGNIZE and
// INTERPRET.
type RecogCause uint16

// Recognizer completion causes, RFC 6787 section 9.4 (Completion-Cause).
const (
	RecogSuccess                   RecogCause = 0  // 000 success
	RecogNoMatch                   RecogCause = 1  // 001 no-match
	RecogNoInputTimeout            RecogCause = 2  // 002 no-input-timeout
	RecogHotwordMaxtime            RecogCause = 3  // 003 hotword-maxtime
	RecogGrammarLoadFailure        RecogCause = 4  // 004 grammar-load-failure
	RecogGrammarCompilationFailure RecogCause = 5  // 005 grammar-compilation-failure
	RecogRecognizerError           RecogCause = 6  // 006 recognizer-error
	RecogSpeechTooEarly            RecogCause = 7  // 007 speech-too-early
	RecogSuccessMaxtime            RecogCause = 8  // 008 success-maxtime
	RecogURIFailure                RecogCause = 9  // 009 uri-failure
	RecogLanguageUnsupported       RecogCause = 10 // 010 language-unsupported
	RecogCancelled                 RecogCause = 11 // 011 cancelled
	RecogSemanticsFailure          RecogCause = 12 // 012 semantics-failure
	RecogPartialMatch              RecogCause = 13 // 013 partial-match
	RecogPartialMatchMaxtime       RecogCause = 14 // 014 partial-match-maxtime
	RecogNoMatchMaxtime            RecogCause = 15 // 015 no-match-maxtime
	RecogGrammarDefinitionFailure  RecogCause = 16 // 016 grammar-definition-failure
)

var recogCauseNames = [...]string{
	"success", "no-match", "no-input-timeout", "hotword-maxtime",
	"grammar-load-failure", "grammar-compilation-failure", "recognizer-error",
	"speech-too-early", "success-maxtime", "uri-failure", "language-unsupported",
	"cancelled", "semantics-failure", "partial-match", "partial-match-maxtime",
	"no-match-maxtime", "grammar-definition-failure",
}

// Name returns the cause-name, or "" for a code the RFC does not define.
func (c RecogCause) Name() string {
	if int(c) < len(recogCauseNames) {
		return recogCauseNames[c]
	}
	return ""
}

// String returns the Completion-Cause header value, e.g. "001 no-match".
func (c RecogCause) String() string { return causeValue(uint16(c), c.Name()) }

func causeValue(code uint16, name string) string {
	if name == "" {
		return fmt.Sprintf("%03d", code)
	}
	return fmt.Sprintf("%03d %s", code, name)
}

// parseCause reads the cause-code of a Completion-Cause value:
// cause-code SP cause-name, cause-code = 3DIGIT (RFC 6787 sections 8.4
// and 9.4). The code decides; the name is informative and not checked.
func parseCause(v string) (uint16, error) {
	code, name, _ := strings.Cut(v, " ")
	n, ok := parseDecimal(code, 3)
	if !ok || len(code) != 3 {
		return 0, fmt.Errorf("%w: Completion-Cause %q: want a 3-digit cause-code", ErrMalformed, clip(v))
	}
	if !validText(name) {
		return 0, fmt.Errorf("%w: Completion-Cause %q: control character in cause-name", ErrMalformed, clip(v))
	}
	return uint16(n), nil
}
