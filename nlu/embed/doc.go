// Package embed turns text into dense vectors for the vector index.
//
// Embedder is the interface the knowledge base and the intent classifier use. Two
// implementations are provided:
//
//   - Hashed: a built-in embedder that needs no downloaded weights. It hashes word
//     unigrams and bigrams (Snowball stems, stopwords dropped) and character 3-5-grams
//     into a fixed number of signed buckets, weights them by TF-IDF learnt with Fit from
//     a corpus (the knowledge base and intent examples), and L2-normalises the result.
//     A fitted model serialises with MarshalBinary and loads with UnmarshalBinary.
//   - OpenAI: a client for any OpenAI-compatible embeddings endpoint (OpenAI, Azure,
//     vLLM, Ollama) through go-openai, with batching and retries with backoff.
//
// # Concurrency
//
// Embed is safe for concurrent use on both. Fit must not run concurrently with Embed.
package embed
