package render

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// maxChunk is the longest audio chunk an Output emits, in milliseconds.
const maxChunk = 100

// Output turns an engine's native PCM into the requested rate and volume
// and hands it to emit. Audio arrives in segments (one engine utterance
// each): Begin opens one at the engine's rate, Write feeds it, End
// flushes the resampler so that a segment of N native samples yields
// exactly ceil(N*rate/inRate) samples, aligned with the input (the filter
// delay is dropped at the start and flushed with zeros at the end). Marks
// and silence go between segments. Every emit is preceded by a check of
// the synthesis context, so that nothing is emitted once it has ended. An
// Output is used by one goroutine.
type Output struct {
	ctx  context.Context
	rate int
	emit func(speech.Chunk) error
	gain float64

	res    *resample.Resampler // open segment's, nil between segments
	inRate int
	skip   int   // output samples of filter delay still to drop
	in     int64 // native samples written in this segment
	out    int64 // samples emitted in this segment
	buf    []int16
	zeros  []int16
}

// NewOutput returns an Output at rate Hz, which must be a rate
// media/resample supports, for a synthesis under ctx, with a gain of 1.
func NewOutput(ctx context.Context, rate int, emit func(speech.Chunk) error) (*Output, error) {
	if _, err := resample.New(rate, rate); err != nil {
		return nil, fmt.Errorf("output rate: %w", err)
	}
	return &Output{ctx: ctx, rate: rate, emit: emit, gain: 1}, nil
}

// SetGain sets the factor the samples emitted from now on are multiplied
// by, saturating at the int16 limits (a Prosody.Volume).
func (o *Output) SetGain(g float64) { o.gain = g }

// Items renders items in order, checking the context before each: a Break
// becomes silence, a Mark a Chunk{Mark}, and a Text or Audio item is
// handed to say. It returns the first error.
func (o *Output) Items(items []ssml.Item, say func(ssml.Item) error) error {
	for _, it := range items {
		if err := o.ctx.Err(); err != nil {
			return err
		}
		if err := o.item(it, say); err != nil {
			return err
		}
	}
	return nil
}

// item renders one document item.
func (o *Output) item(it ssml.Item, say func(ssml.Item) error) error {
	switch it.Kind {
	case ssml.Text, ssml.Audio:
		return say(it)
	case ssml.Break:
		return o.Silence(it.Break)
	case ssml.Mark:
		return o.Mark(it.Name)
	}
	return nil
}

// send1 emits c unless the context has ended.
func (o *Output) send1(c speech.Chunk) error {
	if err := o.ctx.Err(); err != nil {
		return err
	}
	return o.emit(c)
}

// Begin opens a segment of audio at inRate Hz. It fails with
// speech.ErrEngine for a rate media/resample does not support.
func (o *Output) Begin(inRate int) error {
	r, err := resample.New(inRate, o.rate)
	if err != nil {
		return fmt.Errorf("%w: native rate: %w", speech.ErrEngine, err)
	}
	o.res, o.inRate = r, inRate
	o.skip = r.Delay()
	o.in, o.out = 0, 0
	return nil
}

// Open reports whether a segment is open.
func (o *Output) Open() bool { return o.res != nil }

// Write converts pcm, native audio of the open segment, and emits it.
// Output does not keep pcm.
func (o *Output) Write(pcm []int16) error {
	o.in += int64(len(pcm))
	return o.convert(pcm, math.MaxInt64)
}

// convert resamples pcm and emits at most limit more samples of the
// segment, after the filter delay.
func (o *Output) convert(pcm []int16, limit int64) error {
	n := o.res.OutLen(len(pcm))
	if cap(o.buf) < n {
		o.buf = make([]int16, n)
	}
	got := o.buf[:o.res.Process(pcm, o.buf[:n])]
	if o.skip > 0 {
		k := min(o.skip, len(got))
		got, o.skip = got[k:], o.skip-k
	}
	if int64(len(got)) > limit-o.out {
		got = got[:limit-o.out]
	}
	o.out += int64(len(got))
	return o.send(got)
}

// End flushes the open segment: it feeds silence through the filter until
// the segment's last sample has come out, and closes the segment. Without
// an open segment it does nothing.
func (o *Output) End() error {
	if o.res == nil {
		return nil
	}
	want := (o.in*int64(o.rate) + int64(o.inRate) - 1) / int64(o.inRate)
	z := o.zeroes(o.inRate / 50)
	for o.out < want {
		clear(z)
		if err := o.convert(z, want); err != nil {
			return err
		}
	}
	o.res = nil
	return nil
}

// send applies the gain to pcm, which Output owns, and emits it in chunks
// of at most maxChunk ms.
func (o *Output) send(pcm []int16) error {
	if o.gain != 1 {
		applyGain(pcm, o.gain)
	}
	step := o.rate * maxChunk / 1000
	for len(pcm) > 0 {
		k := min(step, len(pcm))
		if err := o.send1(speech.Chunk{PCM: pcm[:k]}); err != nil {
			return err
		}
		pcm = pcm[k:]
	}
	return nil
}

// Silence emits d of silence (none for d <= 0), counted in whole
// microseconds, in chunks of at most 100 ms.
func (o *Output) Silence(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	total := d.Nanoseconds() / 1e3 * int64(o.rate) / 1e6
	z := o.zeroes(o.rate * maxChunk / 1000)
	for total > 0 {
		k := min(int64(len(z)), total)
		clear(z[:k]) // in case a receiver wrote into the last chunk
		if err := o.send1(speech.Chunk{PCM: z[:k]}); err != nil {
			return err
		}
		total -= k
	}
	return nil
}

// Mark emits a mark.
func (o *Output) Mark(name string) error {
	return o.send1(speech.Chunk{Mark: name})
}

// zeroes returns a buffer of n zero samples, reused between calls.
func (o *Output) zeroes(n int) []int16 {
	if len(o.zeros) < n {
		o.zeros = make([]int16, n)
	}
	return o.zeros[:n]
}

// applyGain multiplies pcm by g in place, saturating at the int16 limits.
func applyGain(pcm []int16, g float64) {
	for i, s := range pcm {
		v := math.Round(float64(s) * g)
		switch {
		case v > math.MaxInt16:
			v = math.MaxInt16
		case v < math.MinInt16:
			v = math.MinInt16
		}
		pcm[i] = int16(v)
	}
}
