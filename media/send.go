package media

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/media/dtmf"
	"github.com/parley-cc/parley/media/resample"
)

// Source produces the audio a Transmitter sends, one frame per call:
// prompts, synthesized speech, hold music, the other leg of a bridge.
// *play.Player satisfies it.
type Source interface {
	// Next fills pcm (one frame at the Transmitter's source rate) and
	// returns how many samples are audio; io.EOF ends the source.
	Next(pcm []int16) (int, error)
}

// SourceFunc adapts a function to the Source interface.
type SourceFunc func(pcm []int16) (int, error)

// Next calls f(pcm).
func (f SourceFunc) Next(pcm []int16) (int, error) { return f(pcm) }

// TransmitterConfig configures a Transmitter.
type TransmitterConfig struct {
	// Session sends the packets; required.
	Session *Session
	// Codec is the negotiated audio format to send; required.
	Codec Codec
	// Ptime is the frame duration; default 20 ms.
	Ptime time.Duration
	// Rate is the sample rate of the Sources played; default the codec's
	// SampleRate. Other rates are resampled to the codec's.
	Rate int
	// Record receives every frame of source audio sent, at its media time
	// since Start; nil records nothing.
	Record FrameRecorder
	// Start is the origin of the media timeline (the answer); default the
	// first Tick.
	Start time.Time
	// Log receives anomalies (rate-limited); default slog.Default().
	Log *slog.Logger
	// Slack is how far a Source fed from another stream may fall behind
	// the Transmitter's clock before a Tick sends silence in its place:
	// for a relay (the caller's audio to a recognizer) whose frames arrive
	// with network jitter and are sent the moment they arrive, by Kick, so
	// a frame a few milliseconds late is not replaced by silence in the
	// middle of a word. Zero: every Tick sends a frame.
	Slack time.Duration
	// DTX suppresses silence (RFC 3551 section 4.1): while no source plays
	// audio nothing is sent, and a Kick starts the next talkspurt the
	// moment its first frame is ready, with the marker bit and a
	// timestamp that follows the real time, rather than at the next Tick.
	// For a stream whose far end needs no packets in the pauses (a speech
	// server's prompts to a client on the same host); a caller's leg keeps
	// sending silence for NAT bindings and RTP time-outs.
	DTX bool
}

// MaxKickLead is the most frames Kick may send ahead of the Transmitter's
// clock: a burst of late packets is relayed at once, and the stream's
// timestamps then run at most this far ahead of real time.
const MaxKickLead = 5

// TransmitterStats counts what a Transmitter sent.
type TransmitterStats struct {
	Frames       uint64 // audio frames sent from a source
	Silence      uint64 // frames of silence sent with no source playing
	Digits       uint64 // RFC 4733 tones sent
	EncodeErrors uint64
	SendErrors   uint64
}

// playback is one Source being played and whom to tell when it ends.
type playback struct {
	src  Source
	done func(error)
}

// Transmitter is the send path of one call leg: every Ptime it takes a frame
// from the current Source, encodes it and sends it as RTP, and records it.
// With no source it sends encoded silence, so the far end's jitter buffer,
// NAT bindings and RTP time-outs see a steady stream; while an RFC 4733 tone
// is being sent, it replaces the audio.
//
// Tick runs on a Pacer. Play, Stop and SendDigit are safe from any
// goroutine; the source swap takes effect at the next Tick.
type Transmitter struct {
	cfg    TransmitterConfig
	sender *Sender
	enc    Encoder
	rs     *resample.Resampler
	srcN   int // samples per frame at cfg.Rate

	cur     atomic.Pointer[playback]
	muted   atomic.Bool
	digitMu sync.Mutex
	digits  []dtmfRequest
	te      *Codec
	dtmf    *dtmf.Sender

	// Send state, used by Tick (pacing goroutine) and Kick (any), under mu.
	mu       sync.Mutex
	started  bool
	start    time.Time
	sent     int64
	pausing  bool    // DTX: the last frame was not sent
	pcm      []int16 // one frame at cfg.Rate
	coded    []int16 // one frame at the codec's rate
	payload  [MaxPacketSize]byte
	warnings warnLimiter

	frames, silence, digitsSent, encodeErrors, sendErrors atomic.Uint64
}

type dtmfRequest struct {
	code uint8
	d    time.Duration
}

// NewTransmitter builds the send path for the negotiated codec.
func NewTransmitter(cfg TransmitterConfig) (*Transmitter, error) {
	if cfg.Session == nil {
		return nil, fmt.Errorf("%w: transmitter needs a session", ErrInvalidConfig)
	}
	if cfg.Ptime == 0 {
		cfg.Ptime = 20 * time.Millisecond
	}
	if cfg.Rate == 0 {
		cfg.Rate = cfg.Codec.SampleRate
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	enc, err := NewEncoder(cfg.Codec)
	if err != nil {
		return nil, err
	}
	sender, err := cfg.Session.NewSender(cfg.Codec.PayloadType, cfg.Ptime)
	if err != nil {
		return nil, fmt.Errorf("transmitter: %w", err)
	}
	t := &Transmitter{
		cfg:      cfg,
		warnings: warnLimiter{log: cfg.Log, prefix: "send path: "},
		sender:   sender,
		enc:      enc,
		srcN:     int(int64(cfg.Rate) * int64(cfg.Ptime) / int64(time.Second)),
	}
	codecN := cfg.Codec.FrameSamples(cfg.Ptime)
	if t.srcN <= 0 || codecN <= 0 {
		return nil, fmt.Errorf("%w: ptime %v at %d Hz", ErrInvalidConfig, cfg.Ptime, cfg.Rate)
	}
	t.pcm = make([]int16, t.srcN)
	t.coded = make([]int16, codecN)
	if cfg.Rate != cfg.Codec.SampleRate {
		if t.rs, err = resample.New(cfg.Rate, cfg.Codec.SampleRate); err != nil {
			return nil, fmt.Errorf("transmitter: %w", err)
		}
	}
	// RFC 4733 events go out in the telephone-event format of the audio's
	// clock rate, when one was negotiated.
	if te := cfg.Session.Payloads().Find(NameTelephoneEvent, cfg.Codec.ClockRate); te != nil {
		t.te = te
		if t.dtmf, err = dtmf.NewSender(dtmf.SenderConfig{ClockRate: te.ClockRate, Interval: cfg.Ptime}); err != nil {
			return nil, fmt.Errorf("transmitter: %w", err)
		}
	}
	return t, nil
}

// ErrNoTelephoneEvent is returned by SendDigit when the far end did not
// negotiate RFC 4733 telephone-events.
var ErrNoTelephoneEvent = errors.New("media: telephone-event not negotiated")

// Play makes src the audio sent from the next frame on, replacing (and
// stopping) whatever was playing. done, if not nil, is called exactly once:
// on the pacing goroutine when src ends (nil error at io.EOF) or fails, or
// on the goroutine that calls Play or Stop when src is replaced or stopped
// (ErrStopped). A frame of src already being read when it is stopped may
// still complete; src itself is never closed by the Transmitter.
func (t *Transmitter) Play(src Source, done func(error)) {
	if old := t.cur.Swap(&playback{src: src, done: done}); old != nil && old.done != nil {
		old.done(ErrStopped)
	}
}

// Stop stops the current source, as on barge-in; the Transmitter sends
// silence until the next Play. It reports whether something was playing.
func (t *Transmitter) Stop() bool {
	old := t.cur.Swap(nil)
	if old != nil && old.done != nil {
		old.done(ErrStopped)
	}
	return old != nil
}

// Rate returns the sample rate of the Sources the Transmitter plays
// (TransmitterConfig.Rate, default the codec's).
func (t *Transmitter) Rate() int { return t.cfg.Rate }

// Playing reports whether a source is playing.
func (t *Transmitter) Playing() bool { return t.cur.Load() != nil }

// ErrStopped is given to a playback's done function when it was stopped or
// replaced before its end.
var ErrStopped = errors.New("media: playback stopped")

// SendDigit queues an RFC 4733 tone for digit ('0'-'9', '*', '#', 'A'-'D')
// lasting d (100 ms when zero).
func (t *Transmitter) SendDigit(digit rune, d time.Duration) error {
	if t.dtmf == nil {
		return ErrNoTelephoneEvent
	}
	code, ok := dtmf.CodeOf(digit)
	if !ok {
		return fmt.Errorf("%w: digit %q", dtmf.ErrInvalidEvent, digit)
	}
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	t.digitMu.Lock()
	t.digits = append(t.digits, dtmfRequest{code, d})
	t.digitMu.Unlock()
	return nil
}

// Mute stops (true) or resumes (false) sending: while muted no RTP packet
// is sent, not even silence, as when the far end has put the call on hold
// with a=sendonly or a=inactive (RFC 3264 section 8.4). The media clock
// keeps running, so timestamps after resuming follow real time. A source
// playing is not read while muted.
func (t *Transmitter) Mute(on bool) { t.muted.Store(on) }

// Muted reports whether Mute(true) is in force.
func (t *Transmitter) Muted() bool { return t.muted.Load() }

// Tick sends the frames due by now, normally one. It runs on the pacing
// goroutine.
func (t *Transmitter) Tick(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.startAt(now)
	due := int64(now.Sub(t.start)/t.cfg.Ptime) + 1
	if t.cfg.Slack > 0 {
		due -= int64(t.cfg.Slack / t.cfg.Ptime)
	}
	if due-t.sent > 5 {
		// A long stall: do not burst; skip the timestamps instead.
		t.sender.Skip(int(due - t.sent - 1))
		t.sent = due - 1
	}
	for t.sent < due {
		t.sendFrame(time.Duration(t.sent)*t.cfg.Ptime, false)
		t.sent++
	}
}

func (t *Transmitter) startAt(now time.Time) {
	if !t.started {
		t.started = true
		t.start = t.cfg.Start
		if t.start.IsZero() {
			t.start = now
		}
	}
}

// Kick sends the next frames now, ahead of their Ticks, while the current
// Source has audio ready and the stream is at most lead frames (capped at
// MaxKickLead) ahead of the frame due now; it reports how many it sent. It
// never sends silence.
//
// A relay calls it when it has queued a frame: the frame leaves at once
// instead of waiting up to a Ptime for the next Tick, and the Ticks it got
// ahead of send nothing. With DTX, in a pause, the frame starts a
// talkspurt now: the clock is moved so that this frame is the one due,
// and lead 0 sends just it. On a muted Transmitter, or while an RFC 4733
// tone is being sent, it sends nothing and the Ticks carry on. Safe from
// any goroutine; it allocates nothing.
func (t *Transmitter) Kick(now time.Time, lead int) int {
	if t.muted.Load() || t.cur.Load() == nil {
		return 0
	}
	lead = min(max(lead, 0), MaxKickLead)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.startAt(now)
	if t.cfg.DTX && t.pausing && !t.digitActive() {
		// Only within the frame due next: further ahead (after a lead),
		// moving back could overlap packets already sent.
		if early := t.start.Add(time.Duration(t.sent) * t.cfg.Ptime).Sub(now); early > 0 && early < t.cfg.Ptime {
			ticks := int32(durationTicks(early, t.cfg.Codec.ClockRate))
			t.start = t.start.Add(-early)
			t.sender.Shift(-ticks)
			if !t.sendFrame(time.Duration(t.sent)*t.cfg.Ptime, true) {
				t.start = t.start.Add(early) // nothing to send: as it was
				t.sender.Shift(ticks)
				return 0
			}
			t.sent++
			return 1 + t.kickLocked(now, lead)
		}
	}
	return t.kickLocked(now, lead)
}

func (t *Transmitter) kickLocked(now time.Time, lead int) int {
	due := int64(now.Sub(t.start)/t.cfg.Ptime) + 1
	n := 0
	for t.sent < due+int64(lead) && !t.digitActive() {
		if !t.sendFrame(time.Duration(t.sent)*t.cfg.Ptime, true) {
			break
		}
		t.sent++
		n++
	}
	return n
}

// digitActive reports whether an RFC 4733 tone is being sent or waits.
func (t *Transmitter) digitActive() bool {
	if t.dtmf == nil {
		return false
	}
	if t.dtmf.Active() {
		return true
	}
	t.digitMu.Lock()
	defer t.digitMu.Unlock()
	return len(t.digits) > 0
}

// sendFrame sends the frame at media time at. With audioOnly (Kick) it
// sends nothing, and reports false, when the source has no audio ready.
func (t *Transmitter) sendFrame(at time.Duration, audioOnly bool) bool {
	if t.muted.Load() {
		// On hold: nothing goes out, the clock runs on, and the first
		// packet after Mute(false) starts a talkspurt (marker bit).
		t.sender.Skip(1)
		return true
	}
	if t.sendDigitPacket() {
		t.sender.Skip(1)
		return true
	}
	audio := t.nextAudio()
	if !audio && audioOnly {
		return false
	}
	if !audio && t.cfg.DTX {
		t.sender.Skip(1)
		t.pausing = true
		return true
	}
	t.pausing = false
	if audio && t.cfg.Record != nil {
		if err := t.cfg.Record.WriteFrame(at, t.pcm); err != nil {
			t.warn("record frame", "err", err)
		}
	}
	if !audio {
		clear(t.pcm)
		t.silence.Add(1)
	} else {
		t.frames.Add(1)
	}
	frame := t.pcm
	if t.rs != nil {
		n := t.rs.Process(t.pcm, t.coded)
		frame = t.coded[:n]
	}
	n, err := t.enc.Encode(frame, t.payload[:])
	if err != nil {
		t.encodeErrors.Add(1)
		t.warn("encode", "err", err)
		t.sender.Skip(1)
		return true
	}
	if err := t.sender.WriteFrame(t.payload[:n]); err != nil {
		t.sendErrors.Add(1)
		t.warn("send", "err", err)
	}
	return true
}

// nextAudio fills t.pcm from the current source and reports whether it
// holds audio.
func (t *Transmitter) nextAudio() bool {
	pb := t.cur.Load()
	if pb == nil {
		return false
	}
	n, err := pb.src.Next(t.pcm)
	if err != nil {
		if t.cur.CompareAndSwap(pb, nil) && pb.done != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			pb.done(err)
		}
		return false
	}
	clear(t.pcm[n:])
	return n > 0
}

// sendDigitPacket sends the next RFC 4733 packet if a tone is under way or
// queued, and reports whether it did.
func (t *Transmitter) sendDigitPacket() bool {
	if t.dtmf == nil {
		return false
	}
	if !t.dtmf.Active() {
		t.digitMu.Lock()
		if len(t.digits) == 0 {
			t.digitMu.Unlock()
			return false
		}
		req := t.digits[0]
		t.digits = append(t.digits[:0], t.digits[1:]...)
		t.digitMu.Unlock()
		if err := t.dtmf.Start(req.code, req.d, t.sender.Timestamp()); err != nil {
			t.warn("dtmf start", "err", err)
			return false
		}
		t.digitsSent.Add(1)
	}
	pkt, err := t.dtmf.Next(t.payload[:])
	if err != nil {
		return false
	}
	if err := t.cfg.Session.WriteRTP(t.te.PayloadType, pkt.Timestamp, pkt.Marker, t.payload[:pkt.N]); err != nil {
		t.sendErrors.Add(1)
	}
	return true
}

func (t *Transmitter) warn(msg string, args ...any) { t.warnings.warn(msg, args...) }

// Stats returns a snapshot of the counters.
func (t *Transmitter) Stats() TransmitterStats {
	return TransmitterStats{
		Frames:       t.frames.Load(),
		Silence:      t.silence.Load(),
		Digits:       t.digitsSent.Load(),
		EncodeErrors: t.encodeErrors.Load(),
		SendErrors:   t.sendErrors.Load(),
	}
}

// String describes the send chain.
func (t *Transmitter) String() string {
	s := "Source"
	if t.rs != nil {
		s += " -> " + t.rs.String()
	}
	return fmt.Sprintf("%s -> %s -> %s", s, t.cfg.Codec.Name, t.cfg.Session)
}

var _ Ticker = (*Transmitter)(nil)
