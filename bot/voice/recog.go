package voice

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/nlsml"
)

// errRecognizer is the cause of ASRFailure events for recognizer errors.
var errRecognizer = errors.New("voice: recognizer failed")

// recognitionEvent turns a RECOGNITION-COMPLETE into the dialogue's event:
// Speech with the best hypothesis, NoMatch, NoInput, or ASRFailure for the
// recognizer's errors and for bodies that do not parse.
func recognitionEvent(m *mrcp.Message, start, end time.Time) runtime.Event {
	cause, err := m.RecogCause()
	if err != nil {
		return runtime.Event{Kind: runtime.ASRFailure, Err: fmt.Errorf("%w: Completion-Cause: %w", errRecognizer, err)}
	}
	switch cause {
	case mrcp.RecogNoInputTimeout:
		return runtime.Event{Kind: runtime.NoInput}
	case mrcp.RecogSuccess, mrcp.RecogSuccessMaxtime, mrcp.RecogNoMatch, mrcp.RecogNoMatchMaxtime:
	default:
		return runtime.Event{Kind: runtime.ASRFailure, Err: fmt.Errorf("%w: Completion-Cause %s", errRecognizer, m.Header.Get(mrcp.HeaderCompletionCause))}
	}
	var best nlsml.Interpretation
	if len(m.Body) > 0 {
		res, err := nlsml.Parse(m.Body)
		if err != nil {
			return runtime.Event{Kind: runtime.ASRFailure, Err: fmt.Errorf("%w: result: %w", errRecognizer, err)}
		}
		best, _ = res.Best()
	}
	text := strings.TrimSpace(best.Input.Text)
	if text == "" {
		if s, ok := best.Instance.(string); ok {
			text = strings.TrimSpace(s)
		}
	}
	conf := best.Input.Confidence
	if conf == 0 {
		conf = best.Confidence
	}
	ev := runtime.Event{Kind: runtime.Speech, Text: text, Confidence: conf, Start: start, End: end}
	if cause == mrcp.RecogNoMatch || cause == mrcp.RecogNoMatchMaxtime || best.Input.NoMatch || text == "" {
		ev.Kind = runtime.NoMatch
	}
	if best.Input.NoInput {
		ev = runtime.Event{Kind: runtime.NoInput}
	}
	return ev
}
