package sphinx

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
)

// rssBytes is the process's resident set size.
func rssBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}

// TestNoLeak runs many utterances through every mode, with more grammar
// and phrase sets than the decoders keep, so that searches are loaded,
// evicted and reloaded and words added, and checks that the memory held
// stops growing once the pool is warm, and that decoders are accounted
// for.
func TestNoLeak(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := newTestEngine(t, Config{MaxDecoders: 2, SearchesPerDecoder: 2, PlanCache: 4})
	var reqs []speech.RecogRequest
	for i := range 6 {
		reqs = append(reqs, speech.RecogRequest{Rate: 16000, Phrases: append([]string{fmt.Sprintf("set %d has its own words", i)}, bankingPhrases...)})
		reqs = append(reqs, speech.RecogRequest{Rate: 8000, Grammars: []speech.Grammar{
			testGrammar(fmt.Sprintf("grammar g; public <a> = yes | no | option %d;", i)), testGrammar(digitsJSGF)}})
	}
	reqs = append(reqs, speech.RecogRequest{Rate: 16000, Transcribe: true, NBest: 3})
	audio := map[int][]int16{8000: utterance(t, flite, "yes", 8000), 16000: utterance(t, flite, "what is my balance", 16000)}
	round := func() {
		for _, req := range reqs {
			recognize(t, e, req, audio[req.Rate])
		}
	}
	measure := func() int64 {
		runtime.GC()
		debug.FreeOSMemory()
		return rssBytes(t)
	}
	for range 6 { // the allocators' arenas settle
		round()
	}
	before := measure()
	const rounds = 10
	for range rounds {
		round()
	}
	after := measure()
	growth := after - before
	t.Logf("%d utterances: RSS %d MB -> %d MB (%+d KB), stats %+v",
		rounds*len(reqs), before>>20, after>>20, growth>>10, e.Stats())
	if growth > 8<<20 {
		t.Errorf("RSS grew by %d MB over %d utterances", growth>>20, rounds*len(reqs))
	}
	if st := e.Stats(); int(st.Created-st.Freed) != st.Decoders || st.Decoders > 2 {
		t.Errorf("decoders not accounted for: %+v", st)
	}
}

// TestNoLeakSteady repeats one request per mode many times on one
// decoder: a leak of even a few kilobytes an utterance would show.
func TestNoLeakSteady(t *testing.T) {
	e := newTestEngine(t, Config{MaxDecoders: 1})
	pcm := utterance(t, flite, "what is my balance", 16000)
	for _, tc := range []struct {
		name string
		req  speech.RecogRequest
	}{
		{"grammars", speech.RecogRequest{Rate: 16000, Grammars: bothGrammars}},
		{"phrases", speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases, NBest: 3}},
		{"transcribe", speech.RecogRequest{Rate: 16000, Transcribe: true, NBest: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 {
				recognize(t, e, tc.req, pcm)
			}
			runtime.GC()
			debug.FreeOSMemory()
			before := rssBytes(t)
			const n = 100
			for range n {
				recognize(t, e, tc.req, pcm)
			}
			runtime.GC()
			debug.FreeOSMemory()
			growth := rssBytes(t) - before
			t.Logf("%d utterances: RSS %+d KB", n, growth>>10)
			if growth > 2<<20 {
				t.Errorf("RSS grew by %d KB over %d utterances", growth>>10, n)
			}
		})
	}
}
