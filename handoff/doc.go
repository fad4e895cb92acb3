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
// # Concurrency properties
//
// A Packet is a plain value. A Service is safe for concurrent calls: each
// transfer runs on the goroutine of the call's handler; one goroutine that
// Run owns reads the ACD's events and hands each offer to the goroutine of
// the call it is for, so that a call's state changes are applied in order
// by that call's goroutine alone.
package handoff
