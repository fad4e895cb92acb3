package openai

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// Limits of the speech endpoint.
const (
	// MaxInput is the most text one request carries, in bytes; longer
	// text is split at spaces (the API takes 4096 characters).
	MaxInput = 4000
	// MaxBreak caps one pause.
	MaxBreak = 30 * time.Second
	minSpeed = 0.25
	maxSpeed = 4.0
)

// genders are the apparent genders of OpenAI's voices; others are
// "neutral".
var genders = map[string]string{
	"ash": "male", "ballad": "male", "echo": "male", "onyx": "male", "verse": "male",
	"coral": "female", "nova": "female", "sage": "female", "shimmer": "female",
}

// Synthesizer is a speech.Synthesizer on the /audio/speech endpoint.
type Synthesizer struct {
	c      *client
	voices []speech.Voice
}

var _ speech.Synthesizer = (*Synthesizer)(nil)

// NewSynthesizer returns a Synthesizer for cfg, failing with ErrConfig
// for invalid fields. It makes no request.
func NewSynthesizer(cfg Config) (*Synthesizer, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("openai synthesizer: %w", err)
	}
	s := &Synthesizer{c: c}
	for _, name := range c.cfg.Voices {
		g := genders[name]
		if g == "" {
			g = "neutral"
		}
		s.voices = append(s.voices, speech.Voice{Name: name, Engine: c.cfg.Name, Language: c.cfg.Language, Gender: g})
	}
	return s, nil
}

// Name returns Config.Name.
func (s *Synthesizer) Name() string { return s.c.cfg.Name }

// Voices returns the configured voices, all in Config.Language.
func (s *Synthesizer) Voices() []speech.Voice { return slices.Clone(s.voices) }

// stepKind says what a step does.
type stepKind uint8

const (
	stepSay stepKind = iota
	stepPause
	stepMark
)

// step is one request, pause or mark of a document.
type step struct {
	kind  stepKind
	text  string        // stepSay
	voice string        // stepSay
	speed float64       // stepSay
	gain  float64       // stepSay
	pause time.Duration // stepPause
	mark  string        // stepMark
}

// Synthesize speaks req.Doc, emitting audio at req.Rate as each response
// body arrives (see the package documentation for how a document becomes
// requests). It fails with speech.ErrNoVoice when req.Voice names a voice
// not configured, and with speech.ErrEngine for an unsupported rate or a
// failed request.
func (s *Synthesizer) Synthesize(ctx context.Context, req speech.SynthRequest, emit func(speech.Chunk) error) error {
	if _, err := resample.New(pcmRate, req.Rate); err != nil {
		return fmt.Errorf("%w: openai synthesize: %w", speech.ErrEngine, err)
	}
	steps, err := s.plan(req)
	if err != nil {
		return err
	}
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch st.kind {
		case stepMark:
			err = emit(speech.Chunk{Mark: st.mark})
		case stepPause:
			err = emitSilence(st.pause, req.Rate, emit)
		default:
			err = s.say(ctx, st, req.Rate, emit)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// plan turns req into steps.
func (s *Synthesizer) plan(req speech.SynthRequest) ([]step, error) {
	base := req.Voice.Name
	if base == "" {
		base = s.c.cfg.Voices[0]
	}
	if !slices.Contains(s.c.cfg.Voices, base) {
		return nil, fmt.Errorf("%w: openai has no voice %q", speech.ErrNoVoice, base)
	}
	if req.Doc == nil {
		return nil, nil
	}
	outer := effective(req.Prosody)
	var steps []step
	for _, it := range req.Doc.Items {
		switch it.Kind {
		case ssml.Text, ssml.Audio:
			text := strings.Join(strings.Fields(it.Text), " ")
			if text == "" {
				continue
			}
			p := effective(it.Prosody)
			st := step{kind: stepSay, voice: base, text: text,
				speed: min(max(outer.Rate*p.Rate, minSpeed), maxSpeed), gain: outer.Volume * p.Volume}
			if slices.Contains(s.c.cfg.Voices, it.Voice.Name) {
				st.voice = it.Voice.Name
			}
			steps = appendSay(steps, st)
		case ssml.Break:
			d := min(it.Break, MaxBreak)
			if d <= 0 {
				continue
			}
			if n := len(steps); n > 0 && steps[n-1].kind == stepPause {
				steps[n-1].pause = min(steps[n-1].pause+d, MaxBreak)
				continue
			}
			steps = append(steps, step{kind: stepPause, pause: d})
		case ssml.Mark:
			steps = append(steps, step{kind: stepMark, mark: it.Name})
		}
	}
	return steps, nil
}

// effective returns p with zero factors read as 1: the zero Prosody is a
// request that set none.
func effective(p ssml.Prosody) ssml.Prosody {
	if p == (ssml.Prosody{}) {
		return ssml.DefaultProsody
	}
	if p.Rate <= 0 {
		p.Rate = 1
	}
	p.Volume = max(p.Volume, 0)
	return p
}

// appendSay adds st to steps, joining it to a preceding request with the
// same voice, speed and gain while the text fits MaxInput, and splitting
// text longer than MaxInput at spaces.
func appendSay(steps []step, st step) []step {
	if n := len(steps); n > 0 {
		last := &steps[n-1]
		if last.kind == stepSay && last.voice == st.voice && last.speed == st.speed && last.gain == st.gain &&
			len(last.text)+1+len(st.text) <= MaxInput {
			last.text += " " + st.text
			return steps
		}
	}
	for len(st.text) > MaxInput {
		cut := strings.LastIndexByte(st.text[:MaxInput], ' ')
		if cut <= 0 {
			cut = MaxInput
		}
		part := st
		part.text = st.text[:cut]
		steps = append(steps, part)
		st.text = strings.TrimLeft(st.text[cut:], " ")
	}
	return append(steps, st)
}

// emitSilence emits d of silence at rate, in chunks of 100 ms.
func emitSilence(d time.Duration, rate int, emit func(speech.Chunk) error) error {
	n := int(int64(d) * int64(rate) / int64(time.Second))
	zero := make([]int16, min(n, rate/10))
	for n > 0 {
		k := min(n, len(zero))
		if err := emit(speech.Chunk{PCM: zero[:k]}); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// say runs one speech request with retries; a request that already
// emitted audio is not retried.
func (s *Synthesizer) say(ctx context.Context, st step, rate int, emit func(speech.Chunk) error) error {
	return s.c.do(ctx, "speech", func(ctx context.Context) error {
		emitted := false
		err := s.sayOnce(ctx, st, rate, func(c speech.Chunk) error {
			emitted = true
			if err := emit(c); err != nil {
				return emitError{err}
			}
			return nil
		})
		if _, isEmit := errors.AsType[emitError](err); err != nil && emitted && !isEmit {
			return errNoRetry{err}
		}
		return err
	})
}

// sayOnce posts one speech request and streams its body to emit.
func (s *Synthesizer) sayOnce(ctx context.Context, st step, rate int, emit func(speech.Chunk) error) error {
	cfg := s.c.cfg
	resp, err := s.c.api.CreateSpeech(ctx, goopenai.CreateSpeechRequest{
		Model:          goopenai.SpeechModel(cfg.TTSModel),
		Input:          st.text,
		Voice:          goopenai.SpeechVoice(st.voice),
		ResponseFormat: goopenai.SpeechResponseFormat(cfg.SpeechFormat),
		Speed:          st.speed,
	})
	if err != nil {
		return err
	}
	defer resp.Close()
	src, srcRate, err := s.source(resp)
	if err != nil {
		return err
	}
	rs, err := resample.New(srcRate, rate)
	if err != nil {
		return fmt.Errorf("speech at %d Hz: %w", srcRate, err)
	}
	return pump(src, rs, st.gain, emit)
}

// sampleReader yields mono samples as they arrive.
type sampleReader interface {
	Read(pcm []int16) (int, error)
}

// source returns a reader of the response's samples and their rate.
func (s *Synthesizer) source(body io.Reader) (sampleReader, int, error) {
	if s.c.cfg.SpeechFormat == SpeechPCM {
		return &pcmReader{r: body}, pcmRate, nil
	}
	r, err := wav.NewReader(body)
	if err != nil {
		return nil, 0, fmt.Errorf("speech response: %w", err)
	}
	if f := r.Format(); f.Channels != 1 {
		return nil, 0, fmt.Errorf("speech response: %s, want mono", f)
	}
	return r, r.Format().SampleRate, nil
}

// pump reads src to its end, applying gain, resampling with rs and
// emitting each piece. It drops the resampler's delay from the start and
// pushes it out at the end with silence, so the output lines up with the
// input and the last syllable is not cut.
func pump(src sampleReader, rs *resample.Resampler, gain float64, emit func(speech.Chunk) error) error {
	in := make([]int16, rs.InRate()/10)
	out := make([]int16, rs.OutLen(len(in)))
	skip := rs.Delay()
	send := func(n int) error {
		m := rs.Process(in[:n], out)
		d := min(skip, m)
		skip -= d
		if m > d {
			return emit(speech.Chunk{PCM: out[d:m]})
		}
		return nil
	}
	for {
		n, err := src.Read(in)
		if n > 0 {
			applyGain(in[:n], gain)
			if err := send(n); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("speech response: %w", err)
		}
	}
	tail := min((rs.Delay()*rs.InRate()+rs.OutRate()-1)/rs.OutRate(), len(in))
	if tail == 0 {
		return nil
	}
	clear(in[:tail])
	return send(tail)
}

// applyGain scales pcm by g, saturating.
func applyGain(pcm []int16, g float64) {
	if g == 1 {
		return
	}
	for i, v := range pcm {
		pcm[i] = int16(min(max(float64(v)*g, -32768), 32767))
	}
}

// pcmReader decodes a stream of 16-bit little-endian samples, keeping an
// odd byte for the next read.
type pcmReader struct {
	r     io.Reader
	buf   []byte
	carry int // bytes at the start of buf not yet decoded (0 or 1)
}

// Read decodes what one read of the underlying stream delivers.
func (p *pcmReader) Read(pcm []int16) (int, error) {
	if need := 2 * len(pcm); len(p.buf) < need {
		b := make([]byte, need)
		copy(b, p.buf[:p.carry])
		p.buf = b
	}
	n, err := p.r.Read(p.buf[p.carry : 2*len(pcm)])
	total := p.carry + n
	k := total / 2
	for i := range k {
		pcm[i] = int16(binary.LittleEndian.Uint16(p.buf[2*i:]))
	}
	p.carry = total % 2
	if p.carry == 1 {
		p.buf[0] = p.buf[total-1]
	}
	return k, err
}
