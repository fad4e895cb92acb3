// Package nlu is the root of Parley's language understanding. It holds no code of its
// own; the work lives in sub-packages, each with one job:
//
//   - text: normalisation, tokenisation, stemming and stopwords shared by the others.
//   - embed: the Embedder interface, a built-in embedder that needs no downloaded
//     weights, and an OpenAI-compatible embeddings client.
//   - index: the vector Index interface, an embedded index persisted in a directory
//     (exact and HNSW search) and a Qdrant implementation.
//   - kb: the knowledge base: importers, chunking, versions, hybrid retrieval (BM25 and
//     vectors fused by reciprocal rank fusion), usage counts and the knowledge-gap log.
//   - intent, slots, sentiment, summary, llm: understanding what the caller said.
package nlu
