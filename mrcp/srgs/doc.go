// Package srgs reads W3C Speech Recognition Grammar Specification 1.0
// grammars, the grammars MRCPv2 clients send in DEFINE-GRAMMAR and
// RECOGNIZE bodies (RFC 6787 section 9.5), matches recognized text and
// DTMF keys against them, interprets their semantic tags (SISR 1.0), and
// renders them as JSGF for CMU PocketSphinx.
//
// Parse reads a body by its content type; Builtin makes the builtin:
// grammars. A *Grammar then answers:
//
//   - Match(text): does the whole input match the root rule, and with
//     what semantic instance (string, float64, bool or map[string]any);
//   - Prefix(text): is the input complete, and can more input extend it
//     (DTMF termination, speech-complete versus speech-incomplete
//     timeouts);
//   - JSGF(), Words(): the grammar for a recognizer and its vocabulary
//     (a *Grammar is a speech.Grammar); Phrases(n): example sentences,
//     for recognizers that take phrases instead of a grammar;
//   - Mode(), Lang(), Root(), TagFormat(), Rules(), Transcribe(), and
//     ABNF(), the grammar written back in the ABNF form, for logs.
//
// # What is supported
//
// Both forms of SRGS 1.0: application/srgs+xml (section 4) and
// application/srgs, the ABNF form (section 5), in UTF-8 or ISO-8859-1,
// with or without a byte order mark.
//
//   - Header: version 1.0, mode (voice or dtmf), xml:lang / language,
//     root, tag-format. meta, metadata, lexicon, base, http-equiv and
//     grammar-level tags are read and ignored, as is example. Without a
//     root, the first public rule (else the first rule) is the root.
//   - Rules with scope public or private; one-of / "|" with weights;
//     item / "( )" / "[ ]" with repeat "n", "n-m", "n-" and repeat-prob;
//     ruleref to local rules ("#id", "$id", "$<#id>") and the special
//     rules NULL, VOID and GARBAGE (which matches any words, including
//     none); token and quoted tokens ("New York" is two words for
//     matching); tags, "{...}" and "{!{ ... }!}" in ABNF; comments;
//     language attachments ("!en-US") are read and ignored.
//   - Builtins: builtin:dtmf/digits and builtin:speech/digits (with
//     length, minlength, maxlength), builtin:dtmf/boolean,
//     builtin:speech/boolean, builtin:speech/transcribe.
//
// # Semantic interpretation
//
// With tag-format semantics/1.0-literals a tag's text is the rule's
// value. Otherwise each tag is compiled, at Parse time, as a script of a
// safe subset of SISR 1.0: statements "out = E;", "out += E;",
// "out.f.g = E;" where E joins with "+" string and number literals,
// true, false, new Object(), {}, out.f, rules.id[.f], rules.latest()[.f],
// meta.current().text (the text the current rule matches, whole) and
// meta.id.text. "+" adds two numbers and otherwise concatenates. A tag
// that is anything else (general ECMAScript) is kept as a literal
// string. A rule whose tags assign nothing takes the value of its last
// rule reference, or else the text it matched (SISR section 7), so a
// grammar without tags returns the matched text. Values are bounded in
// size, and objects are copied on assignment, so no value contains
// itself.
//
// # Matching
//
// Words are compared case-insensitively with punctuation ignored:
// letters, digits, marks and inner apostrophes make words, anything else
// separates them ("twenty-one" is two words, "don't" one). In DTMF
// grammars every key 0-9, *, # and A-D is a token, with or without
// spaces, and other characters in the input are ignored.
//
// The matcher computes, for every rule and start position, the set of
// positions where the rule can end (memoized, with sets of positions as
// bit sets), then derives one parse to run the tags: time and memory are
// polynomial in the input and the grammar, never exponential. Where a
// grammar is ambiguous it prefers, at each one-of, the heaviest weight
// that leads to a match and then document order.
//
// # What is not supported
//
// No external grammar or rule references (a uri other than "#id"), no
// pronunciation lexicons, no xml:base, no left-recursive rules (SRGS
// lets processors refuse them; Parse returns ErrUnsupported), no general
// ECMAScript in tags, no grammar-level tag execution, no confidence
// scores, no n-best. The JSGF rendering drops tags, $NULL and $GARBAGE
// (JSGF has no garbage model) and alternatives of weight 0.
//
// # Limits
//
// Parse refuses grammars larger than MaxBodySize, deeper than MaxDepth,
// with more than MaxRules rules or MaxNodes nodes, repeats above
// MaxRepeat, or larger than MaxExpansion with repeats written out, with
// errors wrapping ErrTooComplex. Match and Prefix consider at most
// MaxInputWords words and give up (no match) after a fixed amount of
// work, tens of milliseconds and a few megabytes for the most hostile
// grammar; the grammars of real dialogues use well under a thousandth
// of it.
//
// # Concurrency
//
// A *Grammar is immutable after Parse or Builtin returns it: any number
// of goroutines may call its methods at once. Each Match or Prefix call
// allocates its own working memory.
package srgs
