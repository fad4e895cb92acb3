// Package store owns Parley's call records: calls, their legs, the events of
// a call with timestamps, and the index of its recording. The default
// backend is an SQLite file in the data directory (modernc.org/sqlite, pure
// Go, no cgo); the Store interface is the contract a PostgreSQL backend
// will implement, and consumers should declare the subset they use, e.g.
//
//	type callRecorder interface {
//		CreateCall(ctx context.Context, c store.Call) error
//		AddEvent(ctx context.Context, e store.Event) error
//		EndCall(ctx context.Context, id store.CallID, end store.End) error
//	}
//
// # Durability
//
// The database runs in WAL mode. A write method returns nil only after its
// transaction committed, so a call record, leg or event whose write returned
// survives a crash of the process (kill -9), which the package's tests check
// with a real child process. With Sync FULL (the default) it also survives
// a power cut or kernel crash; Sync NORMAL keeps the process-crash guarantee
// and may lose the last transactions on power loss, for less fsync cost
// (docs/BENCHMARKS.md, "Call store").
//
// Writes go through one writer goroutine that owns the single write
// connection and commits queued writes together (group commit): each write
// runs in its own savepoint, so one failing write never undoes another, and
// one fsync covers all the writes waiting at that moment. Reads use a
// separate pool of read-only connections and see committed data.
//
// After a crash, calls are left without an end. RepairOpen, run once at
// start before new calls are taken, closes them with disposition failed,
// cause "parley-restart" and the time of their last known event.
//
// # Concurrency properties
//
// A *SQLite is safe for use from any number of goroutines. Writes from one
// goroutine are applied in the order they were made. Close stops the
// writer after the writes already queued, and waits for it.
//
// Every method takes a context. A write whose context ends while it waits
// in the queue is not applied; one whose context ends after the writer took
// it may still commit, although the method returns the context's error.
package store
