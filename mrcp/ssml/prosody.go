package ssml

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"time"
)

// NominalPitchHz is the base pitch that pitch and range values in hertz
// are taken relative to: "+20Hz" raises a pitch factor of 1 to
// (NominalPitchHz+20)/NominalPitchHz, "200Hz" sets 200/NominalPitchHz.
const NominalPitchHz = 120

// MaxBreak is the longest pause a <break time> gives; longer times are
// cut to it.
const MaxBreak = time.Minute

// Bounds that composed prosody factors are kept within.
const (
	minFactor = 0.1
	maxFactor = 10
)

// Labels: rates are multipliers of the default rate; pitch and range
// labels are -6, -3, 0, +3 and +6 semitones; volume labels are amplitude
// factors.
var (
	rateLabels = map[string]float64{
		"x-slow": 0.5, "slow": 0.75, "medium": 1, "fast": 1.5, "x-fast": 2, "default": 1,
	}
	pitchLabels = map[string]float64{
		"x-low": semitones(-6), "low": semitones(-3), "medium": 1,
		"high": semitones(3), "x-high": semitones(6), "default": 1,
	}
	volumeLabels = map[string]float64{
		"silent": 0, "x-soft": 0.25, "soft": 0.5, "medium": 1, "loud": 1.5, "x-loud": 2, "default": 1,
	}
)

func semitones(n float64) float64 { return math.Pow(2, n/12) }

// applyProsody applies a <prosody> element's rate, pitch, range and
// volume to p. Labels and absolute values set a factor; percentages,
// multipliers and signed changes multiply the inherited one. Values that
// cannot be read are ignored.
func applyProsody(p Prosody, attrs []xml.Attr) Prosody {
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		v := strings.ToLower(strings.TrimSpace(a.Value))
		switch a.Name.Local {
		case "rate":
			p.Rate = clamp(rateValue(v, p.Rate), minFactor, maxFactor)
		case "pitch":
			p.Pitch = clamp(pitchValue(v, p.Pitch), minFactor, maxFactor)
		case "range":
			p.Range = clamp(pitchValue(v, p.Range), 0, maxFactor)
		case "volume":
			p.Volume = clamp(volumeValue(v, p.Volume), 0, maxFactor)
		}
	}
	return p
}

// rateValue reads a rate: a label, "+10%", "80%", "1.5" or "+0.5".
func rateValue(v string, cur float64) float64 {
	if f, ok := rateLabels[v]; ok {
		return f
	}
	if f, ok := relative(v, cur); ok {
		return f
	}
	if n, ok := number(v); ok {
		if signed(v) {
			return cur * (1 + n)
		}
		return cur * n
	}
	return cur
}

// pitchValue reads a pitch or range: a label, "+2st", "-10%", "+20Hz",
// "200Hz" or a multiplier "1.2".
func pitchValue(v string, cur float64) float64 {
	if f, ok := pitchLabels[v]; ok {
		return f
	}
	if f, ok := relative(v, cur); ok {
		return f
	}
	if s, ok := strings.CutSuffix(v, "st"); ok {
		if n, ok := number(s); ok {
			return cur * semitones(n)
		}
		return cur
	}
	if s, ok := strings.CutSuffix(v, "hz"); ok {
		n, ok := number(s)
		switch {
		case !ok:
			return cur
		case signed(s):
			return (cur*NominalPitchHz + n) / NominalPitchHz
		default:
			return n / NominalPitchHz
		}
	}
	if n, ok := number(v); ok && !signed(v) {
		return cur * n
	}
	return cur
}

// volumeValue reads a volume: a label, "+6dB", "+10%", an absolute 0 to
// 100 (SSML 1.0, 100 being the default) or a signed change on that scale.
func volumeValue(v string, cur float64) float64 {
	if f, ok := volumeLabels[v]; ok {
		return f
	}
	if f, ok := relative(v, cur); ok {
		return f
	}
	if s, ok := strings.CutSuffix(v, "db"); ok {
		if n, ok := number(s); ok {
			return cur * math.Pow(10, n/20)
		}
		return cur
	}
	if n, ok := number(v); ok {
		if signed(v) {
			return cur + n/100
		}
		if n <= 100 {
			return n / 100
		}
	}
	return cur
}

// relative reads a percentage: "+10%" and "-10%" change cur by that much,
// "80%" scales it.
func relative(v string, cur float64) (float64, bool) {
	s, ok := strings.CutSuffix(v, "%")
	if !ok {
		return 0, false
	}
	n, ok := number(s)
	if !ok {
		return cur, true
	}
	if signed(s) {
		return cur * (1 + n/100), true
	}
	return cur * n / 100, true
}

// number reads a finite decimal number with an optional sign.
func number(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-') {
			return 0, false
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

func signed(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-")
}

func clamp(f, lo, hi float64) float64 {
	switch {
	case math.IsNaN(f):
		return 1
	case f < lo:
		return lo
	case f > hi:
		return hi
	}
	return f
}

// emphasis levels as prosody factors: rate, pitch, range, volume.
var emphasisLevels = map[string]Prosody{
	"strong":   {Rate: 0.9, Pitch: 1.1, Range: 1.3, Volume: 1.4},
	"moderate": {Rate: 0.95, Pitch: 1.05, Range: 1.15, Volume: 1.2},
	"reduced":  {Rate: 1.05, Pitch: 0.95, Range: 0.8, Volume: 0.8},
	"none":     DefaultProsody,
}

// applyEmphasis applies an <emphasis level> to p; no level is
// "moderate", and an unknown one is ignored.
func applyEmphasis(p Prosody, level string) Prosody {
	level = strings.ToLower(strings.TrimSpace(level))
	if level == "" {
		level = "moderate"
	}
	e, ok := emphasisLevels[level]
	if !ok {
		return p
	}
	q := p.Mul(e)
	q.Rate = clamp(q.Rate, minFactor, maxFactor)
	q.Pitch = clamp(q.Pitch, minFactor, maxFactor)
	q.Range = clamp(q.Range, 0, maxFactor)
	q.Volume = clamp(q.Volume, 0, maxFactor)
	return q
}

// applyVoice applies a <voice> element to the inherited selection v. The
// attributes given replace the inherited ones; a voice that sets gender,
// age or variant but no name also drops the inherited name, which might
// not fit.
func applyVoice(v Voice, attrs []xml.Attr) Voice {
	named := false
	changed := false
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		val := strings.TrimSpace(a.Value)
		switch a.Name.Local {
		case "name":
			if f := strings.Fields(val); len(f) > 0 {
				v.Name = f[0]
				named = true
			}
		case "gender":
			switch g := strings.ToLower(val); g {
			case "male", "female", "neutral":
				v.Gender = g
				changed = true
			}
		case "age":
			if n, err := strconv.Atoi(val); err == nil && n >= 0 && n <= 1000 {
				v.Age = n
				changed = true
			}
		case "variant":
			if n, err := strconv.Atoi(val); err == nil && n > 0 && n <= 1000 {
				v.Variant = n
				changed = true
			}
		}
	}
	if changed && !named {
		v.Name = ""
	}
	return v
}

// parseBreak returns the pause of a <break>: its time ("500ms", "2s") if
// that can be read, else its strength, else a medium pause. ok is false
// for a time given that cannot be read together with no strength.
func parseBreak(timeAttr, strength string) (time.Duration, bool) {
	if d, ok := parseTime(timeAttr); ok {
		return d, true
	}
	switch strings.ToLower(strings.TrimSpace(strength)) {
	case "none":
		return None.Duration(), true
	case "x-weak":
		return XWeak.Duration(), true
	case "weak":
		return Weak.Duration(), true
	case "strong":
		return Strong.Duration(), true
	case "x-strong":
		return XStrong.Duration(), true
	}
	return Medium.Duration(), true
}

// parseTime reads an SSML time designation: a non-negative number and
// "s" or "ms".
func parseTime(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	unit := time.Second
	if t, ok := strings.CutSuffix(s, "ms"); ok {
		s, unit = t, time.Millisecond
	} else if t, ok := strings.CutSuffix(s, "s"); ok {
		s = t
	} else {
		return 0, false
	}
	n, ok := number(s)
	if !ok || signed(s) {
		return 0, false
	}
	d := n * float64(unit)
	if d > float64(MaxBreak) {
		return MaxBreak, true
	}
	return time.Duration(math.Round(d)), true
}
