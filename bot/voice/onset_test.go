package voice

import (
	"testing"
	"time"
)

// The input's onset detector signals once speech has lasted the onset
// time, and not for a click shorter than that.
func TestInputOnset(t *testing.T) {
	in, err := newInput(16000, 16000, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	quiet := make([]int16, 320)
	for i := range quiet {
		quiet[i] = int16(i%7 - 3) // a faint floor for the noise estimate
	}
	signalled := func() bool {
		select {
		case <-in.onset:
			return true
		default:
			return false
		}
	}
	for range 50 {
		in.fromCaller(0, quiet)
	}
	in.fromCaller(0, speechLike(320, 16000)) // a 20 ms click
	for range 25 {
		in.fromCaller(0, quiet)
	}
	if signalled() {
		t.Fatal("a 20 ms click signalled an onset")
	}
	speech := speechLike(16000, 16000)
	frames := 0
	for i := 0; i+320 <= len(speech) && !signalled(); i += 320 {
		in.fromCaller(0, speech[i:i+320])
		frames++
	}
	if got := frames * 20; got < bargeInOnsetMs || got > bargeInOnsetMs+60 {
		t.Fatalf("onset signalled after %d ms of speech, want about %d", got, bargeInOnsetMs)
	}
}
