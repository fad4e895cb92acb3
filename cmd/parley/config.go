package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole of Parley's configuration. The yaml tag of each field
// is its key; its environment variable is PARLEY_ followed by the key path in
// upper case joined by underscores (sip.addr -> PARLEY_SIP_ADDR). The comment
// on each field is its documentation in docs/configuration.md.
type Config struct {
	// DataDir holds recordings, the call store and the knowledge-base index.
	DataDir string `yaml:"data_dir"`
	Log     LogConfig
	SIP     SIPConfig
	HTTP    HTTPConfig
	Media   MediaConfig
	// Recording controls call recording.
	Recording RecordingConfig
	// Speech is Parley's own MRCPv2 speech server and its engines.
	Speech SpeechConfig
	// MRCP is the MRCPv2 client the bot reaches speech servers with.
	MRCP MRCPConfig `yaml:"mrcp"`
	// Bot is the voice bot: its scripts and the voice loop.
	Bot BotConfig `yaml:"bot"`
	// Console is the agent and supervisor API under /api/v1.
	Console ConsoleConfig `yaml:"console"`
	// NLU is understanding: the knowledge bases' embedder and vector index, and the optional LLM.
	NLU NLUConfig `yaml:"nlu"`
	// ACD is the automatic call distributor: queues, agents and where their state lives.
	ACD ACDConfig `yaml:"acd"`
	// Handoff is the warm transfer of calls from the bot to agents.
	Handoff HandoffConfig `yaml:"handoff"`
	// ShutdownTimeout bounds how long SIGTERM waits for calls and requests to drain.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// LogConfig selects log verbosity and format.
type LogConfig struct {
	// Level is one of debug, info, warn, error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}

// SIPConfig is SIP signalling: calls, trunks and agents' phones.
type SIPConfig struct {
	// Addr is the host:port SIP listens on (UDP and TCP).
	Addr string `yaml:"addr"`
	// TLSAddr serves SIP over TLS on host:port; empty disables TLS.
	TLSAddr string `yaml:"tls_addr"`
	// TLSCert is the PEM certificate chain file for SIP over TLS.
	TLSCert string `yaml:"tls_cert"`
	// TLSKey is the PEM private key file for SIP over TLS.
	TLSKey string `yaml:"tls_key"`
	// MaxCalls caps concurrent calls; further INVITEs get 503.
	MaxCalls int `yaml:"max_calls"`
	// RingTimeout is how long an outbound call rings before it is cancelled.
	RingTimeout time.Duration `yaml:"ring_timeout"`
	// AcceptAnySource takes INVITEs from any address even when trunks are configured.
	AcceptAnySource bool `yaml:"accept_any_source"`
	// TransferTrunk is the trunk that blind transfers to numbers are dialled through.
	TransferTrunk string `yaml:"transfer_trunk"`
	// Trunks are the SIP peers that carry calls to and from the phone network.
	Trunks []TrunkConfig `yaml:"trunks"`
	// Registrar registers agents' phones.
	Registrar SIPRegistrarConfig `yaml:"registrar"`
}

// TrunkConfig is one SIP trunk (a carrier, an SBC or a PBX).
type TrunkConfig struct {
	Name           string   `yaml:"name"`
	Address        string   `yaml:"address"`
	Transport      string   `yaml:"transport"`
	Username       string   `yaml:"username"`
	Password       string   `yaml:"password"`
	AllowedSources []string `yaml:"allowed_sources"`
	Codecs         []string `yaml:"codecs"`
	CallerID       string   `yaml:"caller_id"`
	FromDomain     string   `yaml:"from_domain"`
	StripPrefix    string   `yaml:"strip_prefix"`
	DialPrefix     string   `yaml:"dial_prefix"`
	NationalPrefix string   `yaml:"national_prefix"`
	CountryCode    string   `yaml:"country_code"`
}

// SIPRegistrarConfig is the registrar for agents' phones.
type SIPRegistrarConfig struct {
	// Enabled answers REGISTER from agents' phones.
	Enabled bool `yaml:"enabled"`
	// Realm is the digest realm phones authenticate in.
	Realm string `yaml:"realm"`
	// MinExpires is the shortest registration accepted (423 below it).
	MinExpires time.Duration `yaml:"min_expires"`
	// MaxExpires caps a registration's lifetime.
	MaxExpires time.Duration `yaml:"max_expires"`
	// Algorithms are the digest algorithms offered, comma-separated, in order.
	Algorithms string `yaml:"algorithms"`
	// Users are the phones' accounts (user and password) allowed to register.
	Users []SIPUserConfig `yaml:"users"`
}

// SIPUserConfig is one phone account.
type SIPUserConfig struct {
	User     string `yaml:"user"`
	Password string `yaml:"password"`
}

// HTTPConfig is the console, API, /healthz and /metrics server.
type HTTPConfig struct {
	// Addr is the host:port of the HTTP server.
	Addr string `yaml:"addr"`
}

// MediaConfig is the RTP media plane.
type MediaConfig struct {
	// RTPAddr is the IP address RTP sockets bind to.
	RTPAddr string `yaml:"rtp_addr"`
	// RTPPortMin is the lowest RTP port (even); RTCP uses the port above.
	RTPPortMin int `yaml:"rtp_port_min"`
	// RTPPortMax is the highest RTP port.
	RTPPortMax int `yaml:"rtp_port_max"`
	// SymmetricRTP latches the remote RTP address from the first packet received.
	SymmetricRTP bool `yaml:"symmetric_rtp"`
	// JitterMin is the smallest playout delay of the adaptive jitter buffer.
	JitterMin time.Duration `yaml:"jitter_min"`
	// JitterMax is the largest playout delay of the adaptive jitter buffer.
	JitterMax time.Duration `yaml:"jitter_max"`
	// RTPTimeout ends a call whose far end has sent no RTP for this long.
	RTPTimeout time.Duration `yaml:"rtp_timeout"`
}

// RecordingConfig controls call recording.
type RecordingConfig struct {
	// Enabled records every answered call.
	Enabled bool `yaml:"enabled"`
	// Format is wav (16-bit stereo PCM) or opus (stereo Ogg Opus).
	Format string `yaml:"format"`
	// Dir is where recordings are written; relative paths are under data_dir.
	Dir string `yaml:"dir"`
}

// SpeechConfig is the speech server that `parley serve` starts in-process
// and `parley speechd` runs alone.
type SpeechConfig struct {
	// Enabled starts the speech server inside `parley serve`.
	Enabled bool `yaml:"enabled"`
	// SIPAddr is the speech server's SIP address (UDP and TCP).
	SIPAddr string `yaml:"sip_addr"`
	// ControlAddr is the TCP address of the MRCPv2 control connections.
	ControlAddr string `yaml:"control_addr"`
	// RTPPortMin is the lowest RTP port of speech sessions.
	RTPPortMin int `yaml:"rtp_port_min"`
	// RTPPortMax is the highest RTP port of speech sessions.
	RTPPortMax int `yaml:"rtp_port_max"`
	// MaxSessions caps concurrent speech sessions; more get SIP 503.
	MaxSessions int `yaml:"max_sessions"`
	// Flite offers the flite voices (kal16, kal, slt, rms, awb).
	Flite bool `yaml:"flite"`
	// Espeak offers the espeak-ng voices (every installed language).
	Espeak bool `yaml:"espeak"`
	// CacheBytes bounds the cache of synthesized prompts; 0 disables it.
	CacheBytes int `yaml:"cache_bytes"`
	// Pocketsphinx is the speech recognizer.
	Pocketsphinx PocketsphinxConfig `yaml:"pocketsphinx"`
	// OpenAI adds engines behind an OpenAI-compatible API.
	OpenAI OpenAIConfig `yaml:"openai"`
}

// PocketsphinxConfig is the CMU PocketSphinx recognizer.
type PocketsphinxConfig struct {
	// Enabled offers PocketSphinx for en-US.
	Enabled bool `yaml:"enabled"`
	// ModelDir is the acoustic model directory.
	ModelDir string `yaml:"model_dir"`
	// Dict is the pronouncing dictionary.
	Dict string `yaml:"dict"`
	// LM is the generic language model for free transcription.
	LM string `yaml:"lm"`
	// MaxDecoders bounds utterances recognized at once; 0 means twice the CPUs.
	MaxDecoders int `yaml:"max_decoders"`
	// Narrowband decodes at 8 kHz with a telephone-band front end.
	Narrowband bool `yaml:"narrowband"`
}

// OpenAIConfig is an OpenAI-compatible speech endpoint.
type OpenAIConfig struct {
	// BaseURL is the API root ending in /v1; empty disables these engines.
	BaseURL string `yaml:"base_url"`
	// APIKey is sent as a bearer token.
	APIKey string `yaml:"api_key"`
	// TTSModel is the speech synthesis model.
	TTSModel string `yaml:"tts_model"`
	// ASRModel is the transcription model.
	ASRModel string `yaml:"asr_model"`
}

// MRCPConfig is the MRCPv2 client.
type MRCPConfig struct {
	// Servers are SIP URIs of MRCPv2 servers, comma-separated, tried in order; empty means the in-process speech server.
	Servers string `yaml:"servers"`
	// Transport is the SIP transport to them, udp or tcp.
	Transport string `yaml:"transport"`
	// RequestTimeout bounds the wait for each MRCP response.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// SetupTimeout bounds session set-up (INVITE to connected) per server.
	SetupTimeout time.Duration `yaml:"setup_timeout"`
	// RetryAfter is how long a failed server is skipped.
	RetryAfter time.Duration `yaml:"retry_after"`
}

// DefaultConfig returns the embedded defaults that `parley serve` runs with
// when no file, variable or flag says otherwise.
func DefaultConfig() Config {
	return Config{
		DataDir: "./data",
		Log:     LogConfig{Level: "info", Format: "text"},
		SIP: SIPConfig{
			Addr: "0.0.0.0:5060", MaxCalls: 1000, RingTimeout: 30 * time.Second,
			Registrar: SIPRegistrarConfig{Enabled: true, Realm: "parley", MinExpires: 60 * time.Second, MaxExpires: 2 * time.Hour, Algorithms: "MD5,SHA-256"},
		},
		HTTP: HTTPConfig{Addr: "127.0.0.1:8080"},
		Media: MediaConfig{
			RTPAddr:      "0.0.0.0",
			RTPPortMin:   10000,
			RTPPortMax:   20000,
			SymmetricRTP: true,
			JitterMin:    20 * time.Millisecond,
			JitterMax:    200 * time.Millisecond,
			RTPTimeout:   30 * time.Second,
		},
		Recording: RecordingConfig{Enabled: true, Format: "wav", Dir: "recordings"},
		Speech: SpeechConfig{
			Enabled:     true,
			SIPAddr:     "127.0.0.1:8060",
			ControlAddr: "127.0.0.1:1544",
			RTPPortMin:  30000,
			RTPPortMax:  32000,
			MaxSessions: 500,
			Flite:       true,
			Espeak:      true,
			CacheBytes:  64 << 20,
			Pocketsphinx: PocketsphinxConfig{
				Enabled:  true,
				ModelDir: "/usr/share/pocketsphinx/model/en-us/en-us",
				Dict:     "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict",
				LM:       "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin",
			},
			OpenAI: OpenAIConfig{TTSModel: "tts-1", ASRModel: "whisper-1"},
		},
		MRCP:            MRCPConfig{Transport: "udp", RequestTimeout: 5 * time.Second, SetupTimeout: 5 * time.Second, RetryAfter: 30 * time.Second},
		Bot:             BotConfig{ScriptsDir: "./scripts", DeadAir: 3 * time.Second, ASRLanguage: "en-US", ReloadInterval: time.Second},
		NLU:             defaultNLUConfig(),
		Console:         DefaultConsoleConfig(),
		ACD:             DefaultACDConfig(),
		Handoff:         DefaultHandoffConfig(),
		ShutdownTimeout: 30 * time.Second,
	}
}

// LoadConfig builds the configuration: defaults, then the YAML file at path
// (if path is not empty), then PARLEY_* variables from environ, then the
// key=value overrides from flags. It validates the result once.
func LoadConfig(path string, environ []string, overrides []string) (Config, error) {
	cfg := DefaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) { // an empty file means all defaults
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	fields := configFields(&cfg)
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "PARLEY_") || name == "PARLEY_CONFIG" {
			continue
		}
		f, ok := fieldByEnv(fields, name)
		if !ok {
			return cfg, fmt.Errorf("environment variable %s: no such setting", name)
		}
		if err := f.set(val); err != nil {
			return cfg, fmt.Errorf("environment variable %s: %w", name, err)
		}
	}
	for _, kv := range overrides {
		key, val, ok := strings.Cut(kv, "=")
		if !ok {
			return cfg, fmt.Errorf("flag --set %q: want key=value", kv)
		}
		f, ok := fieldByKey(fields, key)
		if !ok {
			return cfg, fmt.Errorf("flag --set %s: no such setting", key)
		}
		if err := f.set(val); err != nil {
			return cfg, fmt.Errorf("flag --set %s: %w", key, err)
		}
	}
	return cfg, cfg.Validate()
}

// Validate checks every setting and reports all problems at once.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir: must not be empty"))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level: %q is not one of debug, info, warn, error", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log.format: %q is not text or json", c.Log.Format))
	}
	errs = append(errs, c.SIP.validate()...)
	for key, addr := range map[string]string{"sip.addr": c.SIP.Addr, "http.addr": c.HTTP.Addr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not host:port: %w", key, addr, err))
		}
	}
	if net.ParseIP(c.Media.RTPAddr) == nil {
		errs = append(errs, fmt.Errorf("media.rtp_addr: %q is not an IP address", c.Media.RTPAddr))
	}
	m := c.Media
	if m.RTPPortMin < 1024 || m.RTPPortMax > 65535 || m.RTPPortMin+1 >= m.RTPPortMax {
		errs = append(errs, fmt.Errorf("media.rtp_port_min/max: %d-%d is not a range of at least one port pair within 1024-65535", m.RTPPortMin, m.RTPPortMax))
	}
	if m.JitterMin <= 0 || m.JitterMax < m.JitterMin {
		errs = append(errs, fmt.Errorf("media.jitter_min/max: %v-%v is not a positive range", m.JitterMin, m.JitterMax))
	}
	if m.RTPTimeout <= 0 {
		errs = append(errs, fmt.Errorf("media.rtp_timeout: %v must be positive", m.RTPTimeout))
	}
	switch c.Recording.Format {
	case "wav", "opus":
	default:
		errs = append(errs, fmt.Errorf("recording.format: %q is not wav or opus", c.Recording.Format))
	}
	errs = append(errs, c.Speech.validate()...)
	errs = append(errs, c.MRCP.validate(c.Speech.Enabled)...)
	errs = append(errs, c.Bot.validate()...)
	errs = append(errs, c.NLU.validate()...)
	errs = append(errs, c.Console.validate()...)
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown_timeout: %v must be positive", c.ShutdownTimeout))
	}
	return errors.Join(errs...)
}

// configField is one settable leaf of Config.
type configField struct {
	key string // yaml path, e.g. sip.addr
	env string // PARLEY_SIP_ADDR
	v   reflect.Value
}

func (f configField) set(s string) error {
	switch f.v.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		f.v.SetInt(int64(d))
		return nil
	}
	switch f.v.Kind() {
	case reflect.String:
		f.v.SetString(s)
	case reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		f.v.SetInt(int64(n))
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		f.v.SetBool(b)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		f.v.SetFloat(x)
	default:
		return fmt.Errorf("a list of %s cannot be set from a variable or flag: set it in the configuration file", f.v.Type().Elem())
	}
	return nil
}

// configFields lists every leaf setting of cfg, addressable for setting.
func configFields(cfg *Config) []configField {
	var out []configField
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			key := yamlKey(sf)
			if prefix != "" {
				key = prefix + "." + key
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct && sf.Type != reflect.TypeFor[time.Duration]() && sf.Type != reflect.TypeFor[time.Time]() {
				walk(fv, key)
				continue
			}
			env := "PARLEY_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
			out = append(out, configField{key: key, env: env, v: fv})
		}
	}
	walk(reflect.ValueOf(cfg).Elem(), "")
	return out
}

func yamlKey(sf reflect.StructField) string {
	if tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ","); tag != "" {
		return tag
	}
	return strings.ToLower(sf.Name)
}

func fieldByEnv(fields []configField, env string) (configField, bool) {
	for _, f := range fields {
		if f.env == env {
			return f, true
		}
	}
	return configField{}, false
}

func fieldByKey(fields []configField, key string) (configField, bool) {
	for _, f := range fields {
		if f.key == key {
			return f, true
		}
	}
	return configField{}, false
}

// YAML renders the configuration as a YAML document.
func (c Config) YAML() ([]byte, error) {
	return yaml.Marshal(c)
}
