package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/handoff"
	"github.com/parley-cc/parley/nlu/summary"
	"github.com/parley-cc/parley/telephony"
)

// ACDConfig is the automatic call distributor: queues, agents, and where
// their state lives (docs/acd.md).
type ACDConfig struct {
	// Backend keeps the queues' and agents' state: memory (this process only) or redis (shared by every node using the same redis settings).
	Backend string `yaml:"backend"`
	// Node names this Parley node to the ACD; offers for calls it holds ring from here. Empty: the host name.
	Node string `yaml:"node"`
	// Redis is the shared state of the redis backend.
	Redis ACDRedisConfig `yaml:"redis"`
	// Queues are the ACD queues; the defaults are the sample scripts' transfer targets.
	Queues []ACDQueueConfig `yaml:"queues"`
	// Agents are the provisioned agents; more can be added at run time through the console API.
	Agents []ACDAgentConfig `yaml:"agents"`
	// Blacklist are caller numbers refused politely before they are queued.
	Blacklist []string `yaml:"blacklist"`
}

// ACDRedisConfig is the Redis server of the redis backend.
type ACDRedisConfig struct {
	// Addr is the Redis server's host:port.
	Addr string `yaml:"addr"`
	// Username is the Redis ACL user; empty for the default user.
	Username string `yaml:"username"`
	// Password authenticates to Redis; prefer the variable to the file.
	Password string `yaml:"password"`
	// DB is the Redis database number.
	DB int `yaml:"db"`
	// TLS connects to Redis over TLS (the server's certificate is verified against the system roots).
	TLS bool `yaml:"tls"`
	// Prefix starts every key and the event channel; nodes sharing state use the same prefix.
	Prefix string `yaml:"prefix"`
}

// ACDQueueConfig is one queue (acd.QueueConfig).
type ACDQueueConfig struct {
	Name            string           `yaml:"name"`
	Skills          map[string]int   `yaml:"skills,omitempty"`
	Relax           []ACDRelaxConfig `yaml:"relax,omitempty"`
	Strategy        string           `yaml:"strategy,omitempty"`
	Ageing          time.Duration    `yaml:"ageing,omitempty"`
	OfferTimeout    time.Duration    `yaml:"offer_timeout,omitempty"`
	WrapUp          time.Duration    `yaml:"wrap_up,omitempty"`
	AutoPause       int              `yaml:"auto_pause,omitempty"`
	OverflowAfter   time.Duration    `yaml:"overflow_after,omitempty"`
	OverflowTo      string           `yaml:"overflow_to,omitempty"`
	MaxWait         time.Duration    `yaml:"max_wait,omitempty"`
	MaxLength       int              `yaml:"max_length,omitempty"`
	Fallback        string           `yaml:"fallback,omitempty"`
	ServiceLevel    time.Duration    `yaml:"service_level,omitempty"`
	Announce        time.Duration    `yaml:"announce,omitempty"`
	PreferLastAgent time.Duration    `yaml:"prefer_last_agent,omitempty"`
}

// ACDRelaxConfig lowers a queue's skill requirements after a wait.
type ACDRelaxConfig struct {
	After  time.Duration  `yaml:"after"`
	Skills map[string]int `yaml:"skills"`
}

// ACDAgentConfig is one provisioned agent (acd.AgentConfig).
type ACDAgentConfig struct {
	ID       string         `yaml:"id"`
	Name     string         `yaml:"name,omitempty"`
	Phone    string         `yaml:"phone,omitempty"`
	Skills   map[string]int `yaml:"skills,omitempty"`
	MaxCalls int            `yaml:"max_calls,omitempty"`
}

// HandoffConfig is the warm transfer from the bot to an agent (docs/handoff.md).
type HandoffConfig struct {
	// HoldAudio is a WAV file played, looping, to callers waiting in a queue; empty plays Parley's built-in hold music.
	HoldAudio string `yaml:"hold_audio"`
	// Whisper speaks a short summary to the agent before the caller is bridged in.
	Whisper bool `yaml:"whisper"`
	// WhisperMax bounds the whisper's length.
	WhisperMax time.Duration `yaml:"whisper_max"`
	// LLMSummary has the agent's summary written by the LLM of nlu.openai (chat_model); otherwise it is extractive.
	LLMSummary bool `yaml:"llm_summary"`
	// CallbackTrunk is the trunk that callbacks to callers' numbers are dialled through; empty dials them as registered users.
	CallbackTrunk string `yaml:"callback_trunk"`
	// MessageMax caps a voicemail left when a queue falls back to voicemail.
	MessageMax time.Duration `yaml:"message_max"`
}

// defaultQueues match the transfer targets of the shipped scripts
// (scripts/bank: general, cards; scripts/isp: support, scheduling,
// billing). With no agents a caller waits, hears announcements, and after
// max_wait leaves a voicemail.
func defaultQueues() []ACDQueueConfig {
	var qs []ACDQueueConfig
	for _, n := range []string{"general", "cards", "support", "scheduling", "billing"} {
		qs = append(qs, ACDQueueConfig{Name: n, OfferTimeout: 20 * time.Second, MaxWait: 3 * time.Minute,
			Fallback: string(acd.FallbackVoicemail), Announce: 45 * time.Second, ServiceLevel: 20 * time.Second})
	}
	return qs
}

// DefaultACDConfig is the ACD's embedded configuration.
func DefaultACDConfig() ACDConfig {
	return ACDConfig{Backend: "memory", Redis: ACDRedisConfig{Addr: "127.0.0.1:6379", Prefix: "parley:acd:"}, Queues: defaultQueues()}
}

// DefaultHandoffConfig is the handoff's embedded configuration.
func DefaultHandoffConfig() HandoffConfig {
	return HandoffConfig{Whisper: true, WhisperMax: 8 * time.Second, MessageMax: 2 * time.Minute}
}

func (c ACDConfig) validate() []error {
	var errs []error
	switch c.Backend {
	case "memory":
	case "redis":
		if _, _, err := net.SplitHostPort(c.Redis.Addr); err != nil {
			errs = append(errs, fmt.Errorf("acd.redis.addr: %q is not host:port: %w", c.Redis.Addr, err))
		}
	default:
		errs = append(errs, fmt.Errorf("acd.backend: %q is not memory or redis", c.Backend))
	}
	if c.Redis.DB < 0 {
		errs = append(errs, fmt.Errorf("acd.redis.db: %d must not be negative", c.Redis.DB))
	}
	if len(c.Queues) == 0 {
		errs = append(errs, errors.New("acd.queues: at least one queue is needed"))
	}
	seen := map[string]bool{}
	for i, a := range c.Agents {
		switch {
		case a.ID == "":
			errs = append(errs, fmt.Errorf("acd.agents[%d]: id must not be empty", i))
		case seen[a.ID]:
			errs = append(errs, fmt.Errorf("acd.agents[%d]: id %q appears twice", i, a.ID))
		}
		seen[a.ID] = true
	}
	return errs
}

func (c HandoffConfig) validate() []error {
	var errs []error
	if c.WhisperMax < time.Second || c.WhisperMax > 30*time.Second {
		errs = append(errs, fmt.Errorf("handoff.whisper_max: %v is not between 1s and 30s", c.WhisperMax))
	}
	if c.MessageMax < 5*time.Second || c.MessageMax > 10*time.Minute {
		errs = append(errs, fmt.Errorf("handoff.message_max: %v is not between 5s and 10m", c.MessageMax))
	}
	if c.HoldAudio != "" {
		if _, err := os.Stat(c.HoldAudio); err != nil {
			errs = append(errs, fmt.Errorf("handoff.hold_audio: %w", err))
		}
	}
	return errs
}

// acdConfig turns the YAML form into the acd package's.
func (c ACDConfig) acdConfig(node string) acd.Config {
	cfg := acd.Config{Node: node, Blacklist: c.Blacklist}
	for _, q := range c.Queues {
		qc := acd.QueueConfig{Name: q.Name, Skills: q.Skills, Strategy: acd.Strategy(q.Strategy), Ageing: q.Ageing,
			OfferTimeout: q.OfferTimeout, WrapUp: q.WrapUp, AutoPause: q.AutoPause, OverflowAfter: q.OverflowAfter,
			OverflowTo: q.OverflowTo, MaxWait: q.MaxWait, MaxLength: q.MaxLength, Fallback: acd.Fallback(q.Fallback),
			ServiceLevel: q.ServiceLevel, Announce: q.Announce, PreferLastAgent: q.PreferLastAgent}
		for _, r := range q.Relax {
			qc.Relax = append(qc.Relax, acd.Relax{After: r.After, Skills: r.Skills})
		}
		cfg.Queues = append(cfg.Queues, qc)
	}
	for _, a := range c.Agents {
		cfg.Agents = append(cfg.Agents, acd.AgentConfig{ID: a.ID, Name: a.Name, Phone: a.Phone, Skills: a.Skills, MaxCalls: a.MaxCalls})
	}
	return cfg
}

// acdParts are the ACD and the handoff as serve runs them.
type acdParts struct {
	acd     *acd.ACD
	redis   *acd.Redis
	node    string
	stop    context.CancelFunc
	done    chan error
	handoff *handoff.Service
	stopHO  context.CancelFunc
	hoDone  chan error
}

// startACD validates the acd and handoff settings, builds the ACD on its
// backend and starts its routing loop.
func (s *server) startACD() error {
	c := s.cfg.ACD
	if err := errors.Join(append(c.validate(), s.cfg.Handoff.validate()...)...); err != nil {
		return err
	}
	node := c.Node
	if node == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "parley"
		}
		node = h
	}
	cfg := c.acdConfig(node)
	cfg.Log = s.log
	p := &acdParts{node: node}
	if c.Backend == "redis" {
		opts := &redis.Options{Addr: c.Redis.Addr, Username: c.Redis.Username, Password: c.Redis.Password, DB: c.Redis.DB,
			DialTimeout: 2 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second, MaxRetries: 1}
		if c.Redis.TLS {
			host, _, _ := net.SplitHostPort(c.Redis.Addr)
			opts.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		p.redis = acd.NewRedis(acd.RedisConfig{Prefix: c.Redis.Prefix, Client: redis.NewClient(opts)})
		cfg.Backend = p.redis
	}
	a, err := acd.New(cfg)
	if err != nil {
		if p.redis != nil {
			_ = p.redis.Close()
		}
		return fmt.Errorf("acd: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.acd, p.stop, p.done = a, cancel, make(chan error, 1)
	go func() { p.done <- a.Run(ctx) }()
	s.acd = p
	s.log.Info("acd started", "backend", c.Backend, "node", node, "queues", len(cfg.Queues), "agents", len(cfg.Agents))
	return nil
}

// startHandoff builds the warm transfer on the UA and the bot's voice
// settings and starts reading the ACD's events; it returns nil when there
// is no ACD.
func (s *server) startHandoff(ua *telephony.UA, vc voice.Config) (voice.Transferer, error) {
	p := s.acd
	if p == nil {
		return nil, nil
	}
	h := s.cfg.Handoff
	cfg := handoff.Config{ACD: p.acd, Node: p.node, UA: ua, Voice: vc, HoldAudio: h.HoldAudio, DisableWhisper: !h.Whisper,
		WhisperMax: h.WhisperMax, CallbackTrunk: h.CallbackTrunk, MessageMax: h.MessageMax, Log: s.log}
	if h.LLMSummary {
		nc := s.cfg.NLU
		nc.LLMAnswers = true // the endpoint of nlu.openai, whatever the knowledge bases use
		cfg.Summarizer = &summary.Summarizer{LLM: nc.llm(s.log), Log: s.log}
	}
	svc, err := handoff.New(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.handoff, p.stopHO, p.hoDone = svc, cancel, make(chan error, 1)
	go func() { p.hoDone <- svc.Run(ctx) }()
	return svc, nil
}

// stopACD stops the handoff's event loop, then the ACD's routing loop and
// its backend; calls have ended by then.
func (s *server) stopACD() error {
	p := s.acd
	if p == nil {
		return nil
	}
	s.acd = nil
	var errs []error
	if p.stopHO != nil {
		p.stopHO()
		if err := <-p.hoDone; err != nil && !errors.Is(err, context.Canceled) {
			errs = append(errs, fmt.Errorf("handoff: %w", err))
		}
	}
	p.stop()
	if err := <-p.done; err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, fmt.Errorf("acd: %w", err))
	}
	if p.redis != nil {
		errs = append(errs, p.redis.Close())
	}
	return errors.Join(errs...)
}

// acdHealth is the ACD's /healthz check: "ok", "unavailable" (backend
// unreachable or out of sync), or "" when serve runs no ACD.
func (s *server) acdHealth(ctx context.Context) string {
	p := s.acd
	if p == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := p.acd.Healthy(ctx); err != nil {
		s.log.Warn("acd unhealthy", "err", err)
		return "unavailable"
	}
	return "ok"
}
