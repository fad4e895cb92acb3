package acd

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzDecodeRecords feeds arbitrary bytes to the decoders of stored records and events
// (what a node reads back from Redis): never a panic, and what decodes re-encodes to
// something that decodes the same way.
func FuzzDecodeRecords(f *testing.F) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	seeds := []any{
		agentRec{Agent: Agent{AgentConfig: AgentConfig{ID: "alice", Skills: map[string]int{"fr": 7}}, State: StateReady, Since: t0}},
		callRec{Req: CallRequest{ID: "c1", Queue: "sales", Skills: map[string]int{"x": 1}}, Queue: "sales", Entered: t0, Status: callOffered,
			Offers: []Offer{{ID: "c1~ab", CallID: "c1", AgentID: "alice", Expires: t0}}},
		Event{Kind: EventOffer, CallID: "c1", Offer: &Offer{ID: "c1~ab"}},
	}
	for _, s := range seeds {
		b, _ := json.Marshal(s)
		f.Add(b)
	}
	f.Add([]byte(`{"state":"bogus","id":"x"}`))
	f.Add([]byte(`{"req":{"id":"c"},"queue":"q","status":"waiting","offers":null}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := decodeAgent(b); err == nil {
			again, _ := json.Marshal(a)
			if _, err := decodeAgent(again); err != nil {
				t.Fatalf("agent re-decode: %v", err)
			}
		}
		if c, err := decodeCall(b); err == nil {
			again, _ := json.Marshal(c)
			if _, err := decodeCall(again); err != nil {
				t.Fatalf("call re-decode: %v", err)
			}
			_, _ = c.offer("x")
			c.dropOffer("x")
		}
		_, _ = decodeEvent(b)
		_, _ = offerCall(string(b))
	})
}
