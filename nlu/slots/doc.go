// Package slots extracts values from what callers say: numbers and digit strings as
// spoken ("four five six", "double seven", "oh"), amounts ("twenty five pounds fifty",
// "$25.50"), dates and times relative to a reference time ("next Tuesday", "tomorrow
// at three pm", "the 5th of March"), yes/no with hedges, email addresses (also spoken:
// "john dot smith at example dot com") and phone numbers, plus list slots (values with
// synonyms) and pattern slots (regular expressions) defined by scripts.
//
// Every extractor returns Slots carrying the text as heard, a normalised value, the
// byte span in the input and a confidence. Extractors never panic on any input.
//
// # Concurrency properties
//
// Extractors are pure functions; List and Pattern are immutable after construction
// and safe for concurrent use.
package slots
