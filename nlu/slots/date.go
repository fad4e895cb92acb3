package slots

import (
	"strconv"
	"strings"
	"time"
)

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

var months = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
	"sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

var ordinals = map[string]int{
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
	"eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
	"fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
	"nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}

// dayOfMonth reads "5th", "5", "fifth", "twenty first" at toks[i:].
func dayOfMonth(toks []token, i int) (int, int) {
	if i >= len(toks) {
		return 0, 0
	}
	w := toks[i].t
	if d, ok := ordinals[w]; ok {
		return d, 1
	}
	if (w == "twenty" || w == "thirty") && i+1 < len(toks) {
		if d, ok := ordinals[toks[i+1].t]; ok && d < 10 {
			return tens[w] + d, 2
		}
	}
	num := strings.TrimRight(w, "stndrh")
	if d, err := strconv.Atoi(num); err == nil && d >= 1 && d <= 31 && len(num) <= 2 {
		return d, 1
	}
	return 0, 0
}

// Dates returns dates and times relative to ref (in ref's location): "today",
// "tomorrow at three pm", "next Tuesday", "on Friday", "in three days", "the 5th of
// March", "March 5th", "at 10:30". Normalized is "2006-01-02", "2006-01-02T15:04" or,
// for a time alone, the next such time after ref.
func Dates(s string, ref time.Time) []Slot {
	toks := tokenize(s)
	var out []Slot
	for i := 0; i < len(toks); i++ {
		d, n, ok := parseDay(toks, i, ref)
		if !ok {
			if h, m, tn := parseTime(toks, i); tn > 0 {
				t := time.Date(ref.Year(), ref.Month(), ref.Day(), h, m, 0, 0, ref.Location())
				if !t.After(ref) {
					t = t.AddDate(0, 0, 1)
				}
				val, a, b := span(s, toks, i, i+tn)
				out = append(out, Slot{Name: "time", Value: val, Normalized: t.Format("2006-01-02T15:04"), Start: a, End: b, Confidence: 0.8})
				i += tn - 1
			}
			continue
		}
		end := i + n
		norm := d.Format("2006-01-02")
		if h, m, tn := parseTime(toks, end); tn > 0 {
			norm = time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, ref.Location()).Format("2006-01-02T15:04")
			end += tn
		}
		val, a, b := span(s, toks, i, end)
		out = append(out, Slot{Name: "date", Value: val, Normalized: norm, Start: a, End: b, Confidence: 0.85})
		i = end - 1
	}
	return out
}

func parseDay(toks []token, i int, ref time.Time) (time.Time, int, bool) {
	day := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ref.Location())
	}
	w := toks[i].t
	switch w {
	case "today", "tonight":
		return day(ref), 1, true
	case "tomorrow":
		return day(ref.AddDate(0, 0, 1)), 1, true
	case "yesterday":
		return day(ref.AddDate(0, 0, -1)), 1, true
	case "next", "this", "on", "last":
		if i+1 < len(toks) {
			if wd, ok := weekdays[toks[i+1].t]; ok {
				delta := (int(wd) - int(ref.Weekday()) + 7) % 7
				switch {
				case w == "next" && delta == 0, w == "on" && delta == 0:
					delta = 7
				case w == "last":
					delta -= 7
					if delta == 0 {
						delta = -7
					}
				}
				return day(ref.AddDate(0, 0, delta)), 2, true
			}
			if w == "next" && toks[i+1].t == "week" {
				return day(ref.AddDate(0, 0, 7)), 2, true
			}
		}
	case "in":
		if v, n := parseNumber(toks, i+1); n > 0 && i+1+n < len(toks) && v < 1000 {
			switch toks[i+1+n].t {
			case "day", "days":
				return day(ref.AddDate(0, 0, int(v))), n + 2, true
			case "week", "weeks":
				return day(ref.AddDate(0, 0, 7*int(v))), n + 2, true
			}
		}
	}
	if wd, ok := weekdays[w]; ok {
		delta := (int(wd) - int(ref.Weekday()) + 7) % 7
		return day(ref.AddDate(0, 0, delta)), 1, true
	}
	// "the 5th of March", "5 March", "March 5th".
	k := i
	if w == "the" {
		k++
	}
	if d, n := dayOfMonth(toks, k); n > 0 {
		m := k + n
		if m < len(toks) && toks[m].t == "of" {
			m++
		}
		if m < len(toks) {
			if mo, ok := months[toks[m].t]; ok {
				return dateIn(ref, mo, d), m + 1 - i, validDay(ref.Year(), mo, d)
			}
		}
	}
	if mo, ok := months[w]; ok && w != "may" || w == "may" && i+1 < len(toks) {
		k := i + 1
		if k < len(toks) && toks[k].t == "the" {
			k++
		}
		if d, n := dayOfMonth(toks, k); n > 0 && validDay(ref.Year(), mo, d) {
			return dateIn(ref, mo, d), k + n - i, true
		}
	}
	return time.Time{}, 0, false
}

func validDay(year int, m time.Month, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dateIn returns month m day d in ref's year, or next year if that date has passed.
func dateIn(ref time.Time, m time.Month, d int) time.Time {
	t := time.Date(ref.Year(), m, d, 0, 0, 0, 0, ref.Location())
	if t.Before(time.Date(ref.Year(), ref.Month(), ref.Day(), 0, 0, 0, 0, ref.Location())) {
		t = t.AddDate(1, 0, 0)
	}
	return t
}

// parseTime reads "at three pm", "at 3:30", "at noon", "3 pm", "half past two".
func parseTime(toks []token, i int) (h, m, n int) {
	k := i
	if k < len(toks) && toks[k].t == "at" {
		k++
	}
	if k >= len(toks) {
		return 0, 0, 0
	}
	switch toks[k].t {
	case "noon", "midday":
		return 12, 0, k + 1 - i
	case "midnight":
		return 0, 0, k + 1 - i
	}
	w := toks[k].t
	if c := strings.IndexByte(w, ':'); c < 0 {
		// tokenize splits "3:30" into "3" and "30".
		if k+1 < len(toks) && toks[k+1].start == toks[k].end+1 && allDigits(w) && allDigits(toks[k+1].t) && len(toks[k+1].t) == 2 {
			hh, _ := strconv.Atoi(w)
			mm, _ := strconv.Atoi(toks[k+1].t)
			if hh < 24 && mm < 60 {
				h, m, k = hh, mm, k+2
				return ampm(toks, k, h, m, i)
			}
		}
	}
	v, nn := parseNumber(toks, k)
	if nn == 0 || v < 0 || v > 23 || v != float64(int(v)) {
		return 0, 0, 0
	}
	h, k = int(v), k+nn
	if mv, mn := parseNumber(toks, k); mn > 0 && mv < 60 && mv >= 10 && h <= 12 {
		m, k = int(mv), k+mn
	}
	if k < len(toks) && (toks[k].t == "o'clock" || toks[k].t == "oclock") {
		k++
	}
	hasAmPm := k < len(toks) && (toks[k].t == "am" || toks[k].t == "pm")
	if !hasAmPm && toks[i].t != "at" {
		return 0, 0, 0
	}
	return ampm(toks, k, h, m, i)
}

func ampm(toks []token, k, h, m, i int) (int, int, int) {
	if k < len(toks) {
		switch toks[k].t {
		case "pm":
			if h < 12 {
				h += 12
			}
			k++
		case "am":
			if h == 12 {
				h = 0
			}
			k++
		}
	}
	return h, m, k - i
}
