// Package srgs reads W3C Speech Recognition Grammar Specification 1.0
// grammars, the grammars MRCPv2 clients send in DEFINE-GRAMMAR and
// RECOGNIZE bodies (RFC 6787 section 9.5), matches text and DTMF keys
// against them, interprets their semantic tags, and renders them as JSGF
// for CMU PocketSphinx.
//
// # What is supported
//
// Both forms: application/srgs+xml (SRGS section 4) and application/srgs,
// the ABNF form (section 5). Parse reads either; Builtin makes the
// builtin:dtmf/digits, builtin:dtmf/boolean, builtin:speech/digits,
// builtin:speech/boolean and builtin:speech/transcribe grammars.
//
//   - Header: version 1.0, mode (voice or dtmf), xml:lang / language,
//     root, tag-format. meta, metadata, lexicon, base and header tags are
//     read and ignored; so is example.
//   - Rules with scope public or private; one-of / "|" with weights;
//     item / "( )" / "[ ]" with repeat "n", "n-m", "n-" and repeat-prob;
//     ruleref to local rules ("#id", "$id") and the special rules NULL,
//     VOID and GARBAGE (which matches any words, including none); token
//     and quoted tokens ("New York" is two words for matching); tags,
//     "{...}" and "{!{ ... }!}" in ABNF; language attachments ("!en-US")
//     are read and ignored.
//   - Semantic tags (SISR 1.0): semantics/1.0-literals, where a tag's
//     text is the rule's value, and a safe subset of semantics/1.0
//     scripts: assignments to out or its fields ("out = ...;",
//     "out.f = ...;", "+=") of string and number literals, true, false,
//     new Object(), rules.id, rules.latest(), meta.current().text and
//     meta.id.text, joined with "+". Any other tag is kept as a literal.
//     A rule whose tags assign nothing takes the value of its last rule
//     reference, or else its text (SISR section 7).
//
// Words are matched case-insensitively with punctuation ignored:
// letters, digits and inner apostrophes make words, everything else
// separates them. In DTMF grammars every key 0-9, *, # and A-D is a
// token, with or without spaces.
//
// # What is not
//
// No external grammar or rule references (uri other than "#id"), no
// lexicons or pronunciations, no xml:base resolution, no left-recursive
// rules (ErrUnsupported), no general ECMAScript in tags, no confidence
// scores, and only UTF-8 input. Grammar-level tags are not executed.
//
// # Limits
//
// Parse refuses grammars larger than MaxBodySize, deeper than MaxDepth,
// with more than MaxRules rules or MaxNodes nodes, repeats above
// MaxRepeat, or larger than MaxExpansion with repeats written out, with
// errors wrapping ErrTooComplex. Match and Prefix are polynomial in the
// input and grammar sizes, consider at most MaxInputWords words and stop
// after a fixed amount of work; semantic values are bounded in size.
//
// # Concurrency
//
// A *Grammar is immutable after Parse or Builtin returns it: any number
// of goroutines may call its methods at once. Each Match or Prefix call
// allocates its own working memory.
package srgs
