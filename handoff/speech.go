package handoff

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// What the service says to callers.
const (
	sayHold        = "Please hold while I find someone to help you."
	sayRefused     = "I'm sorry, we are unable to take your call. Goodbye."
	sayGoodbye     = "I'm sorry, no one is available to take your call right now. Please call again later. Goodbye."
	sayVoicemail   = "I'm sorry, no one is available right now. Please leave a message after the tone, and press the hash key when you have finished."
	sayMessageDone = "Thank you. Your message has been recorded. Goodbye."
	sayNoMessage   = "I'm sorry, I couldn't record a message. Please call again later. Goodbye."
	sayCallback    = "No one is available right now, so we will call you back as soon as an agent is free, keeping your place in the queue. Goodbye."
	sayNoCallback  = "I'm sorry, we cannot arrange a call back right now. Please call again later. Goodbye."
	sayUnknown     = "I'm sorry, I couldn't put you through. Please call again later. Goodbye."
)

// announcement is the position and expected wait, spoken to a caller on
// hold: "You are number 3 in the queue. Your expected wait is about 4
// minutes."
func announcement(position int, ewt time.Duration) string {
	var b strings.Builder
	switch {
	case position == 1:
		b.WriteString("You are next in the queue.")
	case position > 1:
		fmt.Fprintf(&b, "You are number %d in the queue.", position)
	default:
		b.WriteString("Thank you for holding.")
	}
	switch m := int((ewt + 30*time.Second) / time.Minute); {
	case ewt <= 0:
		b.WriteString(" An agent will be with you as soon as possible.")
	case m <= 1:
		b.WriteString(" Your expected wait is about one minute.")
	default:
		fmt.Fprintf(&b, " Your expected wait is about %d minutes.", m)
	}
	return b.String()
}

// wordsPerSecond is a conservative speaking rate of the synthesizers
// (espeak-ng and flite speak about 2.5-3 words a second).
const wordsPerSecond = 2.5

// whisperText is what the agent hears before the caller is bridged in: the
// queue, the caller's concern and mood, cut to fit maxLen of speech.
func whisperText(p Packet, maxLen time.Duration) string {
	var b strings.Builder
	if p.Queue != "" {
		fmt.Fprintf(&b, "%s call. ", speakable(p.Queue))
	} else {
		b.WriteString("Incoming call. ")
	}
	if p.Verified {
		b.WriteString("Verified caller. ")
	}
	switch {
	case p.Sentiment.Current <= -0.3:
		b.WriteString("The caller sounds upset. ")
	case p.Sentiment.Current >= 0.3:
		b.WriteString("The caller sounds happy. ")
	}
	if p.Summary != "" {
		b.WriteString(p.Summary)
	} else if p.Reason != "" {
		b.WriteString(p.Reason)
	}
	return limitWords(b.String(), int(maxLen.Seconds()*wordsPerSecond))
}

// speakable turns an identifier ("lost_card") into words.
func speakable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return ' '
		}
		return r
	}, s)
}

// limitWords keeps the first n words of s, ending at a sentence when one
// ends in the second half.
func limitWords(s string, n int) string {
	words := strings.FieldsFunc(s, unicode.IsSpace)
	if n <= 0 {
		return ""
	}
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	words = words[:n]
	for i := len(words) - 1; i >= n/2; i-- {
		if strings.HasSuffix(words[i], ".") {
			return strings.Join(words[:i+1], " ")
		}
	}
	return strings.Join(words, " ") + "."
}
