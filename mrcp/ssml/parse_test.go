package ssml

import (
	"reflect"
	"testing"
	"time"
)

func TestElements(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"text collapsed", "  Hello \n\t world  ", []string{"text:Hello world"}},
		{"empty", "  ", []string{}},
		{"CDATA and entities join", "a<![CDATA[b<]]>c &amp; d&#x41;", []string{"text:ab<c & dA"}},
		{"comments and processing instructions", "a<!-- no -->b<?pi x?>c", []string{"text:abc"}},
		{"sentences", "<s>One.</s><s>Two.</s>", []string{"text:One.", "break:500ms", "text:Two."}},
		{"long forms", "<paragraph><sentence>One.</sentence></paragraph><paragraph>Two.</paragraph>", []string{"text:One.", "break:800ms", "text:Two."}},
		{"paragraph beats sentence", "<p><s>A</s></p><p><s>B</s></p>", []string{"text:A", "break:800ms", "text:B"}},
		{"text around sentence", "Hi <s>there</s> you", []string{"text:Hi", "break:500ms", "text:there", "break:500ms", "text:you"}},
		{"no boundary at the ends", "<p><s>Only</s></p>", []string{"text:Only"}},
		{"break time ms", "a<break time=\"250ms\"/>b", []string{"text:a", "break:250ms", "text:b"}},
		{"break time s", "a<break time=\"2s\"/>b", []string{"text:a", "break:2s", "text:b"}},
		{"break fractional", "a<break time=\"1.5s\"/>b<break time=\" .5s \"/>c", []string{"text:a", "break:1.5s", "text:b", "break:500ms", "text:c"}},
		{"break capped", "a<break time=\"3600s\"/>", []string{"text:a", "break:1m0s"}},
		{"break strengths", `<break strength="x-weak"/><break strength="weak"/><break strength="medium"/><break strength="strong"/><break strength="x-strong"/>`,
			[]string{"break:100ms", "break:200ms", "break:300ms", "break:500ms", "break:800ms"}},
		{"break default medium", "a<break/>b", []string{"text:a", "break:300ms", "text:b"}},
		{"break time wins", `a<break time="1s" strength="weak"/>b`, []string{"text:a", "break:1s", "text:b"}},
		{"bad time falls back to strength", `a<break time="soon" strength="weak"/>b<break time="-1s"/>c`, []string{"text:a", "break:200ms", "text:b", "break:300ms", "text:c"}},
		{"break none joins", `a <break strength="none"/> b<break time="0ms"/>c`, []string{"text:a bc"}},
		{"break replaces sentence pause", `<s>A</s><break time="2s"/><s>B</s>`, []string{"text:A", "break:2s", "text:B"}},
		{"mark", `Hello <mark name="m1"/>world<mark name="end"/>`, []string{"text:Hello", "mark:m1", "text:world", "mark:end"}},
		{"sub", `<sub alias="World Wide Web Consortium">W3C</sub> rules`, []string{"text:World Wide Web Consortium rules"}},
		{"sub without alias", `<sub>W3C</sub>`, []string{"text:W3C"}},
		{"phoneme", `say <phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme> please`, []string{"text:say tomato please"}},
		{"audio", `<audio src="http://x/a.wav">Sorry, <desc>a chime</desc>no audio</audio>`, []string{"audio:http://x/a.wav|Sorry, no audio"}},
		{"audio splits text", `a<audio src="b.wav"/>c`, []string{"text:a", "audio:b.wav|", "text:c"}},
		{"audio fallback with say-as and break", `<audio src="b.wav">Room <say-as interpret-as="cardinal">12</say-as><break/>now<mark name="x"/></audio>`, []string{"audio:b.wav|Room twelve now"}},
		{"audio without src speaks content", `<audio>hello</audio>`, []string{"text:hello"}},
		{"token and w", `<token>New</token> <w>York</w>`, []string{"text:New York"}},
		{"lang", `Hello <lang xml:lang="fr-FR">bonjour</lang>`, []string{"text:Hello", "text:bonjour [lang=fr-FR]"}},
		{"xml:lang on s", `<s xml:lang="de">Hallo</s>`, []string{"text:Hallo [lang=de]"}},
		{"unknown elements keep content", `<foo:bar xmlns:foo="urn:x">inside</foo:bar> <amazon:effect xmlns:amazon="urn:a" name="whispered">psst</amazon:effect>`, []string{"text:inside psst"}},
		{"metadata not spoken", `<meta name="a" content="b"/><metadata><x>secret</x></metadata><lexicon uri="l.pls"/>spoken`, []string{"text:spoken"}},
		{"desc outside audio not spoken", `a<desc>b</desc>c`, []string{"text:ac"}},
		{"lookup", `<lookup ref="x">word</lookup>`, []string{"text:word"}},
		{"nested speak", `<speak xml:lang="fr">x</speak>`, []string{"text:x [lang=fr]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, speak(tc.body))
			got := describeAll(d.Items)
			if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
				t.Errorf("items\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestProsody(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"rate labels", `<prosody rate="x-slow">a</prosody><prosody rate="slow">b</prosody><prosody rate="medium">c</prosody><prosody rate="fast">d</prosody><prosody rate="x-fast">e</prosody>`,
			[]string{"text:a [rate=0.5]", "text:b [rate=0.75]", "text:c", "text:d [rate=1.5]", "text:e [rate=2]"}},
		{"rate percent", `<prosody rate="+10%">a</prosody><prosody rate="-20%">b</prosody> <prosody rate="80%">c</prosody>`,
			[]string{"text:a [rate=1.1]", "text:b c [rate=0.8]"}},
		{"rate multiplier", `<prosody rate="1.5">a</prosody> <prosody rate="+0.5">b</prosody>`, []string{"text:a b [rate=1.5]"}},
		{"nested rates compose", `<prosody rate="+10%">a<prosody rate="200%">b<prosody rate="0.5">c</prosody></prosody></prosody>`,
			[]string{"text:a [rate=1.1]", "text:b [rate=2.2]", "text:c [rate=1.1]"}},
		{"label resets nesting", `<prosody rate="x-fast"><prosody rate="slow">a</prosody><prosody rate="default">b</prosody></prosody>`,
			[]string{"text:a [rate=0.75]", "text:b"}},
		{"pitch labels", `<prosody pitch="x-low">a</prosody><prosody pitch="low">b</prosody><prosody pitch="high">c</prosody><prosody pitch="x-high">d</prosody>`,
			[]string{"text:a [pitch=0.707]", "text:b [pitch=0.841]", "text:c [pitch=1.19]", "text:d [pitch=1.41]"}},
		{"pitch relative", `<prosody pitch="+2st">a</prosody><prosody pitch="-10%">b</prosody><prosody pitch="+24Hz">c</prosody><prosody pitch="240Hz">d</prosody><prosody pitch="-12st">e</prosody>`,
			[]string{"text:a [pitch=1.12]", "text:b [pitch=0.9]", "text:c [pitch=1.2]", "text:d [pitch=2]", "text:e [pitch=0.5]"}},
		{"pitch nested", `<prosody pitch="+12st"><prosody pitch="+12st">a</prosody></prosody>`, []string{"text:a [pitch=4]"}},
		{"range", `<prosody range="x-high">a</prosody><prosody range="-50%">b</prosody>`, []string{"text:a [range=1.41]", "text:b [range=0.5]"}},
		{"volume labels", `<prosody volume="silent">a</prosody><prosody volume="x-soft">b</prosody><prosody volume="soft">c</prosody><prosody volume="loud">d</prosody><prosody volume="x-loud">e</prosody>`,
			[]string{"text:a [volume=0]", "text:b [volume=0.25]", "text:c [volume=0.5]", "text:d [volume=1.5]", "text:e [volume=2]"}},
		{"volume dB and numbers", `<prosody volume="+6dB">a</prosody><prosody volume="-6dB">b</prosody><prosody volume="50">c</prosody><prosody volume="50"><prosody volume="+10">d</prosody></prosody>`,
			[]string{"text:a [volume=2]", "text:b [volume=0.501]", "text:c [volume=0.5]", "text:d [volume=0.6]"}},
		{"volume nested multiplies", `<prosody volume="+6dB"><prosody volume="+6dB">a</prosody></prosody>`, []string{"text:a [volume=3.98]"}},
		{"clamped", `<prosody rate="1000%"><prosody rate="1000%">a</prosody></prosody><prosody rate="-100%">b</prosody>`, []string{"text:a [rate=10]", "text:b [rate=0.1]"}},
		{"bad values ignored", `<prosody rate="quick" pitch="+x st" volume="loudest" range="1e400">a</prosody>`, []string{"text:a"}},
		{"several attributes", `<prosody rate="slow" pitch="high" volume="soft">a</prosody>`, []string{"text:a [rate=0.75 pitch=1.19 volume=0.5]"}},
		{"emphasis default moderate", `<emphasis>a</emphasis>`, []string{"text:a [rate=0.95 pitch=1.05 range=1.15 volume=1.2]"}},
		{"emphasis levels", `<emphasis level="strong">a</emphasis><emphasis level="reduced">b</emphasis><emphasis level="none">c</emphasis> <emphasis level="odd">d</emphasis>`,
			[]string{"text:a [rate=0.9 pitch=1.1 range=1.3 volume=1.4]", "text:b [rate=1.05 pitch=0.95 range=0.8 volume=0.8]", "text:c d"}},
		{"emphasis inside prosody", `<prosody rate="2"><emphasis level="strong">a</emphasis></prosody>`, []string{"text:a [rate=1.8 pitch=1.1 range=1.3 volume=1.4]"}},
		{"punctuation stays on the word", `say <emphasis>agent</emphasis>. Then <prosody rate="fast">go</prosody>!) now`,
			[]string{"text:say", "text:agent. [rate=0.95 pitch=1.05 range=1.15 volume=1.2]", "text:Then", "text:go!) [rate=1.5]", "text:now"}},
		{"punctuation after a sentence is not moved", `<s><emphasis>a</emphasis></s>.`,
			[]string{"text:a [rate=0.95 pitch=1.05 range=1.15 volume=1.2]", "break:500ms", "text:."}},
		{"same settings merge", `a <prosody rate="100%">b</prosody> c`, []string{"text:a b c"}},
		{"different settings split", `a <prosody rate="fast">b</prosody> c`, []string{"text:a", "text:b [rate=1.5]", "text:c"}},
		{"break takes the prosody", `<prosody rate="fast"><break time="1s"/></prosody>`, []string{"break:1s [rate=1.5]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := describeAll(mustParse(t, speak(tc.body)).Items)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("items\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestVoice(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"name list takes the first", `<voice name="kal awb slt">a</voice>`, []string{"text:a [voice=kal//0/0]"}},
		{"attributes", `<voice gender="Female" age="30" variant="2">a</voice>`, []string{"text:a [voice=/female/30/2]"}},
		{"xml:lang", `<voice xml:lang="en-GB" gender="male">a</voice>`, []string{"text:a [lang=en-GB voice=/male/0/0]"}},
		{"nested overrides", `<voice name="slt" gender="female">a<voice name="kal">b</voice><voice age="60">c</voice></voice>`,
			[]string{"text:a [voice=slt/female/0/0]", "text:b [voice=kal/female/0/0]", "text:c [voice=/female/60/0]"}},
		{"nested name keeps gender", `<voice gender="male"><voice name="x">a</voice></voice>`, []string{"text:a [voice=x/male/0/0]"}},
		{"bad values ignored", `<voice gender="robot" age="-3" variant="zero">a</voice>`, []string{"text:a"}},
		{"mark carries voice", `<voice name="slt"><mark name="m"/></voice>`, []string{"mark:m [voice=slt//0/0]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := describeAll(mustParse(t, speak(tc.body)).Items)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("items\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSayAsInContext(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"alone keeps SayAs", `<say-as interpret-as="digits">123</say-as>`, []string{"text:one two three [sayas=digits]"}},
		{"merged with words", `Call <say-as interpret-as="telephone">555-1234</say-as> now`, []string{"text:Call five five five, one two three four now"}},
		{"two say-as", `<say-as interpret-as="cardinal">1</say-as><say-as interpret-as="cardinal">2</say-as>`, []string{"text:one two"}},
		{"SSML 1.0 number format", `<say-as interpret-as="number" format="ordinal">3</say-as>`, []string{"text:third [sayas=number]"}},
		{"French spells symbols", `<s xml:lang="fr-FR"><say-as interpret-as="characters">AB 12</say-as> <say-as interpret-as="cardinal">123</say-as></s>`, []string{"text:A B 1 2 123 [lang=fr-FR]"}},
		{"British date order", `<s xml:lang="en-GB"><say-as interpret-as="date">04/07/2024</say-as></s>`, []string{"text:the fourth of July twenty twenty four [lang=en-GB sayas=date]"}},
		{"American date order", `<say-as interpret-as="date">04/07/2024</say-as>`, []string{"text:April seventh, twenty twenty four [sayas=date]"}},
		{"unknown interpret-as as written", `<say-as interpret-as="address">1 Main St</say-as>`, []string{"text:1 Main St [sayas=address]"}},
		{"empty say-as", `a<say-as interpret-as="digits"> </say-as>b`, []string{"text:a b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := describeAll(mustParse(t, speak(tc.body)).Items)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("items\n got %q\nwant %q", got, tc.want)
			}
		})
	}
	d := mustParse(t, speak(`Call <say-as interpret-as="digits" format="x" detail="y">42</say-as>`))
	if len(d.Items) != 1 || d.Items[0].Source != "Call 42" {
		t.Errorf("Source = %+v", d.Items)
	}
	d = mustParse(t, speak(`<say-as interpret-as="digits" format="f" detail="d">42</say-as>`))
	if want := (SayAs{InterpretAs: "digits", Format: "f", Detail: "d"}); d.Items[0].SayAs != want || d.Items[0].Source != "42" {
		t.Errorf("item = %+v", d.Items[0])
	}
	d = mustParse(t, speak(`<sub alias="Doctor">Dr.</sub>`))
	if d.Items[0].Source != "Dr." || d.Items[0].Text != "Doctor" {
		t.Errorf("sub item = %+v", d.Items[0])
	}
}

func TestContentTypes(t *testing.T) {
	for _, ct := range []string{"application/ssml+xml", "Application/SSML+XML; charset=UTF-8", " application/ssml+xml ", "application/synthesis+ssml"} {
		d, err := Parse(ct, []byte(speak("hi")))
		if err != nil || d.PlainText() != "hi" {
			t.Errorf("Parse(%q) = %v, %v", ct, d, err)
		}
	}
	d, err := Parse("text/plain; charset=utf-8", []byte("  Hello,\r\n  <world> &amp; \xff "))
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{{Kind: Text, Text: "Hello, <world> &amp; \uFFFD", Source: "Hello, <world> &amp; \uFFFD", Prosody: DefaultProsody}}
	if !reflect.DeepEqual(d.Items, want) || d.Lang != "" {
		t.Errorf("text/plain = %+v", d)
	}
	if d, err := Parse("text/plain", []byte(" \n ")); err != nil || len(d.Items) != 0 {
		t.Errorf("blank text/plain = %+v, %v", d, err)
	}
	d, err = ParseLang("text/plain", []byte("Bonjour"), "fr-FR")
	if err != nil || d.Lang != "fr-FR" || d.Items[0].Lang != "fr-FR" {
		t.Errorf("ParseLang text/plain = %+v, %v", d, err)
	}
}

func TestLanguage(t *testing.T) {
	d := mustParse(t, `<speak><say-as interpret-as="cardinal">7</say-as></speak>`)
	if d.Lang != "" || d.PlainText() != "seven" || d.Items[0].Lang != "" {
		t.Errorf("no xml:lang: %+v", d)
	}
	d, err := ParseLang(ContentTypeSSML, []byte(`<speak><say-as interpret-as="cardinal">7</say-as><s xml:lang="en">7</s></speak>`), "de-DE")
	if err != nil {
		t.Fatal(err)
	}
	if got := describeAll(d.Items); d.Lang != "de-DE" || !reflect.DeepEqual(got, []string{"text:7 [lang=de-DE sayas=cardinal]", "break:500ms [lang=en]", "text:7 [lang=en]"}) {
		t.Errorf("default de-DE: %q %q", d.Lang, got)
	}
	d, err = ParseLang(ContentTypeSSML, []byte(`<speak xml:lang="en-AU"><say-as interpret-as="cardinal">7</say-as></speak>`), "de-DE")
	if err != nil || d.Lang != "en-AU" || d.PlainText() != "seven" {
		t.Errorf("xml:lang over default: %+v %v", d, err)
	}
}

func TestRFC6787Example(t *testing.T) {
	// The SPEAK body of RFC 6787 section 8.5 (as remembered; the RFC's
	// example differs in white space at most).
	body := `<?xml version="1.0"?>
<speak version="1.0"
       xmlns="http://www.w3.org/2001/10/synthesis"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.w3.org/TR/speech-synthesis/synthesis.xsd"
       xml:lang="en-US">
  <p>
    <s>You have 4 new messages.</s>
    <s>The first is from Stephanie Williams and arrived at
       <break/>
       <say-as interpret-as="vxml:time">0342p</say-as>.
    </s>
    <s>The subject is
       <prosody rate="-20%">ski trip</prosody>
    </s>
  </p>
</speak>`
	d := mustParse(t, body)
	want := []string{
		"text:You have 4 new messages.", "break:500ms",
		"text:The first is from Stephanie Williams and arrived at", "break:300ms",
		"text:0342p.", "break:500ms",
		"text:The subject is", "text:ski trip [rate=0.8]",
	}
	if got := describeAll(d.Items); !reflect.DeepEqual(got, want) {
		t.Errorf("items\n got %q\nwant %q", got, want)
	}
}

func TestBreakDurations(t *testing.T) {
	for s, want := range map[Strength]time.Duration{None: 0, XWeak: 100 * time.Millisecond, Weak: 200 * time.Millisecond, Medium: 300 * time.Millisecond, Strong: 500 * time.Millisecond, XStrong: 800 * time.Millisecond, 0: 0, 99: 0} {
		if got := s.Duration(); got != want {
			t.Errorf("%v.Duration() = %v, want %v", s, got, want)
		}
	}
	if Strong.String() != "strong" || Strength(99).String() != "Strength(99)" {
		t.Errorf("Strength.String: %q %q", Strong, Strength(99))
	}
	if Text.String() != "text" || Audio.String() != "audio" || Kind(0).String() != "Kind(0)" {
		t.Errorf("Kind.String: %q %q %q", Text, Audio, Kind(0))
	}
}
