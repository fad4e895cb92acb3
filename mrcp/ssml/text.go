package ssml

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// PlainText returns the words the document speaks: the Text of its Text
// items and the fallback text of its Audio items, joined with spaces.
func (d *Document) PlainText() string {
	var sb strings.Builder
	for i := range d.Items {
		it := &d.Items[i]
		if (it.Kind != Text && it.Kind != Audio) || it.Text == "" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(it.Text)
	}
	return sb.String()
}

// keyVersion starts every key; it changes when the encoding does.
const keyVersion = "ssml-key-1\x00"

// AppendKey appends to b a canonical encoding of what the document makes
// a synthesizer do, for keys of an audio cache: the language and, for
// each item in order, its kind, text, break, name, language, voice and
// prosody. Source and SayAs are left out, as they do not change the
// audio. Documents with equal keys sound the same; the encoding is stable
// across runs and processes.
func (d *Document) AppendKey(b []byte) []byte {
	b = append(b, keyVersion...)
	b = appendString(b, d.Lang)
	b = binary.AppendUvarint(b, uint64(len(d.Items)))
	for i := range d.Items {
		it := &d.Items[i]
		b = append(b, byte(it.Kind))
		b = appendString(b, it.Text)
		b = binary.AppendVarint(b, int64(it.Break))
		b = appendString(b, it.Name)
		b = appendString(b, it.Lang)
		b = appendString(b, it.Voice.Name)
		b = appendString(b, it.Voice.Gender)
		b = binary.AppendVarint(b, int64(it.Voice.Age))
		b = binary.AppendVarint(b, int64(it.Voice.Variant))
		for _, f := range [...]float64{it.Prosody.Rate, it.Prosody.Pitch, it.Prosody.Range, it.Prosody.Volume} {
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(f))
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func itoa(n int) string { return strconv.Itoa(n) }
