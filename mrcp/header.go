package mrcp

// HeaderField is one header field: its name as written and its value
// without the surrounding whitespace (RFC 6787 section 6.2). Parse joins a
// value folded over several lines into one, with a single space where the
// line breaks were.
type HeaderField struct {
	Name  string
	Value string
}

// Header is the header fields of a message in order. Lookups ignore the
// case of names, which RFC 6787 section 6.2 makes case-insensitive;
// marshalling writes names as spelled and fields in order. A name may
// occur more than once only for fields whose value is a comma-separated
// list; Get and Lookup return the first.
type Header []HeaderField

// Lookup returns the value of the first field called name, and whether
// there is one.
func (h Header) Lookup(name string) (string, bool) {
	for i := range h {
		if equalFold(h[i].Name, name) {
			return h[i].Value, true
		}
	}
	return "", false
}

// Get returns the value of the first field called name, or "".
func (h Header) Get(name string) string {
	v, _ := h.Lookup(name)
	return v
}

// count returns how many fields are called name.
func (h Header) count(name string) int {
	n := 0
	for i := range h {
		if equalFold(h[i].Name, name) {
			n++
		}
	}
	return n
}

// Add appends a field, keeping any others of the same name.
func (h *Header) Add(name, value string) {
	*h = append(*h, HeaderField{Name: name, Value: value})
}

// Set gives the first field called name the value, keeping its spelling
// and position, and removes the other fields of that name. Without such a
// field, Set appends one.
func (h *Header) Set(name, value string) {
	hs := *h
	for i := range hs {
		if equalFold(hs[i].Name, name) {
			hs[i].Value = value
			*h = append(hs[:i+1], deleteFields(hs[i+1:], name)...)
			return
		}
	}
	h.Add(name, value)
}

// Del removes every field called name.
func (h *Header) Del(name string) {
	*h = deleteFields(*h, name)
}

// deleteFields filters hs in place.
func deleteFields(hs Header, name string) Header {
	out := hs[:0]
	for _, f := range hs {
		if !equalFold(f.Name, name) {
			out = append(out, f)
		}
	}
	clear(hs[len(out):])
	return out
}

// equalFold compares ASCII names without regard to case, without
// allocating.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Generic header fields, RFC 6787 section 6.2.
const (
	HeaderChannelIdentifier        = "Channel-Identifier"
	HeaderAccept                   = "Accept"
	HeaderActiveRequestIDList      = "Active-Request-Id-List"
	HeaderProxySyncID              = "Proxy-Sync-Id"
	HeaderAcceptCharset            = "Accept-Charset"
	HeaderContentType              = "Content-Type"
	HeaderContentID                = "Content-ID"
	HeaderContentBase              = "Content-Base"
	HeaderContentEncoding          = "Content-Encoding"
	HeaderContentLocation          = "Content-Location"
	HeaderContentLength            = "Content-Length"
	HeaderFetchTimeout             = "Fetch-Timeout"
	HeaderCacheControl             = "Cache-Control"
	HeaderLoggingTag               = "Logging-Tag"
	HeaderSetCookie                = "Set-Cookie"
	HeaderVendorSpecificParameters = "Vendor-Specific-Parameters"
)

// Header fields of the speechsynth resource, RFC 6787 section 8.4.
// Completion-Cause, Completion-Reason, Speech-Language, Failed-URI and
// Failed-URI-Cause are shared with speechrecog.
const (
	HeaderJumpSize           = "Jump-Size"
	HeaderKillOnBargeIn      = "Kill-On-Barge-In"
	HeaderSpeakerProfile     = "Speaker-Profile"
	HeaderCompletionCause    = "Completion-Cause"
	HeaderCompletionReason   = "Completion-Reason"
	HeaderVoiceGender        = "Voice-Gender"
	HeaderVoiceAge           = "Voice-Age"
	HeaderVoiceVariant       = "Voice-Variant"
	HeaderVoiceName          = "Voice-Name"
	HeaderProsodyVolume      = "Prosody-Volume"
	HeaderProsodyRate        = "Prosody-Rate"
	HeaderSpeechMarker       = "Speech-Marker"
	HeaderSpeechLanguage     = "Speech-Language"
	HeaderFetchHint          = "Fetch-Hint"
	HeaderAudioFetchHint     = "Audio-Fetch-Hint"
	HeaderFailedURI          = "Failed-URI"
	HeaderFailedURICause     = "Failed-URI-Cause"
	HeaderSpeakRestart       = "Speak-Restart"
	HeaderSpeakLength        = "Speak-Length"
	HeaderLoadLexicon        = "Load-Lexicon"
	HeaderLexiconSearchOrder = "Lexicon-Search-Order"
)

// Header fields of the speechrecog resource, RFC 6787 section 9.4.
// Timeouts and durations are in milliseconds; read them with
// Header.Duration.
const (
	HeaderConfidenceThreshold            = "Confidence-Threshold"
	HeaderSensitivityLevel               = "Sensitivity-Level"
	HeaderSpeedVsAccuracy                = "Speed-Vs-Accuracy"
	HeaderNBestListLength                = "N-Best-List-Length"
	HeaderInputType                      = "Input-Type"
	HeaderNoInputTimeout                 = "No-Input-Timeout"
	HeaderRecognitionTimeout             = "Recognition-Timeout"
	HeaderWaveformURI                    = "Waveform-URI"
	HeaderMediaType                      = "Media-Type"
	HeaderInputWaveformURI               = "Input-Waveform-URI"
	HeaderRecognizerContextBlock         = "Recognizer-Context-Block"
	HeaderStartInputTimers               = "Start-Input-Timers"
	HeaderSpeechCompleteTimeout          = "Speech-Complete-Timeout"
	HeaderSpeechIncompleteTimeout        = "Speech-Incomplete-Timeout"
	HeaderDTMFInterdigitTimeout          = "DTMF-Interdigit-Timeout"
	HeaderDTMFTermTimeout                = "DTMF-Term-Timeout"
	HeaderDTMFTermChar                   = "DTMF-Term-Char"
	HeaderSaveWaveform                   = "Save-Waveform"
	HeaderNewAudioChannel                = "New-Audio-Channel"
	HeaderVerBufferUtterance             = "Ver-Buffer-Utterance"
	HeaderRecognitionMode                = "Recognition-Mode"
	HeaderCancelIfQueue                  = "Cancel-If-Queue"
	HeaderHotwordMaxDuration             = "Hotword-Max-Duration"
	HeaderHotwordMinDuration             = "Hotword-Min-Duration"
	HeaderInterpretText                  = "Interpret-Text"
	HeaderDTMFBufferTime                 = "DTMF-Buffer-Time"
	HeaderClearDTMFBuffer                = "Clear-DTMF-Buffer"
	HeaderEarlyNoMatch                   = "Early-No-Match"
	HeaderNumMinConsistentPronunciations = "Num-Min-Consistent-Pronunciations"
	HeaderConsistencyThreshold           = "Consistency-Threshold"
	HeaderClashThreshold                 = "Clash-Threshold"
	HeaderPersonalGrammarURI             = "Personal-Grammar-URI"
	HeaderEnrollUtterance                = "Enroll-Utterance"
	HeaderPhraseID                       = "Phrase-Id"
	HeaderPhraseNL                       = "Phrase-NL"
	HeaderWeight                         = "Weight"
	HeaderSaveBestWaveform               = "Save-Best-Waveform"
	HeaderNewPhraseID                    = "New-Phrase-Id"
	HeaderConfusablePhrasesURI           = "Confusable-Phrases-URI"
	HeaderAbortPhraseEnrollment          = "Abort-Phrase-Enrollment"
)
