// Package vad owns voice activity detection and endpointing for turn
// taking: it decides, frame by frame, whether a caller is speaking, and
// reports when an utterance starts and when it has ended.
//
// A [Detector] takes frames of 10, 20 or 30 ms of signed 16-bit mono PCM at
// 8000, 16000 or 48000 Hz and returns an [Event] per frame: [None],
// [SpeechStart] or [SpeechEnd]. Alongside each event it keeps the sample
// offsets of the estimated true onset and end of the utterance, so a caller
// can trim a recording or a recognizer stream to the speech itself.
//
// # Method
//
// Each frame is Hann-windowed (frames shorter than 20 ms together with the
// samples before them) and transformed with a radix-4 FFT. The power in
// ten sub-bands of the telephone speech band (edges at 250, 450, 650, 900,
// 1150, 1450, 1800, 2200, 2650, 3150 and 3750 Hz) is compared against a
// per-band noise floor estimated by
// minima-controlled recursive averaging (MCRA: I. Cohen and B. Berdugo,
// "Noise estimation by minima controlled recursive averaging for robust
// speech enhancement", IEEE Signal Processing Letters 9(1), 2002): the
// floor averages the band power wherever it stays close to its running
// minimum over the last 0.8-1.6 s, and freezes where speech lifts it
// above. The first 200 ms seed the floor, so a stream should open without
// speech; one that does not recovers within 1.6 s of the speech ending.
//
// Two statistics of each frame decide:
//
//   - SNR: the mean over the sub-bands of the band SNR in dB, clipped at
//     zero, in the manner of the sub-band SNR sum of the AMR VAD (3GPP TS
//     26.094, option 1). Mains hum (50/60 Hz), rumble and out-of-band hiss
//     lie outside the bands and carry no weight; steady in-band energy
//     (hum harmonics, tones, coloured hiss) raises the floor of its bands
//     and reads 0 dB. On Gaussian noise the statistic averages 0.7 dB with
//     a standard deviation of 0.36 dB.
//   - Spectral contrast: the mean SNR of the three best bands less that of
//     the five worst. Speech lifts its formant or fricative bands far above
//     the rest (6-30 dB); noise whose level swells or steps, and clicks,
//     lift all bands alike (2-6 dB).
//
// A frame must also reach an absolute in-band level ([Config].MinLevelDB),
// so that very quiet lines (digital silence plus dither) are never speech.
//
// # Endpointing
//
// An utterance starts with a run of frames whose SNR reaches ThresholdDB
// on its first frame and a lower hold threshold after it (one dip of up to
// 20 ms is tolerated: the closure of a stop consonant). When the run holds
// StartMs of speech frames and their mean contrast reaches 7 dB,
// [SpeechStart] is returned. The estimated onset ([Detector.StartOffset])
// walks back from the first frame of the run over immediately preceding
// frames whose SNR was already above 1.5 dB (weak initial consonants), at
// most 200 ms.
//
// The utterance holds while the last 60 ms of frames average at least the
// hold threshold (see [Config].ThresholdDB) with a mean
// contrast of 5 dB. [SpeechEnd] is returned once HangoverMs have passed
// since the last frame that reached ThresholdDB; that frame's end is the
// estimated end ([Detector.EndOffset]).
//
// Offsets count samples since [New] or [Detector.Reset]; their resolution
// is one frame.
//
// # Levels
//
// Levels are in dBFS as 10*log10 of the mean square of the samples scaled
// to [-1, 1): a full-scale sine reads -3 dBFS. [Detector.NoiseFloorDB] and
// [Detector.LevelDB] are in-band (250-3750 Hz) levels on that scale.
//
// # Concurrency properties
//
// A Detector holds per-stream state and is not safe for concurrent use: one
// goroutine (the stream's media reader) calls Process, and the state
// accessors are read on that goroutine between frames. Process retains no
// reference to its argument and allocates nothing. Detectors of one sample
// rate and analysis window share read-only tables (window, twiddles), made
// by the first New and safe for any number of goroutines to read.
package vad
