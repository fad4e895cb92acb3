package srgs

import (
	"fmt"
	"strconv"
	"strings"
)

// Builtin returns one of the builtin grammars MRCPv2 clients name by URI
// (RFC 6787 section 9.5.1 leaves their set to the server):
//
//	builtin:dtmf/digits      keys 0-9; the instance is the digits ("123")
//	builtin:dtmf/boolean     1 is "true", 2 is "false"
//	builtin:speech/digits    spoken digits ("one two oh", "zero"); "120"
//	builtin:speech/boolean   yes/no words; "true" or "false"
//	builtin:speech/transcribe  free transcription: Transcribe() is true
//
// The digits grammars take parameters after "?" or ";", separated by
// ";" or "&": length=n (exactly n digits), minlength=n, maxlength=n
// (defaults 1 and unbounded). An unknown grammar or parameter returns an
// error wrapping ErrUnsupported; a bad value, one wrapping ErrSyntax.
func Builtin(uri string) (*Grammar, error) {
	rest, ok := cutPrefixFold(strings.TrimSpace(uri), "builtin:")
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a builtin grammar URI", ErrUnsupported, uri)
	}
	name, query := rest, ""
	if i := strings.IndexAny(rest, "?;"); i >= 0 {
		name, query = rest[:i], rest[i+1:]
	}
	params, err := builtinParams(query)
	if err != nil {
		return nil, fmt.Errorf("builtin %q: %w", uri, err)
	}
	var src string
	switch strings.ToLower(name) {
	case "dtmf/digits", "speech/digits":
		src, err = digitsGrammar(strings.HasPrefix(strings.ToLower(name), "dtmf"), params)
	case "dtmf/boolean":
		src, err = dtmfBoolean, noParams(params)
	case "speech/boolean":
		src, err = speechBoolean, noParams(params)
	case "speech/transcribe":
		if err := noParams(params); err != nil {
			return nil, fmt.Errorf("builtin %q: %w", uri, err)
		}
		return &Grammar{transcribe: true, rootI: -1, byID: map[string]int{}, tagFormat: TagFormatScript}, nil
	default:
		return nil, fmt.Errorf("%w: builtin grammar %q", ErrUnsupported, uri)
	}
	if err != nil {
		return nil, fmt.Errorf("builtin %q: %w", uri, err)
	}
	g, err := Parse(ContentTypeABNF, []byte(src))
	if err != nil {
		return nil, fmt.Errorf("builtin %q: %w", uri, err)
	}
	return g, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

func builtinParams(query string) (map[string]string, error) {
	params := make(map[string]string)
	for _, kv := range strings.FieldsFunc(query, func(r rune) bool { return r == ';' || r == '&' }) {
		k, v, _ := strings.Cut(kv, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		params[k] = strings.TrimSpace(v)
	}
	return params, nil
}

func noParams(params map[string]string) error {
	for k := range params {
		return fmt.Errorf("%w: parameter %q", ErrUnsupported, k)
	}
	return nil
}

// digitsGrammar writes the ABNF of a digits grammar with its length
// bounds.
func digitsGrammar(dtmf bool, params map[string]string) (string, error) {
	lo, hi := 1, -1
	for k, v := range params {
		switch k {
		case "length", "minlength", "maxlength":
		default:
			return "", fmt.Errorf("%w: parameter %q", ErrUnsupported, k)
		}
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 0:
			return "", syntaxErr(0, 0, "parameter %s=%q is not a count", k, v)
		case n > MaxRepeat:
			return "", fmt.Errorf("%w: %s=%d above %d", ErrTooComplex, k, n, MaxRepeat)
		}
		switch k {
		case "length":
			lo, hi = n, n
		case "minlength":
			lo = n
		case "maxlength":
			hi = n
		}
	}
	_, hasMin := params["minlength"]
	_, hasMax := params["maxlength"]
	if n, ok := params["length"]; ok && (hasMin || hasMax) {
		return "", syntaxErr(0, 0, "length=%s with minlength or maxlength", n)
	}
	if hi >= 0 && hi < lo {
		return "", syntaxErr(0, 0, "maxlength %d below minlength %d", hi, lo)
	}
	if hi == 0 {
		return "", syntaxErr(0, 0, "no digits allowed (length 0)")
	}
	rep := fmt.Sprintf("<%d->", lo)
	if hi >= 0 {
		rep = fmt.Sprintf("<%d-%d>", lo, hi)
	}
	var b strings.Builder
	if dtmf {
		b.WriteString("#ABNF 1.0 UTF-8;\nmode dtmf;\n")
	} else {
		b.WriteString("#ABNF 1.0 UTF-8;\nlanguage en-US;\nmode voice;\n")
	}
	b.WriteString("tag-format <semantics/1.0>;\nroot $digits;\n")
	fmt.Fprintf(&b, "public $digits = {out = \"\";} ($digit {out += rules.digit;})%s;\n", rep)
	if dtmf {
		b.WriteString("$digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;\n")
	} else {
		b.WriteString(spokenDigit)
	}
	return b.String(), nil
}

const spokenDigit = `$digit = (zero | oh) {out = "0";} | one {out = "1";} | two {out = "2";}
  | three {out = "3";} | four {out = "4";} | five {out = "5";} | six {out = "6";}
  | seven {out = "7";} | eight {out = "8";} | nine {out = "9";};
`

const dtmfBoolean = `#ABNF 1.0 UTF-8;
mode dtmf;
tag-format <semantics/1.0>;
root $boolean;
public $boolean = 1 {out = "true";} | 2 {out = "false";};
`

const speechBoolean = `#ABNF 1.0 UTF-8;
language en-US;
mode voice;
tag-format <semantics/1.0>;
root $boolean;
public $boolean = $yes {out = "true";} | $no {out = "false";};
$yes = yes | yeah | yep | sure | correct | right | true | affirmative | "of course" | "yes please";
$no = no | nope | nah | negative | false | incorrect | wrong | "no thanks" | "no thank you";
`
