package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-cc/parley/mrcp/speech"
)

// Defaults for Config's zero fields.
const (
	DefaultBaseURL      = "https://api.openai.com/v1"
	DefaultTTSModel     = "tts-1"
	DefaultASRModel     = "whisper-1"
	DefaultLanguage     = "en-US"
	DefaultTimeout      = 30 * time.Second
	DefaultRetries      = 3
	DefaultBackoff      = 500 * time.Millisecond
	DefaultConfidence   = 0.8
	DefaultMaxUtterance = 60 * time.Second
	// MaxBackoff caps the wait between two attempts.
	MaxBackoff = 8 * time.Second
)

// Response formats Config accepts.
const (
	// SpeechPCM is raw 24 kHz 16-bit little-endian mono.
	SpeechPCM = "pcm"
	// SpeechWAV is a WAV file; its header gives the rate.
	SpeechWAV = "wav"
	// TranscriptVerbose is verbose_json: text plus segments with their
	// avg_logprob, from which the confidence is computed.
	TranscriptVerbose = "verbose_json"
	// TranscriptJSON is json: text only (gpt-4o-transcribe offers no
	// more); the confidence is Config.Confidence.
	TranscriptJSON = "json"
)

// pcmRate is the sample rate of the API's "pcm" speech format.
const pcmRate = 24000

// DefaultVoices are OpenAI's tts-1 voices.
var DefaultVoices = []string{"alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer"}

// Config configures the engines. The zero value means defaults: OpenAI's
// own endpoint, tts-1 and whisper-1, the tts-1 voices, en-US.
type Config struct {
	// Name is the engine name (speech.Voice.Engine); default "openai".
	Name string
	// BaseURL is the API root, ending in /v1; default DefaultBaseURL.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (local servers).
	APIKey string
	// TTSModel is the speech model; default "tts-1".
	TTSModel string
	// ASRModel is the transcription model; default "whisper-1".
	ASRModel string
	// Voices are the voice names offered; default DefaultVoices. The
	// first is used when a request names none.
	Voices []string
	// Language is the BCP 47 tag of the voices and, unless Languages is
	// set, the one language recognized; default "en-US".
	Language string
	// Languages are the tags the Recognizer accepts; default {Language}.
	// A request matches on the primary subtag ("en-GB" matches "en-US").
	Languages []string
	// SpeechFormat is SpeechPCM (default) or SpeechWAV.
	SpeechFormat string
	// TranscriptFormat is TranscriptVerbose (default) or TranscriptJSON.
	TranscriptFormat string
	// Confidence is the confidence reported when the response carries no
	// log probabilities; default 0.8.
	Confidence float64
	// MaxUtterance caps the audio a Stream buffers; default 60 s.
	MaxUtterance time.Duration
	// Timeout bounds each attempt, including reading the response body;
	// default 30 s.
	Timeout time.Duration
	// Retries is how many times a failed request is retried; default 3,
	// negative for none.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one up to MaxBackoff; default 500 ms.
	Backoff time.Duration
	// HTTPClient sends the requests; default a new http.Client without a
	// timeout (Timeout and the caller's context bound each request).
	HTTPClient *http.Client
	// Log receives a warning per retried failure; default slog.Default().
	Log *slog.Logger
}

// ErrConfig means a Config field is invalid.
var ErrConfig = errors.New("openai: invalid config")

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Name, "openai")
	def(&c.BaseURL, DefaultBaseURL)
	def(&c.TTSModel, DefaultTTSModel)
	def(&c.ASRModel, DefaultASRModel)
	def(&c.Language, DefaultLanguage)
	def(&c.SpeechFormat, SpeechPCM)
	def(&c.TranscriptFormat, TranscriptVerbose)
	if len(c.Voices) == 0 {
		c.Voices = DefaultVoices
	}
	if len(c.Languages) == 0 {
		c.Languages = []string{c.Language}
	}
	if c.Confidence == 0 {
		c.Confidence = DefaultConfidence
	}
	if c.MaxUtterance == 0 {
		c.MaxUtterance = DefaultMaxUtterance
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	}
	c.Retries = max(c.Retries, 0)
	if c.Backoff == 0 {
		c.Backoff = DefaultBackoff
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	var errs []error
	if c.SpeechFormat != SpeechPCM && c.SpeechFormat != SpeechWAV {
		errs = append(errs, fmt.Errorf("%w: SpeechFormat %q, want pcm or wav", ErrConfig, c.SpeechFormat))
	}
	if c.TranscriptFormat != TranscriptVerbose && c.TranscriptFormat != TranscriptJSON {
		errs = append(errs, fmt.Errorf("%w: TranscriptFormat %q, want verbose_json or json", ErrConfig, c.TranscriptFormat))
	}
	if c.Confidence < 0 || c.Confidence > 1 {
		errs = append(errs, fmt.Errorf("%w: Confidence %v outside 0..1", ErrConfig, c.Confidence))
	}
	if c.MaxUtterance < 0 || c.Timeout < 0 || c.Backoff < 0 {
		errs = append(errs, fmt.Errorf("%w: negative duration", ErrConfig))
	}
	for _, v := range c.Voices {
		if v == "" {
			errs = append(errs, fmt.Errorf("%w: empty voice name", ErrConfig))
		}
	}
	return c, errors.Join(errs...)
}

// client is the API client and the retry policy both engines share.
type client struct {
	cfg Config
	api *goopenai.Client
}

func newClient(cfg Config) (*client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	oc := goopenai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	oc.HTTPClient = cfg.HTTPClient
	return &client{cfg: cfg, api: goopenai.NewClientWithConfig(oc)}, nil
}

// errNoRetry marks an attempt's error that must not be retried even if it
// looks transient (synthesis that already emitted audio).
type errNoRetry struct{ err error }

func (e errNoRetry) Error() string { return e.err.Error() }
func (e errNoRetry) Unwrap() error { return e.err }

// emitError carries an error from the caller's emit, returned as is.
type emitError struct{ err error }

func (e emitError) Error() string { return e.err.Error() }
func (e emitError) Unwrap() error { return e.err }

// do runs attempt with the per-attempt timeout, retrying transient
// failures with backoff. It returns ctx.Err() when ctx ends, the error of
// emit as is, and anything else wrapped in speech.ErrEngine.
func (c *client) do(ctx context.Context, op string, attempt func(ctx context.Context) error) error {
	wait := c.cfg.Backoff
	for n := 0; ; n++ {
		actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		err := attempt(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ee, ok := errors.AsType[emitError](err); ok {
			return ee.err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if n >= c.cfg.Retries || !retryable(err) {
			return fmt.Errorf("%w: openai %s (attempt %d): %w", speech.ErrEngine, op, n+1, err)
		}
		d := wait + rand.N(wait/4+1)
		c.cfg.Log.Warn("openai request failed, retrying", "op", op, "attempt", n+1, "retry_in", d, "err", err)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, MaxBackoff)
	}
}

// retryable reports whether err is worth another attempt: HTTP 429 or
// 5xx, a timeout of the attempt, or a connection failure.
func retryable(err error) bool {
	if _, ok := errors.AsType[errNoRetry](err); ok {
		return false
	}
	if e, ok := errors.AsType[*goopenai.APIError](err); ok {
		return transientStatus(e.HTTPStatusCode)
	}
	if e, ok := errors.AsType[*goopenai.RequestError](err); ok {
		return transientStatus(e.HTTPStatusCode)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	// A refused or reset connection, or one closed before or inside the
	// response.
	_, isNet := errors.AsType[*net.OpError](err)
	return isNet || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func transientStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}

// primaryTag returns the primary language subtag of a BCP 47 tag, lower
// case: "en" for "en-US".
func primaryTag(tag string) string {
	p, _, _ := strings.Cut(tag, "-")
	p, _, _ = strings.Cut(p, "_")
	return strings.ToLower(p)
}
