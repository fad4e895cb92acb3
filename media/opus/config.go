package opus

import (
	"errors"
	"fmt"

	hraban "gopkg.in/hraban/opus.v2"
)

// Application is the libopus coding-mode hint (OPUS_APPLICATION_*). Its zero
// value is AppVoIP.
type Application int

// Applications, see the libopus opus_encoder_create documentation.
const (
	// AppVoIP favours speech intelligibility (OPUS_APPLICATION_VOIP).
	AppVoIP Application = iota
	// AppAudio favours faithfulness to music and other non-speech audio
	// (OPUS_APPLICATION_AUDIO), as for hold music.
	AppAudio
	// AppRestrictedLowDelay disables the speech-optimised modes for the
	// lowest algorithmic delay (OPUS_APPLICATION_RESTRICTED_LOWDELAY).
	AppRestrictedLowDelay
)

// String returns "voip", "audio" or "lowdelay".
func (a Application) String() string {
	switch a {
	case AppVoIP:
		return "voip"
	case AppAudio:
		return "audio"
	case AppRestrictedLowDelay:
		return "lowdelay"
	default:
		return fmt.Sprintf("Application(%d)", int(a))
	}
}

func (a Application) lib() (hraban.Application, bool) {
	switch a {
	case AppVoIP:
		return hraban.AppVoIP, true
	case AppAudio:
		return hraban.AppAudio, true
	case AppRestrictedLowDelay:
		return hraban.AppRestrictedLowdelay, true
	default:
		return 0, false
	}
}

// Config configures an Encoder. The zero value is a 48 kHz mono VoIP
// encoder at 32 kbit/s; every zero field means its default.
type Config struct {
	// SampleRate is the PCM rate in Hz: 8000, 16000 or 48000 (default).
	SampleRate int

	// Bitrate is the target in bit/s, 6000 to 510000. Zero selects a
	// speech default for the rate: 12000 at 8 kHz, 20000 at 16 kHz, 32000
	// at 48 kHz; with FEC on, 20000 at 8 kHz and 24000 at 16 kHz, enough
	// for libopus to turn FEC on at that bandwidth (see FEC).
	Bitrate int

	// Complexity trades CPU for quality, 1 to 10. Zero keeps the libopus
	// default (9 in libopus 1.3 and later).
	Complexity int

	// FEC turns on in-band forward error correction (OPUS_SET_INBAND_FEC):
	// SILK and hybrid packets then carry a low-rate copy of the previous
	// frame, recovered by Decoder.DecodeFEC. It takes effect only with a
	// non-zero PacketLossPercent, and only when the bitrate covers the
	// FEC data: libopus 1.3 (decide_fec) needs about 15 kbit/s for
	// narrowband and 20 kbit/s for wideband at 20% loss, more at lower
	// loss, and otherwise narrows the bandwidth or sends no FEC at all.
	FEC bool

	// PacketLossPercent is the expected loss, 0 to 100
	// (OPUS_SET_PACKET_LOSS_PERC); it sizes the FEC data.
	PacketLossPercent int

	// DTX turns on discontinuous transmission (OPUS_SET_DTX): during
	// silence the encoder emits packets of at most 2 bytes, which RFC 7587
	// section 3.1.3 lets the sender leave out.
	DTX bool

	// Application is the coding-mode hint; the zero value is AppVoIP.
	Application Application
}

// withDefaults returns c with zero fields filled in.
func (c Config) withDefaults() Config {
	if c.SampleRate == 0 {
		c.SampleRate = 48000
	}
	if c.Bitrate == 0 {
		fec := c.FEC && c.PacketLossPercent > 0
		switch {
		case c.SampleRate == 8000 && fec:
			c.Bitrate = 20000
		case c.SampleRate == 8000:
			c.Bitrate = 12000
		case c.SampleRate == 16000 && fec:
			c.Bitrate = 24000
		case c.SampleRate == 16000:
			c.Bitrate = 20000
		default:
			c.Bitrate = 32000
		}
	}
	return c
}

// validate reports every invalid field at once.
func (c Config) validate() error {
	var errs []error
	if !validRate(c.SampleRate) {
		errs = append(errs, fmt.Errorf("%w: sample rate %d, want 8000, 16000 or 48000", ErrInvalidConfig, c.SampleRate))
	}
	if c.Bitrate < 6000 || c.Bitrate > 510000 {
		errs = append(errs, fmt.Errorf("%w: bitrate %d outside 6000-510000", ErrInvalidConfig, c.Bitrate))
	}
	if c.Complexity < 0 || c.Complexity > 10 {
		errs = append(errs, fmt.Errorf("%w: complexity %d outside 0-10", ErrInvalidConfig, c.Complexity))
	}
	if c.PacketLossPercent < 0 || c.PacketLossPercent > 100 {
		errs = append(errs, fmt.Errorf("%w: packet loss %d%% outside 0-100", ErrInvalidConfig, c.PacketLossPercent))
	}
	if _, ok := c.Application.lib(); !ok {
		errs = append(errs, fmt.Errorf("%w: unknown %v", ErrInvalidConfig, c.Application))
	}
	return errors.Join(errs...)
}
