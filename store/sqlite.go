package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// Sync is SQLite's synchronous setting, how often it waits for the disk.
type Sync int

// Sync modes. SyncFull, the zero value, fsyncs the WAL at every commit: a
// returned write survives power loss. SyncNormal fsyncs only at
// checkpoints: a returned write survives a crash of the process, but the
// last commits may be lost if the machine loses power.
const (
	SyncFull Sync = iota
	SyncNormal
)

func (s Sync) String() string {
	switch s {
	case SyncFull:
		return "FULL"
	case SyncNormal:
		return "NORMAL"
	}
	return fmt.Sprintf("Sync(%d)", int(s))
}

// Options configure Open. The zero value means the defaults.
type Options struct {
	Sync        Sync
	BusyTimeout time.Duration // waiting for another process's lock; 0: 5 s
	Queue       int           // writes waiting for the writer; 0: 1024
	Batch       int           // most writes per transaction; 0: 256
	Readers     int           // read connections; 0: 4
	Now         func() time.Time
	Log         *slog.Logger
}

func (o *Options) fill() {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.Queue <= 0 {
		o.Queue = 1024
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
	if o.Readers <= 0 {
		o.Readers = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// SQLite is the SQLite backend of Store. Make one with Open; it is safe
// for concurrent use.
type SQLite struct {
	opts   Options
	wdb    *sql.DB // one connection, owned by the writer goroutine
	rdb    *sql.DB // read-only pool
	queue  chan *writeOp
	done   chan struct{} // closed by Close: no more writes
	exited chan struct{} // closed when the writer has returned
	once   sync.Once
}

var _ Store = (*SQLite)(nil)

// writeOp is one write: fn runs inside the writer's transaction, in a
// savepoint of its own.
type writeOp struct {
	fn    func(ctx context.Context, tx *sql.Tx) error
	ctx   context.Context
	reply chan error // buffered 1
}

// Open opens (creating it if needed) the SQLite database at path, applies
// pending schema migrations and starts the writer. Close it.
func Open(ctx context.Context, path string, opts Options) (*SQLite, error) {
	opts.fill()
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("%w: database path %q", ErrInvalid, path)
	}
	if opts.Sync != SyncFull && opts.Sync != SyncNormal {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, opts.Sync)
	}
	params := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(%s)&_pragma=foreign_keys(1)",
		opts.BusyTimeout.Milliseconds(), opts.Sync)
	wdb, err := sql.Open("sqlite", "file:"+path+"?"+params+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	if err := migrate(ctx, wdb); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", "file:"+path+"?"+params+"&_pragma=query_only(1)")
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open store %s for reading: %w", path, err)
	}
	rdb.SetMaxOpenConns(opts.Readers)
	rdb.SetMaxIdleConns(opts.Readers)
	s := &SQLite{
		opts:   opts,
		wdb:    wdb,
		rdb:    rdb,
		queue:  make(chan *writeOp, opts.Queue),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go s.writer()
	return s, nil
}

// Close stops taking writes, lets the writer commit those already queued,
// waits for it and closes the database. It is safe to call more than once.
func (s *SQLite) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		<-s.exited
		err = errors.Join(s.wdb.Close(), s.rdb.Close())
	})
	if err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// write queues fn for the writer and waits for its commit.
func (s *SQLite) write(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &writeOp{fn: fn, ctx: ctx, reply: make(chan error, 1)}
	select {
	case <-s.done:
		return ErrClosed
	default:
	}
	select {
	case s.queue <- op:
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-op.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-s.exited:
		select {
		case err := <-op.reply:
			return err
		default:
			return ErrClosed
		}
	}
}

// writer owns the write connection: it takes the first queued write, then
// every other write already waiting (up to Batch), and runs them in one
// transaction, so one commit (one fsync with SyncFull) serves them all.
func (s *SQLite) writer() {
	defer close(s.exited)
	batch := make([]*writeOp, 0, s.opts.Batch)
	for {
		batch = batch[:0]
		select {
		case op := <-s.queue:
			batch = append(batch, op)
		case <-s.done:
			// Drain what was queued before Close.
			for {
				select {
				case op := <-s.queue:
					batch = append(batch, op)
					if len(batch) == cap(batch) {
						s.commit(batch)
						batch = batch[:0]
					}
				default:
					if len(batch) > 0 {
						s.commit(batch)
					}
					return
				}
			}
		}
	fill:
		for len(batch) < cap(batch) {
			select {
			case op := <-s.queue:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		s.commit(batch)
	}
}

// commit runs a batch in one transaction and replies to every write.
func (s *SQLite) commit(batch []*writeOp) {
	errs := make([]error, len(batch))
	err := s.runBatch(batch, errs)
	if err != nil {
		s.opts.Log.Error("store: commit failed", "writes", len(batch), "err", err)
	}
	for i, op := range batch {
		e := errs[i]
		if err != nil && e == nil {
			e = err
		}
		op.reply <- e
	}
}

func (s *SQLite) runBatch(batch []*writeOp, errs []error) error {
	// The batch's own context must not be any one caller's: a cancelled
	// caller would abort everyone's commit.
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		if errs[i] = op.fn(ctx, tx); errs[i] != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO w"); err != nil {
				return fmt.Errorf("rollback to savepoint: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Time columns hold UTC unix nanoseconds; NULL is the zero time.

func nsOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func fromNS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

func (s *SQLite) now(t time.Time) time.Time {
	if t.IsZero() {
		return s.opts.Now()
	}
	return t
}
