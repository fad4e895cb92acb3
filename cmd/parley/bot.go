package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/bot"
	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp/client"
	"github.com/parley-cc/parley/telephony"
)

// botHandler runs inbound calls through the bot once it is ready, and
// refuses them with 480 before (or when there is no bot).
type botHandler struct{ svc atomic.Pointer[voice.Service] }

// HandleCall implements telephony.Handler.
func (h *botHandler) HandleCall(ctx context.Context, c *telephony.Call) {
	if svc := h.svc.Load(); svc != nil {
		svc.HandleCall(ctx, c)
		return
	}
	noScriptHandler.HandleCall(ctx, c)
}

// BotConfig is the voice bot: which scripts answer calls and how the voice
// loop behaves.
type BotConfig struct {
	// ScriptsDir holds the dialogue scripts: every *.yaml in it and in its sub-directories one level down (not *.test.yaml or *.draft.yaml).
	ScriptsDir string `yaml:"scripts_dir"`
	// DefaultScript is the script (a file in scripts_dir) that answers calls to numbers no script claims; empty refuses them with 480.
	DefaultScript string `yaml:"default_script"`
	// DeadAir is the longest silence a caller may hear while the bot owes an answer; a filler plays then.
	DeadAir time.Duration `yaml:"dead_air"`
	// ASRLanguage is the Speech-Language of every recognition; empty uses each script's language.
	ASRLanguage string `yaml:"asr_language"`
	// TransferTo, when set, sends every transfer to one fixed target instead of the ACD queues: a SIP URI, a number through sip.transfer_trunk, or a registered phone user.
	TransferTo string `yaml:"transfer_to"`
	// ReloadInterval is how often script files are checked for changes.
	ReloadInterval time.Duration `yaml:"reload_interval"`
}

func (c BotConfig) validate() []error {
	var errs []error
	if c.ScriptsDir == "" {
		errs = append(errs, errors.New("bot.scripts_dir: must not be empty"))
	}
	if c.DeadAir < 500*time.Millisecond || c.DeadAir > time.Minute {
		errs = append(errs, fmt.Errorf("bot.dead_air: %v is not between 500ms and 1m", c.DeadAir))
	}
	if c.ReloadInterval <= 0 {
		errs = append(errs, fmt.Errorf("bot.reload_interval: %v must be positive", c.ReloadInterval))
	}
	if strings.Contains(c.DefaultScript, "..") {
		errs = append(errs, fmt.Errorf("bot.default_script: %q must stay inside bot.scripts_dir", c.DefaultScript))
	}
	return errs
}

// botParts are what the bot runs on, owned by the server.
type botParts struct {
	lib        *bot.Library
	wide, nb   *client.Client
	stopReload context.CancelFunc
	reloadDone chan struct{}
}

// startBot loads the scripts and builds the telephony handler that runs
// them. Without a speech server to reach, calls keep getting 480.
func (s *server) startBot() (newService func(*telephony.UA) (*voice.Service, error), err error) {
	servers := splitList(s.cfg.MRCP.Servers)
	if len(servers) == 0 && s.speechSrv != nil {
		servers = []string{s.speechSrv.URI()}
	}
	if len(servers) == 0 {
		s.log.Warn("no speech server: the bot is off and calls get 480")
		return nil, nil
	}
	b := &botParts{lib: bot.NewLibrary(bot.LibraryConfig{DataDir: s.cfg.DataDir, Interval: s.cfg.Bot.ReloadInterval, KB: s.cfg.NLU.kbOptions(s.log), Log: s.log})}
	s.bot = b
	paths, err := scriptFiles(s.cfg.Bot.ScriptsDir)
	if err != nil {
		s.log.Warn("no dialogue scripts", "scripts_dir", s.cfg.Bot.ScriptsDir, "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, p := range paths {
		if err := b.lib.Add(ctx, p); err != nil {
			s.log.Error("dialogue script not loaded", "path", p, "err", err)
			continue
		}
		s.log.Info("dialogue script loaded", "path", p)
	}
	lookup := b.lib.Lookup
	if s.cfg.Bot.DefaultScript != "" {
		if lookup, err = s.defaultLookup(ctx, b.lib); err != nil {
			return nil, err
		}
	}
	l16, err := media.NewCodec(96, media.NameL16, 16000, 1)
	if err != nil {
		return nil, err
	}
	te, err := media.NewCodec(101, media.NameTelephoneEvent, 8000, 0)
	if err != nil {
		return nil, err
	}
	mc := client.Config{Servers: servers, Transport: s.cfg.MRCP.Transport, RequestTimeout: s.cfg.MRCP.RequestTimeout,
		SetupTimeout: s.cfg.MRCP.SetupTimeout, RetryAfter: s.cfg.MRCP.RetryAfter,
		RTPPortMin: s.cfg.Media.RTPPortMin, RTPPortMax: s.cfg.Media.RTPPortMax, Log: s.log}
	wide := mc
	wide.Codecs = []media.Codec{l16, media.G722(), media.PCMU(), te}
	if b.wide, err = client.New(wide); err != nil {
		return nil, fmt.Errorf("bot: mrcp client: %w", err)
	}
	narrow := mc
	narrow.Codecs = []media.Codec{media.PCMU(), media.PCMA(), te}
	if b.nb, err = client.New(narrow); err != nil {
		return nil, fmt.Errorf("bot: mrcp client: %w", err)
	}
	m, err := voice.NewMetrics(s.reg)
	if err != nil {
		return nil, err
	}
	rctx, stop := context.WithCancel(context.Background())
	b.stopReload, b.reloadDone = stop, make(chan struct{})
	go func() { defer close(b.reloadDone); _ = b.lib.Run(rctx) }()
	return func(ua *telephony.UA) (*voice.Service, error) {
		vc := voice.Config{Client: b.wide, NarrowbandClient: b.nb, Language: s.cfg.Bot.ASRLanguage, DeadAir: s.cfg.Bot.DeadAir,
			MessageDir: filepath.Join(s.cfg.DataDir, "messages"), Metrics: m}
		sc := voice.ServiceConfig{
			Lookup: lookup, Store: s.calls, UA: ua, TransferTo: s.cfg.Bot.TransferTo, TransferTrunk: s.cfg.SIP.TransferTrunk,
			Voice: vc, Log: s.log,
		}
		if s.cfg.Bot.TransferTo == "" { // else the fixed target, as before ACD queues
			tr, err := s.startHandoff(ua, vc)
			if err != nil {
				return nil, err
			}
			if tr != nil {
				sc.Transferer = tr
			}
		}
		return voice.NewService(sc)
	}, nil
}

// defaultLookup serves numbers no script claims with bot.default_script.
func (s *server) defaultLookup(ctx context.Context, lib *bot.Library) (func(string) (*runtime.Bot, bool), error) {
	path := filepath.Join(s.cfg.Bot.ScriptsDir, s.cfg.Bot.DefaultScript)
	sc, err := script.Load(path)
	if err != nil {
		return nil, fmt.Errorf("bot.default_script: %w", err)
	}
	if len(sc.EntryPoints.Published) == 0 {
		return nil, fmt.Errorf("bot.default_script: %s has no published entry point", path)
	}
	number := sc.EntryPoints.Published[0]
	if _, ok := lib.Lookup(number); !ok {
		if err := lib.Add(ctx, path); err != nil {
			return nil, fmt.Errorf("bot.default_script: %w", err)
		}
	}
	return func(n string) (*runtime.Bot, bool) {
		if b, ok := lib.Lookup(n); ok {
			return b, true
		}
		return lib.Lookup(number)
	}, nil
}

// stopBot stops the reloads and the MRCP clients; calls have ended.
func (s *server) stopBot() error {
	b := s.bot
	if b == nil {
		return nil
	}
	s.bot = nil
	if b.stopReload != nil {
		b.stopReload()
		<-b.reloadDone
	}
	var errs []error
	for _, c := range []*client.Client{b.wide, b.nb} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	errs = append(errs, b.lib.Close())
	return errors.Join(errs...)
}

// scriptFiles lists the scripts in dir and its sub-directories (one level).
func scriptFiles(dir string) ([]string, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	var out []string
	for _, pattern := range []string{"*.yaml", "*/*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		for _, p := range m {
			if strings.HasSuffix(p, ".test.yaml") || strings.HasSuffix(p, ".draft.yaml") {
				continue
			}
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
