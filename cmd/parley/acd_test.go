package main

import (
	"context"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/acd/acdtest"
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
