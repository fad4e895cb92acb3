package mrcp

// Method is the method-name of a request (RFC 6787 section 5.2). Parse
// accepts any name that starts with a letter and goes on with letters,
// digits, '-' or '_', and keeps it as sent; the constants below are
// spelled as the RFC prints them. What to do with a name it does not know
// is for the receiver to decide.
type Method string

// Generic methods, valid on every resource (RFC 6787 section 6.1).
const (
	MethodSetParams Method = "SET-PARAMS"
	MethodGetParams Method = "GET-PARAMS"
)

// Methods of the speechsynth resource (RFC 6787 section 8.2).
const (
	MethodSpeak           Method = "SPEAK"
	MethodStop            Method = "STOP"
	MethodPause           Method = "PAUSE"
	MethodResume          Method = "RESUME"
	MethodBargeInOccurred Method = "BARGE-IN-OCCURRED"
	MethodControl         Method = "CONTROL"
	MethodDefineLexicon   Method = "DEFINE-LEXICON"
)

// Methods of the speechrecog resource (RFC 6787 section 9.2), the last five
// for phrase enrollment. STOP, above, belongs to both resources.
const (
	MethodDefineGrammar    Method = "DEFINE-GRAMMAR"
	MethodRecognize        Method = "RECOGNIZE"
	MethodInterpret        Method = "INTERPRET"
	MethodGetResult        Method = "GET-RESULT"
	MethodStartInputTimers Method = "START-INPUT-TIMERS"

	MethodStartPhraseEnrollment Method = "START-PHRASE-ENROLLMENT"
	MethodEnrollmentRollback    Method = "ENROLLMENT-ROLLBACK"
	MethodEndPhraseEnrollment   Method = "END-PHRASE-ENROLLMENT"
	MethodModifyPhrase          Method = "MODIFY-PHRASE"
	MethodDeletePhrase          Method = "DELETE-PHRASE"
)

// Event is the event-name of an event (RFC 6787 section 5.5), with the
// same syntax as a Method.
type Event string

// Events of the speechsynth resource (RFC 6787 section 8.3).
const (
	EventSpeechMarker  Event = "SPEECH-MARKER"
	EventSpeakComplete Event = "SPEAK-COMPLETE"
)

// Events of the speechrecog resource (RFC 6787 section 9.3).
const (
	EventStartOfInput           Event = "START-OF-INPUT"
	EventRecognitionComplete    Event = "RECOGNITION-COMPLETE"
	EventInterpretationComplete Event = "INTERPRETATION-COMPLETE"
)

// Resource is a media resource type, the part of a Channel-Identifier
// after the "@" (RFC 6787 section 4.2).
type Resource string

// The resource types that RFC 6787 section 4.2 registers.
const (
	ResourceSpeechRecog Resource = "speechrecog"
	ResourceDTMFRecog   Resource = "dtmfrecog"
	ResourceSpeechSynth Resource = "speechsynth"
	ResourceBasicSynth  Resource = "basicsynth"
	ResourceSpeakVerify Resource = "speakverify"
	ResourceRecorder    Resource = "recorder"
)
