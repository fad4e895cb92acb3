package media

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-cc/parley/media/dtmf"
	"github.com/parley-cc/parley/media/jitter"
	"github.com/parley-cc/parley/media/plc"
	"github.com/parley-cc/parley/media/record"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/vad"
)

// FrameRecorder takes the decoded audio of one side of a call, one frame at
// a time, at its media time since the recording started.
// RecordChannel adapts one channel of a *record.Recorder to it.
type FrameRecorder interface {
	WriteFrame(at time.Duration, pcm []int16) error
}

// FrameRecorderFunc adapts a function to the FrameRecorder interface.
type FrameRecorderFunc func(at time.Duration, pcm []int16) error

// WriteFrame calls f(at, pcm).
func (f FrameRecorderFunc) WriteFrame(at time.Duration, pcm []int16) error { return f(at, pcm) }

// ReceiverConfig configures a Receiver. Zero fields take defaults, except
// Payloads, which is required.
type ReceiverConfig struct {
	// Payloads are the negotiated payload types; the first audio codec in
	// it fixes the default output rate.
	Payloads *PayloadMap
	// Ptime is the frame duration; default 20 ms.
	Ptime time.Duration
	// Rate is the sample rate of the PCM the Receiver delivers, whatever
	// codec the far end sends (8000, 16000 or 48000); default the first
	// audio codec's SampleRate. Audio at other rates is resampled.
	Rate int
	// JitterMin and JitterMax bound the jitter buffer's playout delay;
	// defaults as media/jitter.
	JitterMin, JitterMax time.Duration
	// Immediate plays each packet as it arrives, on the session's reader
	// goroutine, with no jitter buffer and no wait for a Tick: for a leg
	// on loopback or a LAN (a speech server's audio), where packets come
	// in order and on time and any playout delay is pure latency. A packet
	// older than one already played (reordered or repeated) is dropped, a
	// lost one is neither waited for nor concealed, and OnAudio, OnSpeech,
	// Record and the listeners run on the reader goroutine. Never for a
	// caller's leg across the internet.
	Immediate bool
	// VAD configures voice activity detection; SampleRate and FrameMs are
	// set by the Receiver.
	VAD vad.Config
	// Record receives every played frame (decoded or concealed) at its
	// media time since Start; nil records nothing.
	Record FrameRecorder
	// Start is the origin of the media timeline (the moment the call was
	// answered); default the first Tick.
	Start time.Time
	// OnAudio is called with each played frame, on the pacing goroutine;
	// pcm is valid only during the call. It is how the recognizer stream
	// taps the caller's audio.
	OnAudio func(at time.Duration, pcm []int16)
	// OnSpeech is called on the pacing goroutine when the VAD reports
	// vad.SpeechStart or vad.SpeechEnd, with the media time of the frame
	// that completed the decision.
	OnSpeech func(ev vad.Event, at time.Duration)
	// OnDigit is called when an RFC 4733 tone ends, with the tone. It runs
	// on the RTP reader goroutine or the pacing goroutine, never both at
	// once, and must not block.
	OnDigit func(dtmf.Tone)
	// Log receives anomalies (rate-limited); default slog.Default().
	Log *slog.Logger
	// Now gives packet arrival times; default time.Now. Tick's argument
	// must come from the same clock.
	Now func() time.Time
}

// ReceiverStats counts what a Receiver did with the packets of its stream.
type ReceiverStats struct {
	Frames       uint64 // frames played from packets
	Concealed    uint64 // frames synthesized for lost packets
	Recovered    uint64 // lost frames rebuilt from the next packet's FEC data (Opus)
	Silent       uint64 // intervals with nothing to play and nothing to conceal
	DecodeErrors uint64 // packets the decoder rejected (corrupt frames), concealed instead
	CodecChanges uint64 // switches between negotiated audio payload types
	SSRCChanges  uint64 // new remote sources, each resetting the jitter buffer
	Digits       uint64 // RFC 4733 tones received
	BadEvents    uint64 // malformed telephone-event payloads
	CatchUps     uint64 // ticks that played more than one frame to catch up with the clock
	Jitter       jitter.Stats
}

// Receiver is the receive path of one call leg: RTP packets from a Session
// in, steady PCM frames out to the recorder, the voice activity detector and
// a listener:
//
//	RTP -> jitter buffer -> decode / conceal -> resample -> VAD -> record, listen
//
// HandleRTP runs on the session's reader goroutine and only buffers; Tick
// runs on a Pacer every Ptime and does the rest, so the reader never waits
// on decoding or disk (with ReceiverConfig.Immediate, HandleRTP plays each
// packet itself and Tick only times DTMF). Per packet and per frame it
// allocates nothing.
type Receiver struct {
	cfg      ReceiverConfig
	payloads *PayloadMap
	frameDur time.Duration
	rate     int
	frameN   int // samples per frame at rate

	// Reader goroutine state.
	scratch  [MaxPacketSize + 1]byte // payload type byte + payload, pushed to the jitter buffer
	lastSSRC uint32
	haveSSRC bool
	lastSeq  uint16 // Immediate: the last packet played
	haveSeq  bool
	clock    int // clock rate of the jitter buffer in use

	jb atomic.Pointer[jitter.Buffer]

	// Listeners added at run time, called after OnAudio: a copy-on-write
	// slice, so the pacing goroutine reads it without a lock.
	listenMu  sync.Mutex
	listeners atomic.Pointer[[]*audioListener]
	// Arrival listeners (AddArrivalListener), called on the reader
	// goroutine with their own decoders, ahead of the jitter buffer.
	arrivals atomic.Pointer[[]*audioListener]
	arrival  arrivalPath

	dtmfMu sync.Mutex
	dtmf   *dtmf.Receiver

	// Pacing goroutine state.
	started    bool
	start      time.Time
	played     int64 // frames played since start
	out        [MaxPacketSize + 1]byte
	next       [MaxPacketSize + 1]byte // the packet after a lost one, for FEC
	decoders   [128]*decodeStage
	cur        *decodeStage
	pcmDecoded []int16 // decoder output, at the decoder's rate
	pcm        []int16 // one frame at rate
	plc        *plc.Concealer
	vad        *vad.Detector
	concealing bool
	warnings   warnLimiter

	frames, concealed, recovered, silent atomic.Uint64
	decodeErrors                         atomic.Uint64
	codecChanges, ssrcChanges, digits    atomic.Uint64
	badEvents, catchUps                  atomic.Uint64
}

// decodeStage is the decoder of one payload type and the resampler that
// brings its output to the Receiver's rate.
type decodeStage struct {
	codec *Codec
	dec   Decoder
	rs    *resample.Resampler // nil when the codec's rate is the output rate
	n     int                 // samples per frame at the codec's rate
}

// NewReceiver builds the receive path for the negotiated payloads.
func NewReceiver(cfg ReceiverConfig) (*Receiver, error) {
	if cfg.Payloads == nil {
		return nil, fmt.Errorf("%w: receiver needs the negotiated payloads", ErrInvalidConfig)
	}
	if cfg.Ptime == 0 {
		cfg.Ptime = 20 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var first *Codec
	for _, c := range cfg.Payloads.Codecs() {
		if !c.IsTelephoneEvent() {
			first = cfg.Payloads.Lookup(c.PayloadType)
			break
		}
	}
	if first == nil {
		return nil, fmt.Errorf("%w: no audio codec among %s", ErrInvalidConfig, cfg.Payloads)
	}
	if cfg.Rate == 0 {
		cfg.Rate = first.SampleRate
	}
	r := &Receiver{
		cfg:      cfg,
		warnings: warnLimiter{log: cfg.Log, prefix: "receive path: "},
		payloads: cfg.Payloads,
		frameDur: cfg.Ptime,
		rate:     cfg.Rate,
		frameN:   int(int64(cfg.Rate) * int64(cfg.Ptime) / int64(time.Second)),
	}
	if r.frameN <= 0 || time.Duration(r.frameN)*time.Second != time.Duration(cfg.Rate)*cfg.Ptime {
		return nil, fmt.Errorf("%w: ptime %v is not a whole number of samples at %d Hz", ErrInvalidConfig, cfg.Ptime, cfg.Rate)
	}
	if err := r.newJitter(first.ClockRate); err != nil {
		return nil, err
	}
	vcfg := cfg.VAD
	vcfg.SampleRate = cfg.Rate
	vcfg.FrameMs = int(cfg.Ptime / time.Millisecond)
	var err error
	if r.vad, err = vad.New(vcfg); err != nil {
		return nil, fmt.Errorf("receiver vad: %w", err)
	}
	r.plc = plc.New(cfg.Rate, r.frameN)
	r.pcm = make([]int16, r.frameN)
	r.pcmDecoded = make([]int16, maxFrameSamples(cfg.Ptime))
	r.dtmf, err = dtmf.NewReceiver(dtmf.ReceiverConfig{OnEnd: r.onTone})
	if err != nil {
		return nil, fmt.Errorf("receiver dtmf: %w", err)
	}
	// Build the first decoder now so a bad codec fails the call set-up,
	// not the first packet.
	if _, err := r.stage(first.PayloadType); err != nil {
		return nil, err
	}
	return r, nil
}

// maxFrameSamples is the most samples one packet of ptime may decode to:
// 48 kHz Opus, and up to 120 ms in one Opus packet.
func maxFrameSamples(ptime time.Duration) int {
	return int(48000 * max(ptime, 120*time.Millisecond) / time.Second)
}

func (r *Receiver) newJitter(clockRate int) error {
	jb, err := jitter.New(jitter.Config{
		ClockRate:     clockRate,
		FrameDuration: r.frameDur,
		MinDelay:      r.cfg.JitterMin,
		MaxDelay:      r.cfg.JitterMax,
		MaxPayload:    MaxPacketSize + 1,
	})
	if err != nil {
		return fmt.Errorf("receiver jitter buffer: %w", err)
	}
	r.clock = clockRate
	r.jb.Store(jb)
	return nil
}

// HandleRTP buffers one packet. It runs on the session's reader goroutine.
func (r *Receiver) HandleRTP(hdr *rtp.Header, payload []byte) {
	codec := r.payloads.Lookup(hdr.PayloadType)
	if codec == nil {
		return // the Session already drops and counts unmapped types
	}
	if !r.haveSSRC || hdr.SSRC != r.lastSSRC {
		if r.haveSSRC {
			r.ssrcChanges.Add(1)
			r.jb.Load().Reset()
			r.dtmfMu.Lock()
			r.dtmf.Flush()
			r.dtmfMu.Unlock()
		}
		r.lastSSRC, r.haveSSRC = hdr.SSRC, true
		r.haveSeq = false
		r.arrival.have = false
	}
	now := r.cfg.Now()
	if codec.IsTelephoneEvent() {
		r.dtmfMu.Lock()
		err := r.dtmf.Feed(hdr.Timestamp, hdr.Marker, payload, now)
		r.dtmfMu.Unlock()
		if err != nil {
			r.badEvents.Add(1)
		}
		return
	}
	if codec.ClockRate != r.clock {
		// The far end switched to a codec on another RTP clock: the
		// buffered packets cannot share a timeline with it.
		if err := r.newJitter(codec.ClockRate); err != nil {
			r.warn("jitter buffer for new clock rate", "codec", codec.String(), "err", err)
			return
		}
	}
	if len(payload) > MaxPacketSize {
		return
	}
	// The payload type travels with the payload, so the playout side
	// decodes every frame with the codec it was sent in.
	r.scratch[0] = hdr.PayloadType
	n := copy(r.scratch[1:], payload)
	if ls := r.arrivals.Load(); ls != nil {
		r.arrival.handle(r, *ls, hdr.SequenceNumber, r.scratch[:1+n])
	} else {
		r.arrival.have = false
	}
	if r.cfg.Immediate {
		r.playNow(hdr.SequenceNumber, r.scratch[:1+n])
		return
	}
	_ = r.jb.Load().Push(hdr.SequenceNumber, hdr.Timestamp, r.scratch[:1+n], now)
}

// playNow plays one packet as it arrives (ReceiverConfig.Immediate), on
// the reader goroutine, unless it is older than the last one played.
func (r *Receiver) playNow(seq uint16, buf []byte) {
	if r.haveSeq && int16(seq-r.lastSeq) <= 0 {
		return
	}
	r.lastSeq, r.haveSeq = seq, true
	at := time.Duration(r.played) * r.frameDur
	r.played++
	audio := r.decode(buf)
	r.deliver(at, audio)
}

func (r *Receiver) onTone(t dtmf.Tone) {
	r.digits.Add(1)
	if r.cfg.OnDigit != nil {
		r.cfg.OnDigit(t)
	}
}

// Tick plays the frames due by now: normally one per Ptime. It runs on the
// pacing goroutine.
func (r *Receiver) Tick(now time.Time) {
	if !r.started {
		r.started = true
		r.start = r.cfg.Start
		if r.start.IsZero() {
			r.start = now
		}
	}
	r.dtmfMu.Lock()
	r.dtmf.Tick(now)
	r.dtmfMu.Unlock()
	if r.cfg.Immediate {
		return // packets play as they arrive
	}

	due := int64(now.Sub(r.start)/r.frameDur) + 1
	if due-r.played > 1 {
		r.catchUps.Add(1)
		// Never replay more than the jitter buffer can hold in delay: a
		// long stall (a stopped process) skips ahead instead.
		if limit := int64(r.cfg.maxDelay() / r.frameDur); due-r.played > limit {
			r.played = due - limit
		}
	}
	for r.played < due {
		r.playFrame(now, time.Duration(r.played)*r.frameDur)
		r.played++
	}
}

func (c ReceiverConfig) maxDelay() time.Duration {
	if c.JitterMax > 0 {
		return c.JitterMax
	}
	return 300 * time.Millisecond
}

// playFrame produces the frame at media time at and hands it on.
func (r *Receiver) playFrame(now time.Time, at time.Duration) {
	jb := r.jb.Load()
	f, err := jb.Pop(r.out[:], now)
	audio := false
	switch {
	case err != nil:
		r.warn("jitter pop", "err", err)
	case f.Status == jitter.Packet:
		audio = r.decode(r.out[:f.N])
		if !audio {
			audio = r.conceal()
		}
	case f.Status == jitter.Lost:
		audio = r.recover(jb) || r.conceal()
	case r.concealing:
		audio = r.conceal()
	}
	r.deliver(at, audio)
}

// deliver hands the frame in r.pcm (audio false: nothing to play) to the
// VAD, the recorder and the listeners.
func (r *Receiver) deliver(at time.Duration, audio bool) {
	if !audio {
		r.silent.Add(1)
		clear(r.pcm)
	}
	if ev := r.vad.Process(r.pcm); ev != vad.None && r.cfg.OnSpeech != nil {
		r.cfg.OnSpeech(ev, at)
	}
	if !audio {
		return
	}
	if r.cfg.Record != nil {
		if err := r.cfg.Record.WriteFrame(at, r.pcm); err != nil {
			r.warn("record frame", "err", err)
		}
	}
	if r.cfg.OnAudio != nil {
		r.cfg.OnAudio(at, r.pcm)
	}
	if ls := r.listeners.Load(); ls != nil {
		for _, l := range *ls {
			l.fn(at, r.pcm)
		}
	}
}

// audioListener is one function added with AddListener; its pointer
// identifies it for removal.
type audioListener struct {
	fn func(at time.Duration, pcm []int16)
}

// AddListener adds fn to the functions called with each played frame (the
// frames OnAudio sees: decoded or concealed, never silence), after
// OnAudio, on the pacing goroutine, in the order they were added. pcm is at
// Rate and valid only during the call. It is how a bridge or a tap joins a
// running call; ReceiverConfig.OnAudio is fixed at set-up.
//
// AddListener and the returned remove are safe from any goroutine, and
// remove is idempotent. A call of fn already under way when remove is
// called may complete after remove returns; no call starts after it.
// Calling frames allocates nothing.
func (r *Receiver) AddListener(fn func(at time.Duration, pcm []int16)) (remove func()) {
	return r.addListener(&r.listeners, fn)
}

func (r *Receiver) addListener(list *atomic.Pointer[[]*audioListener], fn func(at time.Duration, pcm []int16)) (remove func()) {
	l := &audioListener{fn: fn}
	r.listenMu.Lock()
	var cur []*audioListener
	if p := list.Load(); p != nil {
		cur = *p
	}
	next := append(make([]*audioListener, 0, len(cur)+1), cur...)
	next = append(next, l)
	list.Store(&next)
	r.listenMu.Unlock()
	return func() { r.removeListener(list, l) }
}

func (r *Receiver) removeListener(list *atomic.Pointer[[]*audioListener], l *audioListener) {
	r.listenMu.Lock()
	defer r.listenMu.Unlock()
	p := list.Load()
	if p == nil {
		return
	}
	next := make([]*audioListener, 0, len(*p))
	for _, x := range *p {
		if x != l {
			next = append(next, x)
		}
	}
	if len(next) == len(*p) {
		return // already removed
	}
	if len(next) == 0 {
		list.Store(nil)
		return
	}
	list.Store(&next)
}

// decode turns one buffered payload (payload type byte first) into r.pcm.
func (r *Receiver) decode(buf []byte) bool {
	if len(buf) < 2 {
		return false
	}
	st, err := r.stage(buf[0])
	if err != nil {
		r.decodeErrors.Add(1)
		r.warn("decoder", "err", err)
		return false
	}
	if r.cur != nil && r.cur != st {
		r.codecChanges.Add(1)
	}
	r.cur = st
	n, err := st.dec.Decode(buf[1:], r.pcmDecoded)
	if err != nil {
		r.decodeErrors.Add(1)
		return false
	}
	if !r.toRate(st, r.pcmDecoded[:n]) {
		r.decodeErrors.Add(1)
		return false
	}
	r.plc.Good(r.pcm)
	r.concealing = false
	r.frames.Add(1)
	return true
}

// recover rebuilds a lost frame from the forward error correction data in
// the packet after it (Opus in-band FEC), when that packet has arrived.
func (r *Receiver) recover(jb *jitter.Buffer) bool {
	if r.cur == nil {
		return false
	}
	fec, ok := r.cur.dec.(FECDecoder)
	if !ok {
		return false
	}
	n, ok := jb.Peek(r.next[:])
	if !ok || n < 2 || r.next[0] != r.cur.codec.PayloadType {
		return false
	}
	got, err := fec.DecodeFEC(r.next[1:n], r.pcmDecoded, r.cur.n)
	if err != nil || !r.toRate(r.cur, r.pcmDecoded[:got]) {
		return false
	}
	r.plc.Good(r.pcm)
	r.recovered.Add(1)
	return true
}

// conceal fills r.pcm for a lost frame: the codec's own concealment when it
// has one (Opus), else pitch repetition. It reports false once concealment
// has faded to silence, so silence is not recorded as audio forever.
func (r *Receiver) conceal() bool {
	if r.cur == nil {
		return false // nothing played yet: nothing to continue
	}
	r.concealing = true
	if c, ok := r.cur.dec.(Concealer); ok {
		n, err := c.Conceal(r.pcmDecoded, r.cur.n)
		if err == nil && r.toRate(r.cur, r.pcmDecoded[:n]) {
			r.concealed.Add(1)
			return true
		}
	}
	if _, err := r.plc.Conceal(r.pcm, r.frameN); err != nil {
		return false
	}
	r.concealed.Add(1)
	for _, s := range r.pcm {
		if s != 0 {
			return true
		}
	}
	r.concealing = false
	return false
}

// toRate resamples pcm (at the stage's codec rate) into r.pcm.
func (r *Receiver) toRate(st *decodeStage, pcm []int16) bool {
	if st.rs == nil {
		if len(pcm) != r.frameN {
			return false
		}
		copy(r.pcm, pcm)
		return true
	}
	return st.rs.Process(pcm, r.pcm) == r.frameN
}

// stage returns the decoder of payload type pt, creating it on first use.
func (r *Receiver) stage(pt uint8) (*decodeStage, error) {
	if pt >= 128 {
		return nil, fmt.Errorf("%w: %d", ErrInvalidPayloadType, pt)
	}
	if st := r.decoders[pt]; st != nil {
		return st, nil
	}
	st, err := r.newStage(pt)
	if err != nil {
		return nil, err
	}
	r.decoders[pt] = st
	return st, nil
}

// newStage builds a decoder of payload type pt (below 128) to the
// Receiver's rate.
func (r *Receiver) newStage(pt uint8) (*decodeStage, error) {
	codec := r.payloads.Lookup(pt)
	if codec == nil || codec.IsTelephoneEvent() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownPayloadType, pt)
	}
	dec, err := NewDecoder(*codec)
	if err != nil {
		return nil, err
	}
	st := &decodeStage{codec: codec, dec: dec, n: codec.FrameSamples(r.frameDur)}
	if codec.SampleRate != r.rate {
		if st.rs, err = resample.New(codec.SampleRate, r.rate); err != nil {
			return nil, fmt.Errorf("resample %s to %d Hz: %w", codec, r.rate, err)
		}
	}
	return st, nil
}

// warn logs an anomaly at most once a second per Receiver.
func (r *Receiver) warn(msg string, args ...any) { r.warnings.warn(msg, args...) }

// Stats returns a snapshot of the Receiver's counters.
func (r *Receiver) Stats() ReceiverStats {
	return ReceiverStats{
		Frames:       r.frames.Load(),
		Concealed:    r.concealed.Load(),
		Recovered:    r.recovered.Load(),
		Silent:       r.silent.Load(),
		DecodeErrors: r.decodeErrors.Load(),
		CodecChanges: r.codecChanges.Load(),
		SSRCChanges:  r.ssrcChanges.Load(),
		Digits:       r.digits.Load(),
		BadEvents:    r.badEvents.Load(),
		CatchUps:     r.catchUps.Load(),
		Jitter:       r.jb.Load().Stats(),
	}
}

// Rate returns the sample rate of the frames the Receiver delivers.
func (r *Receiver) Rate() int { return r.rate }

// String describes the pipeline, for one log line that shows the chain.
func (r *Receiver) String() string {
	var b strings.Builder
	b.WriteString("RTP -> ")
	b.WriteString(r.jb.Load().String())
	b.WriteString(" -> Decode(")
	var names []string
	for _, c := range r.payloads.Codecs() {
		if !c.IsTelephoneEvent() {
			names = append(names, c.Name)
		}
	}
	b.WriteString(strings.Join(names, "|"))
	fmt.Fprintf(&b, ") -> %d Hz -> %s", r.rate, r.vad)
	if r.cfg.Record != nil {
		b.WriteString(" -> Record")
	}
	return b.String()
}

var (
	_ Handler = (*Receiver)(nil)
	_ Ticker  = (*Receiver)(nil)
)

// RecordChannel binds one channel of a stereo call recorder as the
// FrameRecorder of a Receiver (the caller's leg on record.Caller, the bot's
// or agent's on record.Agent).
func RecordChannel(rec *record.Recorder, ch record.Channel) FrameRecorder {
	return FrameRecorderFunc(func(at time.Duration, pcm []int16) error { return rec.Write(ch, at, pcm) })
}
