package voice

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/vad"
)

// loudLevel is the sample magnitude above which a frame counts as audio
// rather than silence, for the first-audio timestamps.
const loudLevel = 300

func loud(pcm []int16) bool {
	for _, s := range pcm {
		if s > loudLevel || s < -loudLevel {
			return true
		}
	}
	return false
}

// output is the audio the caller hears: a FIFO of PCM at the call
// transmitter's rate, filled by the MRCP leg's receiver (synthesized
// speech), by recorded prompts and fillers, and drained one frame per
// 20 ms by the call's transmitter. Bounded: the oldest audio is dropped
// beyond maxQueued.
type output struct {
	rs  *resample.Resampler // MRCP rate -> call rate; nil when equal
	max int

	mu      sync.Mutex
	buf     []int16 // the queue: a window onto base
	base    []int16
	scratch []int16
	gate    bool // TTS audio accepted (false after barge-in until the next SPEAK)
	// firstTTS and firstSent are set once per prompt when armed; mark is
	// the position in buf of the prompt's first audio, -1 when none waits.
	wantTTS   bool
	mark      int
	firstTTS  time.Time
	firstSent time.Time
	dropped   int
	trimmed   int // silent frames dropped to shed a backlog

	// signal is poked (non-blocking) when audio first reaches the caller.
	signal chan struct{}
	now    func() time.Time
	sent   atomic.Int64 // frames with audio sent to the caller
}

func newOutput(mrcpRate, callRate int, maxQueued time.Duration, now func() time.Time) (*output, error) {
	o := &output{gate: true, mark: -1, signal: make(chan struct{}, 1), now: now, max: int(maxQueued.Seconds() * float64(callRate))}
	if mrcpRate != callRate {
		rs, err := resample.New(mrcpRate, callRate)
		if err != nil {
			return nil, err
		}
		o.rs = rs
	}
	return o, nil
}

// fromTTS takes one frame the synthesizer sent (the MRCP leg's OnAudio).
func (o *output) fromTTS(_ time.Duration, pcm []int16) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.gate {
		return
	}
	if o.rs != nil {
		if n := o.rs.OutLen(len(pcm)); cap(o.scratch) < n {
			o.scratch = make([]int16, n)
		}
		o.scratch = o.scratch[:cap(o.scratch)]
		pcm = o.scratch[:o.rs.Process(pcm, o.scratch)]
	}
	if len(o.buf) > 0 && !loud(pcm) {
		// Silence while audio waits is dropped: the queue is filled and
		// drained at 50 frames a second by two clocks, and the backlog a
		// late or doubled frame leaves would otherwise delay all the
		// audio after it, for the rest of the call. The transmitter
		// sends silence itself when the queue runs dry.
		o.trimmed++
		return
	}
	if o.wantTTS && loud(pcm) {
		o.wantTTS = false
		o.firstTTS = o.now()
		o.mark = len(o.buf)
	}
	o.appendLocked(pcm)
}

func (o *output) appendLocked(pcm []int16) {
	if len(o.buf) == 0 {
		o.buf = o.base[:0]
	}
	o.buf = append(o.buf, pcm...)
	if cap(o.buf) > cap(o.base) || len(o.base) == 0 && cap(o.buf) > 0 {
		o.base = o.buf[:0:cap(o.buf)]
	}
	if over := len(o.buf) - o.max; over > 0 {
		o.dropped += over
		o.consume(over)
		if o.mark >= 0 {
			o.mark = max(0, o.mark-over)
		}
	}
}

// consume drops the first n samples; the backing array is compacted only
// once the consumed part outgrows the rest, so a long prompt is not moved
// every frame.
func (o *output) consume(n int) {
	o.buf = o.buf[n:]
	if len(o.buf) == 0 {
		o.buf = o.base[:0]
	} else if cap(o.buf) < cap(o.base)/2 {
		o.base = append(o.base[:0], o.buf...)
		o.buf = o.base
	}
}

// play queues recorded audio at the call rate: a prompt file (prompt
// true: its first audio is the prompt's) or a filler.
func (o *output) play(pcm []int16, prompt bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if prompt && o.wantTTS {
		o.wantTTS = false
		o.mark = len(o.buf)
	}
	o.appendLocked(pcm)
}

// Next feeds the call's transmitter (media.Source).
func (o *output) Next(pcm []int16) (int, error) {
	o.mu.Lock()
	n := copy(pcm, o.buf)
	o.consume(n)
	first := false
	if o.mark >= 0 {
		if o.mark < n || len(o.buf) == 0 && n > 0 {
			o.mark = -1
			o.firstSent = o.now()
			first = true
		} else {
			o.mark -= n
		}
	}
	o.mu.Unlock()
	if n > 0 && loud(pcm[:n]) {
		o.sent.Add(1)
	}
	if first {
		select {
		case o.signal <- struct{}{}:
		default:
		}
	}
	return n, nil
}

// arm opens the gate for a new SPEAK (or prompt) and starts watching for
// its first audio.
func (o *output) arm() {
	o.mu.Lock()
	o.gate, o.wantTTS, o.mark = true, true, -1
	o.firstTTS, o.firstSent = time.Time{}, time.Time{}
	o.mu.Unlock()
}

// bargeIn drops what is queued and refuses TTS audio until the next arm.
func (o *output) bargeIn() {
	o.mu.Lock()
	o.buf = o.base[:0]
	o.gate = false
	o.wantTTS, o.mark = false, -1
	o.mu.Unlock()
}

// firsts returns the first-audio times of the last arm (zero if not yet).
func (o *output) firsts() (tts, sent time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.firstTTS, o.firstSent
}

// queued is how much audio waits for the caller.
func (o *output) queued() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.buf)
}

// audible reports whether any audio the caller would hear still waits:
// the silence a speech server streams after a prompt does not count.
func (o *output) audible() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return loud(o.buf)
}

var _ media.Source = (*output)(nil)

// bargeInOnsetMs is how long the caller must speak before the loop's own
// onset detector stops a prompt (barge-in), ahead of the recognizer's
// START-OF-INPUT: the recognizer decides after its VAD's 80 ms, behind one
// more RTP hop and jitter buffer. Shorter sounds (a click, a knock) do not
// count, and broadband noise (a cough, traffic) fails the detector's
// spectral-contrast test whatever its length.
const bargeInOnsetMs = 80

// relaySlack is how late a caller's frame may reach the MRCP leg's
// transmitter before that transmitter sends silence in its place: the
// arrival jitter of the caller's packets, which the relay no longer
// smooths with a jitter buffer.
const relaySlack = 60 * time.Millisecond

// input relays the caller's audio to the recognizer: the call receiver's
// arrival listener pushes each frame as its packet arrives and kicks the
// MRCP leg's transmitter, which sends it at once. A VAD on the same frames
// timestamps the end of the caller's speech; a second one, quicker to
// start, signals speech onsets for barge-in.
type input struct {
	rs   *resample.Resampler // call rate -> MRCP rate; nil when equal
	max  int
	now  func() time.Time
	kick func(time.Time) int // sends queued frames now; nil: wait for the Ticks

	mu        sync.Mutex
	buf       []int16
	scratch   []int16
	vad       *vad.Detector
	onsetVAD  *vad.Detector
	frame     []int16
	hangover  time.Duration
	speechEnd time.Time
	speaking  bool
	dropped   int

	// onset is poked (non-blocking) when the caller starts speaking.
	onset chan struct{}
}

func newInput(callRate, mrcpRate int, now func() time.Time) (*input, error) {
	in := &input{now: now, max: mrcpRate / 5, onset: make(chan struct{}, 1)} // 200 ms
	if callRate != mrcpRate {
		rs, err := resample.New(callRate, mrcpRate)
		if err != nil {
			return nil, err
		}
		in.rs = rs
	}
	d, err := vad.New(vad.Config{SampleRate: callRate, FrameMs: 20, HangoverMs: vadHangoverMs})
	if err != nil {
		return nil, err
	}
	in.vad, in.hangover = d, time.Duration(d.Config().HangoverMs)*time.Millisecond
	if in.onsetVAD, err = vad.New(vad.Config{SampleRate: callRate, FrameMs: 20, StartMs: bargeInOnsetMs, HangoverMs: vadHangoverMs}); err != nil {
		return nil, err
	}
	return in, nil
}

// fromCaller takes one frame of the caller's audio (a Receiver arrival
// listener) and sends it on.
func (in *input) fromCaller(at time.Duration, pcm []int16) {
	in.push(at, pcm)
	if in.kick != nil {
		in.kick(time.Now()) // the Pacer's clock, whatever in.now is
	}
}

func (in *input) push(_ time.Duration, pcm []int16) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.detect(pcm)
	if in.rs != nil {
		if n := in.rs.OutLen(len(pcm)); cap(in.scratch) < n {
			in.scratch = make([]int16, n)
		}
		in.scratch = in.scratch[:cap(in.scratch)]
		pcm = in.scratch[:in.rs.Process(pcm, in.scratch)]
	}
	in.buf = append(in.buf, pcm...)
	if over := len(in.buf) - in.max; over > 0 {
		in.dropped += over
		in.buf = append(in.buf[:0], in.buf[over:]...)
	}
}

func (in *input) detect(pcm []int16) {
	fs := in.vad.FrameSize()
	in.frame = append(in.frame, pcm...)
	for len(in.frame) >= fs {
		switch in.vad.Process(in.frame[:fs]) {
		case vad.SpeechStart:
			in.speaking = true
		case vad.SpeechEnd:
			in.speaking = false
			// The detector decides after its hangover of quiet.
			in.speechEnd = in.now().Add(-in.hangover)
		}
		if in.onsetVAD.Process(in.frame[:fs]) == vad.SpeechStart {
			select {
			case in.onset <- struct{}{}:
			default:
			}
		}
		in.frame = append(in.frame[:0], in.frame[fs:]...)
	}
}

// lastSpeechEnd is when the caller last stopped speaking (zero if never),
// and whether the caller is speaking now.
func (in *input) lastSpeechEnd() (time.Time, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.speechEnd, in.speaking
}

// Next feeds the MRCP leg's transmitter (media.Source): the caller's audio
// a whole frame at a time as it arrives, nothing (silence) while less than
// a frame waits.
func (in *input) Next(pcm []int16) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.buf) < len(pcm) {
		return 0, nil
	}
	n := copy(pcm, in.buf)
	in.buf = append(in.buf[:0], in.buf[n:]...)
	return n, nil
}

var _ media.Source = (*input)(nil)
