package play

import (
	"fmt"
	"io"
	"time"

	"github.com/parley-cc/parley/media/resample"
)

// Frame durations.
const (
	// DefaultFrame is the frame duration when Config.Frame is zero.
	DefaultFrame = 20 * time.Millisecond
	// MaxFrame is the longest frame (the longest RTP packet time Parley
	// negotiates, as for Opus in RFC 6716 section 3.2.5).
	MaxFrame = 120 * time.Millisecond
)

// Config configures a Player.
type Config struct {
	// Rate is the session's sample rate; required.
	Rate int
	// Frame is the duration of each frame Next produces; default
	// DefaultFrame, at most MaxFrame. It must be a whole number of
	// samples at Rate.
	Frame time.Duration
	// Loop restarts the clip seamlessly at its end, for hold music; Next
	// then never returns io.EOF.
	Loop bool
}

// Player produces fixed-size mono frames from a clip or file at the
// session's rate.
type Player struct {
	src    source
	closer io.Closer
	cfg    Config
	frame  int
	rs     *resample.Resampler
	in     []int16 // one input chunk (20 ms at the source rate)
	obuf   []int16 // resampled output not yet returned
	skip   int     // leading outputs still to drop (filter delay)
	inTot  int64   // input samples fed since the last Rewind
	outTot int64   // outputs kept since the last Rewind
	target int64   // total outputs once the source has ended; -1 before
	looped bool    // the source produced samples since the last wrap
	done   bool    // every output is in obuf
	err    error   // a read error, returned once obuf is drained
	closed bool
}

// NewPlayer returns a Player over a shared clip.
func NewPlayer(c *Clip, cfg Config) (*Player, error) {
	return newPlayer(&clipSource{c: c}, nil, cfg)
}

// Open returns a Player that streams the WAV file at path. The Player owns
// the file; Close closes it.
func Open(path string, cfg Config) (*Player, error) {
	s, err := openFile(path)
	if err != nil {
		return nil, err
	}
	p, err := newPlayer(s, s.f, cfg)
	if err != nil {
		s.f.Close()
		return nil, err
	}
	return p, nil
}

func newPlayer(src source, closer io.Closer, cfg Config) (*Player, error) {
	if cfg.Frame == 0 {
		cfg.Frame = DefaultFrame
	}
	frame := int64(cfg.Rate) * int64(cfg.Frame) / int64(time.Second)
	if cfg.Rate < 1 || frame < 1 || frame*int64(time.Second) != int64(cfg.Rate)*int64(cfg.Frame) || cfg.Frame > MaxFrame {
		return nil, fmt.Errorf("%w: rate %d, frame %v", ErrInvalidConfig, cfg.Rate, cfg.Frame)
	}
	p := &Player{src: src, closer: closer, cfg: cfg, frame: int(frame), target: -1}
	if src.rate() != cfg.Rate {
		rs, err := resample.New(src.rate(), cfg.Rate)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidConfig, src.name(), err)
		}
		p.rs, p.skip = rs, rs.Delay()
		p.in = make([]int16, src.rate()/50)
		p.obuf = make([]int16, 0, p.frame+rs.OutLen(len(p.in)))
	}
	return p, nil
}

// FrameSize returns the number of samples Next writes.
func (p *Player) FrameSize() int { return p.frame }

// Rate returns the session rate of the frames.
func (p *Player) Rate() int { return p.cfg.Rate }

// String describes the player, like "Play(hold.wav 48000->8000 loop)".
func (p *Player) String() string {
	loop := ""
	if p.cfg.Loop {
		loop = " loop"
	}
	return fmt.Sprintf("Play(%s %d->%d%s)", p.src.name(), p.src.rate(), p.cfg.Rate, loop)
}

// Next writes the next frame into pcm[:FrameSize()] and returns how many
// of those samples are audio; the rest of the frame (only ever in the last
// one) is silence. After the last frame it returns 0 and io.EOF, or the
// error that cut a file short. With Config.Loop it never ends. Next does
// not allocate.
func (p *Player) Next(pcm []int16) (int, error) {
	if p.closed {
		return 0, ErrClosed
	}
	if len(pcm) < p.frame {
		return 0, fmt.Errorf("%w: %d < %d", ErrShortBuffer, len(pcm), p.frame)
	}
	pcm = pcm[:p.frame]
	var n int
	if p.rs == nil {
		n = p.direct(pcm)
	} else {
		for len(p.obuf) < p.frame && !p.done {
			p.fill()
		}
		n = copy(pcm, p.obuf)
		p.obuf = p.obuf[:copy(p.obuf, p.obuf[n:])]
	}
	clear(pcm[n:])
	if n == 0 {
		if p.err != nil {
			return 0, p.err
		}
		return 0, io.EOF
	}
	return n, nil
}

// direct fills pcm straight from a source at the session rate.
func (p *Player) direct(pcm []int16) int {
	n := 0
	for n < len(pcm) && !p.done {
		k, err := p.src.read(pcm[n:])
		n += k
		p.looped = p.looped || k > 0
		if err != nil && !p.end(err) {
			break
		}
	}
	return n
}

// end handles the end of the source: it rewinds when looping (and returns
// true to keep reading), else marks the player done.
func (p *Player) end(err error) bool {
	if !isEnd(err) {
		p.err = fmt.Errorf("play: %s: %w", p.src.name(), err)
	} else if p.cfg.Loop && p.looped {
		if rerr := p.src.rewind(); rerr == nil {
			p.looped = false
			return true
		} else {
			p.err = fmt.Errorf("play: loop %s: %w", p.src.name(), rerr)
		}
	}
	p.done = true
	return false
}

// fill resamples one more input chunk (or, after the source ended, one
// chunk of silence to flush the filter) into obuf.
func (p *Player) fill() {
	if p.target < 0 {
		k, err := p.src.read(p.in)
		p.looped = p.looped || k > 0
		p.process(p.in[:k])
		if err == nil || p.end(err) {
			return
		}
		// The source ended: produce exactly ceil(inTot*out/in) samples.
		p.done = false
		out, in := int64(p.cfg.Rate), int64(p.src.rate())
		p.target = (p.inTot*out + in - 1) / in
	} else {
		clear(p.in)
		p.process(p.in)
	}
	if p.outTot >= p.target {
		p.obuf = p.obuf[:len(p.obuf)-int(p.outTot-p.target)]
		p.outTot = p.target
		p.done = true
	}
}

// process resamples in onto the end of obuf, dropping the filter delay at
// the start.
func (p *Player) process(in []int16) {
	p.inTot += int64(len(in))
	out := p.obuf[len(p.obuf):cap(p.obuf)]
	n := p.rs.Process(in, out)
	if d := min(p.skip, n); d > 0 {
		n = copy(out, out[d:n])
		p.skip -= d
	}
	p.obuf = p.obuf[:len(p.obuf)+n]
	p.outTot += int64(n)
}

// Rewind restarts playback from the beginning with a fresh filter.
func (p *Player) Rewind() error {
	if p.closed {
		return ErrClosed
	}
	if err := p.src.rewind(); err != nil {
		return fmt.Errorf("play: rewind %s: %w", p.src.name(), err)
	}
	p.obuf = p.obuf[:0]
	p.inTot, p.outTot, p.target = 0, 0, -1
	p.looped, p.done, p.err = false, false, nil
	if p.rs != nil {
		p.rs.Reset()
		p.skip = p.rs.Delay()
	}
	return nil
}

// Close releases the file of a Player from Open. Further calls to Next
// return ErrClosed.
func (p *Player) Close() error {
	if p.closed {
		return ErrClosed
	}
	p.closed = true
	if p.closer != nil {
		return p.closer.Close()
	}
	return nil
}
