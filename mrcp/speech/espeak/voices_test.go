package espeak

import (
	"slices"
	"testing"
)

func TestParseLanguages(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want []language
	}{
		{"empty", nil, nil},
		{"terminator only", []byte{0}, nil},
		{"one", []byte("\x02en-us\x00\x00"), []language{{2, "en-us"}}},
		{"two", []byte("\x02en-us\x00\x03en\x00\x00"), []language{{2, "en-us"}, {3, "en"}}},
		{"no terminator", []byte("\x05de\x00"), []language{{5, "de"}}},
		{"cut tag dropped", []byte("\x05de\x00\x03fr"), []language{{5, "de"}}},
		{"empty tag dropped", []byte("\x05\x00\x03fr\x00\x00"), []language{{3, "fr"}}},
		{"after terminator ignored", []byte("\x05de\x00\x00\x03fr\x00"), []language{{5, "de"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseLanguages(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("parseLanguages(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestBCP47(t *testing.T) {
	for in, want := range map[string]string{
		"en-us":              "en-US",
		"EN_us":              "en-US",
		"en":                 "en",
		"en-029":             "en-029",
		"en-gb-x-rp":         "en-GB-x-rp",
		"en-gb-x-gbclan":     "en-GB-x-gbclan",
		"cmn-latn-pinyin":    "cmn-Latn-pinyin",
		"chr-us-qaaa-x-west": "chr-US-Qaaa-x-west",
		"vi-vn-x-central":    "vi-VN-x-central",
		"sr-latn":            "sr-Latn",
		"":                   "",
		"--":                 "",
	} {
		if got := bcp47(in); got != want {
			t.Errorf("bcp47(%q) = %q, want %q", in, got, want)
		}
	}
}

// testCatalog is a small catalog in espeak-ng's own terms.
func testCatalog(t testing.TB, offer ...string) *catalog {
	t.Helper()
	c, err := newCatalog([]rawVoice{
		{name: "English (America)", identifier: "gmw/en-US", languages: []byte("\x02en-us\x00\x03en\x00\x00"), gender: 1},
		{name: "English (Great Britain)", identifier: "gmw/en", languages: []byte("\x02en-gb\x00\x02en\x00\x00"), gender: 1},
		{name: "German", identifier: "gmw/de", languages: []byte("\x05de\x00\x00"), gender: 1},
		{name: "duplicate", identifier: "x/de", languages: []byte("\x05de\x00\x00"), gender: 1},
		{name: "no language", identifier: "x/none", languages: []byte{0}},
		{name: "Lady", identifier: "x/lady", languages: []byte("\x05xx\x00\x00"), gender: 2, age: 40},
	}, []rawVoice{
		{name: "female3", identifier: "!v/f3", gender: 2},
		{name: "male3", identifier: "!v/m3", gender: 1},
		{name: "Denis", identifier: "!v/Denis", gender: 1, age: 35},
	}, offer)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalog(t *testing.T) {
	c := testCatalog(t, "f3")
	var names []string
	for _, v := range c.voices {
		names = append(names, v.Name+"/"+v.id+"/"+v.Language+"/"+v.Gender)
	}
	want := []string{
		"en-us/gmw/en-US/en-US/male", "en-gb/gmw/en/en-GB/male", "de/gmw/de/de/male", "xx/x/lady/xx/female",
		"en-us+f3/gmw/en-US+f3/en-US/female", "en-gb+f3/gmw/en+f3/en-GB/female", "de+f3/gmw/de+f3/de/female", "xx+f3/x/lady+f3/xx/female",
	}
	if !slices.Equal(names, want) {
		t.Errorf("voices\n got %v\nwant %v", names, want)
	}
	if _, err := newCatalog(nil, nil, []string{"nosuch"}); err == nil {
		t.Error("unknown variant offered without error")
	}

	for name, want := range map[string]string{
		"en-us": "en-us", "EN-US": "en-us", "en_us": "en-us", "espeak-ng/de": "de",
		"en-us+f3": "en-us+f3", "de+denis": "de+denis", "de+m3": "de+m3",
		"de+f3+m3": "", "nosuch": "", "de+nosuch": "", "": "", "+f3": "",
	} {
		v := c.lookup(name)
		got := ""
		if v != nil {
			got = v.Name
		}
		if got != want {
			t.Errorf("lookup(%q) = %q, want %q", name, got, want)
		}
	}
	if v := c.lookup("de+denis"); v.Age != 35 || v.Gender != "male" || v.id != "gmw/de+denis" {
		t.Errorf("de+denis: %+v", v)
	}

	us, usf := c.lookup("en-us"), c.lookup("en-us+f3")
	for _, tc := range []struct{ from, lang, want string }{
		{"en-us", "", "en-us"},
		{"en-us", "en-US", "en-us"},
		{"en-us", "en-gb", "en-gb"},
		{"en-us", "en-AU", "en-us"},
		{"en-us", "de-DE", "de"},
		{"en-us+f3", "de-DE", "de+f3"},
		{"en-us", "fr", ""},
		{"en-us", "en-us+f3", "en-us"},
	} {
		from := us
		if tc.from == "en-us+f3" {
			from = usf
		}
		v := c.forLanguage(from, tc.lang)
		got := ""
		if v != nil {
			got = v.Name
		}
		if got != tc.want {
			t.Errorf("forLanguage(%s, %q) = %q, want %q", tc.from, tc.lang, got, tc.want)
		}
	}
	for _, tc := range []struct{ from, gender, want string }{
		{"en-us", "", "en-us"},
		{"en-us", "male", "en-us"},
		{"en-us", "female", "en-us+f3"},
		{"en-us+f3", "male", "en-us"},
		{"en-us+f3", "FEMALE", "en-us+f3"},
		{"en-us", "neutral", ""},
	} {
		v := c.forGender(c.lookup(tc.from), tc.gender, []string{"f3"})
		got := ""
		if v != nil {
			got = v.Name
		}
		if got != tc.want {
			t.Errorf("forGender(%s, %q) = %q, want %q", tc.from, tc.gender, got, tc.want)
		}
	}
}
