package resource

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/media/vad"
)

// Input queue sizes: Audio and Digit never block; when the analysis falls
// this far behind, the oldest items are dropped.
const (
	inputSlots     = 100 // 2 s of 20 ms frames
	prerollMs      = 500 // audio kept from before speech is detected
	maxCaptureSecs = 60  // audio waiting for a slow engine
	vadHangoverMs  = 150 // silence before the VAD reports the end of speech
	partialEvery   = 100 * time.Millisecond
)

// Audio takes a frame of the caller's audio (20 ms at RecogConfig.Rate)
// at media time at. It copies the frame into a bounded queue and returns
// at once; when the queue is full the oldest frame is dropped (or this
// one, when the oldest item is a key) and counted (Dropped). It is safe from any goroutine; frames must come from one.
func (r *Recog) Audio(at time.Duration, pcm []int16) {
	r.in.putAudio(pcm)
}

// Digit takes an RFC 4733 DTMF key that ended: 0-9, *, #, A-D. Other
// runes are ignored. It queues the key behind the audio before it and
// returns at once.
func (r *Recog) Digit(digit rune) {
	if k := dtmfKey(digit); k != 0 {
		r.in.put(k, nil)
	}
}

// inputItem is a slot of the input queue: audio, or a key when digit is
// not 0.
type inputItem struct {
	digit rune
	n     int
	pcm   []int16
}

// inputQueue is the bounded queue between Audio/Digit and the input
// goroutine. Slots are allocated once.
type inputQueue struct {
	mu      sync.Mutex
	items   []inputItem
	head, n int
	signal  chan struct{}
	dropped atomic.Uint64
}

// init makes the slots, 20 ms each at rate: longer frames take several.
func (q *inputQueue) init(rate int) {
	q.items = make([]inputItem, inputSlots)
	for i := range q.items {
		q.items[i].pcm = make([]int16, rate/50)
	}
	q.signal = make(chan struct{}, 1)
}

func (q *inputQueue) putAudio(pcm []int16) {
	for len(pcm) > 0 {
		k := min(len(pcm), len(q.items[0].pcm))
		q.put(0, pcm[:k])
		pcm = pcm[k:]
	}
}

func (q *inputQueue) put(digit rune, pcm []int16) {
	q.mu.Lock()
	if q.n == len(q.items) {
		// Full: drop the oldest audio, or this frame rather than a key.
		q.dropped.Add(1)
		if q.items[q.head].digit != 0 && digit == 0 {
			q.mu.Unlock()
			return
		}
		q.head = (q.head + 1) % len(q.items)
		q.n--
	}
	it := &q.items[(q.head+q.n)%len(q.items)]
	it.digit = digit
	it.n = copy(it.pcm, pcm)
	q.n++
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// pop copies the oldest item's audio into buf.
func (q *inputQueue) pop(buf []int16) (digit rune, n int, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return 0, 0, false
	}
	it := &q.items[q.head]
	q.head = (q.head + 1) % len(q.items)
	q.n--
	return it.digit, copy(buf, it.pcm[:it.n]), true
}

// sensitivityDB maps Sensitivity-Level (0 to 1, default 0.5) to the VAD's
// speech threshold: 10 dB at 0, 2.5 dB (the VAD's default) at 0.5, 0.625
// dB at 1.
func sensitivityDB(s float64) float64 {
	return min(max(2.5*math.Pow(4, 1-2*s), 0.5), 30)
}

func thresholdBits(db float64) uint64 { return math.Float64bits(db) }

func newDetector(rate int, sensitivity float64) (*vad.Detector, error) {
	return newDetectorDB(rate, sensitivityDB(sensitivity))
}

func newDetectorDB(rate int, db float64) (*vad.Detector, error) {
	return vad.New(vad.Config{SampleRate: rate, FrameMs: 20, HangoverMs: vadHangoverMs, ThresholdDB: db})
}

// inputState is the input goroutine's own: the detector, the frame being
// assembled and the audio from before speech was detected.
type inputState struct {
	r        *Recog
	det      *vad.Detector
	detBits  uint64
	frame    []int16
	pre      []int16 // ring of the last prerollMs
	preHead  int
	preFill  int
	samplePs float64 // samples per second
}

// runInput is the input goroutine: it analyses the caller's audio with
// the VAD, hands speech to the active RECOGNIZE and routes keys.
func (r *Recog) runInput(det *vad.Detector) {
	defer r.wg.Done()
	s := &inputState{
		r:        r,
		det:      det,
		detBits:  thresholdBits(det.Config().ThresholdDB),
		frame:    make([]int16, 0, det.FrameSize()),
		pre:      make([]int16, r.cfg.Rate*prerollMs/1000),
		samplePs: float64(r.cfg.Rate),
	}
	buf := make([]int16, r.cfg.Rate/50)
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-r.in.signal:
		}
		for {
			digit, n, ok := r.in.pop(buf)
			if !ok {
				break
			}
			if digit != 0 {
				r.mu.Lock()
				r.onDigit(digit)
				r.mu.Unlock()
				continue
			}
			s.audio(buf[:n])
		}
	}
}

func (s *inputState) audio(pcm []int16) {
	fs := cap(s.frame)
	for len(pcm) > 0 {
		k := min(fs-len(s.frame), len(pcm))
		s.frame = append(s.frame, pcm[:k]...)
		pcm = pcm[k:]
		if len(s.frame) == fs {
			s.analyse(s.frame)
			s.frame = s.frame[:0]
		}
	}
}

// analyse runs one 20 ms frame through the VAD and acts on what it
// finds.
func (s *inputState) analyse(frame []int16) {
	r := s.r
	j := r.cur.Load()
	if want := r.threshold.Load(); want != s.detBits && (j == nil || !j.capturing.Load()) {
		if det, err := newDetectorDB(r.cfg.Rate, math.Float64frombits(want)); err == nil {
			s.det = det
		}
		s.detBits = want
	}
	ev := s.det.Process(frame)
	s.keep(frame)
	if j == nil || j.speechOff.Load() {
		return
	}
	if j.capturing.Load() {
		j.cap.push(frame)
		switch ev {
		case vad.SpeechEnd:
			since := s.dur(s.det.Offset() - s.det.EndOffset())
			length := s.dur(s.det.EndOffset() - s.det.StartOffset())
			r.mu.Lock()
			r.onSpeechEnd(j, since, length)
			r.mu.Unlock()
		case vad.SpeechStart:
			r.mu.Lock()
			r.onSpeechResume(j)
			r.mu.Unlock()
		}
		return
	}
	if ev == vad.SpeechStart || ev == vad.None && s.det.Speaking() {
		n := min(int(s.det.Offset()-s.det.StartOffset()), s.preFill)
		r.mu.Lock()
		r.onSpeechStart(j, s.preroll(n))
		r.mu.Unlock()
	}
}

func (s *inputState) dur(samples int64) time.Duration {
	return time.Duration(float64(samples) / s.samplePs * float64(time.Second))
}

// keep adds a frame to the pre-roll ring.
func (s *inputState) keep(frame []int16) {
	for len(frame) > 0 {
		k := copy(s.pre[s.preHead:], frame)
		s.preHead = (s.preHead + k) % len(s.pre)
		s.preFill = min(s.preFill+k, len(s.pre))
		frame = frame[k:]
	}
}

// preroll returns the last n samples kept.
func (s *inputState) preroll(n int) []int16 {
	out := make([]int16, n)
	start := (s.preHead - n + len(s.pre)) % len(s.pre)
	k := copy(out, s.pre[start:])
	copy(out[k:], s.pre[:n-k])
	return out
}
