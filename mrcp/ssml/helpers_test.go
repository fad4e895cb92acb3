package ssml

import (
	"fmt"
	"strings"
	"testing"
)

// speak wraps body in an SSML 1.1 <speak> in en-US.
func speak(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">` + body + `</speak>`
}

// describe writes an item compactly: its kind and content, then the
// settings that differ from en-US, no voice and the default prosody.
func describe(it Item) string {
	var s string
	switch it.Kind {
	case Text:
		s = "text:" + it.Text
	case Break:
		s = "break:" + it.Break.String()
	case Mark:
		s = "mark:" + it.Name
	case Audio:
		s = "audio:" + it.Name + "|" + it.Text
	default:
		s = it.Kind.String()
	}
	var extra []string
	if it.Lang != "en-US" {
		extra = append(extra, "lang="+it.Lang)
	}
	if it.Voice != (Voice{}) {
		extra = append(extra, fmt.Sprintf("voice=%s/%s/%d/%d", it.Voice.Name, it.Voice.Gender, it.Voice.Age, it.Voice.Variant))
	}
	p := it.Prosody
	for _, f := range []struct {
		name string
		v    float64
	}{{"rate", p.Rate}, {"pitch", p.Pitch}, {"range", p.Range}, {"volume", p.Volume}} {
		if f.v != 1 {
			extra = append(extra, fmt.Sprintf("%s=%.3g", f.name, f.v))
		}
	}
	if it.SayAs != (SayAs{}) {
		extra = append(extra, "sayas="+it.SayAs.InterpretAs)
	}
	if len(extra) > 0 {
		s += " [" + strings.Join(extra, " ") + "]"
	}
	return s
}

func describeAll(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = describe(it)
	}
	return out
}

func mustParse(t *testing.T, body string) *Document {
	t.Helper()
	d, err := Parse(ContentTypeSSML, []byte(body))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, body)
	}
	return d
}
