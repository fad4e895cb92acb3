// Package index stores vectors with payloads and finds the nearest ones to a query.
//
// Index is the interface the knowledge base uses. Two implementations share one
// contract test suite:
//
//   - Embedded: in-process, persisted as one snapshot file in a directory. Below
//     Config.ExactThreshold points it searches exactly (a scan of dot products over
//     unit vectors); above it, it keeps an HNSW graph (github.com/coder/hnsw) and falls
//     back to an exact scan of the filtered points when a selective filter leaves the
//     graph with fewer than k matches. The graph is rebuilt when the snapshot is loaded.
//   - Qdrant: a collection on a Qdrant server through github.com/qdrant/go-client.
//
// Scores are cosine similarities in [-1, 1]; vectors are normalised on upsert.
//
// # Concurrency
//
// All methods of both implementations are safe for concurrent use. Searches run
// concurrently with each other; Upsert, Delete and Save exclude everything else.
package index
