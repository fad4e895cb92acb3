package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Parley: an AI voice-bot contact center.

Usage:
  parley serve   [--config FILE] [flags]   run the contact center
  parley speechd [--config FILE] [flags]   run only the MRCPv2 speech server
  parley mrcp synth|recog --server URI ... check an MRCPv2 server (see parley mrcp -h)
  parley config  [--config FILE] [flags]   print the effective configuration
  parley nlu eval --train FILE --test FILE  train the intent classifier and score it (docs/nlu.md)
  parley kb import|search|gaps|publish     manage the knowledge base (docs/knowledge-base.md)
  parley chat SCRIPT                       talk to a dialogue script in the terminal (docs/scripts.md)
  parley script test [SCRIPT...]           run the scripts' conversation tests (docs/scripts.md)
  parley phone add|remove|list             manage agents' phone accounts (docs/telephony.md)
  parley agent add|remove|list             manage agents' and supervisors' console logins (docs/console-api.md)
  parley version                           print the version

Run 'parley <command> -h' for the flags of a command.
`

// run executes one subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(rest, stdout, stderr)
	case "config":
		return cmdConfig(rest, stdout, stderr)
	case "speechd":
		return cmdSpeechd(rest, stdout, stderr)
	case "mrcp":
		return cmdMRCP(rest, stdout, stderr)
	case "nlu":
		return cmdNLU(rest, stdout, stderr)
	case "kb":
		return cmdKB(rest, stdout, stderr)
	case "chat":
		return cmdChat(rest, os.Stdin, stdout, stderr)
	case "script":
		return cmdScript(rest, stdout, stderr)
	case "phone":
		return cmdPhone(rest, os.Stdin, stdout, stderr)
	case "agent":
		return cmdAgent(rest, os.Stdin, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "parley %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "parley: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

// configFlags are the flags every command that reads configuration accepts.
type configFlags struct {
	path      string
	overrides multiFlag
	sipAddr   string
	httpAddr  string
	dataDir   string
	logLevel  string
}

func (cf *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&cf.path, "config", os.Getenv("PARLEY_CONFIG"), "YAML configuration `file` (default $PARLEY_CONFIG; none: embedded defaults)")
	fs.Var(&cf.overrides, "set", "override one setting, `key=value` (e.g. media.rtp_port_min=20000); repeatable")
	fs.StringVar(&cf.sipAddr, "sip-addr", "", "SIP listen `host:port` (sip.addr)")
	fs.StringVar(&cf.httpAddr, "http-addr", "", "HTTP listen `host:port` (http.addr)")
	fs.StringVar(&cf.dataDir, "data-dir", "", "data `directory` (data_dir)")
	fs.StringVar(&cf.logLevel, "log-level", "", "log `level`: debug, info, warn, error (log.level)")
}

// load applies file, environment and flags, in that order.
func (cf *configFlags) load() (Config, error) {
	overrides := append([]string(nil), cf.overrides...)
	for key, val := range map[string]string{"sip.addr": cf.sipAddr, "http.addr": cf.httpAddr, "data_dir": cf.dataDir, "log.level": cf.logLevel} {
		if val != "" {
			overrides = append(overrides, key+"="+val)
		}
	}
	return LoadConfig(cf.path, os.Environ(), overrides)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// parseConfig parses the flags of command name and loads the
// configuration. On failure it has told stderr why and returns the exit
// code; code is 0 on success.
func parseConfig(name string, args []string, stderr io.Writer) (cfg Config, code int) {
	fs := flag.NewFlagSet("parley "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return cfg, 2
	}
	cfg, err := cf.load()
	if err != nil {
		fmt.Fprintf(stderr, "parley %s: configuration: %v\n", name, err)
		return cfg, 1
	}
	return cfg, 0
}

func cmdConfig(args []string, stdout, stderr io.Writer) int {
	cfg, code := parseConfig("config", args, stderr)
	if code != 0 {
		return code
	}
	b, err := cfg.YAML()
	if err != nil {
		fmt.Fprintf(stderr, "parley config: %v\n", err)
		return 1
	}
	stdout.Write(b)
	return 0
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	cfg, code := parseConfig("serve", args, stderr)
	if code != 0 {
		return code
	}
	log := newLogger(cfg.Log, stderr)

	// The first SIGINT or SIGTERM drains; a second one stops at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer func() { signal.Stop(sigs); close(sigs) }()
	drain, stopDraining := context.WithCancel(context.Background())
	kill, stopNow := context.WithCancel(context.Background())
	defer stopDraining()
	defer stopNow()
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		log.Info("shutting down: draining", "signal", sig.String(), "timeout", cfg.ShutdownTimeout)
		stopDraining()
		if sig, ok = <-sigs; ok {
			log.Warn("second signal: stopping now", "signal", sig.String())
			stopNow()
		}
	}()

	if err := serve(drain, kill, cfg, log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("parley serve failed", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
