package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/mrcp/speech"
)

// MaxPrompt caps the bias prompt, in bytes: about the 224 tokens the API
// reads.
const MaxPrompt = 800

// ErrStreamDone means Write or End on a Stream that has ended or been
// closed.
var ErrStreamDone = errors.New("openai: stream ended or closed")

// Recognizer is a speech.Recognizer on the /audio/transcriptions endpoint.
type Recognizer struct {
	c *client
}

var _ speech.Recognizer = (*Recognizer)(nil)

// NewRecognizer returns a Recognizer for cfg, failing with ErrConfig for
// invalid fields. It makes no request.
func NewRecognizer(cfg Config) (*Recognizer, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("openai recognizer: %w", err)
	}
	return &Recognizer{c: c}, nil
}

// Name returns Config.Name.
func (r *Recognizer) Name() string { return r.c.cfg.Name }

// Languages returns Config.Languages.
func (r *Recognizer) Languages() []string { return slices.Clone(r.c.cfg.Languages) }

// Start opens a Stream for one utterance. It fails with speech.ErrLanguage
// when req.Language's primary subtag is not among Languages', and with
// speech.ErrEngine for a rate outside 8000-48000 Hz. It makes no request.
func (r *Recognizer) Start(ctx context.Context, req speech.RecogRequest) (speech.Stream, error) {
	lang := req.Language
	if lang == "" {
		lang = r.c.cfg.Languages[0]
	}
	if !slices.ContainsFunc(r.c.cfg.Languages, func(l string) bool { return primaryTag(l) == primaryTag(lang) }) {
		return nil, fmt.Errorf("%w: openai recognizer is configured for %s, not %q", speech.ErrLanguage, strings.Join(r.c.cfg.Languages, ", "), lang)
	}
	if req.Rate < 8000 || req.Rate > 48000 {
		return nil, fmt.Errorf("%w: openai recognizer: rate %d Hz outside 8000..48000", speech.ErrEngine, req.Rate)
	}
	vocab := make([]map[string]bool, len(req.Grammars))
	for i, g := range req.Grammars {
		vocab[i] = map[string]bool{}
		for _, w := range g.Words() {
			for _, f := range normalizeWords(w) {
				vocab[i][f] = true
			}
		}
	}
	return &stream{
		r:      r,
		req:    req,
		lang:   primaryTag(lang),
		prompt: buildPrompt(req),
		vocab:  vocab,
		max:    int(int64(r.c.cfg.MaxUtterance) * int64(req.Rate) / int64(time.Second)),
	}, nil
}

// buildPrompt returns the bias prompt for req: the grammars' words, each
// once, then the phrases, within MaxPrompt bytes.
func buildPrompt(req speech.RecogRequest) string {
	var b strings.Builder
	seen := map[string]bool{}
	add := func(s, sep string) bool {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" || seen[s] {
			return true
		}
		if b.Len() > 0 {
			if b.Len()+len(sep)+len(s) > MaxPrompt {
				return false
			}
			b.WriteString(sep)
		} else if len(s) > MaxPrompt {
			return false
		}
		seen[s] = true
		b.WriteString(s)
		return true
	}
	for _, g := range req.Grammars {
		for _, w := range g.Words() {
			if !add(w, ", ") {
				return b.String()
			}
		}
	}
	for _, p := range req.Phrases {
		if !add(p, ". ") {
			break
		}
	}
	return b.String()
}

// stream buffers one utterance.
type stream struct {
	r      *Recognizer
	req    speech.RecogRequest
	lang   string
	prompt string
	vocab  []map[string]bool
	max    int
	pcm    []int16
	done   bool
}

// Write appends pcm to the utterance; it fails with speech.ErrEngine past
// Config.MaxUtterance.
func (s *stream) Write(pcm []int16) error {
	if s.done {
		return ErrStreamDone
	}
	if len(s.pcm)+len(pcm) > s.max {
		return fmt.Errorf("%w: openai recognizer: utterance longer than %v", speech.ErrEngine, s.r.c.cfg.MaxUtterance)
	}
	s.pcm = append(s.pcm, pcm...)
	return nil
}

// Partial reports no hypothesis: the endpoint transcribes whole files.
func (s *stream) Partial() (speech.Hypothesis, bool) { return speech.Hypothesis{}, false }

// Close releases the audio.
func (s *stream) Close() error {
	s.done = true
	s.pcm = nil
	return nil
}

// End sends the utterance to the transcription endpoint and returns its
// one hypothesis, or none for silence, an empty transcript or, with only
// grammars, words outside all of them.
func (s *stream) End(ctx context.Context) ([]speech.Hypothesis, error) {
	if s.done {
		return nil, ErrStreamDone
	}
	s.done = true
	pcm := s.pcm
	s.pcm = nil
	if len(pcm) == 0 {
		return nil, nil
	}
	file, err := wavBytes(pcm, s.req.Rate)
	if err != nil {
		return nil, fmt.Errorf("%w: openai transcribe: %w", speech.ErrEngine, err)
	}
	var resp goopenai.AudioResponse
	cfg := s.r.c.cfg
	err = s.r.c.do(ctx, "transcription", func(ctx context.Context) error {
		var err error
		resp, err = s.r.c.api.CreateTranscription(ctx, goopenai.AudioRequest{
			Model:    cfg.ASRModel,
			FilePath: "utterance.wav",
			Reader:   bytes.NewReader(file),
			Prompt:   s.prompt,
			Language: s.lang,
			Format:   goopenai.AudioResponseFormat(cfg.TranscriptFormat),
		})
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("openai transcribe: %w", err)
		}
		return nil, err
	}
	return s.hypotheses(resp), nil
}

// hypotheses turns a transcription into the stream's result.
func (s *stream) hypotheses(resp goopenai.AudioResponse) []speech.Hypothesis {
	words := normalizeWords(resp.Text)
	if len(words) == 0 {
		return nil
	}
	h := speech.Hypothesis{Text: strings.Join(words, " "), Confidence: s.r.c.cfg.Confidence, Grammar: -1}
	if c, ok := confidence(resp); ok {
		h.Confidence = c
	}
	if len(s.vocab) == 0 {
		return []speech.Hypothesis{h}
	}
	for i, v := range s.vocab {
		if !slices.ContainsFunc(words, func(w string) bool { return !v[w] }) {
			h.Grammar = i
			return []speech.Hypothesis{h}
		}
	}
	if len(s.req.Phrases) > 0 || s.req.Transcribe {
		return []speech.Hypothesis{h}
	}
	return nil
}

// confidence returns exp of the duration-weighted mean avg_logprob of the
// segments, if the response has any.
func confidence(resp goopenai.AudioResponse) (float64, bool) {
	var sum, weight float64
	for _, seg := range resp.Segments {
		w := max(seg.End-seg.Start, 0.01)
		sum += seg.AvgLogprob * w
		weight += w
	}
	if weight == 0 || math.IsNaN(sum) {
		return 0, false
	}
	return min(max(math.Exp(sum/weight), 0), 1), true
}

// normalizeWords lower-cases s and splits it into words of letters,
// digits and inner apostrophes, dropping punctuation.
func normalizeWords(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	out := f[:0]
	for _, w := range f {
		if w = strings.Trim(w, "'"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// wavBytes encodes mono pcm at rate as a WAV file in memory.
func wavBytes(pcm []int16, rate int) ([]byte, error) {
	var f memFile
	w, err := wav.NewWriter(&f, wav.WriterConfig{SampleRate: rate, HeaderInterval: -1})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(pcm); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return f.b, nil
}

// memFile is an in-memory io.WriteSeeker.
type memFile struct {
	b   []byte
	off int
}

func (m *memFile) Write(p []byte) (int, error) {
	if end := m.off + len(p); end > len(m.b) {
		m.b = append(m.b, make([]byte, end-len(m.b))...)
	}
	m.off += copy(m.b[m.off:], p)
	return len(p), nil
}

func (m *memFile) Seek(offset int64, whence int) (int64, error) {
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = int64(m.off)
	case io.SeekEnd:
		base = int64(len(m.b))
	default:
		return 0, errors.New("memfile: bad whence")
	}
	pos := base + offset
	if pos < 0 || pos > math.MaxInt32 {
		return 0, errors.New("memfile: seek out of range")
	}
	m.off = int(pos)
	return pos, nil
}
