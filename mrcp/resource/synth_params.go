package resource

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/parley-cc/parley/mrcp"
)

// maxSpeakSeconds bounds Speak-Length.
const maxSpeakSeconds = 3600

// synthParams are the speechsynth header fields (RFC 6787 section 8.4)
// with their defaults.
func synthParams() []paramSpec {
	return []paramSpec{
		{name: mrcp.HeaderKillOnBargeIn, def: "true", check: checkBool, settable: true},
		{name: mrcp.HeaderVoiceName, check: checkVoiceName, settable: true},
		{name: mrcp.HeaderVoiceGender, check: checkOneOf("male", "female", "neutral"), settable: true},
		{name: mrcp.HeaderVoiceAge, check: checkDigits(3), settable: true},
		{name: mrcp.HeaderVoiceVariant, check: checkDigits(19), settable: true, use: advisory},
		{name: mrcp.HeaderProsodyVolume, def: "medium", check: checkVolume, settable: true},
		{name: mrcp.HeaderProsodyRate, def: "medium", check: checkRate, settable: true},
		{name: mrcp.HeaderSpeechLanguage, def: "en-US", check: checkLanguage, settable: true},
		{name: mrcp.HeaderSpeakLength, check: checkSpeakLength, settable: true},
		{name: mrcp.HeaderSpeakRestart, check: checkBool},
		{name: mrcp.HeaderJumpSize, use: ignored},
		{name: mrcp.HeaderFetchHint, def: "prefetch", check: checkOneOf("prefetch", "safe"), settable: true, use: advisory},
		{name: mrcp.HeaderAudioFetchHint, def: "prefetch", check: checkOneOf("prefetch", "safe", "stream"), settable: true, use: advisory},
		{name: mrcp.HeaderSpeakerProfile, settable: true, use: ignored},
		{name: mrcp.HeaderLoadLexicon, check: checkBool, use: ignored},
		{name: mrcp.HeaderLexiconSearchOrder, settable: true, use: ignored},
	}
}

func checkVoiceName(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("empty voice name")
	}
	return checkText(v)
}

func checkVolume(v string) error { _, err := parseVolume(v); return err }

func checkRate(v string) error { _, err := parseRate(v); return err }

func checkSpeakLength(v string) error { _, err := parseSpeakLength(v); return err }

var (
	rateLabels = map[string]float64{
		"x-slow": 0.5, "slow": 0.75, "medium": 1, "fast": 1.5, "x-fast": 2, "default": 1,
	}
	volumeLabels = map[string]float64{
		"silent": 0, "x-soft": 0.25, "soft": 0.5, "medium": 1, "loud": 1.5, "x-loud": 2, "default": 1,
	}
)

// Prosody factors from headers are kept within these bounds, as the
// SSML parser keeps its own.
const (
	minRate   = 0.1
	maxFactor = 10
)

// parseRate reads Prosody-Rate (RFC 6787 section 8.4.8, SSML prosody
// rate) as a multiplier of the default rate: a label, a relative change
// "+10%", a percentage "80%" or a multiplier "1.5".
func parseRate(v string) (float64, error) { return parseRateFrom(v, 1) }

// parseRateFrom reads Prosody-Rate with relative values ("+10%", "80%",
// "+0.5", "1.5") taken relative to cur.
func parseRateFrom(v string, cur float64) (float64, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if f, ok := rateLabels[v]; ok {
		return f, nil
	}
	if s, ok := strings.CutSuffix(v, "%"); ok {
		n, err := decimal(s)
		if err != nil {
			return 0, fmt.Errorf("prosody rate: %w", err)
		}
		if signed(s) {
			return clampFactor(cur*(1+n/100), minRate), nil
		}
		return clampFactor(cur*n/100, minRate), nil
	}
	n, err := decimal(v)
	if err != nil {
		return 0, fmt.Errorf("prosody rate: %w", err)
	}
	if signed(v) {
		return clampFactor(cur*(1+n), minRate), nil
	}
	return clampFactor(cur*n, minRate), nil
}

// parseVolume reads Prosody-Volume (RFC 6787 section 8.4.8, SSML prosody
// volume) as an amplitude factor: a label, a number from 0 to 100 (100
// being the default), a relative change "+10%" or "-6dB".
func parseVolume(v string) (float64, error) { return parseVolumeFrom(v, 1) }

// parseVolumeFrom reads Prosody-Volume with relative values ("+10%",
// "50%", "-6dB", "+10") taken relative to cur.
func parseVolumeFrom(v string, cur float64) (float64, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if f, ok := volumeLabels[v]; ok {
		return f, nil
	}
	if s, ok := strings.CutSuffix(v, "%"); ok {
		n, err := decimal(s)
		if err != nil {
			return 0, fmt.Errorf("prosody volume: %w", err)
		}
		if signed(s) {
			return clampFactor(cur*(1+n/100), 0), nil
		}
		return clampFactor(cur*n/100, 0), nil
	}
	if s, ok := strings.CutSuffix(v, "db"); ok {
		n, err := decimal(s)
		if err != nil {
			return 0, fmt.Errorf("prosody volume: %w", err)
		}
		return clampFactor(cur*math.Pow(10, n/20), 0), nil
	}
	n, err := decimal(v)
	if err != nil {
		return 0, fmt.Errorf("prosody volume: %w", err)
	}
	if signed(v) {
		return clampFactor(cur+n/100, 0), nil
	}
	if n > 100 {
		return 0, errors.New("prosody volume: over 100")
	}
	return n / 100, nil
}

// parseSpeakLength reads Speak-Length (RFC 6787 section 8.4.13) in the
// one unit this server implements, seconds: "10 second", "+10 seconds".
// Words, sentences, paragraphs, negative lengths and "Tag" are legal but
// unsupported (409). An empty value means no limit.
func parseSpeakLength(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	num, unit, ok := strings.Cut(v, " ")
	if !ok {
		return 0, errors.New("speak length: want a number and a unit")
	}
	unit = strings.ToLower(strings.TrimSpace(unit))
	switch unit {
	case "second", "seconds":
	case "word", "words", "sentence", "sentences", "paragraph", "paragraphs", "tag":
		return 0, errUnsupportedValue
	default:
		return 0, errors.New("speak length: unknown unit")
	}
	if strings.HasPrefix(num, "-") {
		return 0, errUnsupportedValue
	}
	num = strings.TrimPrefix(num, "+")
	if checkDigits(19)(num) != nil {
		return 0, errors.New("speak length: want digits")
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > maxSpeakSeconds {
		return 0, errUnsupportedValue
	}
	if n == 0 {
		return 0, errUnsupportedValue
	}
	return n, nil
}

// decimal reads a finite decimal number with an optional sign.
func decimal(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "0123456789.+-") != "" {
		return 0, errors.New("want a number")
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, errors.New("want a number")
	}
	return n, nil
}

func signed(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-")
}

func clampFactor(f, lo float64) float64 {
	return min(max(f, lo), maxFactor)
}
