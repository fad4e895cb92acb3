// Package voice is the bot's voice loop: it runs one dialogue
// (bot/runtime) over a call's real audio path. Per call it opens an MRCPv2
// session with a synthesizer and a recognizer channel, relays the caller's
// audio (the call's receiver, resampled if needed) into the session's RTP
// leg for the recognizer and the synthesized audio from that leg to the
// caller's transmitter, and executes the dialogue's actions in order:
//
//   - Say: SPEAK (SSML when the prompt has it, else text) or a recorded
//     prompt file, heard by the caller; the next action waits for the end.
//   - Listen: DEFINE-GRAMMAR with the step's hints (SRGS, or Parley's
//     application/x-parley-phrases list) and RECOGNIZE with the no-input
//     and recognition timers; DTMF from the call is collected alongside
//     (inter-digit timer, max digits, '#') and wins over speech.
//   - Transfer, LeaveMessage, Hangup end the loop with a Result that the
//     caller of Run acts on (Service does: it transfers, or says why it
//     cannot, and hangs up).
//
// # Barge-in
//
// Before a prompt whose barge-in mode is on and that a Listen follows, the
// RECOGNIZE starts with Start-Input-Timers: false, so the recognizer
// listens while the bot speaks. Its START-OF-INPUT (RFC 6787 section 9.14)
// stops the prompt: BARGE-IN-OCCURRED to the synthesizer (section 8.6),
// the audio queued for the caller is dropped, and the rest of the prompts
// before the Listen are skipped. The loop's own VAD on the caller's audio
// (the same detector and 80 ms onset as the recognizer's) usually hears
// the onset first, one RTP hop and jitter buffer earlier, and stops the
// prompt the same way; should the recognizer then hear nothing, the
// no-input timer it starts ends the turn as NoInput. With barge-in off (compliance prompts) the
// recognizer is not listening during the prompt and keys wait until it
// ends; with dtmf only a key stops it. The bot never talks over itself:
// prompts are queued one after another on one output.
//
// # Failures and dead air
//
// A recognizer that refuses, fails (Completion-Cause 004-006, 009, 010) or
// does not complete within the step's timers plus a margin becomes an
// ASRFailure event; a synthesizer that refuses, fails or stays silent
// becomes TTSFailure; the runtime degrades (keypad menus, a transfer).
// Whenever the bot owes the caller audio (after the caller's turn, while a
// SPEAK starts) and none has been sent for Config.DeadAir, a short filler
// (Config.Filler, by default a soft two-note chime) is played.
//
// # Latency
//
// For each caller turn the loop measures end of caller speech (a VAD on
// the relayed caller audio; the last key for DTMF) -> recognition result
// -> dialogue decision -> first synthesized audio -> first audio frame to
// the caller's transmitter, returned in Result.Latency and observed by
// Metrics as Prometheus histograms.
//
// # Concurrency properties
//
// Run owns the call's dialogue and its MRCP session for its duration: one
// goroutine (the caller of Run) applies every event in order. The audio
// relays run on the media pacing goroutines and share only a mutex-guarded
// queue and atomics with it. Everything Run starts is stopped before it
// returns. A Service is safe for concurrent calls.
package voice
