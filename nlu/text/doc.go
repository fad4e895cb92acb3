// Package text normalises, tokenises and stems English text for the NLU packages.
//
// Every function is pure and safe for concurrent use. The API is deliberately small and
// stable: Normalize, Tokens, Stem, Stopword and Terms.
package text
