package handoff

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/bot/voice"
)

// startHold plays hold audio to the caller, under the loop's speech.
func (q *queued) startHold() {
	leg := q.call.Leg()
	if leg == nil || leg.Transmitter() == nil {
		return
	}
	var speech = q.loop
	if speech == nil {
		return
	}
	rate := leg.Transmitter().Rate()
	q.hold = newHoldSource(speech.Audio(), q.s.holdClip(rate), rate)
	leg.Transmitter().Play(q.hold, nil)
}

// announce speaks the position and expected wait over the hold audio, on
// a goroutine of its own so that offers are rung meanwhile; an
// announcement still being spoken makes this one unnecessary.
func (q *queued) announce(pos acd.Position) {
	if q.loop == nil || q.hold == nil {
		return
	}
	if q.annDone != nil {
		select {
		case <-q.annDone:
		default:
			return
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	q.annCancel, q.annDone = cancel, done
	loop, hold, text := q.loop, q.hold, announcement(pos.Position, pos.EWT)
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		defer close(done)
		hold.setSpeaking(true)
		defer hold.setSpeaking(false)
		if err := sayWithin(ctx, loop, text, 0); err != nil {
			q.log.Warn("announcement failed", "err", err)
		}
	}()
}

// stopAnnounce cuts an announcement short and waits for it.
func (q *queued) stopAnnounce() {
	if q.annCancel == nil {
		return
	}
	q.annCancel()
	<-q.annDone
	q.annCancel, q.annDone = nil, nil
}

// say speaks text to the caller and returns when it has been heard. Its
// prompts end the wait (goodbye, voicemail, callback), so the music stops
// for good.
func (q *queued) say(ctx context.Context, text string) {
	q.stopAnnounce()
	if q.loop == nil || q.call.Ended() {
		return
	}
	if q.hold != nil {
		q.hold.setMusic(false)
		q.hold.setSpeaking(true)
		defer q.hold.setSpeaking(false)
	}
	if err := sayWithin(ctx, q.loop, text, 0); err != nil {
		q.log.Warn("prompt not spoken", "text", text, "err", err)
	}
}

// end releases what the transfer holds: rings, the announcement, the
// loop, and the call itself.
func (q *queued) end(ctx context.Context) {
	q.stopRings()
	q.stopAnnounce()
	q.wg.Wait()
	if q.loop != nil {
		_ = q.loop.Close()
		q.loop = nil
	}
	_ = q.call.Hangup(context.WithoutCancel(ctx))
}

// fallback carries out a queue's fallback, then the call ends.
func (q *queued) fallback(ctx context.Context, f acd.Fallback) {
	switch f {
	case acd.FallbackVoicemail:
		q.say(ctx, sayVoicemail)
		if q.loop == nil {
			return
		}
		if q.hold != nil {
			q.hold.setMusic(false)
		}
		path := q.loop.LeaveMessage(ctx, q.queue, q.s.cfg.MessageMax)
		if path == "" {
			q.say(ctx, sayNoMessage)
			return
		}
		q.log.Info("voicemail left", "queue", q.queue, "path", path)
		q.say(ctx, sayMessageDone)
	case acd.FallbackCallback:
		if q.callbackKept(ctx) {
			q.s.keepPacket(q.id, q.packet)
			q.log.Info("callback requested", "queue", q.queue, "number", q.number)
			q.say(ctx, sayCallback)
			return
		}
		q.say(ctx, sayNoCallback)
	default:
		q.say(ctx, sayGoodbye)
	}
}

// callbackKept reports whether the ACD kept the call as a callback
// request for the caller's number (it does so itself, keeping the
// caller's place, when it knows the number).
func (q *queued) callbackKept(ctx context.Context) bool {
	if q.number == "" {
		return false
	}
	_, err := q.s.cfg.ACD.Position(ctx, q.id)
	return err == nil
}

// sayWithin speaks text on loop and returns when it has been heard: the
// SPEAK completed and about the time the words take (the loop's own wait
// for its queue to empty may outlast the speech when the speech server
// streams silence after it); limit, if positive, caps the wait.
func sayWithin(ctx context.Context, loop *voice.Loop, text string, limit time.Duration) error {
	d := speechTime(text) + 2*time.Second
	if limit > 0 {
		d = min(d, limit)
	}
	sctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	err := loop.Say(sctx, text)
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return nil // heard: only the queue's drain was cut short
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// speechTime is about how long text takes to say.
func speechTime(text string) time.Duration {
	n := len(strings.Fields(text))
	return time.Duration(float64(n) / wordsPerSecond * float64(time.Second))
}
