package vad

import "strconv"

// Event is what one frame changed in the detector's speaking state.
type Event uint8

const (
	// None means the speaking state did not change on this frame.
	None Event = iota
	// SpeechStart means speech has lasted StartMs: an utterance began at
	// [Detector.StartOffset].
	SpeechStart
	// SpeechEnd means HangoverMs of silence followed speech: the utterance
	// ended at [Detector.EndOffset].
	SpeechEnd
)

// String returns the event's name.
func (e Event) String() string {
	switch e {
	case None:
		return "None"
	case SpeechStart:
		return "SpeechStart"
	case SpeechEnd:
		return "SpeechEnd"
	}
	return "Event(" + strconv.Itoa(int(e)) + ")"
}
