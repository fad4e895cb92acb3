package voice

import (
	"testing"
	"time"
)

// The output queue sheds a backlog at the next silence the speech server
// sends: a prompt frame that arrived a tick late (two frames waiting)
// does not delay the prompts after it; silence on an empty queue and
// speech are kept.
func TestOutputShedsBacklogAtSilence(t *testing.T) {
	o, err := newOutput(8000, 8000, time.Second, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, 160)
	speech, quiet := speechLike(160, 8000), make([]int16, 160)
	o.fromTTS(0, quiet)
	if o.queued() != 160 {
		t.Fatalf("silence on an empty queue: %d queued, want 160", o.queued())
	}
	o.Next(out)
	// Two frames at once (a late one and the next): one stays queued.
	o.fromTTS(0, speech)
	o.fromTTS(0, speech)
	o.Next(out)
	o.fromTTS(0, quiet) // dropped: audio waits
	if o.queued() != 160 {
		t.Fatalf("silence behind queued speech: %d queued, want 160", o.queued())
	}
	o.Next(out)
	o.fromTTS(0, quiet)
	o.Next(out)
	if o.queued() != 0 {
		t.Fatalf("backlog %d samples after the silence, want none", o.queued())
	}
	// The next prompt goes out at the first tick after it arrives.
	o.arm()
	o.fromTTS(0, speech)
	o.Next(out)
	if _, sent := o.firsts(); sent.IsZero() {
		t.Fatal("the next prompt's first frame waited behind the old backlog")
	}
}
