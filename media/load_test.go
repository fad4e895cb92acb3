package media

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-cc/parley/media/g711"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/play"
	"github.com/parley-cc/parley/media/record"
	"github.com/parley-cc/parley/media/wav"
)

// The load measurement of docs/BENCHMARKS.md: can one core carry the media
// of N G.711 calls, 50 packets/s each way, with stereo recording on?
//
// This process plays Parley: GOMAXPROCS=1 (and pinned to one CPU by
// `make bench`, with taskset), N RTP sessions each with the full receive
// path (jitter buffer, decode, PLC, VAD, recording) and send path (prompt
// playback, encode, RTP out, recording), paced by one Pacer. A second
// process, this test binary again as TestLoadGenerator on the other CPU,
// sends each call 50 G.711 packets/s from its own socket and counts what
// comes back. The CPU time this process uses over the measured window,
// divided by the window, is the share of one core the calls need.
//
//	PARLEY_LOAD_CALLS=1000 PARLEY_LOAD_DURATION=30s taskset -c 0 \
//	  go test -run '^TestLoadOneCore$' -v -timeout 10m ./media
func TestLoadOneCore(t *testing.T) {
	calls, _ := strconv.Atoi(os.Getenv("PARLEY_LOAD_CALLS"))
	if calls <= 0 {
		t.Skip("load measurement: set PARLEY_LOAD_CALLS (make bench does)")
	}
	window := 30 * time.Second
	if d, err := time.ParseDuration(os.Getenv("PARLEY_LOAD_DURATION")); err == nil {
		window = d
	}
	const warmup = 3 * time.Second
	if n, err := strconv.Atoi(os.Getenv("PARLEY_LOAD_GOMAXPROCS")); err == nil && n > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	}

	dir := t.TempDir()
	ports, err := NewPortAllocator(PortConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: 30000, Max: 30000 + 4*calls})
	if err != nil {
		t.Fatal(err)
	}
	pm, err := NewPayloadMap(PCMU(), telephoneEvent(t))
	if err != nil {
		t.Fatal(err)
	}
	prompt, err := play.NewClip("prompt", 8000, mediatest.ToneSamples(350, 8000, 0.25, 8000*3))
	if err != nil {
		t.Fatal(err)
	}
	pacer := NewPacer(20*time.Millisecond, 0)
	type call struct {
		s   *Session
		rx  *Receiver
		tx  *Transmitter
		rec *record.Recorder
	}
	cs := make([]*call, calls)
	targets := make([]string, calls)
	start := time.Now()
	for i := range cs {
		pair, err := ports.Allocate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		c := &call{}
		if c.rec, err = record.Create(filepath.Join(dir, fmt.Sprintf("call-%04d.wav", i)), 8000, record.Config{}); err != nil {
			t.Fatal(err)
		}
		if c.rx, err = NewReceiver(ReceiverConfig{Payloads: pm, Record: RecordChannel(c.rec, record.Caller), Start: start, Log: quietLog}); err != nil {
			t.Fatal(err)
		}
		if c.s, err = NewSession(Config{Conn: pair.RTP, RTCPConn: pair.RTCP, Payloads: pm, Handler: c.rx, Symmetric: true, Log: quietLog}); err != nil {
			t.Fatal(err)
		}
		if c.tx, err = NewTransmitter(TransmitterConfig{Session: c.s, Codec: PCMU(), Record: RecordChannel(c.rec, record.Agent), Start: start, Log: quietLog}); err != nil {
			t.Fatal(err)
		}
		player, err := play.NewPlayer(prompt, play.Config{Rate: 8000, Loop: true})
		if err != nil {
			t.Fatal(err)
		}
		c.tx.Play(player, nil)
		if err := c.s.Start(); err != nil {
			t.Fatal(err)
		}
		pacer.Add(c.rx)
		pacer.Add(c.tx)
		cs[i] = c
		targets[i] = strconv.Itoa(pair.RTP.Port())
	}
	// One probe per slot measures how late the Pacer ticks.
	var lateness []time.Duration
	var lateMu sync.Mutex
	for range DefaultPacerSlots {
		var last time.Time
		pacer.Add(TickerFunc(func(now time.Time) {
			real := time.Now()
			if !last.IsZero() {
				lateMu.Lock()
				lateness = append(lateness, real.Sub(last)-20*time.Millisecond)
				lateMu.Unlock()
			}
			last = real
		}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { pacer.Run(ctx) })

	gen := exec.Command(os.Args[0], "-test.run=^TestLoadGenerator$", "-test.v")
	// runtime.NumCPU counts only the CPUs this process may use (one, under
	// make bench's taskset); the machine's own count decides where the far
	// end goes.
	if _, err := exec.LookPath("taskset"); err == nil && onlineCPUs() > 1 {
		gen = exec.Command("taskset", append([]string{"-c", "1", os.Args[0]}, gen.Args[1:]...)...)
	}
	gen.Env = append(os.Environ(),
		"PARLEY_LOADGEN_TARGETS="+strings.Join(targets, ","),
		"PARLEY_LOADGEN_DURATION="+(warmup+window+time.Second).String())
	var genOut strings.Builder
	gen.Stdout, gen.Stderr = &genOut, &genOut
	if err := gen.Start(); err != nil {
		t.Fatal(err)
	}

	time.Sleep(warmup)
	core0 := procStatCPU()
	cpu0, wall0 := cpuTime(), time.Now()
	snap := func() (l loadSnap) {
		for _, c := range cs {
			st, rs := c.s.Stats(), c.rx.Stats()
			l.recv += st.Receive.Packets
			l.sent += st.Send.Packets
			l.played += rs.Frames
			l.adapted += rs.Jitter.Dropped
		}
		return l
	}
	w0 := snap()
	time.Sleep(window)
	cpu1, wall1 := cpuTime(), time.Now()
	core1 := procStatCPU()
	w1 := snap()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	goroutines := runtime.NumGoroutine()
	if err := gen.Wait(); err != nil {
		t.Fatalf("generator: %v\n%s", err, genOut.String())
	}
	cancel()
	wg.Wait()
	var catchUps, concealed, late, sendErr, lost uint64
	for _, c := range cs {
		st := c.rx.Stats()
		catchUps += st.CatchUps
		concealed += st.Concealed
		late += st.Jitter.Late
		lost += st.Jitter.Lost
		sendErr += c.tx.Stats().SendErrors
		c.s.Close()
	}
	elapsed := time.Since(start)
	for i, c := range cs {
		if err := c.rec.CloseAt(elapsed); err != nil {
			t.Fatalf("call %d recording: %v", i, err)
		}
	}

	wallS := wall1.Sub(wall0).Seconds()
	share := (cpu1 - cpu0).Seconds() / wallS
	expected := float64(calls) * 50 * wallS
	var gs genStats
	if i := strings.Index(genOut.String(), "LOADGEN "); i >= 0 {
		line, _, _ := strings.Cut(genOut.String()[i+len("LOADGEN "):], "\n")
		if err := json.Unmarshal([]byte(line), &gs); err != nil {
			t.Fatalf("generator output: %v", err)
		}
	}
	t.Logf("calls=%d window=%.1fs cpu=%.1f%% of one core (%.2f µs per call per 20 ms, both directions)",
		calls, wallS, 100*share, share*20000/float64(calls))
	if a, b := core0["cpu0"], core1["cpu0"]; b[0]+b[1] > a[0]+a[1] {
		t.Logf("cpu0 (where make bench pins this process) was busy %.1f%% of the window, counting every process and interrupt on it",
			100*float64(b[0]-a[0])/float64(b[0]-a[0]+b[1]-a[1]))
	}
	recv, sent, played, adapted := w1.recv-w0.recv, w1.sent-w0.sent, w1.played-w0.played, w1.adapted-w0.adapted
	pct := func(n uint64) float64 { return 100 * float64(n) / expected }
	t.Logf("in the window: received %d packets (%.3f%% of %.0f expected), sent %d (%.3f%%), played %d frames (%.3f%%), dropped by the jitter buffer to shrink its delay %d (%.3f%%)",
		recv, pct(recv), expected, sent, pct(sent), played, pct(played), adapted, pct(adapted))
	t.Logf("whole run: jitter buffer lost %d, late %d; concealed %d frames; catch-up ticks %d; send errors %d (before the far end's address was learnt)",
		lost, late, concealed, catchUps, sendErr)
	t.Logf("generator (whole run): sent %d packets, received %d", gs.Sent, gs.Received)
	lateMu.Lock()
	slices.Sort(lateness)
	if n := len(lateness); n > 0 {
		t.Logf("pacing: tick interval beyond 20 ms: median %v, p99 %v, max %v", lateness[n/2], lateness[n*99/100], lateness[n-1])
	}
	lateMu.Unlock()
	t.Logf("during the calls: heap in use %.1f MiB, %d goroutines (an RTP and an RTCP reader and an RTCP timer per call)",
		float64(ms.HeapInuse)/(1<<20), goroutines)

	// Every recording holds the whole call.
	for _, i := range []int{0, calls / 2, calls - 1} {
		f, err := os.Open(filepath.Join(dir, fmt.Sprintf("call-%04d.wav", i)))
		if err != nil {
			t.Fatal(err)
		}
		r, err := wav.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		got := time.Duration(r.Frames()) * time.Second / 8000
		f.Close()
		if d := got - elapsed; d < -40*time.Millisecond || d > 40*time.Millisecond {
			t.Errorf("call %d recording lasts %v, the call %v", i, got, elapsed)
		}
	}
	if share >= 1 {
		t.Errorf("the calls need %.0f%% of one core: one core cannot carry %d calls", 100*share, calls)
	}
	// Carried means: every packet received and sent, and every packet
	// received either played or deliberately dropped by the jitter buffer
	// to take back delay after a late tick (reported above; a few per
	// cent mean the core is close to full).
	for name, got := range map[string]uint64{"received": recv, "sent": sent, "played or time-scaled": played + adapted} {
		if short := 1 - float64(got)/expected; short > 0.005 {
			t.Errorf("%s: %.2f%% fewer packets than the calls carry", name, 100*short)
		}
	}
}

type genStats struct {
	Sent, Received uint64
}

// loadSnap sums the counters of all calls at one instant.
type loadSnap struct{ recv, sent, played, adapted uint64 }

// cpuTime is the user plus system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// onlineCPUs counts the machine's online CPUs, whatever this process's
// affinity.
func onlineCPUs() int {
	st := procStatCPU()
	return len(st)
}

// procStatCPU returns, per CPU of /proc/stat, the busy and idle jiffies.
func procStatCPU() map[string][2]uint64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil
	}
	out := map[string][2]uint64{}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) < 8 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		var busy, idle uint64
		for i, v := range f[1:] {
			n, _ := strconv.ParseUint(v, 10, 64)
			if i == 3 || i == 4 { // idle, iowait
				idle += n
			} else if i < 8 { // user nice system (idle iowait) irq softirq steal
				busy += n
			}
		}
		out[f[0]] = [2]uint64{busy, idle}
	}
	return out
}

// TestLoadGenerator is the far end of TestLoadOneCore, run in its own
// process: one socket per call, 50 G.711 packets/s to each target, counting
// the packets that come back.
//
// Its sockets are plain non-blocking file descriptors that nobody waits on:
// every 20 ms it drains them. So a packet Parley sends costs Parley what a
// send to a remote phone costs (the kernel queues it), not the wake-up of a
// reader thread on the other CPU that a blocking reader on loopback would
// add to every send.
func TestLoadGenerator(t *testing.T) {
	list := os.Getenv("PARLEY_LOADGEN_TARGETS")
	if list == "" {
		t.Skip("the far end of TestLoadOneCore; started by it")
	}
	dur, err := time.ParseDuration(os.Getenv("PARLEY_LOADGEN_DURATION"))
	if err != nil {
		t.Fatal(err)
	}
	var targets []syscall.SockaddrInet4
	for p := range strings.SplitSeq(list, ",") {
		port, err := strconv.Atoi(p)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}})
	}
	fds := make([]int, len(targets))
	for i := range fds {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			t.Fatal(err)
		}
		fds[i] = fd
		defer syscall.Close(fd)
	}
	payload := make([]byte, 160)
	g711.EncodeULaw(payload, mediatest.ToneSamples(1000, 8000, 0.2, 160))
	pkt := make([]byte, 12+160)
	buf := make([]byte, 1500)
	hdrs := make([]rtp.Header, len(fds))
	for i := range hdrs {
		hdrs[i] = rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i * 7), Timestamp: uint32(i) * 1000, SSRC: uint32(i + 1)}
	}
	var sent, received uint64
	drain := func() {
		for _, fd := range fds {
			for {
				if _, _, err := syscall.Recvfrom(fd, buf, syscall.MSG_DONTWAIT); err != nil {
					break
				}
				received++
			}
		}
	}
	tk := time.NewTicker(20 * time.Millisecond)
	defer tk.Stop()
	end := time.Now().Add(dur)
	for now := range tk.C {
		if now.After(end) {
			break
		}
		for i, fd := range fds {
			h := &hdrs[i]
			n, _ := h.MarshalTo(pkt)
			copy(pkt[n:], payload)
			if err := syscall.Sendto(fd, pkt[:n+160], 0, &targets[i]); err == nil {
				sent++
			}
			h.SequenceNumber++
			h.Timestamp += 160
		}
		drain()
	}
	time.Sleep(100 * time.Millisecond)
	drain()
	b, _ := json.Marshal(genStats{Sent: sent, Received: received})
	fmt.Printf("LOADGEN %s\n", b)
}
