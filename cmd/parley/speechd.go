package main

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"syscall"
)

// cmdSpeechd runs Parley's MRCPv2 speech server on its own, for other
// hosts' Parley nodes (mrcp.servers) or any MRCPv2 client.
func cmdSpeechd(args []string, stdout, stderr io.Writer) int {
	cfg, code := parseConfig("speechd", args, stderr)
	if code != 0 {
		return code
	}
	log := newLogger(cfg.Log, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	eng, err := newSpeechEngines(cfg.Speech, log)
	if err != nil {
		fmt.Fprintf(stderr, "parley speechd: %v\n", err)
		return 1
	}
	defer eng.Close()
	srv, err := newSpeechServer(cfg.Speech, eng, log)
	if err != nil {
		fmt.Fprintf(stderr, "parley speechd: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "speech server: %s (control %s)\n", srv.URI(), srv.ControlAddr())
	if err := srv.Serve(ctx); err != nil {
		log.Error("speech server failed", "err", err)
		return 1
	}
	return 0
}
