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
// Each frame is Hann-windowed and transformed with a radix-2 FFT. The
// power in ten sub-bands of the telephone speech band (250-3750 Hz, see
// bandEdgesHz) is compared against a per-band noise floor estimated by
// minima-controlled recursive averaging (MCRA: I. Cohen and B. Berdugo,
// "Noise estimation by minima controlled recursive averaging for robust
// speech enhancement", IEEE Signal Processing Letters 9(1), 2002): the floor
// follows the smoothed band power wherever it stays close to its running
// minimum, and freezes where speech lifts it well above. The per-frame
// decision statistic is the mean over the sub-bands of the band SNR in dB,
// clipped at zero, in the manner of the sub-band SNR sum of the AMR VAD
// (3GPP TS 26.094, option 1). These are the spectral cues:
//
//   - Mains hum (50/60 Hz) and rumble lie below the band and carry no
//     weight; out-of-band hiss at 16 and 48 kHz does not either.
//   - Steady in-band energy (hum harmonics, tones, coloured hiss) raises the
//     floor of the bands it occupies, so it normalises to 0 dB SNR.
//   - Clicks last one frame; an onset needs StartMs of consecutive speech
//     frames, so isolated clicks never start an utterance.
//
// A frame must also reach an absolute in-band level ([Config].MinLevelDB),
// so that very quiet lines (digital silence plus dither) are never speech.
//
// # Endpointing
//
// [SpeechStart] is returned on the frame that completes StartMs of
// consecutive speech frames. The estimated onset ([Detector.StartOffset])
// then walks back from the first frame of that run over immediately
// preceding frames whose SNR was already clearly above the noise (weak
// initial consonants), at most 200 ms. [SpeechEnd] is returned once
// HangoverMs of non-speech frames have followed the last speech frame; the
// estimated end ([Detector.EndOffset]) is the end of that last speech frame.
// While speaking, a lower threshold holds the utterance open (hysteresis),
// so weak word endings do not count as silence.
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
// reference to its argument and allocates nothing.
package vad
