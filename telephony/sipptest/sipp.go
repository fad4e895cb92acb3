package sipptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
)

// DefaultTimeout bounds a run when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Exit codes of sipp (sipp -h, "Exit codes").
const (
	ExitAllOK        = 0   // every call succeeded
	ExitSomeFailed   = 1   // at least one call failed
	ExitInternalCmd  = 97  // exit on internal command
	ExitNoCalls      = 99  // normal exit, no call processed
	ExitFatal        = 255 // -1: fatal error
	ExitFatalBinding = 254 // -2: fatal error binding a socket
)

// ErrFailedCalls is wrapped by Result.Err when SIPp reports failed calls
// or a non-zero exit.
var ErrFailedCalls = errors.New("sipptest: sipp reported failure")

// Options describes one sipp run. The zero value of every field but
// Scenario (and Target for a client) means a default.
type Options struct {
	Scenario               string            // path of the XML scenario (-sf)
	Target                 string            // host:port of the peer; empty for a server
	LocalIP                string            // -i and -mi; default 127.0.0.1
	Transport              string            // -t: "u1" (default) or "t1"
	Service                string            // -s, the user part of the Request-URI; default "parley"
	Calls                  int               // -m; default 1
	Rate                   float64           // -r calls per second; default SIPp's 10
	Concurrency            int               // -l, simultaneous calls; default SIPp's
	Duration               time.Duration     // -d, the length of a scenario's <pause/>
	Vars                   map[string]string // -key name value, [name] in the scenario
	InjectionFile          string            // -inf CSV file
	AuthUser, AuthPassword string            // -au/-ap, for [authentication]
	RTPEcho                bool              // -rtp_echo on MediaPort
	MediaPort              int               // -mp; 0 picks a free even port
	Timeout                time.Duration     // -timeout and the kill deadline; default 30 s
	ExtraArgs              []string          // appended last
}

// Result is the outcome of a finished sipp.
type Result struct {
	ExitCode           int    // sipp's exit status; -1 when killed by a signal
	Stats              Stats  // last row of the statistics CSV; empty Fields if none
	Successful, Failed int    // SuccessfulCall(C), FailedCall(C)
	ErrorLog           string // content of the -trace_err log
	Screen             string // final statistics screen (-trace_screen)
	Output             string // sipp's stdout and stderr
	Dir                string // the directory holding the traces
	Args               []string
}

// Err is nil when sipp exited 0 with no failed call and at least one
// successful one, and otherwise an error wrapping ErrFailedCalls that
// quotes the error log.
func (r *Result) Err() error {
	if r.ExitCode == ExitAllOK && r.Failed == 0 && r.Successful > 0 {
		return nil
	}
	return fmt.Errorf("%w: exit %d, %d successful, %d failed calls (traces in %s)\nerrors:\n%s\noutput:\n%s",
		ErrFailedCalls, r.ExitCode, r.Successful, r.Failed, r.Dir, tail(r.ErrorLog, 4000), tail(r.Output, 2000))
}

// Run runs a client scenario against opts.Target and waits for sipp to
// exit. It fails t when sipp is not installed. The error is about
// running sipp; whether the calls succeeded is in the Result (see
// Result.Err).
func Run(ctx context.Context, t testing.TB, opts Options) (*Result, error) {
	t.Helper()
	if opts.Target == "" {
		return nil, errors.New("sipptest: Run needs a Target")
	}
	// A port taken between choosing and binding it (another test) makes
	// sipp exit with ExitFatalBinding; try again with fresh ports.
	for attempt := 0; ; attempt++ {
		s, err := start(ctx, t, opts)
		if err != nil {
			return nil, err
		}
		res, err := s.Wait(ctx)
		if err == nil && res.ExitCode == ExitFatalBinding && attempt < 2 {
			continue
		}
		return res, err
	}
}

// Server is a sipp running a server scenario in the background.
type Server struct {
	Addr      netip.AddrPort // where it listens for SIP
	MediaPort int            // its RTP (echo) port
	cmd       *exec.Cmd
	done      chan struct{}
	waitErr   error
	files     traceFiles
	out       *bytes.Buffer
	args      []string
	cancel    context.CancelFunc
}

// Start runs a server scenario (opts.Target empty) in the background and
// returns once sipp listens. Stop or Wait collects the result; the
// test's Cleanup kills it if neither did.
func Start(ctx context.Context, t testing.TB, opts Options) (*Server, error) {
	t.Helper()
	s, err := start(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	if err := s.waitListening(ctx); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// Stop asks sipp to finish (SIGUSR1: no new calls, current calls run to
// their end) and waits for it until ctx ends, then kills it.
func (s *Server) Stop(ctx context.Context) (*Result, error) {
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGUSR1)
	}
	return s.Wait(ctx)
}

// Wait waits for sipp to exit by itself (a server run with Calls set
// exits after that many calls) until ctx ends, then kills it.
func (s *Server) Wait(ctx context.Context) (*Result, error) {
	select {
	case <-s.done:
	case <-ctx.Done():
		s.kill()
	}
	return s.result()
}

func (s *Server) kill() {
	s.cancel()
	<-s.done
}

type traceFiles struct{ dir, stats, errors, screen string }

func start(ctx context.Context, t testing.TB, opts Options) (*Server, error) {
	t.Helper()
	bin := mediatest.RequireTool(t, "sipp")
	opts = withDefaults(opts)
	scenario, err := filepath.Abs(opts.Scenario)
	if err != nil {
		return nil, fmt.Errorf("scenario path: %w", err)
	}
	if _, err := os.Stat(scenario); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	sipPort, err := FreePort(opts.Transport)
	if err != nil {
		return nil, err
	}
	if opts.MediaPort == 0 {
		if opts.MediaPort, err = FreeMediaPort(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp(t.TempDir(), "sipp")
	if err != nil {
		return nil, fmt.Errorf("trace dir: %w", err)
	}
	files := traceFiles{dir: dir, stats: filepath.Join(dir, "stats.csv"),
		errors: filepath.Join(dir, "errors.log"), screen: filepath.Join(dir, "screen.log")}
	args := buildArgs(opts, scenario, sipPort, files)

	// The kill deadline is a little after sipp's own -timeout.
	runCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.Timeout+5*time.Second)
	cmd := exec.CommandContext(runCtx, bin, args...)
	cmd.Dir = filepath.Dir(scenario)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start sipp: %w", err)
	}
	addr := netip.AddrPortFrom(netip.MustParseAddr(opts.LocalIP), uint16(sipPort))
	s := &Server{Addr: addr, MediaPort: opts.MediaPort, cmd: cmd, done: make(chan struct{}),
		files: files, out: out, args: args, cancel: cancel}
	go func() {
		s.waitErr = cmd.Wait()
		cancel()
		close(s.done)
	}()
	t.Cleanup(s.kill)
	return s, nil
}

func withDefaults(o Options) Options {
	if o.LocalIP == "" {
		o.LocalIP = "127.0.0.1"
	}
	if o.Transport == "" {
		o.Transport = "u1"
	}
	if o.Service == "" {
		o.Service = "parley"
	}
	if o.Calls == 0 {
		o.Calls = 1
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}

func buildArgs(o Options, scenario string, port int, f traceFiles) []string {
	args := []string{"-sf", scenario}
	if o.Target != "" {
		args = append(args, o.Target)
	}
	args = append(args, "-i", o.LocalIP, "-mi", o.LocalIP, "-p", strconv.Itoa(port),
		"-t", o.Transport, "-s", o.Service, "-m", strconv.Itoa(o.Calls),
		"-mp", strconv.Itoa(o.MediaPort), "-nostdin",
		"-timeout", fmt.Sprintf("%dms", o.Timeout.Milliseconds()), "-timeout_error",
		"-trace_err", "-error_file", f.errors,
		"-trace_stat", "-stf", f.stats, "-fd", "1",
		"-trace_screen", "-screen_file", f.screen)
	if o.Rate > 0 {
		args = append(args, "-r", strconv.FormatFloat(o.Rate, 'f', -1, 64))
	}
	if o.Concurrency > 0 {
		args = append(args, "-l", strconv.Itoa(o.Concurrency))
	}
	if o.Duration > 0 {
		args = append(args, "-d", strconv.FormatInt(o.Duration.Milliseconds(), 10))
	}
	keys := make([]string, 0, len(o.Vars))
	for k := range o.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-key", k, o.Vars[k])
	}
	if o.InjectionFile != "" {
		args = append(args, "-inf", o.InjectionFile)
	}
	if o.AuthUser != "" {
		args = append(args, "-au", o.AuthUser, "-ap", o.AuthPassword)
	}
	if o.RTPEcho {
		args = append(args, "-rtp_echo")
	}
	return append(args, o.ExtraArgs...)
}

// waitListening waits until sipp has bound its SIP port (or exited).
func (s *Server) waitListening(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		if portBound(s.Addr) {
			return nil
		}
		select {
		case <-s.done:
			res, _ := s.result()
			return fmt.Errorf("sipp exited before listening: %w", res.Err())
		case <-ctx.Done():
			return fmt.Errorf("wait for sipp to listen: %w", ctx.Err())
		case <-deadline:
			return fmt.Errorf("sipp did not bind %s within 10 s", s.Addr)
		case <-tick.C:
		}
	}
}

// portBound reports whether a UDP port is in use (sipp binds UDP for u1
// and TCP for t1; trying both is cheap).
func portBound(a netip.AddrPort) bool {
	u, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(a))
	if err != nil {
		return true
	}
	u.Close()
	l, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(a))
	if err != nil {
		return true
	}
	l.Close()
	return false
}

func (s *Server) result() (*Result, error) {
	<-s.done
	r := &Result{Output: s.out.String(), Dir: s.files.dir, Args: s.args, ExitCode: -1}
	var exitErr *exec.ExitError
	switch {
	case s.waitErr == nil:
		r.ExitCode = 0
	case errors.As(s.waitErr, &exitErr):
		r.ExitCode = exitErr.ExitCode()
	default:
		return r, fmt.Errorf("wait for sipp: %w", s.waitErr)
	}
	if b, err := os.ReadFile(s.files.stats); err == nil {
		if st, err := ParseStats(bytes.NewReader(b)); err == nil {
			r.Stats = st
			r.Successful, r.Failed = st.SuccessfulCalls(), st.FailedCalls()
		}
	}
	if b, err := os.ReadFile(s.files.errors); err == nil {
		r.ErrorLog = string(b)
	}
	if b, err := os.ReadFile(s.files.screen); err == nil {
		r.Screen = string(b)
	}
	return r, nil
}

// FreePort returns a port free on 127.0.0.1 for the transport ("u1"
// UDP, "t1" TCP; both are checked so either can be used).
func FreePort(transport string) (int, error) {
	for range 20 {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return 0, fmt.Errorf("free port: %w", err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		u.Close()
		if err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("free port for %s: none found", transport)
}

// FreeMediaPort returns an even UDP port p with p+1, p+2 and p+3 free too
// (sipp's echo uses p and p+2, RTCP the odd ones).
func FreeMediaPort() (int, error) {
	for range 50 {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return 0, fmt.Errorf("free media port: %w", err)
		}
		p := u.LocalAddr().(*net.UDPAddr).Port &^ 1
		u.Close()
		if p+3 > 65535 || p < 1024 {
			continue
		}
		ok := true
		for i := range 4 {
			c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + i})
			if err != nil {
				ok = false
				break
			}
			c.Close()
		}
		if ok {
			return p, nil
		}
	}
	return 0, errors.New("free media port: none found")
}

// ScenarioDir returns the absolute path of testdata/sipp at the top of
// the module, found from this source file.
func ScenarioDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "sipp")
}

// Scenario returns the path of a scenario file in ScenarioDir.
func Scenario(name string) string { return filepath.Join(ScenarioDir(), name) }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
