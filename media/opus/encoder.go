package opus

import (
	"fmt"

	hraban "gopkg.in/hraban/opus.v2"
)

// Encoder encodes mono 16-bit PCM frames into Opus packets, one packet per
// call, with libopus through gopkg.in/hraban/opus.v2. It satisfies
// media.Encoder. An Encoder is not safe for concurrent use.
type Encoder struct {
	lib  *hraban.Encoder
	cfg  Config
	rate int
}

// NewEncoder returns an Encoder configured by cfg (zero fields take their
// defaults, see Config). Invalid fields are reported together, each
// wrapping ErrInvalidConfig.
func NewEncoder(cfg Config) (*Encoder, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	app, _ := cfg.Application.lib()
	lib, err := hraban.NewEncoder(cfg.SampleRate, 1, app)
	if err != nil {
		return nil, fmt.Errorf("%w: create encoder: %w", ErrCodec, err)
	}
	e := &Encoder{lib: lib, cfg: cfg, rate: cfg.SampleRate}
	if err := e.apply(); err != nil {
		return nil, err
	}
	return e, nil
}

// apply sends the configuration to libopus.
func (e *Encoder) apply() error {
	c := e.cfg
	if err := e.lib.SetBitrate(c.Bitrate); err != nil {
		return fmt.Errorf("%w: set bitrate: %w", ErrInvalidConfig, err)
	}
	if err := e.lib.SetInBandFEC(c.FEC); err != nil {
		return fmt.Errorf("%w: set inband fec: %w", ErrInvalidConfig, err)
	}
	if err := e.lib.SetPacketLossPerc(c.PacketLossPercent); err != nil {
		return fmt.Errorf("%w: set packet loss: %w", ErrInvalidConfig, err)
	}
	if err := e.lib.SetDTX(c.DTX); err != nil {
		return fmt.Errorf("%w: set dtx: %w", ErrInvalidConfig, err)
	}
	if c.Complexity != 0 {
		if err := e.lib.SetComplexity(c.Complexity); err != nil {
			return fmt.Errorf("%w: set complexity: %w", ErrInvalidConfig, err)
		}
	}
	return nil
}

// Encode encodes one frame of pcm (10, 20, 40 or 60 ms at the configured
// rate) into payload and returns the packet length. payload bounds the
// packet size; 1500 bytes is ample for any speech bitrate. With DTX on, a
// result of 2 bytes or less marks a silent frame the sender may skip
// (RFC 7587 section 3.1.3). Encode does not allocate.
func (e *Encoder) Encode(pcm []int16, payload []byte) (int, error) {
	if !encodeFrameSize(len(pcm), e.rate) {
		return 0, errEncodeFrame
	}
	if len(payload) == 0 {
		return 0, errEmptyPayloadB
	}
	// hraban bounds the packet by cap(payload); cap it at len.
	n, err := e.lib.Encode(pcm, payload[:len(payload):len(payload)])
	if err != nil {
		return 0, libError(err)
	}
	return n, nil
}

// SetBitrate changes the target bitrate (bit/s, 6000 to 510000) from the
// next frame on, for example when RTCP reports congestion.
func (e *Encoder) SetBitrate(bps int) error {
	if bps < 6000 || bps > 510000 {
		return fmt.Errorf("%w: bitrate %d outside 6000-510000", ErrInvalidConfig, bps)
	}
	if err := e.lib.SetBitrate(bps); err != nil {
		return fmt.Errorf("%w: set bitrate: %w", ErrInvalidConfig, err)
	}
	e.cfg.Bitrate = bps
	return nil
}

// SetPacketLossPercent changes the expected loss (0 to 100) that sizes the
// FEC data, for example from the fraction lost in RTCP receiver reports.
func (e *Encoder) SetPacketLossPercent(pct int) error {
	if pct < 0 || pct > 100 {
		return fmt.Errorf("%w: packet loss %d%% outside 0-100", ErrInvalidConfig, pct)
	}
	if err := e.lib.SetPacketLossPerc(pct); err != nil {
		return fmt.Errorf("%w: set packet loss: %w", ErrInvalidConfig, err)
	}
	e.cfg.PacketLossPercent = pct
	return nil
}

// InDTX reports whether the last encoded frame was silence sent or skipped
// under DTX (OPUS_GET_IN_DTX).
func (e *Encoder) InDTX() bool {
	in, err := e.lib.InDTX()
	return err == nil && in
}

// SampleRate returns the PCM rate in Hz.
func (e *Encoder) SampleRate() int { return e.rate }

// Config returns the effective configuration, defaults filled in.
func (e *Encoder) Config() Config { return e.cfg }

// String describes the encoder for pipeline traces, e.g.
// "Opus(48000 voip 32kbps fec)".
func (e *Encoder) String() string {
	s := fmt.Sprintf("Opus(%d %v %dkbps", e.rate, e.cfg.Application, e.cfg.Bitrate/1000)
	if e.cfg.FEC {
		s += " fec"
	}
	if e.cfg.DTX {
		s += " dtx"
	}
	return s + ")"
}

// encodeFrameSize reports whether n samples at rate are 10, 20, 40 or 60 ms.
func encodeFrameSize(n, rate int) bool {
	if n*100%rate != 0 {
		return false
	}
	switch n * 100 / rate {
	case 1, 2, 4, 6:
		return true
	}
	return false
}
