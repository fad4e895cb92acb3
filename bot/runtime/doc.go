// Package runtime runs dialogue scripts: one Dialogue per call, driven by
// events and answering with actions. It knows nothing of audio or SIP: the
// voice loop (or the text simulator, or a conversation test) feeds it caller
// speech with its ASR confidence, DTMF keys, no-input and no-match timeouts,
// ASR or TTS failures and the hangup, and executes what it returns: Say a
// prompt with its barge-in mode, Listen with recognizer hints (an SRGS grammar
// for menus, confirmations and digits; a phrase list built from the intents'
// examples for open questions) and timers, Transfer to an ACD queue with the
// handoff context, LeaveMessage, Hangup.
//
// Compile turns a validated *script.Script into a *Bot once per script
// version: it trains the intent classifier from the script's examples and
// builds the slot extractors. Bot.NewDialogue starts a call.
//
// A Dialogue keeps the call's transcript (turns with speaker, text, times, ASR
// confidence, intent and confidence, slots, sentiment) and the path of steps
// taken. A runtime error in a script (an expression that fails, a knowledge
// base error) ends in a safe transfer, logged with the call; a caller who says
// nothing or mumbles is reprompted, then routed by the script's handlers,
// never looped.
//
// # Concurrency properties
//
// A *Bot is immutable and shared by all calls. A *Dialogue is not safe for
// concurrent use: one goroutine (the call's voice loop) calls Start, Input and
// the accessors, in order. Time comes from Config.Now, so tests inject a clock.
package runtime
