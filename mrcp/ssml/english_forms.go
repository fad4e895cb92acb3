package ssml

import (
	"strconv"
	"strings"
	"unicode"
)

// dateWords reads a date written with the fields of format ("mdy",
// "dmy", "ymd", "md", "dm", "ym", "my", "y", "m", "d") separated by "/",
// "-", "." or spaces, and writes it with the month's name: "12/25/2023"
// as mdy is "December twenty fifth, twenty twenty three"; as dmy
// "25/12/2023" is "the twenty fifth of December twenty twenty three".
// Without a format, a date starting with four digits is ymd, others are
// mdy in American English (en-US, en) and dmy in other English. Months
// may be written as names ("Dec", "December").
func dateWords(s, format, lang string) (string, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == '/' || r == '-' || r == '.' || r == ',' || unicode.IsSpace(r)
	})
	format = strings.ToLower(format)
	if format == "" {
		switch {
		case len(fields) == 3 && len(fields[0]) == 4:
			format = "ymd"
		case len(fields) == 3 && americanEnglish(lang):
			format = "mdy"
		case len(fields) == 3:
			format = "dmy"
		default:
			return "", false
		}
	}
	if len(fields) != len(format) || len(format) > 3 {
		return "", false
	}
	var d, m, y uint64
	var hasD, hasM, hasY bool
	var yearText string
	for i, c := range format {
		f := fields[i]
		switch c {
		case 'd':
			n, ok := parseSmall(strings.TrimRight(strings.ToLower(f), "stndrh"), 1, 31)
			if !ok || hasD {
				return "", false
			}
			d, hasD = n, true
		case 'm':
			n, ok := parseMonth(f)
			if !ok || hasM {
				return "", false
			}
			m, hasM = n, true
		case 'y':
			n, ok := parseSmall(strings.TrimPrefix(f, "'"), 0, 9999)
			if !ok || hasY {
				return "", false
			}
			y, hasY = n, true
			yearText = strings.TrimPrefix(f, "'")
		default:
			return "", false
		}
	}
	if hasD && hasM && d > daysIn(m) {
		return "", false
	}
	var parts []string
	dayFirst := strings.IndexByte(format, 'd') >= 0 && strings.IndexByte(format, 'd') < strings.IndexByte(format, 'm')
	switch {
	case hasD && hasM && dayFirst:
		parts = append(parts, "the "+ordinal(d)+" of "+monthNames[m])
	case hasD && hasM:
		parts = append(parts, monthNames[m]+" "+ordinal(d))
	case hasM:
		parts = append(parts, monthNames[m])
	case hasD:
		parts = append(parts, "the "+ordinal(d))
	}
	if hasY {
		yw := year(y)
		if len(yearText) == 2 && y < 10 {
			yw = "oh " + smallWords[y]
		}
		if hasD && hasM && !dayFirst {
			parts[len(parts)-1] += ","
		}
		parts = append(parts, yw)
	}
	return strings.Join(parts, " "), true
}

func americanEnglish(lang string) bool {
	l := strings.ToLower(lang)
	return l == "" || l == "en" || strings.HasPrefix(l, "en-us") || strings.HasPrefix(l, "en_us")
}

func daysIn(m uint64) uint64 {
	switch m {
	case 2:
		return 29
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func parseSmall(s string, lo, hi uint64) (uint64, bool) {
	if s == "" || len(s) > 4 || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

func parseMonth(s string) (uint64, bool) {
	if n, ok := parseSmall(s, 1, 12); ok {
		return n, true
	}
	l := strings.ToLower(strings.TrimSuffix(s, "."))
	if len(l) < 3 {
		return 0, false
	}
	for i, name := range monthNames[1:] {
		if strings.HasPrefix(strings.ToLower(name), l) || (l == "sept" && i+1 == 9) {
			return uint64(i + 1), true
		}
	}
	return 0, false
}

// timeWords reads a time "h:mm", "h:mm:ss", "hmm" or "h" with an optional
// am/pm ("3:45pm", "3:45 p.m.") and writes it as it is said: "three forty
// five p.m.", "fifteen hundred", "oh nine thirty" (for "09:30"), "nine oh
// five and ten seconds". A format
// containing "12" (hms12) writes it on the 12-hour clock, with "a.m." or
// "p.m."; one containing "24" (hms24) on the 24-hour clock; without
// either, as written.
func timeWords(s, format string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	suffix := ""
	for _, suf := range [...]struct{ in, out string }{
		{"a.m.", "a"}, {"p.m.", "p"}, {"am", "a"}, {"pm", "p"}, {"a.m", "a"}, {"p.m", "p"}, {"a", "a"}, {"p", "p"},
	} {
		if rest, ok := strings.CutSuffix(t, suf.in); ok {
			t, suffix = strings.TrimSpace(rest), suf.out
			break
		}
	}
	h, m, sec, hasSec, ok := clockFields(t)
	if !ok {
		return "", false
	}
	switch suffix {
	case "a", "p":
		if h < 1 || h > 12 {
			return "", false
		}
		if suffix == "p" && h != 12 {
			h += 12
		} else if suffix == "a" && h == 12 {
			h = 0
		}
	}
	twelve := strings.Contains(format, "12") || (suffix != "" && !strings.Contains(format, "24"))
	var sb strings.Builder
	if twelve {
		h12 := h % 12
		if h12 == 0 {
			h12 = 12
		}
		sb.WriteString(cardinal(h12))
		if m != 0 {
			sb.WriteString(" " + minuteWords(m))
		}
	} else {
		if h > 0 && h < 10 && strings.HasPrefix(t, "0") {
			sb.WriteString("oh ")
		}
		sb.WriteString(cardinal(h))
		if m == 0 {
			sb.WriteString(" hundred")
		} else {
			sb.WriteString(" " + minuteWords(m))
		}
	}
	if hasSec && sec != 0 {
		sb.WriteString(" and " + cardinal(sec))
		if sec == 1 {
			sb.WriteString(" second")
		} else {
			sb.WriteString(" seconds")
		}
	}
	if twelve && (suffix != "" || h > 12 || h == 0) {
		if h < 12 {
			sb.WriteString(" a.m.")
		} else {
			sb.WriteString(" p.m.")
		}
	}
	return sb.String(), true
}

func minuteWords(m uint64) string {
	if m < 10 {
		return "oh " + smallWords[m]
	}
	return cardinal(m)
}

// clockFields splits "h:mm[:ss]", "hhmm" or "h" into its fields.
func clockFields(t string) (h, m, s uint64, hasSec, ok bool) {
	parts := strings.Split(t, ":")
	if len(parts) == 1 && len(t) == 4 && allDigits(t) {
		parts = []string{t[:2], t[2:]}
	}
	if len(parts) > 3 {
		return 0, 0, 0, false, false
	}
	if h, ok = parseSmall(parts[0], 0, 23); !ok || len(parts[0]) > 2 {
		return 0, 0, 0, false, false
	}
	if len(parts) > 1 {
		if m, ok = parseSmall(parts[1], 0, 59); !ok || len(parts[1]) != 2 {
			return 0, 0, 0, false, false
		}
	}
	if len(parts) > 2 {
		if s, ok = parseSmall(parts[2], 0, 59); !ok || len(parts[2]) != 2 {
			return 0, 0, 0, false, false
		}
		hasSec = true
	}
	return h, m, s, hasSec, true
}

// telephoneWords writes a telephone number digit by digit, its groups
// separated by commas: "+1 (555) 123-4567" is "plus one, five five five,
// one two three, four five six seven". A number written without
// separators is grouped 3-3-4 (ten digits), 1-3-3-4 (eleven starting with
// 1) or 3-4 (seven). "x" or "ext" before a group reads "extension".
func telephoneWords(s string) string {
	groups := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("-.()/", r)
	})
	var split []string
	for _, g := range groups {
		split = append(split, splitDigits(g)...)
	}
	var out []string
	for _, g := range split {
		var w string
		lg := strings.ToLower(g)
		switch {
		case lg == "x" || lg == "ext" || lg == "ext." || lg == "extension":
			w = "extension"
		case strings.HasPrefix(g, "+"):
			w = "plus " + digitWords(g[1:])
		case strings.HasPrefix(lg, "x") && len(g) > 1 && allDigits(g[1:]):
			w = "extension " + digitWords(g[1:])
		default:
			w = digitWords(g)
		}
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return joinGroups(out)
}

// joinGroups joins telephone groups with commas, but never after
// "extension".
func joinGroups(groups []string) string {
	var sb strings.Builder
	for i, g := range groups {
		if i > 0 {
			if groups[i-1] == "extension" {
				sb.WriteString(" ")
			} else {
				sb.WriteString(", ")
			}
		}
		sb.WriteString(g)
	}
	return sb.String()
}

func splitDigits(g string) []string {
	plus := ""
	if strings.HasPrefix(g, "+") {
		plus, g = "+", g[1:]
	}
	if !allDigits(g) || len(g) < 7 {
		return []string{plus + g}
	}
	var sizes []int
	switch {
	case len(g) == 10:
		sizes = []int{3, 3, 4}
	case len(g) == 11 && g[0] == '1':
		sizes = []int{1, 3, 3, 4}
	case len(g) == 7:
		sizes = []int{3, 4}
	default:
		for n := len(g); n > 0; {
			k := 3
			if n == 4 || n < 3 {
				k = n
			}
			sizes = append(sizes, k)
			n -= k
		}
	}
	var out []string
	for _, k := range sizes {
		out = append(out, g[:k])
		g = g[k:]
	}
	out[0] = plus + out[0]
	return out
}

// currency is a currency's spoken unit names, singular and plural, and
// its minor unit's ("" when it has none).
type currency struct {
	one, many, minorOne, minorMany string
}

var (
	dollar = currency{"dollar", "dollars", "cent", "cents"}
	euro   = currency{"euro", "euros", "cent", "cents"}
	pound  = currency{"pound", "pounds", "penny", "pence"}
	yen    = currency{"yen", "yen", "", ""}

	currencySymbols = []struct {
		sym string
		cur currency
	}{{"US$", dollar}, {"$", dollar}, {"€", euro}, {"£", pound}, {"¥", yen}}
	currencyCodes = map[string]currency{
		"USD": dollar, "CAD": {"Canadian dollar", "Canadian dollars", "cent", "cents"},
		"AUD": {"Australian dollar", "Australian dollars", "cent", "cents"},
		"NZD": {"New Zealand dollar", "New Zealand dollars", "cent", "cents"},
		"EUR": euro, "GBP": pound, "JPY": yen,
		"CHF": {"Swiss franc", "Swiss francs", "centime", "centimes"},
		"INR": {"rupee", "rupees", "paisa", "paise"},
		"MXN": {"peso", "pesos", "centavo", "centavos"},
		"CNY": {"yuan", "yuan", "fen", "fen"},
	}
)

// currencyWords reads an amount written with a currency symbol or ISO
// 4217 code before or after it, "$12.50", "USD 12.50", "12.50 EUR",
// "-£3", and writes it: "twelve dollars and fifty cents". An unknown
// three-letter code is spelled after the amount.
func currencyWords(s string) (string, bool) {
	t := strings.TrimSpace(s)
	neg := false
	if rest, ok := strings.CutPrefix(t, "-"); ok {
		t, neg = strings.TrimSpace(rest), true
	}
	var cur currency
	code := ""
	found := false
	for _, c := range currencySymbols {
		if rest, ok := strings.CutPrefix(t, c.sym); ok {
			t, cur, found = rest, c.cur, true
			break
		}
		if rest, ok := strings.CutSuffix(t, c.sym); ok {
			t, cur, found = rest, c.cur, true
			break
		}
	}
	if !found {
		if f := strings.Fields(t); len(f) == 2 {
			switch {
			case isCode(f[0]):
				code, t = strings.ToUpper(f[0]), f[1]
			case isCode(f[1]):
				code, t = strings.ToUpper(f[1]), f[0]
			default:
				return "", false
			}
			cur, found = currencyCodes[code]
		} else {
			return "", false
		}
	}
	t = strings.TrimSpace(t)
	if rest, ok := strings.CutPrefix(t, "-"); ok && !neg {
		t, neg = rest, true
	}
	intPart, frac, hasPoint := strings.Cut(t, ".")
	intPart, ok := stripGrouping(intPart)
	if !ok || !allDigits(frac) || (intPart == "" && frac == "") || (hasPoint && frac == "") {
		return "", false
	}
	var words string
	if !found || cur.minorOne == "" && frac != "" || len(frac) > 2 {
		n, ok := numberWords(t)
		if !ok {
			return "", false
		}
		words = n + " " + unitName(cur, code, 2)
	} else {
		words = amountWords(intPart, frac, cur)
	}
	if neg {
		words = "minus " + words
	}
	return words, true
}

func amountWords(intPart, frac string, cur currency) string {
	if intPart == "" {
		intPart = "0"
	}
	units, err := strconv.ParseUint(intPart, 10, 64)
	major := ""
	if err != nil {
		major = digitWords(intPart) + " " + cur.many
	} else {
		major = cardinal(units) + " " + plural(units, cur.one, cur.many)
	}
	if len(frac) == 1 {
		frac += "0"
	}
	minor, _ := strconv.ParseUint(frac, 10, 64)
	switch {
	case minor == 0:
		return major
	case units == 0 && err == nil:
		return cardinal(minor) + " " + plural(minor, cur.minorOne, cur.minorMany)
	}
	return major + " and " + cardinal(minor) + " " + plural(minor, cur.minorOne, cur.minorMany)
}

func unitName(cur currency, code string, n uint64) string {
	if cur.one != "" {
		return plural(n, cur.one, cur.many)
	}
	return spell(code)
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func isCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) || r > unicode.MaxASCII {
			return false
		}
	}
	return true
}
