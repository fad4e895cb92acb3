package ssml

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	`<speak xml:lang="en-US"><p><s>Hello <emphasis>big</emphasis> world.</s></p></speak>`,
	`<speak><break time="500ms"/><break strength="x-strong"/><mark name="a"/><audio src="x.wav">fall<desc>d</desc>back</audio></speak>`,
	`<speak><prosody rate="+10%" pitch="+2st" range="-10%" volume="+6dB"><prosody rate="x-slow" pitch="200Hz" volume="50">x</prosody></prosody></speak>`,
	`<speak><voice name="a b" gender="female" age="30" variant="2" xml:lang="en-GB"><voice age="5">v</voice></voice></speak>`,
	`<speak><say-as interpret-as="cardinal">-1,234.5</say-as> <say-as interpret-as="ordinal">21st</say-as> <say-as interpret-as="digits">0123</say-as></speak>`,
	`<speak><say-as interpret-as="date" format="dmy">25/12/1999</say-as><say-as interpret-as="time" format="hms12">15:45:10</say-as></speak>`,
	`<speak><say-as interpret-as="telephone">+1 (555) 123-4567 x89</say-as><say-as interpret-as="currency">USD 12.50</say-as></speak>`,
	`<speak xml:lang="fr"><say-as interpret-as="characters">AB 12</say-as><lang xml:lang="en">7</lang></speak>`,
	`<speak><sub alias="x">y</sub><phoneme ph="p">q</phoneme><token>t</token><w>w</w><foo>bar</foo><meta name="a"/></speak>`,
	`<!DOCTYPE speak PUBLIC "-//W3C//DTD SYNTHESIS 1.0//EN" "synthesis.dtd"><speak>a<![CDATA[b]]>&amp;&#65;</speak>`,
	`<speak><audio src="a"><say-as interpret-as="cardinal">3</say-as><audio src="b">c</audio></audio>.</speak>`,
}

// FuzzParse checks that Parse never panics, fails only with its sentinels
// (syntax errors as *SyntaxError with a position), and that a document it
// returns keeps the invariants engines rely on.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, false)
	}
	f.Add("plain text  here", true)
	f.Fuzz(func(t *testing.T, body string, plain bool) {
		ct := ContentTypeSSML
		if plain {
			ct = ContentTypePlain
		}
		d, err := Parse(ct, []byte(body))
		if err != nil {
			if d != nil {
				t.Fatalf("document and error %v", err)
			}
			var se *SyntaxError
			switch {
			case errors.Is(err, ErrTooLarge):
			case errors.As(err, &se):
				if se.Line < 1 || se.Col < 1 || se.Msg == "" {
					t.Fatalf("bad SyntaxError %+v", se)
				}
			default:
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		checkDocument(t, d)
	})
}

func checkDocument(t *testing.T, d *Document) {
	t.Helper()
	if len(d.Items) > MaxItems {
		t.Fatalf("%d items", len(d.Items))
	}
	for i, it := range d.Items {
		switch it.Kind {
		case Text:
			if it.Text == "" || it.Text != collapse(it.Text) {
				t.Fatalf("item %d: text %q not collapsed", i, it.Text)
			}
			if i > 0 {
				p := d.Items[i-1]
				if p.Kind == Text && p.Lang == it.Lang && p.Voice == it.Voice && p.Prosody == it.Prosody {
					t.Fatalf("items %d and %d not merged", i-1, i)
				}
			}
		case Break:
			if it.Break <= 0 || it.Break > MaxBreak {
				t.Fatalf("item %d: break %v", i, it.Break)
			}
		case Mark, Audio:
		default:
			t.Fatalf("item %d: kind %v", i, it.Kind)
		}
		p := it.Prosody
		for _, f := range []float64{p.Rate, p.Pitch, p.Range, p.Volume} {
			if math.IsNaN(f) || f < 0 || f > maxFactor {
				t.Fatalf("item %d: prosody %+v", i, p)
			}
		}
		if p.Rate < minFactor || p.Pitch < minFactor {
			t.Fatalf("item %d: prosody %+v", i, p)
		}
	}
	_ = d.PlainText()
	if k := d.AppendKey(nil); !bytes.Equal(k, d.AppendKey(nil)) || !strings.HasPrefix(string(k), keyVersion) {
		t.Fatal("key not stable")
	}
}

// FuzzNormalize runs every say-as expansion on arbitrary text: it must
// not panic, must keep valid UTF-8 valid, and must not return white space
// at its ends.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"12/25/2023", "3:45pm", "+1 (555) 123-4567 x12", "$1,000.50", "USD 3", "21st", "-1.5%", "a.b@c", "£0.01"} {
		f.Add(s, "")
	}
	f.Add("2024-01-02", "ymd")
	f.Add("15:00", "hms24")
	f.Fuzz(func(t *testing.T, text, format string) {
		text = collapse(text)
		for _, ia := range []string{"characters", "digits", "cardinal", "ordinal", "date", "time", "telephone", "currency", "number"} {
			for _, lang := range []string{"en-US", "en-GB", "fr"} {
				out := normalize(lang, SayAs{InterpretAs: ia, Format: format}, text)
				if utf8Valid(text) && !utf8Valid(out) {
					t.Fatalf("%s %s %q -> invalid UTF-8 %q", lang, ia, text, out)
				}
				if out != strings.TrimSpace(out) {
					t.Fatalf("%s %s %q -> %q has white space at its ends", lang, ia, text, out)
				}
			}
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
