package record

import (
	"fmt"
	"sync"
	"time"

	"github.com/parley-cc/parley/media/resample"
)

// Channel is a side of the call, and the stereo channel it is recorded on.
type Channel int

// Channels of a recording.
const (
	// Caller is the customer's side, recorded on the left channel.
	Caller Channel = iota
	// Agent is the bot's or the human agent's side, on the right channel.
	Agent
)

// String returns "caller" or "agent".
func (c Channel) String() string {
	switch c {
	case Caller:
		return "caller"
	case Agent:
		return "agent"
	}
	return fmt.Sprintf("Channel(%d)", int(c))
}

// Sink stores the aligned recording. The Recorder calls it from one
// goroutine at a time.
type Sink interface {
	// Rate returns the sample rate of the file.
	Rate() int
	// Write appends interleaved stereo samples (left, right) at Rate. The
	// slice is not retained.
	Write(stereo []int16) error
	// Close finishes the file.
	Close() error
}

// Config defaults.
const (
	// DefaultSkew is how far behind the furthest-ahead channel audio is
	// committed to the sink when Config.Skew is zero.
	DefaultSkew = 500 * time.Millisecond
	// DefaultTolerance is the timing error within which a frame counts as
	// continuing its channel when Config.Tolerance is zero.
	DefaultTolerance = 5 * time.Millisecond
	// DefaultMaxDuration bounds media times when Config.MaxDuration is
	// zero.
	DefaultMaxDuration = 12 * time.Hour
)

// Config configures a Recorder. The zero value of each field means its
// default.
type Config struct {
	// CallerRate and AgentRate are the sample rates of the frames each
	// side writes (8000, 16000 or 48000); default the sink's rate.
	CallerRate, AgentRate int
	// Skew is how far the two channels may run apart: audio reaches the
	// sink this far behind the furthest-ahead channel, and a frame that
	// arrives later than that is dropped. Default DefaultSkew.
	Skew time.Duration
	// Tolerance is how far a frame's media time may be from the end of
	// the previous frame on its channel and still be joined to it
	// sample-exactly; default DefaultTolerance. It absorbs clock jitter;
	// keep it below one frame so that a lost frame still leaves a gap.
	Tolerance time.Duration
	// MaxDuration rejects frames whose media time is later (ErrTooLong),
	// bounding the silence a corrupt timestamp can make the Recorder
	// write. Default DefaultMaxDuration.
	MaxDuration time.Duration
}

// Stats counts what a Recorder did.
type Stats struct {
	// Duration of the audio handed to the sink.
	Duration time.Duration
	// Frames is the number of stereo sample frames handed to the sink.
	Frames int64
	// Samples is the number of input samples accepted per channel.
	Samples [2]int64
	// Late is the number of samples per channel dropped because they
	// arrived after their place on the timeline was committed.
	Late [2]int64
	// Discontinuities counts frames per channel that did not continue the
	// previous one (gaps and overlaps).
	Discontinuities [2]int64
}

// channelState is one side's input path.
type channelState struct {
	rs      *resample.Resampler // nil when the input is at the file rate
	delay   int64               // resampler group delay, output samples
	next    int64               // timeline frame where the next input frame continues; -1 before the first
	primed  bool                // the resampler has had input since its last Reset
	inChunk int                 // input samples per Process call
	scratch []int16             // resampler output
	zeros   []int16             // input that pushes the last delay samples out
}

// stereoSink is a Sink that takes the two channels planar and interleaves
// them itself as it stores them (WAVSink, OpusSink), saving a pass over
// the audio. The Recorder hands writeStereo (left and right of equal
// length) the same runs of frames it would hand Write.
type stereoSink interface {
	Sink
	writeStereo(left, right []int16) error
}

// Recorder aligns the two sides of a call on one timeline and writes them
// to a stereo Sink. See the package documentation for the timeline rules.
type Recorder struct {
	mu      sync.Mutex
	sink    Sink
	stereo  stereoSink // sink, when it takes planar channels; else nil
	rate    int
	ring    [2][]int16 // per channel, size frames, indexed by timeline frame mod size
	scratch []int16    // interleaved stereo, size frames, for a sink without writeStereo
	size    int64
	piece   int   // largest run place handles at once
	base    int64 // first timeline frame not yet handed to the sink
	head    int64 // end of the furthest write
	skew    int64
	tol     int64
	maxDur  time.Duration
	ch      [2]channelState
	stats   Stats
	closed  bool
	sinkErr error
}

var _ Sink = (*WAVSink)(nil)
var _ Sink = (*OpusSink)(nil)
var _ stereoSink = (*WAVSink)(nil)
var _ stereoSink = (*OpusSink)(nil)

// New returns a Recorder writing to sink, which it owns from now on (Close
// closes it, also when New fails).
func New(sink Sink, cfg Config) (*Recorder, error) {
	r, err := newRecorder(sink, cfg)
	if err != nil {
		sink.Close()
		return nil, err
	}
	return r, nil
}

func newRecorder(sink Sink, cfg Config) (*Recorder, error) {
	rate := sink.Rate()
	if cfg.Skew == 0 {
		cfg.Skew = DefaultSkew
	}
	if cfg.Tolerance == 0 {
		cfg.Tolerance = DefaultTolerance
	}
	if cfg.MaxDuration == 0 {
		cfg.MaxDuration = DefaultMaxDuration
	}
	if cfg.Skew < 0 || cfg.Tolerance < 0 || cfg.MaxDuration < 0 {
		return nil, fmt.Errorf("%w: skew %v, tolerance %v, max duration %v", ErrInvalidConfig, cfg.Skew, cfg.Tolerance, cfg.MaxDuration)
	}
	r := &Recorder{sink: sink, rate: rate, maxDur: cfg.MaxDuration, piece: rate / 10}
	r.skew = r.frames(cfg.Skew)
	r.tol = r.frames(cfg.Tolerance)
	for ch, in := range [2]int{cfg.CallerRate, cfg.AgentRate} {
		if err := r.ch[ch].init(in, rate); err != nil {
			return nil, fmt.Errorf("%s channel: %w", Channel(ch), err)
		}
		r.piece = max(r.piece, len(r.ch[ch].scratch))
	}
	r.size = r.skew + 2*int64(r.piece)
	for ch := range r.ring {
		r.ring[ch] = make([]int16, r.size)
	}
	if ss, ok := sink.(stereoSink); ok {
		r.stereo = ss
	} else {
		r.scratch = make([]int16, 2*r.size)
	}
	return r, nil
}

// init prepares a channel whose frames arrive at in Hz (0: the file rate).
func (c *channelState) init(in, out int) error {
	c.next = -1
	if in == 0 || in == out {
		return nil
	}
	// Call audio comes at the codec rates; the recorder's 10 ms chunking
	// assumes them.
	if in != 8000 && in != 16000 && in != 48000 {
		return fmt.Errorf("%w: channel rate %d Hz is not 8000, 16000 or 48000", ErrInvalidConfig, in)
	}
	rs, err := resample.New(in, out)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	c.rs, c.delay = rs, int64(rs.Delay())
	c.inChunk = in / 10
	// Enough input to move the output delay samples on, plus one for
	// the phase of the last input.
	c.zeros = make([]int16, (int(c.delay)*in+out-1)/out+1)
	c.scratch = make([]int16, rs.OutLen(max(c.inChunk, len(c.zeros))))
	return nil
}

// frames converts a duration to timeline frames, rounding to nearest.
func (r *Recorder) frames(d time.Duration) int64 {
	rate := int64(r.rate)
	return int64(d/time.Second)*rate + (int64(d%time.Second)*rate+int64(time.Second)/2)/int64(time.Second)
}

// Rate returns the sample rate of the recording.
func (r *Recorder) Rate() int { return r.rate }

// String describes the recorder for pipeline descriptions.
func (r *Recorder) String() string { return fmt.Sprintf("Record(%v)", r.sink) }

// Write records one frame of mono samples for a channel, at its media time
// at (the offset of its first sample from the start of the recording).
// Write is safe for concurrent use and does not allocate. A sink error is
// returned and sticks: the recording is over, but Close still closes the
// file.
func (r *Recorder) Write(ch Channel, at time.Duration, pcm []int16) error {
	if ch != Caller && ch != Agent {
		return fmt.Errorf("%w: %d", ErrChannel, int(ch))
	}
	if len(pcm) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if r.sinkErr != nil {
		return r.sinkErr
	}
	if at > r.maxDur {
		return fmt.Errorf("%w: %v > %v", ErrTooLong, at, r.maxDur)
	}
	c := &r.ch[ch]
	pos := r.frames(at)
	if c.next >= 0 {
		if d := pos - c.next; d >= -r.tol && d <= r.tol {
			pos = c.next
		} else {
			r.stats.Discontinuities[ch]++
			if err := r.flushTail(ch); err != nil {
				return err
			}
		}
	}
	r.stats.Samples[ch] += int64(len(pcm))
	return r.feed(ch, pos, pcm)
}

// feed resamples pcm if needed and places it at timeline frame pos.
func (r *Recorder) feed(ch Channel, pos int64, pcm []int16) error {
	c := &r.ch[ch]
	for len(pcm) > 0 {
		var out []int16
		var n int
		if c.rs == nil {
			n = min(len(pcm), r.piece)
			out = pcm[:n]
		} else {
			n = min(len(pcm), c.inChunk)
			out = c.scratch[:c.rs.Process(pcm[:n], c.scratch)]
			c.primed = true
		}
		if err := r.place(ch, pos-c.delay, out); err != nil {
			return err
		}
		pos += int64(len(out))
		pcm = pcm[n:]
	}
	c.next = pos
	return nil
}

// flushTail pushes the last delay samples of a resampled channel out of
// the filter to where they belong, and resets the filter for a new run.
func (r *Recorder) flushTail(ch Channel) error {
	c := &r.ch[ch]
	if c.rs == nil || !c.primed {
		return nil
	}
	n := c.rs.Process(c.zeros, c.scratch)
	c.rs.Reset()
	c.primed = false
	return r.place(ch, c.next-c.delay, c.scratch[:min(int64(n), c.delay)])
}

// place writes s into channel ch of the ring at timeline frame p, then
// commits what is now Skew behind the head.
func (r *Recorder) place(ch Channel, p int64, s []int16) error {
	if p < r.base {
		d := min(r.base-p, int64(len(s)))
		if late := min(r.base, p+d) - max(p, 0); late > 0 {
			r.stats.Late[ch] += late // the part before 0 is filter ramp-up, not late audio
		}
		s, p = s[d:], p+d
	}
	if len(s) == 0 {
		return nil
	}
	end := p + int64(len(s))
	if end > r.base+r.size {
		if err := r.commit(end - r.size); err != nil {
			return err
		}
	}
	for len(s) > 0 {
		i := p % r.size
		n := copy(r.ring[ch][i:], s)
		s, p = s[n:], p+int64(n)
	}
	r.head = max(r.head, end)
	if t := r.head - r.skew; t > r.base {
		return r.commit(t)
	}
	return nil
}

// commit hands timeline frames [base, to) to the sink, one Write per run
// that does not wrap around the ring, and clears them.
func (r *Recorder) commit(to int64) error {
	for r.base < to {
		i := r.base % r.size
		n := min(to-r.base, r.size-i)
		left, right := r.ring[Caller][i:i+n], r.ring[Agent][i:i+n]
		if err := r.write(left, right); err != nil {
			r.sinkErr = fmt.Errorf("record: %v: %w", r.sink, err)
			return r.sinkErr
		}
		clear(left)
		clear(right)
		r.base += n
		r.stats.Frames += n
	}
	return nil
}

// write hands the sink one run of frames: planar to a stereoSink, else
// interleaved through scratch.
func (r *Recorder) write(left, right []int16) error {
	if r.stereo != nil {
		return r.stereo.writeStereo(left, right)
	}
	out := r.scratch[:2*len(left)]
	for k, v := range left {
		out[2*k], out[2*k+1] = v, right[k]
	}
	return r.sink.Write(out)
}

// Stats returns the counters so far.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Duration = time.Duration(s.Frames * int64(time.Second) / int64(r.rate))
	return s
}

// Close writes everything up to the end of the furthest frame and closes
// the sink.
func (r *Recorder) Close() error { return r.close(-1) }

// CloseAt ends the recording at media time end, normally the call's
// duration from answer to hangup: silence is added up to end, and audio
// beyond it is discarded (except what is already more than Skew behind,
// which is in the file). Then it closes the sink.
func (r *Recorder) CloseAt(end time.Duration) error {
	if end < 0 {
		end = 0
	}
	return r.close(r.frames(min(end, r.maxDur)))
}

func (r *Recorder) close(end int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.closed = true
	err := r.sinkErr
	for ch := range r.ch {
		if err == nil {
			err = r.flushTail(Channel(ch))
		}
	}
	if err == nil {
		if end < 0 {
			end = r.head
		}
		err = r.commit(end)
	}
	if cerr := r.sink.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("record: close %v: %w", r.sink, cerr)
	}
	return err
}
