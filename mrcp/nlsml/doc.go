// Package nlsml reads and writes the Natural Language Semantics Markup
// Language results that an MRCPv2 recognizer returns in
// RECOGNITION-COMPLETE, GET-RESULT and INTERPRETATION-COMPLETE bodies
// (RFC 6787 section 9.6; namespace [Namespace], content type
// [ContentType]).
//
// A [Result] is the flat form the bot needs: the grammar that matched and
// an n-best list of [Interpretation]s, each with a confidence, the
// semantic [Interpretation.Instance] and what the caller said or keyed
// ([Input]). [Marshal] writes RFC 6787 NLSML; [Parse] reads it.
//
// # What Parse accepts
//
// Parse is tolerant, for interoperation with third-party MRCP servers
// (UniMRCP plugins, Nuance and others):
//
//   - elements are matched by local name, with or without the MRCPv2
//     namespace or a prefix;
//   - confidence is a decimal from 0 to 1 (RFC 6787), or the legacy
//     integer 0 to 100 of the W3C NLSML draft (any value above 1 and up to
//     100 is read as a percentage); an interpretation without one has
//     confidence 1, an input without one takes its interpretation's;
//   - an <instance> holding only text becomes a string; one holding
//     elements becomes a map[string]any keyed by the elements' local
//     names, nested elements becoming nested maps and repeated elements
//     []any; attributes and text beside child elements are dropped;
//   - <input> may nest <input>s (word by word results): their texts are
//     joined with spaces;
//   - <noinput/> and <nomatch/> are found inside <input>, inside a nested
//     <input>, or directly inside <interpretation> or <result>;
//   - several <interpretation>s are an n-best list: Parse orders them by
//     confidence, best first, keeping document order among equals;
//   - the XML encodings UTF-8, US-ASCII and ISO-8859-1.
//
// Text of <input> has its white space collapsed; instance strings are
// trimmed. Instance values are always strings after Parse: "42" stays
// "42", since NLSML does not type them.
//
// Parse refuses bodies over [MaxSize] octets or nested deeper than
// [MaxDepth] elements (errors wrapping [ErrTooLarge]) and malformed XML or a
// root other than <result> (errors wrapping [ErrSyntax]). The standard XML
// decoder neither fetches external entities nor expands entities declared
// in a DOCTYPE; a reference to one is a syntax error.
//
// # What is not supported
//
// Enrollment and speaker verification results (RFC 6787 sections 9.6.2
// and 11.5.2), EMMA (application/emma+xml), the W3C NLSML x-model, and
// timestamps and other attributes of <input> are not read. Namespaced
// instance elements lose their namespace.
//
// # Concurrency
//
// Parse and Marshal are safe to call from any number of goroutines; a
// Result is plain data with no internal synchronization.
package nlsml
