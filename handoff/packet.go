package handoff

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-cc/parley/bot/runtime"
)

// PacketVersion is the version of the Packet JSON layout.
const PacketVersion = 1

// MaxPacketSize bounds a marshalled Packet: the ACD keeps it with the
// call on every backend (acd.CallRequest.Context).
const MaxPacketSize = 256 << 10

// maxText caps one text field (a turn, the summary, a data value).
const maxText = 4 << 10

// Packet is the context an agent gets with a warm transfer, as JSON: who
// is calling, why, what was said and how the caller feels. The console
// renders it; the ACD stores it opaque.
type Packet struct {
	Version int    `json:"version"`
	CallID  string `json:"call_id"`
	// Created is when the packet was built (the transfer).
	Created time.Time `json:"created"`
	Caller  Caller    `json:"caller"`
	// Script is the dialogue script that served the call.
	Script string `json:"script,omitempty"`
	// Queue, Skills and Priority are where the bot sent the call.
	Queue    string   `json:"queue"`
	Skills   []string `json:"skills,omitempty"`
	Priority int      `json:"priority"`
	// Reason is why the bot transferred ("caller asked for an agent").
	Reason string `json:"reason"`
	// Summary is a few sentences for the agent (extractive, or an LLM's).
	Summary string `json:"summary"`
	// Intents recognised, in order; the first is why they called.
	Intents []string `json:"intents"`
	// Slots gathered, name to value (sensitive ones masked).
	Slots map[string]string `json:"slots"`
	// Verified is whether the caller passed identity verification.
	Verified  bool      `json:"verified"`
	Sentiment Sentiment `json:"sentiment"`
	// Path is the ids of the script steps taken, in order.
	Path []string `json:"path"`
	// Transcript is the conversation with the bot, oldest first. When the
	// packet would exceed MaxPacketSize the oldest turns are dropped and a
	// marker turn (speaker "system") says how many.
	Transcript []Turn `json:"transcript"`
	// OmittedTurns counts the turns dropped to fit MaxPacketSize.
	OmittedTurns int       `json:"omitted_turns,omitempty"`
	Recording    Recording `json:"recording"`
}

// Caller is who is calling.
type Caller struct {
	// Number is the caller's number (the From user part).
	Number string `json:"number"`
	// Name is the display name the caller presented, if any.
	Name string `json:"name,omitempty"`
	// Data is what is known about the customer (CRM fields, "vip").
	Data map[string]string `json:"data,omitempty"`
}

// Sentiment is how the caller feels: the smoothed score in [-1, 1], its
// slope (negative: getting worse) and each caller turn's score.
type Sentiment struct {
	Current float64          `json:"current"`
	Trend   float64          `json:"trend"`
	Points  []SentimentPoint `json:"points,omitempty"`
}

// SentimentPoint is the sentiment of one caller turn.
type SentimentPoint struct {
	At    time.Time `json:"at"`
	Score float64   `json:"score"`
}

// Turn is one utterance or key press of the transcript.
type Turn struct {
	Speaker string    `json:"speaker"` // caller, bot, or system (the truncation marker)
	Text    string    `json:"text"`
	DTMF    string    `json:"dtmf,omitempty"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Step    string    `json:"step,omitempty"`
	// ASRConfidence is the recognizer's confidence in Text, 0..1.
	ASRConfidence    float64           `json:"asr_confidence,omitempty"`
	Intent           string            `json:"intent,omitempty"`
	IntentConfidence float64           `json:"intent_confidence,omitempty"`
	Slots            map[string]string `json:"slots,omitempty"`
	Sentiment        float64           `json:"sentiment"`
}

// Recording links the call's recording, which goes on across the
// transfer: the call ID in the store and the API path that serves it
// once the call has ended.
type Recording struct {
	CallID string `json:"call_id"`
	URL    string `json:"url"`
}

// RecordingURL is the console API path of a call's recording.
func RecordingURL(callID string) string { return "/api/v1/calls/" + callID + "/recording" }

// Source is what a Packet is built from.
type Source struct {
	CallID string
	// Caller is the caller's number; CallerName their display name.
	Caller, CallerName string
	// Data is known customer data; it is copied.
	Data map[string]string
	// Script names the dialogue script.
	Script string
	// Transfer is the bot's transfer action, with its Handoff context.
	Transfer *runtime.Transfer
	// Summary, when set, replaces the transfer's extractive summary.
	Summary string
	// Now is the packet's creation time; zero means time.Now().
	Now time.Time
}

// NewPacket builds the packet of a transfer. A nil Transfer gives a packet
// with the call and caller only. Text is made valid UTF-8 and capped, and
// scores are clamped to [-1, 1] (NaN is 0), so that the packet always
// marshals.
func NewPacket(s Source) Packet {
	p := Packet{Version: PacketVersion, CallID: clean(s.CallID), Created: s.Now, Script: clean(s.Script),
		Caller:    Caller{Number: clean(s.Caller), Name: clean(s.CallerName), Data: cleanMap(s.Data)},
		Recording: Recording{CallID: clean(s.CallID), URL: RecordingURL(clean(s.CallID))},
		Intents:   []string{}, Slots: map[string]string{}, Path: []string{}, Transcript: []Turn{}}
	if p.Created.IsZero() {
		p.Created = time.Now()
	}
	p.Created = p.Created.UTC()
	if t := s.Transfer; t != nil {
		h := t.Context
		p.Queue, p.Priority, p.Reason = clean(t.Queue), t.Priority, clean(t.Reason)
		p.Skills = cleanList(t.Skills)
		p.Summary = clean(h.Summary)
		p.Intents = cleanList(h.Intents)
		if m := cleanMap(h.Slots); m != nil {
			p.Slots = m
		}
		p.Verified = h.Verified
		p.Sentiment = Sentiment{Current: score(h.Sentiment), Trend: finite(h.Trend)}
		p.Path = cleanList(h.Path)
		for _, rt := range h.Transcript {
			tu := turnOf(rt)
			p.Transcript = append(p.Transcript, tu)
			if tu.Speaker == "caller" {
				p.Sentiment.Points = append(p.Sentiment.Points, SentimentPoint{At: tu.End, Score: tu.Sentiment})
			}
		}
	}
	if s.Summary != "" {
		p.Summary = clean(s.Summary)
	}
	return p
}

func turnOf(rt runtime.Turn) Turn {
	t := Turn{Speaker: clean(rt.Speaker), Text: clean(rt.Text), DTMF: clean(rt.DTMF), Start: rt.Start.UTC(), End: rt.End.UTC(),
		Step: clean(rt.Step), ASRConfidence: unit(rt.Confidence), Intent: clean(rt.Intent),
		IntentConfidence: unit(rt.IntentConfidence), Sentiment: score(rt.Sentiment)}
	for _, sl := range rt.Slots {
		if t.Slots == nil {
			t.Slots = map[string]string{}
		}
		v := sl.Normalized
		if v == "" {
			v = sl.Value
		}
		t.Slots[clean(sl.Name)] = clean(v)
	}
	return t
}

// Marshal encodes the packet in at most MaxPacketSize bytes: when it is
// larger, the oldest turns are dropped (and their sentiment points) and a
// marker turn at the head of the transcript says how many.
func (p Packet) Marshal() ([]byte, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("handoff: marshal packet: %w", err)
	}
	if len(b) <= MaxPacketSize {
		return b, nil
	}
	turns := p.Transcript
	if len(turns) > 0 && turns[0].Speaker == markerSpeaker {
		turns = turns[1:] // a packet already truncated: recount
	}
	omitted := p.OmittedTurns
	// Drop about as many turns as the excess needs, then one at a time.
	for len(turns) > 0 {
		over := len(b) - MaxPacketSize
		drop := 1
		if per := len(b) / (len(turns) + 1); per > 0 && over/per > 1 {
			drop = min(len(turns), over/per)
		}
		turns = turns[drop:]
		omitted += drop
		q := p
		q.OmittedTurns = omitted
		q.Transcript = append([]Turn{marker(omitted, turns)}, turns...)
		q.Sentiment.Points = pointsSince(p.Sentiment.Points, turns)
		if b, err = json.Marshal(q); err != nil {
			return nil, fmt.Errorf("handoff: marshal packet: %w", err)
		}
		if len(b) <= MaxPacketSize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: %d bytes without any turn", ErrPacketTooLarge, len(b))
}

// markerSpeaker is the speaker of the truncation marker turn.
const markerSpeaker = "system"

func marker(omitted int, rest []Turn) Turn {
	t := Turn{Speaker: markerSpeaker, Text: fmt.Sprintf("[%d earlier turns omitted]", omitted)}
	if len(rest) > 0 {
		t.Start, t.End = rest[0].Start, rest[0].Start
	}
	return t
}

func pointsSince(pts []SentimentPoint, rest []Turn) []SentimentPoint {
	if len(rest) == 0 {
		return nil
	}
	from := rest[0].Start
	for i, pt := range pts {
		if !pt.At.Before(from) {
			return pts[i:]
		}
	}
	return nil
}

// ParsePacket decodes a packet (from the ACD, for the console). Input
// over MaxPacketSize or of another version is refused.
func ParsePacket(b []byte) (Packet, error) {
	var p Packet
	if len(b) > MaxPacketSize {
		return p, fmt.Errorf("%w: %d bytes", ErrPacketTooLarge, len(b))
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return Packet{}, fmt.Errorf("handoff: parse packet: %w", err)
	}
	if p.Version != PacketVersion {
		return Packet{}, fmt.Errorf("%w: version %d", ErrBadPacket, p.Version)
	}
	return p, nil
}

// clean makes s valid UTF-8 without NUL and caps it at maxText bytes.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) > maxText {
		cut := maxText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, clean(s))
	}
	return out
}

func cleanMap(in map[string]string) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[clean(k)] = clean(v)
	}
	return out
}

// finite is x, or 0 for NaN and infinities (which JSON cannot carry).
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

func score(x float64) float64 { return max(-1, min(1, finite(x))) }
func unit(x float64) float64  { return max(0, min(1, finite(x))) }
