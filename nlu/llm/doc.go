// Package llm is a small client for OpenAI-compatible chat completions (through
// go-openai), shared by sentiment and summary scoring: a timeout per attempt, bounded
// retries with backoff, and Answer, which answers a question from retrieved passages
// with citations and refuses when the passages do not support an answer.
//
// # Concurrency properties
//
// A Client is safe for concurrent use; every call takes a context and returns when
// it is cancelled.
package llm
