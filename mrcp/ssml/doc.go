// Package ssml reads the Speech Synthesis Markup Language (W3C SSML 1.0
// and 1.1) that SPEAK requests carry (RFC 6787 section 8.5), and plain
// text, into a flat Document that any synthesizer engine can render.
package ssml
