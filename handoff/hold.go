package handoff

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/play"
)

// holdRate is the sample rate of the generated hold music.
const holdRate = 16000

// HoldMusic is Parley's built-in hold audio: a calm four-note arpeggio
// (C5 E5 G5 E5, soft sine notes with fades, about -22 dBFS) and a pause,
// 2.4 s that loop seamlessly, at 16 kHz.
func HoldMusic() *play.Clip {
	notes := []float64{523.25, 659.25, 783.99, 659.25}
	const noteLen = holdRate * 400 / 1000
	pcm := make([]int16, 0, holdRate*2400/1000)
	for _, f := range notes {
		for i := range noteLen {
			g := math.Min(1, math.Min(float64(i), float64(noteLen-i))/float64(holdRate/50)) // 20 ms fades
			pcm = append(pcm, int16(2500*g*math.Sin(2*math.Pi*f*float64(i)/holdRate)))
		}
	}
	pcm = append(pcm, make([]int16, cap(pcm)-len(pcm))...) // 800 ms pause
	c, _ := play.NewClip("hold-music", holdRate, pcm)
	return c
}

// render returns c at rate, decoded once: Players of a clip at the
// session's rate copy samples instead of resampling every frame.
func render(c *play.Clip, rate int) (*play.Clip, error) {
	if c.Rate() == rate {
		return c, nil
	}
	p, err := play.NewPlayer(c, play.Config{Rate: rate})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	out := make([]int16, 0, int(int64(c.Len())*int64(rate)/int64(c.Rate()))+p.FrameSize())
	frame := make([]int16, p.FrameSize())
	for {
		n, err := p.Next(frame)
		out = append(out, frame[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return play.NewClip(c.String(), rate, out)
}

// holdClip returns the hold audio at rate, rendering it on first use.
func (s *Service) holdClip(rate int) *play.Clip {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clips[rate]; c != nil {
		return c
	}
	c, err := render(s.hold, rate)
	if err != nil {
		s.log.Warn("hold audio played resampled frame by frame", "rate", rate, "err", err)
		return s.hold
	}
	s.clips[rate] = c
	return c
}

// holdSource is what a queued caller hears: the bot's speech (position
// announcements, the voicemail beep) when there is some, else the hold
// music, looping. While speaking, gaps between speech frames are silent
// rather than filled with music. It is the call transmitter's Source.
type holdSource struct {
	speech   media.Source // the caller's voice loop output; may be nil
	clip     *play.Clip   // nil: silence
	speaking atomic.Bool
	spoke    atomic.Bool  // the announcement's speech has begun
	quiet    atomic.Int32 // frames of silence since its last audible one
	music    atomic.Bool

	mu     sync.Mutex // the player: Next on the pacing goroutine, rewind elsewhere
	player *play.Player
	rate   int
	err    error
}

func newHoldSource(speech media.Source, clip *play.Clip, rate int) *holdSource {
	h := &holdSource{speech: speech, clip: clip, rate: rate}
	h.music.Store(true)
	return h
}

// Next fills one frame (media.Source).
func (h *holdSource) Next(pcm []int16) (int, error) {
	speaking := h.speaking.Load()
	if h.speech != nil {
		// The speech session sends silence between prompts: audible
		// speech wins over the music; while an announcement is under way
		// the music waits until its speech has been quiet for a moment.
		if n, err := h.speech.Next(pcm); err == nil && n > 0 {
			if audible(pcm[:n]) {
				h.quiet.Store(0)
				h.spoke.Store(true)
				clear(pcm[n:])
				return len(pcm), nil
			}
			if speaking && (!h.spoke.Load() || h.quiet.Add(1) < quietFrames) {
				clear(pcm)
				return len(pcm), nil
			}
		}
	}
	if speaking && !h.spoke.Load() || !h.music.Load() || h.clip == nil {
		clear(pcm)
		return len(pcm), nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.player == nil && h.err == nil {
		frame := time.Duration(len(pcm)) * time.Second / time.Duration(h.rate)
		h.player, h.err = play.NewPlayer(h.clip, play.Config{Rate: h.rate, Frame: frame, Loop: true})
	}
	if h.err != nil {
		clear(pcm)
		return len(pcm), nil
	}
	n, err := h.player.Next(pcm)
	if err != nil {
		clear(pcm)
		return len(pcm), nil
	}
	return n, nil
}

// quietFrames of silence (20 ms) end an announcement's speech for the music.
const quietFrames = 40

// audible reports whether pcm holds more than codec noise.
func audible(pcm []int16) bool {
	for _, s := range pcm {
		if s > 200 || s < -200 {
			return true
		}
	}
	return false
}

// setSpeaking silences the music while an announcement plays.
func (h *holdSource) setSpeaking(on bool) {
	if on {
		h.spoke.Store(false)
		h.quiet.Store(0)
	}
	h.speaking.Store(on)
}

// setMusic turns the music on or off (off while a message is recorded).
func (h *holdSource) setMusic(on bool) { h.music.Store(on) }

func (h *holdSource) String() string {
	return fmt.Sprintf("Hold(%v, %d Hz)", h.clip, h.rate)
}

var _ media.Source = (*holdSource)(nil)
