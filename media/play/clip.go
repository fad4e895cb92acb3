package play

import (
	"fmt"
	"time"

	"github.com/parley-cc/parley/media/wav"
)

// Clip is mono 16-bit PCM decoded once and shared read-only by Players.
type Clip struct {
	name string
	rate int
	pcm  []int16
}

// NewClip wraps mono samples at rate. The Clip keeps pcm: the caller must
// not modify it afterwards. name labels the clip in String.
func NewClip(name string, rate int, pcm []int16) (*Clip, error) {
	if rate < 1 || rate > wav.MaxSampleRate {
		return nil, fmt.Errorf("%w: clip rate %d", ErrInvalidConfig, rate)
	}
	return &Clip{name: name, rate: rate, pcm: pcm}, nil
}

// LoadClip reads a whole WAV file (any format media/wav reads) and
// downmixes it to mono by averaging the channels.
func LoadClip(path string) (*Clip, error) {
	f, pcm, err := wav.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("play: load clip: %w", err)
	}
	if f.Channels > 1 {
		pcm = pcm[:downmix(pcm, pcm, f.Channels)]
	}
	return NewClip(path, f.SampleRate, pcm)
}

// downmix averages each group of ch interleaved samples of src into dst
// (which may alias src) and returns the number of mono samples.
func downmix(dst, src []int16, ch int) int {
	n := len(src) / ch
	for i := range n {
		sum := 0
		for _, s := range src[i*ch : i*ch+ch] {
			sum += int(s)
		}
		dst[i] = int16(sum / ch)
	}
	return n
}

// Rate returns the clip's sample rate.
func (c *Clip) Rate() int { return c.rate }

// Len returns the number of samples.
func (c *Clip) Len() int { return len(c.pcm) }

// Duration returns the clip's length.
func (c *Clip) Duration() time.Duration {
	return time.Duration(int64(len(c.pcm)) * int64(time.Second) / int64(c.rate))
}

// String names the clip.
func (c *Clip) String() string { return fmt.Sprintf("%s(%d Hz, %v)", c.name, c.rate, c.Duration()) }
