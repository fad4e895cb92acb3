package runtime

import (
	"fmt"
	"time"

	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/nlu/slots"
)

// EventKind is what happened on the call.
type EventKind int

const (
	// Speech is a recognised utterance: Text with Confidence.
	Speech EventKind = iota
	// DTMF is one or more keys in Digits.
	DTMF
	// NoInput is the no-input timer expiring.
	NoInput
	// NoMatch is the recognizer hearing speech it could not match.
	NoMatch
	// ASRFailure is the recognizer failing or timing out; the bot falls back to DTMF.
	ASRFailure
	// TTSFailure is the synthesizer failing; the bot falls back to recorded audio or a transfer.
	TTSFailure
	// Hangup is the caller hanging up.
	Hangup
)

func (k EventKind) String() string {
	switch k {
	case Speech:
		return "speech"
	case DTMF:
		return "dtmf"
	case NoInput:
		return "no-input"
	case NoMatch:
		return "no-match"
	case ASRFailure:
		return "asr-failure"
	case TTSFailure:
		return "tts-failure"
	case Hangup:
		return "hangup"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one input to a Dialogue.
type Event struct {
	Kind EventKind
	// Text and Confidence (in [0, 1]) of a Speech event.
	Text       string
	Confidence float64
	// Digits of a DTMF event ("5", "12345678#").
	Digits string
	// Start and End of the caller's turn, if the voice loop knows them; else now.
	Start, End time.Time
	// Err of an ASRFailure or TTSFailure, for the log.
	Err error
}

// Action is what the voice loop must do next: *Say, *Listen, *Transfer,
// *LeaveMessage or *Hangup. Actions are executed in order.
type Action interface {
	isAction()
	String() string
}

// Say speaks a prompt. Text is always set (the transcript, and the fallback
// when SSML or Audio cannot be played).
type Say struct {
	Prompt string // prompt id in the script
	Text   string
	SSML   string
	Audio  string // audio file, resolved against the script's directory
	// BargeIn is how the caller may interrupt while the bot speaks.
	BargeIn  script.BargeIn
	Voice    string
	Language string
}

// Grammar is a recognizer hint: an SRGS grammar (application/srgs+xml) or a
// phrase list (application/x-parley-phrases, one phrase per line).
type Grammar struct {
	Type string
	Body string
}

// Content types of Grammar.
const (
	TypeSRGS    = "application/srgs+xml"
	TypePhrases = "application/x-parley-phrases"
)

// Listen waits for the caller. Speech nil means open transcription.
type Listen struct {
	Speech *Grammar
	DTMF   *Grammar
	// Input is what is accepted while waiting (any, speech, dtmf); it is separate
	// from the barge-in mode of the prompt before it.
	Input script.Input
	// NoInput: send a NoInput event if the caller has not started by then.
	NoInput time.Duration
	// Recognition caps one utterance.
	Recognition time.Duration
	// InterDigit is the time allowed between keys; MaxDigits ends DTMF entry
	// early (0: one key); '#' always ends it.
	InterDigit time.Duration
	MaxDigits  int
}

// Transfer hands the call to an ACD queue.
type Transfer struct {
	Queue    string
	Skills   []string
	Priority int
	Reason   string
	Context  Handoff
}

// LeaveMessage records the caller's message for a mailbox, then the dialogue goes on.
type LeaveMessage struct {
	Mailbox     string
	MaxDuration time.Duration
}

// HangupAction ends the call.
type HangupAction struct {
	Reason string
}

func (*Say) isAction()          {}
func (*Listen) isAction()       {}
func (*Transfer) isAction()     {}
func (*LeaveMessage) isAction() {}
func (*HangupAction) isAction() {}

func (a *Say) String() string { return fmt.Sprintf("say %q (barge-in %s)", a.Text, a.BargeIn) }
func (a *Listen) String() string {
	hint := "open"
	if a.Speech != nil {
		hint = a.Speech.Type
	}
	return fmt.Sprintf("listen (%s, input %s, no-input %s)", hint, a.Input, a.NoInput)
}
func (a *Transfer) String() string {
	return fmt.Sprintf("transfer to %s (skills %v, priority %d): %s", a.Queue, a.Skills, a.Priority, a.Reason)
}
func (a *LeaveMessage) String() string {
	return fmt.Sprintf("leave message for %s (max %s)", a.Mailbox, a.MaxDuration)
}
func (a *HangupAction) String() string { return "hang up: " + a.Reason }

// Turn is one utterance or key press in the transcript.
type Turn struct {
	Speaker    string    `json:"speaker"` // "caller" or "bot"
	Text       string    `json:"text"`
	DTMF       string    `json:"dtmf,omitempty"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Step       string    `json:"step"`
	Confidence float64   `json:"asr_confidence,omitempty"`
	Intent     string    `json:"intent,omitempty"`
	// IntentConfidence is the classifier's calibrated confidence in Intent.
	IntentConfidence float64      `json:"intent_confidence,omitempty"`
	Slots            []slots.Slot `json:"slots,omitempty"`
	Sentiment        float64      `json:"sentiment"`
}

// Handoff is the context an agent gets with a transfer.
type Handoff struct {
	Summary    string            `json:"summary"`
	Intents    []string          `json:"intents"`
	Slots      map[string]string `json:"slots"`
	Verified   bool              `json:"verified"`
	Sentiment  float64           `json:"sentiment"`
	Trend      float64           `json:"trend"`
	Transcript []Turn            `json:"transcript"`
	Path       []string          `json:"path"`
}
