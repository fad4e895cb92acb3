package ssml

import (
	"math"
	"testing"
)

func TestCardinal(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "zero"}, {7, "seven"}, {13, "thirteen"}, {20, "twenty"}, {21, "twenty one"}, {99, "ninety nine"},
		{100, "one hundred"}, {101, "one hundred one"}, {110, "one hundred ten"}, {999, "nine hundred ninety nine"},
		{1000, "one thousand"}, {1001, "one thousand one"}, {1010, "one thousand ten"}, {1999, "one thousand nine hundred ninety nine"},
		{100000, "one hundred thousand"}, {1000001, "one million one"}, {12345678, "twelve million three hundred forty five thousand six hundred seventy eight"},
		{1e9, "one billion"}, {1e12, "one trillion"}, {1e15, "one quadrillion"}, {2e15 + 3, "two quadrillion three"},
		{999999999999999999, "nine hundred ninety nine quadrillion nine hundred ninety nine trillion nine hundred ninety nine billion nine hundred ninety nine million nine hundred ninety nine thousand nine hundred ninety nine"},
		{math.MaxUint64, "eighteen quintillion four hundred forty six quadrillion seven hundred forty four trillion seventy three billion seven hundred nine million five hundred fifty one thousand six hundred fifteen"},
	}
	for _, tc := range tests {
		if got := cardinal(tc.n); got != tc.want {
			t.Errorf("cardinal(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestOrdinalAndYear(t *testing.T) {
	ordinals := map[uint64]string{
		0: "zeroth", 1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 8: "eighth", 9: "ninth",
		11: "eleventh", 12: "twelfth", 20: "twentieth", 21: "twenty first", 42: "forty second", 100: "one hundredth",
		103: "one hundred third", 1000: "one thousand", 1e6: "one millionth",
	}
	ordinals[1000] = "one thousandth"
	for n, want := range ordinals {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
	years := map[uint64]string{
		1999: "nineteen ninety nine", 1905: "nineteen oh five", 1900: "nineteen hundred", 2000: "two thousand",
		2005: "two thousand five", 2010: "twenty ten", 2023: "twenty twenty three", 1066: "ten sixty six",
		800: "eight hundred", 10000: "ten thousand", 1000: "one thousand", 2100: "twenty one hundred",
	}
	for n, want := range years {
		if got := year(n); got != want {
			t.Errorf("year(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNormalizeEnglish(t *testing.T) {
	tests := []struct {
		ia, format, in, want string
	}{
		// cardinal / number
		{"cardinal", "", "42", "forty two"},
		{"cardinal", "", "-17", "minus seventeen"},
		{"cardinal", "", "+5", "five"},
		{"cardinal", "", "1,234,567", "one million two hundred thirty four thousand five hundred sixty seven"},
		{"cardinal", "", "3.14", "three point one four"},
		{"cardinal", "", ".5", "zero point five"},
		{"cardinal", "", "-0.25", "minus zero point two five"},
		{"cardinal", "", "50%", "fifty percent"},
		{"cardinal", "", "007", "seven"},
		{"number", "", "12 apples, 3 pears.", "twelve apples, three pears."},
		{"cardinal", "", "1,23", "1,23"},
		{"cardinal", "", "12345678901234567890123", "one two three four five six seven eight nine zero one two three four five six seven eight nine zero one two three"},
		{"cardinal", "", "1.", "1."},
		{"cardinal", "", "abc", "abc"},
		// ordinal
		{"ordinal", "", "1", "first"},
		{"ordinal", "", "22nd", "twenty second"},
		{"ordinal", "", "103RD", "one hundred third"},
		{"ordinal", "", "1,000th", "one thousandth"},
		{"ordinal", "", "n-th", "n-th"},
		{"number", "ordinal", "2", "second"},
		// digits, characters
		{"digits", "", "0123", "zero one two three"},
		{"digits", "", "12-34", "one two three four"},
		{"number", "digits", "90", "nine zero"},
		{"characters", "", "abc", "A. B C"},
		{"spell-out", "", "IBM", "I B M"},
		{"characters", "", "a1 b2", "A. one, B two"},
		{"characters", "", "j.doe@x.io", "J dot D O E at X dot I O"},
		{"characters", "", "é€", "É €"},
		// date
		{"date", "mdy", "12/25/2023", "December twenty fifth, twenty twenty three"},
		{"date", "dmy", "25.12.1999", "the twenty fifth of December nineteen ninety nine"},
		{"date", "ymd", "2005-07-04", "July fourth, two thousand five"},
		{"date", "", "2005-07-04", "July fourth, two thousand five"},
		{"date", "", "7/4/1776", "July fourth, seventeen seventy six"},
		{"date", "md", "2/29", "February twenty ninth"},
		{"date", "dm", "1 March", "the first of March"},
		{"date", "ym", "2024-01", "January twenty twenty four"},
		{"date", "my", "Sept 2001", "September two thousand one"},
		{"date", "y", "1999", "nineteen ninety nine"},
		{"date", "m", "11", "November"},
		{"date", "d", "3rd", "the third"},
		{"date", "mdy", "Dec 7, 1941", "December seventh, nineteen forty one"},
		{"date", "mdy", "1/2/05", "January second, oh five"},
		{"date", "mdy", "1/2/99", "January second, ninety nine"},
		{"date", "mdy", "13/1/2000", "13/1/2000"},
		{"date", "mdy", "2/30/2000", "2/30/2000"},
		{"date", "mdy", "1/2", "1/2"},
		{"date", "xyz", "1/2/3", "1/2/3"},
		{"date", "mmy", "1/2/3", "1/2/3"},
		{"date", "", "tomorrow", "tomorrow"},
		// time
		{"time", "hms12", "3:45pm", "three forty five p.m."},
		{"time", "hms12", "15:45", "three forty five p.m."},
		{"time", "hms12", "00:10", "twelve ten a.m."},
		{"time", "hms12", "12:00 p.m.", "twelve p.m."},
		{"time", "hms12", "12am", "twelve a.m."},
		{"time", "hms12", "9:05", "nine oh five"},
		{"time", "", "7 AM", "seven a.m."},
		{"time", "hms24", "09:00", "oh nine hundred"},
		{"time", "hms24", "15:00", "fifteen hundred"},
		{"time", "hms24", "00:00", "zero hundred"},
		{"time", "hms24", "14:30:15", "fourteen thirty and fifteen seconds"},
		{"time", "hms24", "3:45pm", "fifteen forty five"},
		{"time", "", "1:02:01", "one oh two and one second"},
		{"time", "", "2359", "twenty three fifty nine"},
		{"time", "", "25:00", "25:00"},
		{"time", "", "13pm", "13pm"},
		{"time", "", "10:5", "10:5"},
		{"time", "", "1:2:3:4", "1:2:3:4"},
		// telephone
		{"telephone", "", "+1 (555) 123-4567", "plus one, five five five, one two three, four five six seven"},
		{"telephone", "", "5551234567", "five five five, one two three, four five six seven"},
		{"telephone", "", "15551234567", "one, five five five, one two three, four five six seven"},
		{"telephone", "", "+442079460000", "plus four four two, zero seven nine, four six zero, zero zero zero"},
		{"telephone", "", "555.1234 ext. 89", "five five five, one two three four, extension eight nine"},
		{"telephone", "", "555-1234 x89", "five five five, one two three four, extension eight nine"},
		{"telephone", "", "1-800-FLOWERS", "one, eight zero zero, F L O W E R S"},
		{"telephone", "", "112", "one one two"},
		// currency
		{"currency", "", "$12.50", "twelve dollars and fifty cents"},
		{"currency", "", "USD 12.50", "twelve dollars and fifty cents"},
		{"currency", "", "12.50 usd", "twelve dollars and fifty cents"},
		{"currency", "", "$1", "one dollar"},
		{"currency", "", "$1.01", "one dollar and one cent"},
		{"currency", "", "$0.50", "fifty cents"},
		{"currency", "", "$.5", "fifty cents"},
		{"currency", "", "$0", "zero dollars"},
		{"currency", "", "$2.00", "two dollars"},
		{"currency", "", "-$1,000,000", "minus one million dollars"},
		{"currency", "", "$-3", "minus three dollars"},
		{"currency", "", "€3", "three euros"},
		{"currency", "", "3€", "three euros"},
		{"currency", "", "£1.01", "one pound and one penny"},
		{"currency", "", "£0.20", "twenty pence"},
		{"currency", "", "GBP 2", "two pounds"},
		{"currency", "", "¥1000", "one thousand yen"},
		{"currency", "", "JPY 10.5", "ten point five yen"},
		{"currency", "", "$1.995", "one point nine nine five dollars"},
		{"currency", "", "CAD 1", "one Canadian dollar"},
		{"currency", "", "12.50 XYZ", "twelve point five zero X Y Z"},
		{"currency", "", "US$5", "five dollars"},
		{"currency", "", "$", "$"},
		{"currency", "", "$1,2", "$1,2"},
		{"currency", "", "five bucks", "five bucks"},
		// other
		{"address", "", "1 Main St", "1 Main St"},
		{"cardinal", "", "", ""},
	}
	for _, tc := range tests {
		got := normalize("en-US", SayAs{InterpretAs: tc.ia, Format: tc.format}, tc.in)
		if got != tc.want {
			t.Errorf("%s/%s %q = %q, want %q", tc.ia, tc.format, tc.in, got, tc.want)
		}
	}
}

func TestNormalizeOtherLanguages(t *testing.T) {
	tests := []struct {
		lang, ia, in, want string
	}{
		{"fr-FR", "characters", "AB 12", "A B 1 2"},
		{"de", "digits", "0815", "0 8 1 5"},
		{"es", "spell-out", "ñu", "ñ u"},
		{"ja", "characters", "東京", "東 京"},
		{"fr-FR", "cardinal", "123", "123"},
		{"de", "date", "24.12.2024", "24.12.2024"},
		{"english", "cardinal", "1", "1"},
		{"EN-gb", "cardinal", "1", "one"},
		{"en_US", "cardinal", "1", "one"},
		{"", "cardinal", "1", "one"},
	}
	for _, tc := range tests {
		if got := normalize(tc.lang, SayAs{InterpretAs: tc.ia}, tc.in); got != tc.want {
			t.Errorf("%s %s %q = %q, want %q", tc.lang, tc.ia, tc.in, got, tc.want)
		}
	}
}

func TestSayAsPunctuation(t *testing.T) {
	d := mustParse(t, speak(`It costs <say-as interpret-as="currency">$3</say-as>, or <say-as interpret-as="cardinal">4</say-as>.`))
	if got, want := d.PlainText(), "It costs three dollars, or four."; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}
