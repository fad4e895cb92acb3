package mrcp

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestHeaderOps(t *testing.T) {
	var h Header
	h.Add("Content-Type", "a")
	h.Add("X-One", "1")
	h.Add("content-TYPE", "b")
	if v, ok := h.Lookup("CONTENT-type"); !ok || v != "a" {
		t.Errorf("Lookup = %q, %v", v, ok)
	}
	if v, ok := h.Lookup("Content-Typ"); ok || v != "" {
		t.Errorf("Lookup of a missing name = %q, %v", v, ok)
	}
	h.Set("CONTENT-TYPE", "c")
	if want := (Header{{"Content-Type", "c"}, {"X-One", "1"}}); !slices.Equal(h, want) {
		t.Errorf("after Set: %q, want %q", h, want)
	}
	h.Set("X-Two", "2")
	if h.Get("x-two") != "2" || len(h) != 3 || h[2].Name != "X-Two" {
		t.Errorf("Set of a new name: %q", h)
	}
	h.Add("x-one", "again")
	h.Del("X-ONE")
	if want := (Header{{"Content-Type", "c"}, {"X-Two", "2"}}); !slices.Equal(h, want) {
		t.Errorf("after Del: %q, want %q", h, want)
	}
	if h.count("content-type") != 1 || h.Get("nothing") != "" {
		t.Errorf("count/Get")
	}
}

func TestHeaderValues(t *testing.T) {
	var h Header
	h.SetDuration(HeaderNoInputTimeout, 5*time.Second+1500*time.Microsecond)
	h.SetDuration(HeaderRecognitionTimeout, -time.Second)
	h.Add(HeaderSpeechCompleteTimeout, "0000800")
	h.Add(HeaderDTMFTermTimeout, "9223372036854")
	h.Add(HeaderDTMFInterdigitTimeout, "9223372036855")
	h.Add(HeaderHotwordMaxDuration, "1.5")
	h.SetBool(HeaderStartInputTimers, true)
	h.Add(HeaderKillOnBargeIn, "FALSE")
	h.Add(HeaderSaveWaveform, "yes")
	durations := []struct {
		name string
		want time.Duration
		err  error
	}{
		{HeaderNoInputTimeout, 5001 * time.Millisecond, nil},
		{HeaderRecognitionTimeout, 0, nil},
		{HeaderSpeechCompleteTimeout, 800 * time.Millisecond, nil},
		{HeaderDTMFTermTimeout, 9223372036854 * time.Millisecond, nil},
		{HeaderDTMFInterdigitTimeout, 0, ErrMalformed},
		{HeaderHotwordMaxDuration, 0, ErrMalformed},
		{HeaderSpeechIncompleteTimeout, 0, ErrMissingHeader},
	}
	for _, c := range durations {
		if d, err := h.Duration(c.name); d != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("Duration(%s) = %v, %v; want %v, %v", c.name, d, err, c.want, c.err)
		}
	}
	if h.Get(HeaderNoInputTimeout) != "5001" {
		t.Errorf("SetDuration wrote %q", h.Get(HeaderNoInputTimeout))
	}
	bools := []struct {
		name string
		want bool
		err  error
	}{
		{HeaderStartInputTimers, true, nil},
		{HeaderKillOnBargeIn, false, nil},
		{HeaderSaveWaveform, false, ErrMalformed},
		{HeaderEarlyNoMatch, false, ErrMissingHeader},
	}
	for _, c := range bools {
		if v, err := h.Bool(c.name); v != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("Bool(%s) = %v, %v; want %v, %v", c.name, v, err, c.want, c.err)
		}
	}
}

func TestChannelID(t *testing.T) {
	c, err := ParseChannelID("32AECB23433801@speechrecog")
	if err != nil || c.Token() != "32AECB23433801" || c.Resource() != ResourceSpeechRecog {
		t.Errorf("ParseChannelID = %q (%q, %q), %v", c, c.Token(), c.Resource(), err)
	}
	for _, bad := range []string{"", "@", "a@", "@b", "a@b@c", "a b@c", "a@speech-synth", "a@b\x00"} {
		if _, err := ParseChannelID(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseChannelID(%q) = %v, want ErrMalformed", bad, err)
		}
	}
	var m Message
	if _, err := m.Channel(); !errors.Is(err, ErrMissingHeader) {
		t.Errorf("Channel() of an empty message: %v", err)
	}
}

func TestMessageFieldAccessors(t *testing.T) {
	m := NewEvent(EventSpeakComplete, 3, StateComplete, synthChannel)
	for _, f := range []func() error{
		func() error { _, err := m.SynthCause(); return err },
		func() error { _, err := m.RecogCause(); return err },
		func() error { _, err := m.ActiveRequestIDs(); return err },
		func() error { _, err := m.ContentLength(); return err },
	} {
		if err := f(); !errors.Is(err, ErrMissingHeader) {
			t.Errorf("accessor of a missing field: %v", err)
		}
	}
	causes := []struct {
		value string
		synth SynthCause
		name  string
		err   error
	}{
		{"001 barge-in", SynthBargeIn, "barge-in", nil},
		{"007 cancelled", SynthCancelled, "cancelled", nil},
		{"000", SynthNormal, "normal", nil},
		{"042 from-the-future", 42, "", nil},
		{"1 barge-in", 0, "", ErrMalformed},
		{"0001 barge-in", 0, "", ErrMalformed},
		{"abc normal", 0, "", ErrMalformed},
		{"", 0, "", ErrMalformed},
	}
	for _, c := range causes {
		m.Header.Set(HeaderCompletionCause, c.value)
		got, err := m.SynthCause()
		if got != c.synth || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) || (err == nil && got.Name() != c.name) {
			t.Errorf("SynthCause() of %q = %v (%q), %v", c.value, got, got.Name(), err)
		}
	}
	if SynthLexiconLoadFailure.String() != "006 lexicon-load-failure" || SynthCause(8).String() != "008" {
		t.Errorf("SynthCause.String()")
	}
	for code, want := range map[RecogCause]string{
		RecogSuccess: "000 success", RecogHotwordMaxtime: "003 hotword-maxtime", RecogSuccessMaxtime: "008 success-maxtime",
		RecogGrammarDefinitionFailure: "016 grammar-definition-failure", 17: "017",
	} {
		if got := code.String(); got != want {
			t.Errorf("RecogCause(%d).String() = %q, want %q", code, got, want)
		}
	}

	m.SetActiveRequestIDs(1, 4294967295, 42)
	if ids, err := m.ActiveRequestIDs(); err != nil || !slices.Equal(ids, []RequestID{1, 4294967295, 42}) {
		t.Errorf("ActiveRequestIDs() = %v, %v", ids, err)
	}
	m.Header.Set(HeaderActiveRequestIDList, " 7 ,\t8,9")
	if ids, err := m.ActiveRequestIDs(); err != nil || !slices.Equal(ids, []RequestID{7, 8, 9}) {
		t.Errorf("ActiveRequestIDs() with spaces = %v, %v", ids, err)
	}
	for _, bad := range []string{"", "1,", ",1", "1;2", "4294967296"} {
		m.Header.Set(HeaderActiveRequestIDList, bad)
		if _, err := m.ActiveRequestIDs(); !errors.Is(err, ErrMalformed) {
			t.Errorf("ActiveRequestIDs() of %q: %v", bad, err)
		}
	}
	m.SetActiveRequestIDs()
	if _, ok := m.Header.Lookup(HeaderActiveRequestIDList); ok {
		t.Errorf("SetActiveRequestIDs() kept the field")
	}

	m.SetBody("application/ssml+xml", []byte("<speak/>"))
	if n, err := m.ContentLength(); n != 8 || err != nil || m.ContentType() != "application/ssml+xml" {
		t.Errorf("after SetBody: %d, %v, %q", n, err, m.ContentType())
	}
	m.SetBody("x", nil)
	if _, ok := m.Header.Lookup(HeaderContentType); ok || m.Header.count(HeaderContentLength) != 0 {
		t.Errorf("SetBody(nil) kept fields: %q", m.Header)
	}
	m.Header.Set(HeaderContentLength, "-1")
	if _, err := m.ContentLength(); !errors.Is(err, ErrMalformed) {
		t.Errorf("ContentLength() of -1: %v", err)
	}
}
