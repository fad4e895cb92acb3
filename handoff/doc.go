// Package handoff owns the warm transfer of a call from the bot to a
// person: the context packet the agent gets (Packet), and the Service
// that queues the call in the ACD, keeps the caller company with hold
// audio and announcements, rings the offered agent's phone, whispers a
// short spoken summary to the agent, bridges the two and leaves the media
// path, and carries out the queue's fallbacks (voicemail, callback,
// goodbye).
//
// # Packet
//
// A Packet is JSON: the caller's number and known customer data, the
// whole transcript with timestamps (speaker, text, intent and confidence,
// slots, sentiment), the intents and slots collected, the sentiment trend,
// the path through the script, a summary, the reason for the transfer,
// queue, skills and priority, and a link to the call's recording. It is
// built from the bot's runtime.Transfer (its Handoff context) and the
// call, and marshals to at most MaxPacketSize bytes: the oldest turns are
// dropped first, and a marker turn says how many.
//
// # Service
//
// Service implements voice.Transferer: the bot's voice.Service hands it
// each transfer with the call and the caller's still-open voice loop.
// Run reads the ACD's events; serve owns it (and the ACD's own Run) and
// stops it at shutdown. Hangup ends a call this node serves (the
// console's hang-up). docs/handoff.md describes the whole flow.
//
// # Concurrency properties
//
// A Packet is a plain value. A Service is safe for concurrent calls. Each
// transfer runs on the goroutine of the call's handler, which applies
// every change of its call in order; the phones it rings and the
// announcements it speaks run on goroutines it starts and waits for
// before it returns. Run's goroutine reads the ACD's events and never
// blocks on a call: it drops each into the mailbox of the call it is for
// (64 events; a full mailbox drops and logs), and starts a goroutine per
// callback offer, which Run waits for before it returns.
package handoff
