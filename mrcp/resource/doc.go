// Package resource owns the server side of the MRCPv2 speechsynth and
// speechrecog resources (RFC 6787 sections 6, 8 and 9): the state machine
// of one channel of each, free of any transport. The session layer
// (mrcp/server) makes a [Synth] or [Recog] per allocated channel, hands it
// the channel's requests with Handle, the caller's audio and keys with
// Recog.Audio and Recog.Digit, and an [Output] that plays what Synth
// produces; responses and events go out through a [Sender]. Engines come
// from [Engines] (a *speech.Registry).
//
// # Every request
//
// A request is answered before Handle returns. Checks come first:
// Channel-Identifier missing 406, another channel 405, a request-id not
// above the channel's last 410 (RFC 6787 section 5.2), a closed resource
// 405. Header fields are checked against the resource's table: an illegal
// value is 404 (echoing the fields), a value legal but beyond this server
// 409. A field the resource does not know, or an optional RFC field it
// does not implement (Speaker-Profile, Save-Waveform, ...), is ignored and
// success becomes 201. Methods of the other resource, DEFINE-LEXICON, the
// phrase enrollment methods and unknown methods get 401.
//
// SET-PARAMS (section 6.1.1) sets channel defaults that later requests
// use when they do not carry the field; requests already accepted keep
// what they had. It sets all fields or none: 404 wins over 403 (a field
// the resource cannot set) which wins over 409, and the response echoes
// the offending fields. GET-PARAMS (6.1.2) returns the named fields'
// values (values in the request are ignored), or with no field named every
// settable field that has a value; a field it cannot report is 403.
// Vendor-Specific-Parameters pairs are kept per channel (GET-PARAMS names
// them as "a;b"); Logging-Tag is added to the channel's log lines.
//
// # speechsynth
//
//	method             response                         events
//	SPEAK              200 IN-PROGRESS (Speech-Marker)  SPEECH-MARKER per <mark>; SPEAK-COMPLETE
//	                   200 PENDING behind another       SPEECH-MARKER (no name) when it starts
//	                   407 + Completion-Cause           002 bad SSML, 005 no voice of the language,
//	                                                    004 no voice of the name, queue full
//	                   408 body neither SSML nor text
//	STOP               200 COMPLETE, Active-Request-Id-List of those stopped; none get SPEAK-COMPLETE
//	PAUSE              200 COMPLETE [active]; 402 when idle
//	RESUME             200 COMPLETE ([active] if it was paused); 402 when idle
//	BARGE-IN-OCCURRED  200 COMPLETE [active + queued] when the active SPEAK has Kill-On-Barge-In
//	                   true (default), all stopped without SPEAK-COMPLETE; else 200, nothing stops
//	CONTROL            200 COMPLETE [active]; 402 when idle; 403 for Jump-Size, Speak-Length,
//	                   Voice-*, Speech-Language
//
// SPEAK's body is parsed (ssml.ParseLang, text/plain or SSML) and the
// voice chosen (Voice-Name, Voice-Gender, Voice-Age and the document's
// xml:lang, else Speech-Language) when it arrives, so failures are
// answered at once with 407. The engine then runs on its own goroutine,
// writing into a one-second ring that Out drains one frame per Next call;
// Next never waits: while the engine is behind, and while paused, it
// returns silence. Prosody-Rate and Prosody-Volume are the baseline
// prosody (speech.SynthRequest.Prosody); Kill-On-Barge-In defaults to
// true. Speak-Length is implemented in seconds ("10 seconds"); other units
// are 409.
//
// SPEAK-COMPLETE carries 000 normal; 004 error when the engine failed (the
// queued SPEAKs then complete with 007 cancelled); 005 language-unsupported
// for speech.ErrLanguage; and 001 barge-in when the output stopped the
// audio itself (the session layer's own barge-in, Output.Stop from
// outside). Speech-Marker is "timestamp=<NTP>[;<last mark>]", the NTP time
// of the wall clock when that audio was handed to Out (RFC 6787 section
// 8.4.16); STOP, BARGE-IN-OCCURRED and CONTROL responses carry it too.
//
// STOP keeps the paused state for the next queued SPEAK, as RFC 6787
// section 8.7 asks. CONTROL with Speak-Restart: true plays the active
// SPEAK again from its start; with Prosody-Rate or Prosody-Volume it
// synthesizes again, with the new prosody, from the document item being
// spoken (relative values apply to the current prosody). To know that
// item the resource puts marks named "parley:item:<n>" before each item;
// they are never reported, nor are clients' marks of that prefix.
//
// # speechrecog
//
//	method              response                                events
//	DEFINE-GRAMMAR      200 COMPLETE, Completion-Cause 000      -
//	                    407 + 005 (syntax), 004 (no such grammar), 009 (URI not fetched),
//	                    016 (too many); 406 without Content-ID; 408 unknown type;
//	                    402 while recognizing
//	RECOGNIZE           200 IN-PROGRESS, or PENDING behind another   START-OF-INPUT; RECOGNITION-COMPLETE
//	                    407/408 + Completion-Cause as above, 010 unsupported language
//	START-INPUT-TIMERS  200 COMPLETE; 402 unless recognizing
//	STOP                200 COMPLETE [those stopped]; no RECOGNITION-COMPLETE for them
//	GET-RESULT          200 COMPLETE with the last result; 402 when there is none
//	INTERPRET           200 IN-PROGRESS; 402 while recognizing; 406 without Interpret-Text
//	                                                            INTERPRETATION-COMPLETE 000 or 001
//
// Grammars: application/srgs+xml and application/srgs bodies (mrcp/srgs),
// text/uri-list (and text/grammar-ref-list) naming session:<Content-ID>
// and builtin: grammars, and Parley's application/x-parley-phrases, one
// example utterance per line, given to the engine as
// speech.RecogRequest.Phrases. Nothing is fetched: other URIs are 009
// uri-failure with Failed-URI. An inline grammar with a Content-ID is also
// defined for the session; a RECOGNIZE without a body uses every grammar
// defined; DEFINE-GRAMMAR with an empty body forgets one. The engine's
// language is Speech-Language when the request or SET-PARAMS gives it,
// else the first grammar's xml:lang, else en-US. An engine is opened only
// when a voice grammar, phrase list or builtin:speech/transcribe listens.
//
// RECOGNIZE requests queue like SPEAK (RFC 6787 section 9.4.21): the next
// one starts, without a further response, when the active one completes
// or is stopped; when the active one fails (causes 004, 005, 006, 009,
// 010, 012, 016) the queued ones complete with 011 cancelled. A RECOGNIZE
// arriving while the active one has Cancel-If-Queue: true ends the active
// one with 011 cancelled and takes its place.
//
// Speech: a VAD (media/vad, 20 ms frames at the channel's rate, 150 ms
// hangover, threshold from Sensitivity-Level: 10 dB at 0, 2.5 dB at the
// default 0.5, 0.6 dB at 1) runs on every frame. At its onset, or at once
// if the caller is already speaking when the RECOGNIZE starts,
// START-OF-INPUT (Input-Type: speech) is sent, the No-Input-Timeout stops
// and the Recognition-Timeout starts, and the audio from the onset on
// (up to 500 ms before detection) goes to the engine stream, which is
// written only by the RECOGNIZE's own goroutine. After the speech, the
// utterance ends after Speech-Complete-Timeout of silence when the
// engine's partial hypothesis completes a grammar (or cannot grow into a
// match, or the engine gives no partials), else after
// Speech-Incomplete-Timeout; the stream's End gives the n-best list.
// Each hypothesis at or above Confidence-Threshold is matched against the
// voice grammars in order (the first match gives the NLSML instance), and
// failing those a phrase list or transcription takes the text itself.
// Causes: 000 success, 001 no-match (NLSML with <nomatch> and the text
// heard), 002 no-input-timeout (no body), 008 success-maxtime and 015
// no-match-maxtime when the Recognition-Timeout ended the utterance, 005
// and 010 for speech.ErrGrammar and speech.ErrLanguage from the engine,
// 006 recognizer-error for other engine errors.
//
// Hotword mode (Recognition-Mode: hotword) listens utterance after
// utterance: an utterance that matches nothing is dropped and a new
// stream opened; utterances outside Hotword-Min-Duration and
// Hotword-Max-Duration are dropped unheard. START-OF-INPUT is sent only
// with the hotword, just before RECOGNITION-COMPLETE 000; the
// Recognition-Timeout there bounds the whole wait (003 hotword-maxtime).
//
// DTMF: keys go to the active RECOGNIZE when it has DTMF grammars, and
// otherwise into a type-ahead buffer (DTMF-Buffer-Time, 64 keys) that the
// next RECOGNIZE with DTMF grammars reads first, unless it says
// Clear-DTMF-Buffer: true. The first key sends START-OF-INPUT (Input-Type:
// dtmf) and ends listening to speech. DTMF-Term-Char ends the input; keys
// that complete a grammar and cannot grow end it at once (or after
// DTMF-Term-Timeout when a term char is set), keys that can still grow
// wait DTMF-Interdigit-Timeout, keys that can match nothing end it as
// no-match. Matching uses srgs Prefix and Match; confidence is 1.
//
// Timers whose value is 0: No-Input-Timeout and Recognition-Timeout are
// then off; the others fire at once. Defaults: Confidence-Threshold 0.5,
// Sensitivity-Level 0.5, N-Best-List-Length 1 (at most 10),
// No-Input-Timeout 5 s, Recognition-Timeout 10 s, Speech-Complete-Timeout
// 500 ms, Speech-Incomplete-Timeout 1 s, DTMF-Interdigit-Timeout 5 s,
// DTMF-Term-Timeout 0, DTMF-Buffer-Time 10 s, Speech-Language en-US.
// Speed-Vs-Accuracy is accepted and has no effect.
//
// GET-RESULT returns the last RECOGNITION-COMPLETE's result (NLSML
// <noinput/> after a no-input), filtered again by the request's own
// Confidence-Threshold and N-Best-List-Length; a new RECOGNIZE,
// DEFINE-GRAMMAR or STOP forgets it. INTERPRET matches Interpret-Text
// against its grammars (SRGS grammars of either mode, then a phrase list
// or transcription) without audio.
//
// # Concurrency properties
//
// Handle, Close and the Recog's Audio and Digit may be called from any
// goroutine; a resource applies requests and engine events in order under
// one mutex and calls Sender.Send with it held, so Send must not call back
// into the resource. Handle never waits for an engine. Audio and Digit
// copy into a bounded queue (2 s; the oldest audio is dropped when it is
// full, counted by Recog.Dropped) and never block. Each resource owns its
// goroutines: Synth one that sends marks and completions plus one per
// playing SPEAK running the engine; Recog one that analyses the input plus
// one per RECOGNIZE that listens to speech, which alone writes to the
// engine stream and always closes it. Timers are time.AfterFunc callbacks
// that do nothing once their request has ended. Close stops every one of
// these, and waits for them, without sending events.
package resource
