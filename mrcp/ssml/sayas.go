package ssml

import (
	"strings"
	"unicode"
)

// normalize renders the text of a <say-as> for speaking in lang: in
// English, expanded into words; in other languages, characters and digits
// as space-separated symbols and the rest as written. Text that does not
// read as the type says is left as written.
func normalize(lang string, sa SayAs, text string) string {
	if text == "" {
		return ""
	}
	ia := strings.ToLower(sa.InterpretAs)
	format := strings.ToLower(sa.Format)
	if ia == "number" || ia == "cardinal" {
		// SSML 1.0 style: interpret-as="number" format="ordinal".
		switch format {
		case "ordinal", "digits", "telephone":
			ia, format = format, ""
		}
	}
	if !isEnglish(lang) {
		switch ia {
		case "characters", "spell-out", "letters", "verbatim", "digits":
			return symbols(text)
		}
		return text
	}
	switch ia {
	case "characters", "spell-out", "letters", "verbatim":
		return spell(text)
	case "digits":
		return digitWords(text)
	case "cardinal", "number":
		return numbersIn(text)
	case "ordinal":
		if w, ok := ordinalWords(text); ok {
			return w
		}
		return numbersIn(text)
	case "date":
		if w, ok := dateWords(text, format, lang); ok {
			return w
		}
	case "time":
		if w, ok := timeWords(text, format); ok {
			return w
		}
	case "telephone", "phone":
		return telephoneWords(text)
	case "currency", "money":
		if w, ok := currencyWords(text); ok {
			return w
		}
	}
	return text
}

// isEnglish reports whether a language tag is English, or absent.
func isEnglish(lang string) bool {
	l := strings.ToLower(lang)
	return l == "" || l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_")
}

// symbols writes the characters of s other than spaces separated by
// spaces: "AB 12" is "A B 1 2".
func symbols(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
