// Package kb is the knowledge base the bot answers from.
//
// Designers import Markdown, plain text, HTML, CSV question/answer pairs and JSONL
// (Parse). Documents are chunked by headings and paragraphs, each chunk keeping its
// title, heading, source and tags. A document lives in a version, draft or published:
// imports can be staged as drafts and published together. Each document carries a
// content hash, so re-importing an unchanged file does nothing and a changed one
// replaces its chunks; there are never duplicates.
//
// Retrieval is hybrid: BM25 over stemmed terms and cosine similarity over embeddings
// (nlu/embed, nlu/index), fused by reciprocal rank fusion. Answer returns a short
// speakable answer (the first sentences of the best chunk, markdown stripped), its
// citation and a confidence in [0, 1]; below the threshold the question goes to the
// knowledge-gap log. Usage and helpful / not-helpful counts are kept per article.
//
// Everything persists in one directory: kb.db (SQLite), the vector index and the
// fitted built-in embedder.
//
// # Concurrency
//
// A KB is safe for concurrent use. Searches run concurrently; imports, publishing and
// deletes are serialised and swap the in-memory search state atomically when done.
package kb
