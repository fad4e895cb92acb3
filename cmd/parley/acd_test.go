package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/acd/acdtest"
	"github.com/parley-cc/parley/telephony"
)

// TestDefaultQueuesServeTheScripts: every queue the shipped scripts
// transfer to exists in the embedded configuration, so that `parley
// serve` with no file queues their transfers.
func TestDefaultQueuesServeTheScripts(t *testing.T) {
	have := map[string]bool{}
	for _, q := range DefaultConfig().ACD.Queues {
		have[q.Name] = true
	}
	re := regexp.MustCompile(`(?m)^\s*queue:\s*([A-Za-z0-9_-]+)`)
	for _, f := range []string{"../../scripts/bank/bank.yaml", "../../scripts/isp/isp.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ms := re.FindAllStringSubmatch(string(b), -1)
		if len(ms) == 0 {
			t.Fatalf("%s: no transfer queue found", f)
		}
		for _, m := range ms {
			if !have[m[1]] {
				t.Errorf("%s transfers to queue %q, which the default acd.queues lack", f, m[1])
			}
		}
	}
}

func TestACDConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr []string
	}{
		{"backend", func(c *Config) { c.ACD.Backend = "etcd" }, []string{"acd.backend"}},
		{"redis addr", func(c *Config) { c.ACD.Backend, c.ACD.Redis.Addr = "redis", "nowhere" }, []string{"acd.redis.addr"}},
		{"no queues", func(c *Config) { c.ACD.Queues = nil }, []string{"acd.queues"}},
		{"agents", func(c *Config) { c.ACD.Agents = []ACDAgentConfig{{ID: "a"}, {ID: "a"}, {}} }, []string{"appears twice", "acd.agents[2]"}},
		{"whisper and message", func(c *Config) { c.Handoff.WhisperMax, c.Handoff.MessageMax = time.Minute, 0 },
			[]string{"handoff.whisper_max", "handoff.message_max"}},
		{"hold audio", func(c *Config) { c.Handoff.HoldAudio = "/nonexistent/hold.wav" }, []string{"handoff.hold_audio"}},
		{"queue the ACD refuses", func(c *Config) {
			c.ACD.Queues = append(c.ACD.Queues, ACDQueueConfig{Name: "x", Fallback: "fax", OverflowTo: "nowhere"})
		}, []string{"fax", "nowhere"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.DataDir = t.TempDir()
			tc.edit(&cfg)
			s := &server{cfg: cfg, log: slog.New(slog.DiscardHandler)}
			err := s.startACD()
			if err == nil {
				_ = s.stopACD()
				t.Fatal("no error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestStartACD runs the ACD as serve does, on both backends (Redis: a
// real redis-server), and checks its queues and health.
func TestStartACD(t *testing.T) {
	for _, backend := range []string{"memory", "redis"} {
		t.Run(backend, func(t *testing.T) {
			cfg := testConfig()
			cfg.ACD.Backend = backend
			cfg.ACD.Node = "n1"
			cfg.ACD.Agents = []ACDAgentConfig{{ID: "alice", Phone: "alice", Skills: map[string]int{"cards": 8}}}
			cfg.ACD.Blacklist = []string{"+15550100"}
			var rs *acdtest.RedisServer
			if backend == "redis" {
				rs = acdtest.StartRedis(t)
				cfg.ACD.Redis.Addr = rs.Addr
			}
			s := &server{cfg: cfg, log: slog.New(slog.DiscardHandler)}
			if err := s.startACD(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := s.stopACD(); err != nil {
					t.Error(err)
				}
			}()
			ctx := context.Background()
			if got := len(s.acd.acd.Queues()); got != 5 {
				t.Errorf("%d queues", got)
			}
			// Provisioned agents appear once the routing loop has started.
			ag, err := s.acd.acd.Agent(ctx, "alice")
			for deadline := time.Now().Add(5 * time.Second); err != nil && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
				ag, err = s.acd.acd.Agent(ctx, "alice")
			}
			if err != nil || ag.Skills["cards"] != 8 {
				t.Errorf("agent alice: %+v, %v", ag, err)
			}
			if h := s.acdHealth(ctx); h != "ok" {
				t.Errorf("health %q", h)
			}
			if rs != nil {
				rs.Kill()
				deadline := time.Now().Add(10 * time.Second)
				for s.acdHealth(ctx) == "ok" && time.Now().Before(deadline) {
					time.Sleep(100 * time.Millisecond)
				}
				if h := s.acdHealth(ctx); h != "unavailable" {
					t.Errorf("health with Redis down: %q", h)
				}
			}
		})
	}
}

// TestServeQueuesTransfers runs `parley serve` as from the embedded
// defaults with the bank script and one queue that gives up after 10 s: a
// caller pressing 0 for an adviser is transferred by the bot, queued by
// the ACD, hears hold music, and is told goodbye at max wait; /healthz
// reports the ACD.
func TestServeQueuesTransfers(t *testing.T) {
	cfg := testConfig()
	cfg.HTTP.Addr = freeAddr(t)
	cfg.SIP.Addr = freeAddr(t)
	cfg.DataDir = t.TempDir()
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.Bot.ScriptsDir = alwaysOpenBank(t)
	cfg.ACD.Queues = []ACDQueueConfig{{Name: "general", MaxWait: 10 * time.Second, Fallback: "goodbye"}}
	drain, stopDraining := context.WithCancel(context.Background())
	defer stopDraining()
	done := make(chan error, 1)
	go func() { done <- serve(drain, context.Background(), cfg, slog.New(slog.DiscardHandler)) }()
	defer func() {
		stopDraining()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var rep healthReport
	for range 200 {
		resp, err := http.Get("http://" + cfg.HTTP.Addr + "/healthz")
		if err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&rep)
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rep.Checks["acd"] != "ok" {
		t.Fatalf("healthz checks %v, want acd ok", rep.Checks)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 70*time.Second)
	defer cancel()
	ua, err := telephony.NewUA(telephony.Config{SIPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	uaDone := make(chan error, 1)
	go func() { uaDone <- ua.Serve(context.Background()) }()
	defer func() { _ = ua.Close(); <-uaDone }()
	c, err := ua.Dial(ctx, telephony.DialOptions{To: "sip:0800123000@" + cfg.SIP.Addr, CallerID: "+15550002222"})
	if err != nil {
		t.Fatal(err)
	}
	rate := c.Leg().Receiver().Rate()
	var mu sync.Mutex
	var heard []int16
	c.Leg().Receiver().AddListener(func(_ time.Duration, pcm []int16) {
		mu.Lock()
		heard = append(heard, pcm...)
		mu.Unlock()
	})
	time.Sleep(6 * time.Second) // the greeting (barge-in off), into how-can-I-help
	if err := c.SendDigit(ctx, '0', 0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("Parley did not end the call")
	}
	mu.Lock()
	defer mu.Unlock()
	best := 0.0
	for i := 0; i+rate <= len(heard); i += rate / 4 {
		best = max(best, notesShare(heard[i:i+rate], rate))
	}
	var per []string
	for i := 0; i+rate <= len(heard); i += rate {
		per = append(per, fmt.Sprintf("%.2f", notesShare(heard[i:i+rate], rate)))
	}
	t.Logf("call of %.1fs at %d Hz; hold music %.2f at its notes (per second %v)", float64(len(heard))/float64(rate), rate, best, per)
	if best < 0.5 {
		t.Error("the caller never heard hold music: the transfer did not reach the ACD")
	}
}

// alwaysOpenBank is a scripts directory with the bank script, its
// advisers on duty at any hour.
func alwaysOpenBank(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../scripts/bank/bank.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), `mon-sun: "08:00-20:00"`, `mon-sun: "00:00-24:00"`, 1)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bank"), 0o755); err != nil {
		t.Fatal(err)
	}
	kb, _ := filepath.Abs("../../scripts/bank/kb")
	if err := os.Symlink(kb, filepath.Join(dir, "bank", "kb")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bank", "bank.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// notesShare is the share of pcm's energy at the built-in hold music's
// three notes (Goertzel over 50 ms blocks: each note lasts 400 ms).
func notesShare(pcm []int16, rate int) float64 {
	var at, total float64
	n := rate / 20
	for i := 0; i+n <= len(pcm); i += n {
		blk := pcm[i : i+n]
		for _, s := range blk {
			total += float64(s) * float64(s)
		}
		for _, f := range []float64{523.25, 659.25, 783.99} {
			coeff := 2 * math.Cos(2*math.Pi*f/float64(rate))
			var s1, s2 float64
			for _, x := range blk {
				s1, s2 = float64(x)+coeff*s1-s2, s1
			}
			at += 2 * (s1*s1 + s2*s2 - coeff*s1*s2) / float64(n)
		}
	}
	if total == 0 {
		return 0
	}
	return at / total
}
