package ssml

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
)

func TestPlainText(t *testing.T) {
	d := mustParse(t, speak(`<p>Hello <emphasis>big</emphasis> world.</p><break time="1s"/><mark name="m"/>`+
		`<audio src="a.wav">chime</audio><p>Room <say-as interpret-as="cardinal">12</say-as></p>`))
	if got, want := d.PlainText(), "Hello big world. chime Room twelve"; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
	if got := (&Document{}).PlainText(); got != "" {
		t.Errorf("empty PlainText = %q", got)
	}
}

func TestAppendKey(t *testing.T) {
	base := speak(`Hello <prosody rate="fast">world</prosody><break time="1s"/><mark name="m"/>`)
	key := func(body string) []byte {
		return mustParse(t, body).AppendKey(nil)
	}
	k := key(base)
	if !bytes.Equal(k, key(base)) {
		t.Fatal("key differs between two parses")
	}
	// What does not change the audio does not change the key.
	for _, same := range []string{
		speak(`Hello   <prosody rate="+50%">world</prosody><break time="1000ms"/><mark name="m"/>`),
		`<?xml version="1.0"?><!-- c --><speak xml:lang="en-US" version="1.0">Hello <prosody rate="1.5">world</prosody><break time="1s"/><mark name="m"/></speak>`,
	} {
		if !bytes.Equal(k, key(same)) {
			t.Errorf("key differs for\n%s", same)
		}
	}
	// What does change it does.
	for _, other := range []string{
		speak(`Hello <prosody rate="x-fast">world</prosody><break time="1s"/><mark name="m"/>`),
		speak(`Hello <prosody rate="fast">world</prosody><break time="2s"/><mark name="m"/>`),
		speak(`Hello <prosody rate="fast">world</prosody><break time="1s"/><mark name="n"/>`),
		speak(`Hello <prosody rate="fast">World</prosody><break time="1s"/><mark name="m"/>`),
		speak(`Hello <prosody rate="fast" pitch="high">world</prosody><break time="1s"/><mark name="m"/>`),
		speak(`<voice gender="female">Hello <prosody rate="fast">world</prosody><break time="1s"/><mark name="m"/></voice>`),
		speak(`Hello <prosody rate="fast">world</prosody><mark name="m"/><break time="1s"/>`),
		`<speak xml:lang="en-GB">Hello <prosody rate="fast">world</prosody><break time="1s"/><mark name="m"/></speak>`,
	} {
		if bytes.Equal(k, key(other)) {
			t.Errorf("same key for\n%s", other)
		}
	}
	// Field boundaries are encoded: moving text between fields changes it.
	a := &Document{Items: []Item{{Kind: Text, Text: "ab", Prosody: DefaultProsody}}}
	b := &Document{Items: []Item{{Kind: Text, Text: "a", Name: "b", Prosody: DefaultProsody}}}
	if bytes.Equal(a.AppendKey(nil), b.AppendKey(nil)) {
		t.Error("text and name run together in the key")
	}
	// The encoding is stable across releases: a changed golden value
	// means every cache key changes, so bump keyVersion deliberately.
	g := &Document{Lang: "en", Items: []Item{
		{Kind: Text, Text: "hi", Lang: "en", Voice: Voice{Name: "slt", Gender: "female", Age: 30, Variant: 2}, Prosody: DefaultProsody},
		{Kind: Break, Break: 250 * time.Millisecond, Prosody: Prosody{Rate: 2, Pitch: 1, Range: 1, Volume: 0.5}},
	}}
	const golden = "73736d6c2d6b65792d3100" + "02656e" + "02" +
		"01" + "026869" + "00" + "00" + "02656e" + "03736c74" + "0666656d616c65" + "3c" + "04" +
		"3ff0000000000000" + "3ff0000000000000" + "3ff0000000000000" + "3ff0000000000000" +
		"02" + "00" + "80cab5ee01" + "00" + "00" + "00" + "00" + "00" + "00" +
		"4000000000000000" + "3ff0000000000000" + "3ff0000000000000" + "3fe0000000000000"
	if got := hex.EncodeToString(g.AppendKey(nil)); got != golden {
		t.Errorf("key\n got %s\nwant %s", got, golden)
	}
	prefix := []byte("cache:")
	if out := g.AppendKey(prefix); !bytes.HasPrefix(out, []byte("cache:ssml-key-1")) {
		t.Errorf("AppendKey does not append: %q", out)
	}
}

func TestProsodyMul(t *testing.T) {
	p := Prosody{Rate: 2, Pitch: 0.5, Range: 1.5, Volume: 0}
	q := Prosody{Rate: 0.5, Pitch: 2, Range: 2, Volume: 3}
	if got, want := p.Mul(q), (Prosody{Rate: 1, Pitch: 1, Range: 3, Volume: 0}); got != want {
		t.Errorf("Mul = %+v, want %+v", got, want)
	}
	if got := p.Mul(DefaultProsody); got != p {
		t.Errorf("Mul(DefaultProsody) = %+v", got)
	}
}
