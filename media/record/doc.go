// Package record owns call recording: a Recorder that lays the caller and
// the bot or agent side of a call on one timeline as a stereo file (caller
// on the left channel, bot or agent on the right), filling every gap with
// silence so the file lasts exactly as long as the call, and the sinks that
// store it: 16-bit PCM WAV (media/wav) and Ogg Opus (media/ogg, encoded
// with libopus through gopkg.in/hraban/opus.v2). RepairDir makes the
// recordings a crashed process left behind readable again.
//
// # Timeline
//
// Each frame is tagged with its media time: the offset since the recording
// started (the call was answered) of its first sample, best derived from
// the RTP timestamp rather than the arrival time. Frames that continue
// their channel within Config.Tolerance are joined sample-exactly; a jump
// further than that is a gap (lost packets, hold, one side silent) and is
// filled with silence, or an overlap, which overwrites. Audio is handed to
// the sink Config.Skew behind the furthest-ahead channel, so the two
// producers may run that far apart; a frame arriving later than that is
// dropped and counted in Stats. CloseAt pads or cuts the file to the call's
// duration.
//
// Frames at another rate than the file are resampled per channel with
// media/resample (8, 16 and 48 kHz), and the filter's group delay is
// compensated so resampled and native channels stay aligned.
//
// # Crash safety
//
// The WAV sink rewrites its header every second of audio; the Opus sink
// closes an Ogg page every second. After a crash, RepairDir (run by
// `parley serve` at start-up, before any recorder) fixes every unclosed
// .wav, .opus and .ogg file under a directory; a crash loses at most
// Skew plus about one second.
//
// # Concurrency properties
//
// A Recorder is safe for concurrent use: the caller's and the agent's
// frames may come from two goroutines (typically each RTP reader) or from
// one. Calls are serialized by a mutex, and the sink's Write (buffered
// disk I/O, or Opus encoding of each completed 20 ms) runs in whichever
// Write call moves the timeline forward. Close and CloseAt must be called
// exactly once, after which Write returns ErrClosed. Sinks are not safe for
// concurrent use; the Recorder owns and closes its sink. Write does not
// retain pcm and does not allocate.
package record
