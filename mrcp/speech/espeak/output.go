package espeak

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/mrcp/speech"
)

// maxChunk is the longest audio chunk output emits, in milliseconds.
const maxChunk = 100

// output turns the engine's native PCM into the requested rate and volume
// and hands it to emit. Audio arrives in segments (one espeak-ng sentence
// each): begin opens one at the engine's rate, write feeds it, end flushes
// the resampler so that a segment of N native samples yields exactly
// ceil(N*rate/inRate) samples, aligned with the input (the filter delay is
// dropped at the start and flushed with zeros at the end). Marks and
// silence go between segments. Every emit is preceded by a check of ctx,
// so that nothing is emitted once it has ended. An output is used by one
// goroutine.
type output struct {
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

// newOutput returns an output at rate Hz, which must be a rate the
// resampler supports, for a synthesis under ctx.
func newOutput(ctx context.Context, rate int, emit func(speech.Chunk) error) (*output, error) {
	if _, err := resample.New(rate, rate); err != nil {
		return nil, fmt.Errorf("output rate: %w", err)
	}
	return &output{ctx: ctx, rate: rate, emit: emit, gain: 1}, nil
}

// send1 emits c unless ctx has ended.
func (o *output) send1(c speech.Chunk) error {
	if err := o.ctx.Err(); err != nil {
		return err
	}
	return o.emit(c)
}

// begin opens a segment of audio at inRate Hz.
func (o *output) begin(inRate int) error {
	r, err := resample.New(inRate, o.rate)
	if err != nil {
		return fmt.Errorf("%w: native rate: %w", speech.ErrEngine, err)
	}
	o.res, o.inRate = r, inRate
	o.skip = r.Delay()
	o.in, o.out = 0, 0
	return nil
}

// write converts pcm, native audio of the open segment, and emits it.
func (o *output) write(pcm []int16) error {
	o.in += int64(len(pcm))
	return o.convert(pcm, math.MaxInt64)
}

// convert resamples pcm and emits at most limit more samples of the
// segment, after the filter delay.
func (o *output) convert(pcm []int16, limit int64) error {
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

// end flushes the open segment: it feeds silence through the filter until
// the segment's last sample has come out, and closes the segment.
func (o *output) end() error {
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

// send applies the gain to pcm, which output owns, and emits it in chunks
// of at most maxChunk ms.
func (o *output) send(pcm []int16) error {
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

// silence emits d of silence.
func (o *output) silence(d time.Duration) error {
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

// mark emits a mark.
func (o *output) mark(name string) error {
	return o.send1(speech.Chunk{Mark: name})
}

// zeroes returns a buffer of n zero samples, reused between calls.
func (o *output) zeroes(n int) []int16 {
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
