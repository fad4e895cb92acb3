package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/parley-cc/parley/store"
)

// openCLIStore loads the configuration and opens the call store under its
// data directory (returning both) for a command that manages stored accounts; errors are
// printed prefixed with cmd ("parley phone") and reported as false.
func openCLIStore(ctx context.Context, cf *configFlags, cmd string, stderr io.Writer) (Config, *store.SQLite, bool) {
	cfg, err := cf.load()
	if err != nil {
		fmt.Fprintf(stderr, "%s: configuration: %v\n", cmd, err)
		return cfg, nil, false
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return cfg, nil, false
	}
	st, err := store.Open(ctx, (&server{cfg: cfg}).storePath(), store.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return cfg, nil, false
	}
	return cfg, st, true
}
