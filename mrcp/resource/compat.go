package resource

// VoiceSelection stands in for speech.VoiceSelection until the speech
// registry lands. TEMPORARY.
type VoiceSelection struct {
	Name, Language, Gender string
	Age                    int
	Engine                 string
}
