package ssml

// normalize renders the text of a <say-as> for speaking in lang.
func normalize(lang string, sa SayAs, text string) string {
	return text
}
