// Package summary writes the summary an agent reads before taking a warm transfer:
// why the customer called, what they said and gave (slots), what the bot tried and
// how they feel. The default is extractive and templated; with an LLM configured it
// asks for a summary grounded in the transcript and falls back to the extractive one
// on any error.
//
// # Concurrency properties
//
// A Summarizer is safe for concurrent use once built.
package summary
