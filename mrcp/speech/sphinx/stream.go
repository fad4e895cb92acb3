package sphinx

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/mrcp/speech"
)

// stream is one utterance on a decoder it holds from Start to End or
// Close.
type stream struct {
	e     *Engine
	p     *plan
	nbest int
	rs    *resample.Resampler // nil when the input is at the decoder's rate
	max   int                 // samples at the decoder's rate

	mu  sync.Mutex
	d   *decoder // nil once ended or closed
	buf []int16
	fed int
}

var _ speech.Stream = (*stream)(nil)

func newStream(e *Engine, d *decoder, p *plan, req speech.RecogRequest) (*stream, error) {
	s := &stream{e: e, p: p, d: d, nbest: max(req.NBest, 1), max: int(e.cfg.MaxUtterance.Seconds() * float64(e.rate))}
	if req.Rate != e.rate {
		rs, err := resample.New(req.Rate, e.rate)
		if err != nil {
			e.release(d)
			return nil, fmt.Errorf("%w: %w", speech.ErrEngine, err)
		}
		s.rs = rs
	}
	return s, nil
}

// Write decodes pcm at once, on the caller's goroutine: PocketSphinx
// processes audio several times faster than real time.
func (s *stream) Write(pcm []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d == nil {
		return ErrStreamDone
	}
	in := pcm
	if s.rs != nil {
		n := s.rs.OutLen(len(pcm))
		if cap(s.buf) < n {
			s.buf = make([]int16, n)
		}
		in = s.buf[:s.rs.Process(pcm, s.buf[:n])]
	}
	if s.fed+len(in) > s.max {
		return fmt.Errorf("%w: more than %v", ErrTooLong, s.e.cfg.MaxUtterance)
	}
	s.fed += len(in)
	if err := s.d.process(in); err != nil {
		return fmt.Errorf("%w: %w", speech.ErrEngine, err)
	}
	return nil
}

// Partial returns the decoder's best hypothesis so far. Its Confidence is
// 0: confidences come from the word lattice, made at the end.
func (s *stream) Partial() (speech.Hypothesis, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d == nil {
		return speech.Hypothesis{}, false
	}
	text := s.d.hyp()
	if text == "" || strings.Contains(text, garbagePrefix) {
		return speech.Hypothesis{}, false
	}
	index, _ := s.p.grammarIndex(text)
	return speech.Hypothesis{Text: text, Grammar: index}, true
}

// End finishes the utterance on an engine goroutine (the final passes and
// the lattice take a few tens of milliseconds) and returns its results;
// when ctx ends first, End returns ctx.Err() and the decoder goes back to
// the pool once done.
func (s *stream) End(ctx context.Context) ([]speech.Hypothesis, error) {
	s.mu.Lock()
	d := s.d
	s.d = nil
	s.mu.Unlock()
	if d == nil {
		return nil, ErrStreamDone
	}
	type result struct {
		hyps []speech.Hypothesis
		err  error
	}
	done := make(chan result, 1)
	s.e.spawn(func() {
		hyps, err := s.e.finish(d, s.p, s.nbest)
		s.e.release(d)
		done <- result{hyps, err}
	})
	select {
	case r := <-done:
		return r.hyps, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close gives the decoder back, abandoning the utterance; it does not
// wait for the decoder to finish it.
func (s *stream) Close() error {
	s.mu.Lock()
	d := s.d
	s.d = nil
	s.mu.Unlock()
	if d != nil {
		s.e.spawn(func() { s.e.release(d) })
	}
	return nil
}
