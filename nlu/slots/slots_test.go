package slots

import (
	"testing"
	"time"
)

func norms(ss []Slot) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Normalized)
	}
	return out
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestExtractors(t *testing.T) {
	ref := time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC) // a Thursday
	tests := []struct {
		name string
		fn   func(string) []Slot
		in   string
		want []string
	}{
		{"digits spoken", Digits, "my pin is four five six", []string{"456"}},
		{"digits double", Digits, "double seven oh one", []string{"7701"}},
		{"digits triple", Digits, "triple zero", []string{"000"}},
		{"digits written", Digits, "account 1234 5678", []string{"12345678"}},
		{"number", Numbers, "two hundred and five", []string{"205"}},
		{"number twenty five", Numbers, "twenty five items and 3 more", []string{"25", "3"}},
		{"number thousand", Numbers, "one thousand two hundred", []string{"1200"}},
		{"amount symbol", Amounts, "I paid $25.50 yesterday", []string{"25.50 USD"}},
		{"amount spoken", Amounts, "twenty five pounds fifty", []string{"25.50 GBP"}},
		{"amount cents", Amounts, "ten dollars and five cents", []string{"10.05 USD"}},
		{"amount euro", Amounts, "€10", []string{"10.00 EUR"}},
		{"email spoken", Emails, "it's john dot smith at example dot com thanks", []string{"john.smith@example.com"}},
		{"email written", Emails, "mail Jane.Doe+x@Example.co.uk.", []string{"jane.doe+x@example.co.uk"}},
		{"phone spoken", Phones, "call me on oh seven seven double oh nine triple zero one two", []string{"07700900012"}},
		{"phone plus", Phones, "plus four four 20 7946 0958", []string{"+442079460958"}},
		{"phone too short", Phones, "four five six", nil},
		{"date tomorrow time", func(s string) []Slot { return Dates(s, ref) }, "tomorrow at three pm", []string{"2026-11-20T15:00"}},
		{"date next tuesday", func(s string) []Slot { return Dates(s, ref) }, "next Tuesday", []string{"2026-11-24"}},
		{"date next thursday", func(s string) []Slot { return Dates(s, ref) }, "next thursday", []string{"2026-11-26"}},
		{"date 5th of march", func(s string) []Slot { return Dates(s, ref) }, "the 5th of March", []string{"2027-03-05"}},
		{"date december first", func(s string) []Slot { return Dates(s, ref) }, "december the first at 10:30", []string{"2026-12-01T10:30"}},
		{"date in three days", func(s string) []Slot { return Dates(s, ref) }, "in three days", []string{"2026-11-22"}},
		{"time alone", func(s string) []Slot { return Dates(s, ref) }, "at noon", []string{"2026-11-19T12:00"}},
		{"bad day", func(s string) []Slot { return Dates(s, ref) }, "the 31st of february", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.fn(tc.in)
			if !eq(norms(got), tc.want) {
				t.Fatalf("%q: got %v, want %v", tc.in, norms(got), tc.want)
			}
			for _, s := range got {
				if tc.in[s.Start:s.End] != s.Value || s.Confidence <= 0 || s.Confidence > 1 {
					t.Errorf("bad span or confidence: %+v", s)
				}
			}
		})
	}
}

func TestYesNo(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		ok     bool
		hedged bool
	}{
		{"yes please", "yes", true, false},
		{"Yeah that's right", "yes", true, false},
		{"no thanks", "no", true, false},
		{"I think so", "yes", true, true},
		{"maybe yes", "yes", true, true},
		{"yes no wait", "", false, false},
		{"the weather", "", false, false},
	}
	for _, tc := range tests {
		s, ok := YesNo(tc.in)
		if ok != tc.ok || s.Normalized != tc.want {
			t.Errorf("YesNo(%q) = %+v, %v", tc.in, s, ok)
			continue
		}
		if ok && (s.Confidence < 0.9) != tc.hedged {
			t.Errorf("YesNo(%q) confidence %.2f, hedged %v", tc.in, s.Confidence, tc.hedged)
		}
		if ok && tc.in[s.Start:s.End] != s.Value {
			t.Errorf("YesNo(%q): span %+v", tc.in, s)
		}
	}
}

func TestListAndPattern(t *testing.T) {
	l, err := NewList("product", map[string][]string{
		"broadband": {"internet", "wifi", "fibre broadband"},
		"mobile":    {"cell phone", "my mobile"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := norms(l.Extract("my WiFi and my cell phone")); !eq(got, []string{"broadband", "mobile"}) {
		t.Errorf("list: %v", got)
	}
	p, err := NewPattern("order", `order\s+([a-z]{2}\d{4})`)
	if err != nil {
		t.Fatal(err)
	}
	if got := norms(p.Extract("about Order AB1234 please")); !eq(got, []string{"AB1234"}) {
		t.Errorf("pattern: %v", got)
	}
	if _, err := NewPattern("x", "("); err == nil {
		t.Error("bad regexp accepted")
	}
	if _, err := NewList("", nil); err == nil {
		t.Error("empty list accepted")
	}
}

func FuzzExtractors(f *testing.F) {
	for _, s := range []string{"four five six", "double seven", "$25.50", "twenty five pounds fifty",
		"john dot smith at example dot com", "next tuesday at 3:30 pm", "the 5th of march", "yes I think so",
		"plus four four 7700 900123", "at at at dot dot", "£", "in 99999999999 days", "\xff\xfe", "3:"} {
		f.Add(s)
	}
	ref := time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC)
	l, _ := NewList("p", map[string][]string{"a": {"b c"}})
	f.Fuzz(func(t *testing.T, s string) {
		check := func(ss []Slot) {
			for _, sl := range ss {
				if sl.Start < 0 || sl.End > len(s) || sl.Start > sl.End || s[sl.Start:sl.End] != sl.Value {
					t.Fatalf("bad span %+v in %q", sl, s)
				}
			}
		}
		check(Numbers(s))
		check(Digits(s))
		check(Phones(s))
		check(Amounts(s))
		check(Emails(s))
		check(Dates(s, ref))
		check(l.Extract(s))
		if sl, ok := YesNo(s); ok {
			check([]Slot{sl})
		}
	})
}
