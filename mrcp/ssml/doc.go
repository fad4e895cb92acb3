// Package ssml reads the Speech Synthesis Markup Language (W3C SSML 1.0
// and 1.1) that SPEAK requests carry (RFC 6787 section 8.5), and plain
// text, into a flat Document that any synthesizer engine can render.
//
// [Parse] walks the element tree once and emits [Item]s in document
// order: Text to speak, Break pauses, Mark events and Audio to play, each
// carrying the language, [Voice] and [Prosody] that its enclosing elements
// give it, so an engine never sees XML.
//
// # Elements
//
//   - speak, p (paragraph), s (sentence), lang, token, w, phoneme (its
//     text is spoken; the pronunciation is not used), lookup: their text.
//     xml:lang is read on any element. A sentence edge owes a pause of
//     strength strong, a paragraph edge one of x-strong, paid as a Break
//     item before the next text unless a <break> comes first.
//   - break: time ("500ms", "2s", at most [MaxBreak]) or strength (none to
//     x-strong, see [Strength.Duration]); no attribute is medium.
//   - say-as: interpret-as characters (spell-out, letters, verbatim),
//     digits, cardinal (number), ordinal, date (format mdy, dmy, ymd, md,
//     dm, ym, my, y, m, d), time (hms12, hms24), telephone and currency
//     are expanded into words when the effective language is English (en,
//     en-US, en-GB, ... or none given). In other languages characters and
//     digits are spelled out as space-separated symbols and the rest is
//     left to the engine.
//   - prosody: rate, pitch, range and volume, as labels, percentages,
//     multipliers, semitones, hertz (relative to [NominalPitchHz]),
//     decibels or SSML 1.0 volume numbers. Nested elements compose:
//     relative values multiply the inherited factor; labels and absolute
//     values replace it.
//   - emphasis: strong, moderate (the default), reduced and none, mapped
//     onto prosody factors.
//   - voice: name (the first of a list), gender, age, variant, xml:lang;
//     nested voices override the attributes they give.
//   - sub: its alias is spoken; mark: a Mark item; audio: an Audio item
//     whose Text is the fallback content (its desc is not spoken).
//   - desc, meta, metadata and lexicon: not spoken. Any other element,
//     SSML or not: its content is spoken.
//
// White space is collapsed, and adjacent Text items with the same
// language, voice and prosody are one item; the say-as and sub outputs
// inside such an item are words of their own, and its SayAs is set only
// when the item is one say-as alone. Closing punctuation right after
// text spoken with other settings ("say <emphasis>agent</emphasis>.")
// ends that text's item rather than standing alone. Attribute values that cannot
// be read are ignored, as a synthesizer would rather speak than fail.
//
// # Not supported
//
// Fetching anything (audio src, lexicon, DOCTYPE); phoneme
// pronunciations; say-as of other types (their text is spoken as
// written); prosody contour and duration; voice languages, required and
// ordering; the SSML 1.1 trimming attributes of audio (clipBegin, ...).
//
// # Limits and bad input
//
// Parse refuses bodies over [MaxSize] octets, nesting deeper than
// [MaxDepth] and documents of more than [MaxItems] items ([ErrTooLarge]),
// and malformed XML ([SyntaxError], wrapping [ErrSyntax]). Entities are
// never expanded: encoding/xml knows only the five predefined ones and
// character references, and a DOCTYPE with an internal subset, where
// entities would be declared, is refused. Parse never panics.
//
// # Concurrency
//
// Parse is safe to call from any number of goroutines. A Document is plain
// data; it may be read concurrently once built.
package ssml
