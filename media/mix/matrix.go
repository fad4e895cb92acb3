package mix

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// MaxParticipants is the largest Matrix.
const MaxParticipants = 64

// Participants of the three-way legs of a warm transfer, as indexes into a
// [Matrix] from [NewWhisper] (or a three-party [NewMinusOne]).
const (
	Caller = 0
	Agent  = 1
	Bot    = 2
)

// Matrix mixes the frames of n participants into one frame per
// participant, each through its own limiter, according to who hears whom.
// Create it with [NewMinusOne] or [NewWhisper]; it is not safe for
// concurrent use.
type Matrix struct {
	cfg    Config
	hears  []uint64 // hears[i] has bit j set when i hears j
	lims   []limiter
	picked [][]int16 // scratch: the sources of one listener
}

// NewMinusOne returns a matrix of n participants (2-64) in which each
// hears everyone but itself.
func NewMinusOne(n int, cfg Config) (*Matrix, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new minus-one matrix: %w", err)
	}
	if n < 2 || n > MaxParticipants {
		return nil, fmt.Errorf("new minus-one matrix: %w: %d participants, want 2-%d", ErrParticipants, n, MaxParticipants)
	}
	m := &Matrix{
		cfg:    c,
		hears:  make([]uint64, n),
		lims:   make([]limiter, n),
		picked: make([][]int16, 0, n),
	}
	all := ^uint64(0) >> (MaxParticipants - n)
	for i := range m.hears {
		m.hears[i] = all &^ (1 << i)
		m.lims[i] = newLimiter(c)
	}
	return m, nil
}

// NewWhisper returns a three-participant matrix ([Caller], [Agent], [Bot])
// routed for a warm transfer's whisper: the agent hears the bot's summary
// and the caller, the caller hears only the agent (never the summary), and
// the bot hears the agent, so that the agent can interrupt it.
func NewWhisper(cfg Config) (*Matrix, error) {
	m, err := NewMinusOne(3, cfg)
	if err != nil {
		return nil, fmt.Errorf("new whisper matrix: %w", err)
	}
	m.hears[Caller] = 1 << Agent
	m.hears[Agent] = 1<<Bot | 1<<Caller
	m.hears[Bot] = 1 << Agent
	return m, nil
}

// Len returns the number of participants.
func (m *Matrix) Len() int { return len(m.hears) }

// Route sets the participants listener hears, replacing the previous set.
// A listener may hear itself (a sidetone) or nobody.
func (m *Matrix) Route(listener int, speakers ...int) error {
	if listener < 0 || listener >= len(m.hears) {
		return fmt.Errorf("route: %w: listener %d of %d", ErrParticipants, listener, len(m.hears))
	}
	var set uint64
	for _, s := range speakers {
		if s < 0 || s >= len(m.hears) {
			return fmt.Errorf("route %d: %w: speaker %d of %d", listener, ErrParticipants, s, len(m.hears))
		}
		set |= 1 << s
	}
	m.hears[listener] = set
	return nil
}

// Hears reports whether listener hears speaker.
func (m *Matrix) Hears(listener, speaker int) bool {
	if listener < 0 || listener >= len(m.hears) || speaker < 0 || speaker >= len(m.hears) {
		return false
	}
	return m.hears[listener]&(1<<speaker) != 0
}

// Mix writes into dst[i] the limited sum of the frames in srcs that
// participant i hears. dst and srcs hold one frame per participant, all of
// one length; a nil source is a participant without audio this frame
// (silence). A listener who hears nobody gets silence. No dst frame may
// overlap a source frame.
func (m *Matrix) Mix(dst, srcs [][]int16) error {
	n := len(m.hears)
	if len(dst) != n || len(srcs) != n {
		return fmt.Errorf("%w: %d destinations and %d sources for %d participants", ErrParticipants, len(dst), len(srcs), n)
	}
	for i, d := range dst {
		if len(d) != len(dst[0]) {
			return fmt.Errorf("%w: destination %d has %d samples, destination 0 %d", ErrLength, i, len(d), len(dst[0]))
		}
	}
	if err := checkFrames(dst[0], srcs); err != nil {
		return err
	}
	for i, d := range dst {
		m.picked = m.picked[:0]
		for set := m.hears[i]; set != 0; set &= set - 1 {
			if s := srcs[bits.TrailingZeros64(set)]; s != nil {
				m.picked = append(m.picked, s)
			}
		}
		m.lims[i].mix(d, m.picked)
	}
	clear(m.picked[:cap(m.picked)]) // retain no caller frame
	return nil
}

// Gain returns the current limiter gain of listener's output, or 0 for an
// index out of range.
func (m *Matrix) Gain(listener int) float64 {
	if listener < 0 || listener >= len(m.lims) {
		return 0
	}
	return m.lims[listener].gain
}

// Reset returns every limiter to unity gain. The routes are kept.
func (m *Matrix) Reset() {
	for i := range m.lims {
		m.lims[i] = newLimiter(m.cfg)
	}
}

// String describes the routing, e.g. "Matrix(0<-1,2 1<-0,2 2<-0,1)".
func (m *Matrix) String() string {
	var b strings.Builder
	b.WriteString("Matrix(")
	for i, set := range m.hears {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(i))
		b.WriteString("<-")
		for j := 0; set != 0; j++ {
			k := bits.TrailingZeros64(set)
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(k))
			set &= set - 1
		}
	}
	b.WriteByte(')')
	return b.String()
}
