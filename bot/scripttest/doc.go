// Package scripttest runs the conversation tests that sit next to each
// dialogue script (bank.yaml has bank.test.yaml): a test is a conversation of
// caller turns (says, presses, silence, no-match, ASR or TTS failure, hangup)
// and expectations (the bot says a substring or /regex/, recognises an intent,
// reaches a step, transfers to a queue, takes a message, hangs up, holds a
// slot value). Run compiles the real script, with its real intent classifier
// and knowledge base, and returns a Report with every failure and the steps
// and intents the tests cover.
//
// # Concurrency properties
//
// Run is safe to call from several goroutines; each call owns its dialogues.
package scripttest
