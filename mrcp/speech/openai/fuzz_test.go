package openai

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// FuzzPCMReader checks that raw PCM decodes the same however the stream
// splits it, odd bytes included.
func FuzzPCMReader(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5}, uint8(3))
	f.Add(make([]byte, 9601), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, bufLen uint8) {
		p := &pcmReader{r: iotest.OneByteReader(bytes.NewReader(b))}
		if bufLen%2 == 1 {
			p.r = iotest.HalfReader(bytes.NewReader(b))
		}
		buf := make([]int16, int(bufLen)%64+1)
		var got []int16
		for range 4*len(b) + 2 {
			n, err := p.Read(buf)
			got = append(got, buf[:n]...)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(got) != len(b)/2 {
			t.Fatalf("%d samples from %d bytes", len(got), len(b))
		}
		for i, v := range got {
			if v != int16(binary.LittleEndian.Uint16(b[2*i:])) {
				t.Fatalf("sample %d = %d", i, v)
			}
		}
	})
}

// FuzzPlan checks that any document plans into requests the API takes:
// text within MaxInput and non-empty, speed within range, pauses capped.
func FuzzPlan(f *testing.F) {
	f.Add("hello world", "onyx", 1.0, 1.0, int64(time.Second), "m")
	f.Add(strings.Repeat("word ", 1000), "", 100.0, -1.0, int64(-5), "")
	f.Fuzz(func(t *testing.T, text, voice string, rate, volume float64, brk int64, mark string) {
		s, err := NewSynthesizer(Config{})
		if err != nil {
			t.Fatal(err)
		}
		p := ssml.Prosody{Rate: rate, Pitch: 1, Range: 1, Volume: volume}
		doc := &ssml.Document{Items: []ssml.Item{
			{Kind: ssml.Text, Text: text, Prosody: p, Voice: ssml.Voice{Name: voice}},
			{Kind: ssml.Break, Break: time.Duration(brk)},
			{Kind: ssml.Mark, Name: mark},
			{Kind: ssml.Audio, Text: text + text, Prosody: p},
			{Kind: ssml.Kind(200), Text: text},
		}}
		steps, err := s.plan(speech.SynthRequest{Doc: doc, Rate: 8000, Prosody: p})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range steps {
			switch st.kind {
			case stepSay:
				if st.text == "" || len(st.text) > MaxInput || strings.TrimSpace(st.text) != st.text {
					t.Fatalf("request text of %d bytes %q", len(st.text), st.text[:min(len(st.text), 40)])
				}
				if !(st.speed >= minSpeed && st.speed <= maxSpeed) && !math.IsNaN(rate) {
					t.Fatalf("speed %v", st.speed)
				}
			case stepPause:
				if st.pause <= 0 || st.pause > MaxBreak {
					t.Fatalf("pause %v", st.pause)
				}
			}
		}
	})
}

// FuzzHypotheses checks results built from any transcription response.
func FuzzHypotheses(f *testing.F) {
	f.Add(`{"text":"Yes, please.","segments":[{"start":0,"end":1,"avg_logprob":-0.3}]}`, true)
	f.Add(`{"text":"","segments":[{"start":1,"end":0,"avg_logprob":5}]}`, false)
	f.Fuzz(func(t *testing.T, body string, grammarOnly bool) {
		var resp goopenai.AudioResponse
		if json.Unmarshal([]byte(body), &resp) != nil {
			return
		}
		s := &stream{r: &Recognizer{c: &client{cfg: Config{Confidence: 0.8}}}, vocab: []map[string]bool{{"yes": true}}}
		if !grammarOnly {
			s.req.Transcribe = true
		}
		for _, h := range s.hypotheses(resp) {
			if !(h.Confidence >= 0 && h.Confidence <= 1) {
				t.Fatalf("confidence %v", h.Confidence)
			}
			if h.Text == "" || h.Text != strings.ToLower(h.Text) || strings.Join(strings.Fields(h.Text), " ") != h.Text {
				t.Fatalf("text %q", h.Text)
			}
			if h.Grammar < -1 || h.Grammar > 0 || grammarOnly && h.Grammar != 0 {
				t.Fatalf("grammar %d", h.Grammar)
			}
		}
	})
}
