package vad

import "fmt"

// Endpointing parameters (see the package documentation).
const (
	// lookbackMs is how far before a speech run the onset may lie, and
	// onsetSNRDB the SNR a frame needs to count as part of the onset.
	lookbackMs = 200
	onsetSNRDB = 1.5
	// holdRatio scales ThresholdDB into the threshold that keeps an
	// utterance open (hysteresis); holdMinDB keeps it clear of the
	// statistic's mean on noise alone (0.7 dB, standard deviation 0.36 dB
	// for Gaussian noise).
	holdRatio = 0.6
	holdMinDB = 1.8
	// contrastStartDB is the mean spectral contrast (noiseTracker.contrast)
	// over the last StartMs that an utterance needs to start, and
	// contrastHoldDB the mean that keeps it open. Speech frames measure
	// 6-30 dB; frames of noise whose level swells or jumps, and clicks, 2-6
	// dB (95th percentile 6.3 dB on amplitude-modulated noise).
	contrastStartDB = 7.0
	contrastHoldDB  = 5.0
	// gapMs is how long a starting run may dip below the hold threshold:
	// the closure of a stop consonant in fast speech.
	gapMs = 20
	// holdMs is the window whose mean SNR holds an utterance open.
	holdMs = 60
)

// frameStats is what the endpointer remembers of one frame.
type frameStats struct {
	snr      float64 // mean clipped sub-band SNR, dB
	contrast float64 // spectral contrast of the SNR profile, dB
}

// Detector is a voice activity detector and endpointer for one audio
// stream. Create it with [New]; it is not safe for concurrent use.
type Detector struct {
	cfg         Config
	frameSize   int
	startFrames int
	hangover    int64 // samples of silence that end an utterance
	gapFrames   int
	holdFrames  int
	holdDB      float64

	spec  *spectrum
	noise noiseTracker
	band  [numBands]float64

	// history holds the last len(history) frames, indexed by frame
	// number modulo its length.
	history []frameStats

	frames    int64 // frames processed
	speaking  bool
	run       int   // speech frames in the current run while not speaking
	runStart  int64 // first frame of the current run
	gap       int   // consecutive non-speech frames within the run
	lastVoice int64 // end offset of the last speech frame
	start     int64
	end       int64
	levelDB   float64
	snrDB     float64
	rejected  uint64
}

// New returns a detector for cfg, whose zero fields take the defaults.
func New(cfg Config) (*Detector, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new detector: %w", err)
	}
	frames := func(ms int) int { return (ms + c.FrameMs - 1) / c.FrameMs }
	d := &Detector{
		cfg:         c,
		frameSize:   c.SampleRate * c.FrameMs / 1000,
		startFrames: frames(c.StartMs),
		hangover:    int64(frames(c.HangoverMs) * c.SampleRate * c.FrameMs / 1000),
		gapFrames:   max(1, gapMs/c.FrameMs),
		holdFrames:  frames(holdMs),
		holdDB:      max(c.ThresholdDB*holdRatio, min(c.ThresholdDB, holdMinDB)),
		noise:       newNoiseTracker(c.FrameMs),
	}
	d.spec = newSpectrum(d.frameSize, c.SampleRate)
	d.history = make([]frameStats, max(d.startFrames, d.holdFrames)+frames(lookbackMs)+1)
	d.Reset()
	return d, nil
}

// Config returns the detector's configuration with defaults filled in.
func (d *Detector) Config() Config { return d.cfg }

// FrameSize returns the number of samples Process expects per frame.
func (d *Detector) FrameSize() int { return d.frameSize }

// Reset returns the detector to its state after New: not speaking, no
// noise estimate, offsets counting from zero. The configuration is kept.
func (d *Detector) Reset() {
	d.noise.reset()
	d.spec.reset()
	clear(d.history)
	d.frames, d.run, d.runStart, d.gap = 0, 0, 0, 0
	d.speaking = false
	d.lastVoice, d.start, d.end = 0, 0, 0
	d.levelDB, d.snrDB = -120, 0
	d.rejected = 0
}

// Process analyses one frame of FrameSize samples and returns the change
// in speaking state it caused. A slice of any other length is rejected: it
// is counted in Rejected and returns None without changing any state.
// Process does not retain pcm.
func (d *Detector) Process(pcm []int16) Event {
	if len(pcm) != d.frameSize {
		d.rejected++
		return None
	}
	d.levelDB = powerDB(d.spec.analyze(pcm, &d.band))
	d.snrDB = d.noise.snr(&d.band)
	contrast := d.noise.contrast()
	d.noise.update(&d.band)
	return d.advance(contrast)
}

// advance advances the endpointer by one frame, whose levelDB and snrDB
// are set and whose spectral contrast is contrast.
func (d *Detector) advance(contrast float64) Event {
	d.history[d.frames%int64(len(d.history))] = frameStats{d.snrDB, contrast}
	d.frames++
	loud := d.levelDB >= d.cfg.MinLevelDB
	if d.speaking {
		return d.whileSpeaking(loud)
	}
	// A run of speech frames opens at ThresholdDB and continues down to
	// the lower hold threshold.
	threshold := d.cfg.ThresholdDB
	if d.run > 0 {
		threshold = d.holdDB
	}
	return d.whileQuiet(loud && d.snrDB >= threshold)
}

// whileQuiet advances the endpointer by one frame while no utterance is
// open.
func (d *Detector) whileQuiet(speech bool) Event {
	if !speech {
		if d.run > 0 && d.gap < d.gapFrames {
			d.gap++
			return None
		}
		d.run, d.gap = 0, 0
		return None
	}
	if d.run == 0 {
		d.runStart = d.frames - 1
	}
	d.run++
	d.gap = 0
	if d.run < d.startFrames || d.contrast() < contrastStartDB {
		return None
	}
	d.speaking = true
	d.lastVoice = d.Offset()
	d.start = d.onset(d.runStart)
	d.run = 0
	return SpeechStart
}

// whileSpeaking advances the endpointer by one frame while an utterance is
// open. The utterance holds while the last holdMs of frames average at
// least the hold threshold and contrastHoldDB: averaging keeps single
// noise frames from prolonging it. Its end is the end of the newest frame
// that reached ThresholdDB.
func (d *Detector) whileSpeaking(loud bool) Event {
	var snr float64
	last := d.lastVoice/int64(d.frameSize) - 1 // newest clear speech frame
	first := max(d.frames-int64(d.holdFrames), 0)
	for f := first; f < d.frames; f++ {
		st := d.history[f%int64(len(d.history))]
		snr += st.snr
		if st.snr >= d.cfg.ThresholdDB {
			last = max(last, f)
		}
	}
	snr /= float64(d.frames - first)
	if loud && snr >= d.holdDB && d.contrast() >= contrastHoldDB {
		d.lastVoice = (last + 1) * int64(d.frameSize)
		return None
	}
	if d.Offset()-d.lastVoice < d.hangover {
		return None
	}
	d.speaking = false
	d.end = d.lastVoice
	return SpeechEnd
}

// contrast returns the mean spectral contrast of the last startFrames
// frames.
func (d *Detector) contrast() float64 {
	var sum float64
	first := max(d.frames-int64(d.startFrames), 0)
	for f := first; f < d.frames; f++ {
		sum += d.history[f%int64(len(d.history))].contrast
	}
	return sum / float64(max(d.frames-first, 1))
}

// onset returns the sample offset of the estimated onset of a speech run
// whose first frame is first: it walks back over preceding frames whose
// SNR was already above onsetSNRDB, within the history and lookbackMs.
func (d *Detector) onset(first int64) int64 {
	oldest := max(d.frames-int64(len(d.history)), 0) // oldest frame held
	first = max(first, oldest)
	limit := max(oldest, first-int64((lookbackMs+d.cfg.FrameMs-1)/d.cfg.FrameMs))
	for first > limit && d.history[(first-1)%int64(len(d.history))].snr >= onsetSNRDB {
		first--
	}
	return first * int64(d.frameSize)
}

// Speaking reports whether an utterance is open: SpeechStart has been
// returned and SpeechEnd has not yet followed.
func (d *Detector) Speaking() bool { return d.speaking }

// Offset returns the number of samples processed since New or Reset: the
// offset just past the last frame.
func (d *Detector) Offset() int64 { return d.frames * int64(d.frameSize) }

// StartOffset returns the sample offset of the estimated onset of the
// current or last utterance.
func (d *Detector) StartOffset() int64 { return d.start }

// EndOffset returns the sample offset just past the last speech frame of
// the last finished utterance.
func (d *Detector) EndOffset() int64 { return d.end }

// NoiseFloorDB returns the estimated in-band noise level in dBFS.
func (d *Detector) NoiseFloorDB() float64 { return powerDB(d.noise.floor()) }

// LevelDB returns the in-band level of the last frame in dBFS.
func (d *Detector) LevelDB() float64 { return d.levelDB }

// SNRDB returns the decision statistic of the last frame: the mean
// sub-band SNR in dB, each band clipped at 0 dB.
func (d *Detector) SNRDB() float64 { return d.snrDB }

// Rejected returns how many frames Process rejected for their length.
func (d *Detector) Rejected() uint64 { return d.rejected }

// String describes the detector for pipeline descriptions.
func (d *Detector) String() string {
	return fmt.Sprintf("VAD(%d Hz, %d ms)", d.cfg.SampleRate, d.cfg.FrameMs)
}

// powerDB converts a mean-square power to dB.
func powerDB(p float64) float64 { return dB(max(p, minPower)) }
