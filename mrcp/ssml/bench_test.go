package ssml

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// benchPrompt is a typical bot prompt: a few sentences, a pause, a mark,
// emphasis and prosody, and say-as of a date, money and a telephone
// number.
const benchPrompt = `<?xml version="1.0" encoding="UTF-8"?>
<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">
  <p>
    <s>Thank you for calling Parley Telecom.</s>
    <s>Your last payment of <say-as interpret-as="currency">$42.50</say-as> was received on
       <say-as interpret-as="date" format="mdy">11/21/2026</say-as>.</s>
  </p>
  <break time="300ms"/>
  <mark name="menu"/>
  <p>
    <s>To speak to an agent, say <emphasis level="strong">agent</emphasis>.</s>
    <s><prosody rate="-10%" pitch="+1st">Or call us back at
       <say-as interpret-as="telephone">+1 (555) 123-4567</say-as>.</prosody></s>
  </p>
</speak>`

func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name, ct, body string
	}{
		{"prompt", ContentTypeSSML, benchPrompt},
		{"plain", ContentTypePlain, "Thank you for calling Parley Telecom. Your last payment was received."},
		{"long", ContentTypeSSML, "<speak>" + strings.Repeat(`<s>Sentence <emphasis>with</emphasis> <say-as interpret-as="cardinal">123</say-as> words.</s>`, 200) + "</speak>"},
	}
	for _, c := range cases {
		body := []byte(c.body)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Parse(c.ct, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkXMLTokens is the floor under Parse: encoding/xml's Token loop
// alone over the same prompt.
func BenchmarkXMLTokens(b *testing.B) {
	body := []byte(benchPrompt)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(body))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkAppendKey(b *testing.B) {
	d, err := Parse(ContentTypeSSML, []byte(benchPrompt))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		buf = d.AppendKey(buf[:0])
	}
}

func BenchmarkNormalize(b *testing.B) {
	for _, c := range []struct{ ia, in string }{
		{"cardinal", "1,234,567.89"}, {"date", "12/25/2023"}, {"currency", "$12.50"}, {"telephone", "+1 (555) 123-4567"},
	} {
		b.Run(c.ia, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				normalize("en-US", SayAs{InterpretAs: c.ia}, c.in)
			}
		})
	}
}
