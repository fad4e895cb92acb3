package telephony_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// TestLoadSIPp measures the UA under SIPp load (Parley issue 4): SIPp's
// uac_call_rtp places calls at PARLEY_SIP_LOAD_RATE per second (default
// 20) for PARLEY_SIP_LOAD_DURATION (default 2m), each lasting
// PARLEY_SIP_LOAD_CALL (default 15s) with a PCMU tone towards Parley while
// Parley sends silence back, at most PARLEY_SIP_LOAD_LIMIT (default 300)
// at once. Every call is recorded (WAV) and kept in a real store. It
// samples the process's CPU and RSS and the machine's CPU, sums the
// per-call RTP receive statistics, then requires no failed SIPp call and,
// for every answered call, a recording row and file of the call's length.
// A measurement for make bench:
//
//	PARLEY_SIP_LOAD=1 go test -run '^TestLoadSIPp$' -count=1 -v -timeout 30m ./telephony
//
// With PARLEY_SIP_LOAD_SEARCH=1 it then steps the concurrency up (300,
// 400, 600, 800, 1000, ...) at the rate that keeps that many calls up,
// each step for PARLEY_SIP_LOAD_STEP (default 45s), until calls fail,
// a recording is lost or the machine's CPU saturates.
func TestLoadSIPp(t *testing.T) {
	if os.Getenv("PARLEY_SIP_LOAD") != "1" {
		t.Skip("load measurement: set PARLEY_SIP_LOAD=1 (make bench does)")
	}
	rate := envFloat(t, "PARLEY_SIP_LOAD_RATE", 20)
	limit := envInt(t, "PARLEY_SIP_LOAD_LIMIT", 300)
	dur := envDuration(t, "PARLEY_SIP_LOAD_DURATION", 2*time.Minute)
	call := envDuration(t, "PARLEY_SIP_LOAD_CALL", 15*time.Second)

	r := runLoad(t, loadSpec{rate: rate, limit: limit, placing: dur, call: call})
	t.Logf("\n%s\n%s", loadHeader, r.row())
	if err := r.err(); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PARLEY_SIP_LOAD_SEARCH") != "1" {
		return
	}
	step := envDuration(t, "PARLEY_SIP_LOAD_STEP", 45*time.Second)
	rows := []string{loadHeader}
	for _, l := range []int{300, 400, 600, 800, 1000, 1200, 1600, 2000, 2400} {
		spec := loadSpec{rate: float64(l) / call.Seconds(), limit: l, placing: step, call: call}
		r := runLoad(t, spec)
		rows = append(rows, r.row())
		t.Logf("step %d: %s", l, r.row())
		if err := r.err(); err != nil {
			t.Logf("breaks at concurrency %d (%.1f calls/s): %v", l, spec.rate, firstLine(err))
			break
		}
		if r.machineCPU >= 0.95 {
			t.Logf("machine CPU saturated at concurrency %d (%.1f calls/s)", l, spec.rate)
			break
		}
	}
	t.Logf("search:\n%s", strings.Join(rows, "\n"))
}

// loadSpec is one SIPp run: calls placed at rate for placing, each call
// lasting call, at most limit at once.
type loadSpec struct {
	rate    float64
	limit   int
	placing time.Duration
	call    time.Duration
}

func (s loadSpec) calls() int { return int(s.rate*s.placing.Seconds() + 0.5) }

// loadResult is what a run measured.
type loadResult struct {
	spec                 loadSpec
	sippOK, sippFailed   int
	sippErr              error
	answered, recordings int
	recErrs              []string
	peakCalls            int
	cpuAvg, cpuPeak      float64       // process CPU in cores, over the run and the busiest second
	machineCPU           float64       // busiest second of the whole machine, 0..1 of all cores
	rssPeak, rssIdle     int64         // bytes
	recMin, recMax       time.Duration // recording lengths
	rtp                  rtpTotals
	wall                 time.Duration
}

const loadHeader = "| rate/s | limit | calls | peak up | SIPp ok/failed | answered | recordings ok (min-max s) | Parley CPU avg/peak (cores) | machine CPU peak | RSS idle/peak MiB | RTP in: pkts, lost (%) | RTP out pkts |\n" +
	"|---|---|---|---|---|---|---|---|---|---|---|---|"

func (r *loadResult) row() string {
	return fmt.Sprintf("| %.1f | %d | %d | %d | %d/%d | %d | %d (%.1f-%.1f) | %.2f/%.2f | %.0f%% | %.0f/%.0f | %d, %d (%.3f%%) | %d |",
		r.spec.rate, r.spec.limit, r.spec.calls(), r.peakCalls, r.sippOK, r.sippFailed, r.answered, r.recordings, r.recMin.Seconds(), r.recMax.Seconds(),
		r.cpuAvg, r.cpuPeak, 100*r.machineCPU, mib(r.rssIdle), mib(r.rssPeak),
		r.rtp.received.Load(), r.rtp.lost.Load(), r.rtp.lossPercent(), r.rtp.sent.Load())
}

func (r *loadResult) err() error {
	var errs []error
	if r.sippErr != nil {
		errs = append(errs, r.sippErr)
	}
	if r.sippFailed != 0 || r.sippOK != r.spec.calls() {
		errs = append(errs, fmt.Errorf("SIPp: %d successful, %d failed of %d calls", r.sippOK, r.sippFailed, r.spec.calls()))
	}
	if r.answered != r.sippOK {
		errs = append(errs, fmt.Errorf("%d answered calls in the store, SIPp completed %d", r.answered, r.sippOK))
	}
	if r.recordings != r.answered {
		errs = append(errs, fmt.Errorf("%d of %d answered calls have a good recording; first problems: %s",
			r.recordings, r.answered, strings.Join(r.recErrs[:min(5, len(r.recErrs))], "; ")))
	}
	return errors.Join(errs...)
}

// quietLogger logs warnings and errors only: a line per call at these
// rates is noise, and costs CPU.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// rtpTotals sums the RTP statistics of every answered call.
type rtpTotals struct {
	calls, received, expected, lost, sent atomic.Int64
}

func (r *rtpTotals) lossPercent() float64 {
	if e := r.expected.Load(); e > 0 {
		return 100 * float64(r.lost.Load()) / float64(e)
	}
	return 0
}

// measuringHandler is DefaultHandler (answer, send silence until the
// caller hangs up) that adds each call's RTP statistics to tot once the
// call has ended and its leg is closed.
func measuringHandler(tot *rtpTotals) telephony.Handler {
	return telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
		if err := c.Answer(ctx); err != nil {
			return
		}
		<-ctx.Done()
		<-c.Done()
		leg := c.Leg()
		if leg == nil || leg.Session() == nil {
			return
		}
		st := leg.Session().Stats()
		tot.calls.Add(1)
		tot.received.Add(int64(st.Receive.Packets))
		tot.expected.Add(int64(st.Receive.Expected))
		tot.lost.Add(max(st.Receive.Lost, 0))
		tot.sent.Add(int64(st.Send.Packets))
	})
}

// loadUA is a served UA with a real store and WAV recordings in a
// temporary directory.
type loadUA struct {
	ua      *telephony.UA
	st      *store.SQLite
	dataDir string
	served  chan error
}

// startLoadUA serves a UA configured by cfg plus the store, and
// recordings unless record is false.
func startLoadUA(t *testing.T, cfg telephony.Config, record bool) *loadUA {
	t.Helper()
	e := &loadUA{dataDir: t.TempDir(), served: make(chan error, 1)}
	st, err := store.Open(context.Background(), filepath.Join(e.dataDir, "calls.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	cfg.Store, cfg.DataDir = st, e.dataDir
	if record {
		cfg.RecordingDir = filepath.Join(e.dataDir, "recordings")
	}
	if e.ua, err = telephony.NewUA(cfg); err != nil {
		_ = st.Close()
		t.Fatal(err)
	}
	go func() { e.served <- e.ua.Serve(context.Background()) }()
	return e
}

func (e *loadUA) stop(t *testing.T) {
	t.Helper()
	_ = e.ua.Close()
	if err := <-e.served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if err := e.st.Close(); err != nil {
		t.Errorf("store close: %v", err)
	}
}

// waitCalls waits until the UA holds no call and no RTP port.
func (e *loadUA) waitCalls(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for e.ua.Calls() != 0 || e.ua.RTPPortsInUse() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls, %d RTP ports still in use after %v", e.ua.Calls(), e.ua.RTPPortsInUse(), within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runLoad(t *testing.T, spec loadSpec) *loadResult {
	t.Helper()
	res := &loadResult{spec: spec, recMin: time.Hour}
	e := startLoadUA(t, telephony.Config{
		Handler:  measuringHandler(&res.rtp),
		MaxCalls: max(1000, 2*spec.limit),
		Log:      quietLogger(),
	}, true)
	defer e.stop(t)
	res.rssIdle = rss()

	smp := startSampler(e.ua)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), spec.placing+spec.call+5*time.Minute)
	defer cancel()
	sr, err := sipptest.Run(ctx, t, sipptest.Options{
		Scenario:    sipptest.Scenario("uac_call_rtp.xml"),
		Target:      e.ua.SIPAddr().String(),
		Calls:       spec.calls(),
		Rate:        spec.rate,
		Concurrency: spec.limit,
		Duration:    spec.call,
		Timeout:     spec.placing + spec.call + 3*time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	res.sippOK, res.sippFailed = sr.Successful, sr.Failed
	if err := sr.Err(); err != nil {
		res.sippErr = fmt.Errorf("%.2000s", err.Error())
	}
	e.waitCalls(t, 30*time.Second)
	res.wall = time.Since(start)
	smp.stop()
	res.cpuAvg, res.cpuPeak, res.machineCPU = smp.cpuAvg(), smp.cpuPeak, smp.machinePeak
	res.rssPeak, res.peakCalls = smp.rssPeak, smp.callsPeak
	checkRecordings(t, e, spec, res)
	return res
}

// checkRecordings counts the answered calls in the store and those whose
// recording row names an existing file of the indexed size lasting the
// call's length, within a second.
func checkRecordings(t *testing.T, e *loadUA, spec loadSpec, res *loadResult) {
	t.Helper()
	ctx := context.Background()
	f := store.Filter{Limit: store.MaxLimit}
	for {
		page, err := e.st.ListCalls(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Calls {
			if c.Disposition != store.Answered {
				continue
			}
			res.answered++
			if msg := checkRecording(ctx, e, c.ID, spec.call); msg != "" {
				res.recErrs = append(res.recErrs, string(c.ID)+": "+msg)
				continue
			}
			res.recordings++
			if d, err := e.st.Recording(ctx, c.ID); err == nil {
				res.recMin = min(res.recMin, d.Duration)
				res.recMax = max(res.recMax, d.Duration)
			}
		}
		if page.Next == "" {
			return
		}
		f.Cursor = page.Next
	}
}

// wavBytesPerSecond is a stereo 16-bit 8 kHz recording.
const wavBytesPerSecond = 2 * 2 * 8000

func checkRecording(ctx context.Context, e *loadUA, id store.CallID, want time.Duration) string {
	rec, err := e.st.Recording(ctx, id)
	if err != nil {
		return err.Error()
	}
	fi, err := os.Stat(filepath.Join(e.dataDir, filepath.FromSlash(rec.Path)))
	if err != nil {
		return err.Error()
	}
	if fi.Size() != rec.Bytes {
		return fmt.Sprintf("file has %d bytes, store says %d", fi.Size(), rec.Bytes)
	}
	fileDur := time.Duration(float64(fi.Size()-44) / wavBytesPerSecond * float64(time.Second))
	// A recording runs from the 200 OK to the BYE: SIPp's pause starts at
	// its ACK and, under load, SIPp sends the BYE late (measured up to
	// 1.2 s at 20 calls/s); a truncated file is what this looks for.
	if rec.Duration < want-500*time.Millisecond || rec.Duration > want+3*time.Second {
		return fmt.Sprintf("recording lasts %v, want %v (-0.5 s, +3 s)", rec.Duration, want)
	}
	if d := fileDur - rec.Duration; d < -time.Second || d > time.Second {
		return fmt.Sprintf("file holds %v of audio, store says %v", fileDur, rec.Duration)
	}
	return ""
}

// sampler reads the process's CPU time and RSS, the machine's CPU and
// the UA's call count every second.
type sampler struct {
	ua          *telephony.UA
	done        chan struct{}
	wg          sync.WaitGroup
	start       time.Time
	cpu0        time.Duration
	end         time.Time
	cpu1        time.Duration
	cpuPeak     float64
	machinePeak float64
	rssPeak     int64
	callsPeak   int
}

func startSampler(ua *telephony.UA) *sampler {
	s := &sampler{ua: ua, done: make(chan struct{}), start: time.Now(), cpu0: cpuTime()}
	s.wg.Add(1)
	go s.run()
	return s
}

func (s *sampler) run() {
	defer s.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastT, lastCPU := s.start, s.cpu0
	lastBusy, lastTotal := machineCPU()
	for {
		select {
		case <-s.done:
			return
		case now := <-tick.C:
			c := cpuTime()
			s.cpuPeak = max(s.cpuPeak, float64(c-lastCPU)/float64(now.Sub(lastT)))
			lastT, lastCPU = now, c
			busy, total := machineCPU()
			if total > lastTotal {
				s.machinePeak = max(s.machinePeak, float64(busy-lastBusy)/float64(total-lastTotal))
			}
			lastBusy, lastTotal = busy, total
			s.rssPeak = max(s.rssPeak, rss())
			s.callsPeak = max(s.callsPeak, s.ua.Calls())
		}
	}
}

func (s *sampler) stop() {
	close(s.done)
	s.wg.Wait()
	s.end, s.cpu1 = time.Now(), cpuTime()
}

func (s *sampler) cpuAvg() float64 { return float64(s.cpu1-s.cpu0) / float64(s.end.Sub(s.start)) }

// cpuTime is the user and system CPU time of this process (getrusage).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss is this process's resident set size from /proc/self/status.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// machineCPU returns busy and total jiffies of all CPUs from /proc/stat.
func machineCPU() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	fields := strings.Fields(string(line))
	for i, f := range fields[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

func envFloat(t *testing.T, name string, def float64) float64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return f
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration", name, v)
	}
	return d
}
