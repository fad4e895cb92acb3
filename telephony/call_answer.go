package telephony

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/record"
	"github.com/parley-cc/parley/store"
)

// Answer opens the call's audio leg, sends 200 OK with the SDP answer and
// waits for the ACK (RFC 3261 13.3.1.4). From then the call is recorded,
// if the UA records, until it ends. An answer the caller never
// acknowledges ends the call with BYE and ErrNoAck; a CANCEL that crossed
// the answer ends it as cancelled and Answer returns ErrCallEnded.
func (c *Call) Answer(ctx context.Context) error {
	c.setupMu.Lock()
	defer c.setupMu.Unlock()
	c.mu.Lock()
	switch c.state {
	case stateEnded:
		c.mu.Unlock()
		return ErrCallEnded
	case stateAnswering, stateAnswered:
		c.mu.Unlock()
		return ErrAnswered
	}
	if c.finalClaimed {
		c.mu.Unlock()
		return ErrCallEnded // a rejection is on its way
	}
	c.finalClaimed = true
	c.state = stateAnswering
	early, answer := c.early, c.session.answer
	c.mu.Unlock()

	if !early {
		var err error
		if answer, err = c.openMedia(ctx); err != nil {
			return c.mediaFailed(err, true)
		}
	}
	c.mu.Lock()
	ended := c.state == stateEnded
	c.answered = time.Now()
	c.mu.Unlock()
	if ended {
		return ErrCallEnded
	}
	err := c.dlg.RespondSDP(answer)
	c.finalized()
	if err != nil {
		if errors.Is(context.Cause(c.dlg.Context()), sip.ErrTransactionCanceled) {
			c.cancelled()
			return ErrCallEnded
		}
		c.log.Info("answer not acknowledged", "err", err)
		bctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.hangup(bctx, store.Failed, "no-ack")
		return fmt.Errorf("answer call %s: %w: %v", c.id, ErrNoAck, err)
	}
	c.mu.Lock()
	if c.state != stateAnswering {
		c.mu.Unlock()
		return ErrCallEnded
	}
	c.mu.Unlock()
	c.answeredNow(sip.StatusOK)
	return nil
}

// answeredNow makes the call answered: it writes the answer to the record
// and starts the RTP time-out.
func (c *Call) answeredNow(status int) {
	c.mu.Lock()
	c.state = stateAnswered
	stored := make(chan struct{})
	c.answerStored = stored
	at := c.answered
	codec := c.media.Send.String()
	c.mu.Unlock()
	c.event("answer", status)
	c.record("answer", func(ctx context.Context, s CallStore) error {
		if err := s.AnswerLeg(ctx, store.CallID(c.recordID()), c.legID, at); err != nil {
			return err
		}
		if !c.owner {
			return nil
		}
		return s.AnswerCall(ctx, store.CallID(c.recordID()), at)
	})
	close(stored)
	c.log.Info("call answered", "codec", codec)
	if c.ua.cfg.RTPTimeout > 0 {
		c.ua.wg.Add(1)
		go func() { defer c.ua.wg.Done(); c.watchRTP(c.ua.cfg.RTPTimeout) }()
	}
}

// mediaFailed refuses the call whose media could not be set up: with the
// SDP error's status, else 503. claimed says the caller (Answer) already
// holds the final response.
func (c *Call) mediaFailed(err error, claimed bool) error {
	status, reason := sip.StatusServiceUnavailable, err.Error()
	var se *SDPError
	if errors.As(err, &se) {
		status, reason = se.Status, se.Reason
	}
	if claimed {
		_ = c.sendReject(status, reason, store.Failed)
	} else {
		_ = c.reject(status, reason, store.Failed)
	}
	return fmt.Errorf("answer call %s: %w", c.id, err)
}

// Progress sends 183 Session Progress with the SDP answer (early media,
// RFC 3960) and starts the call's Leg, so that the Handler can play audio
// to the caller before Answer; Answer then sends 200 OK with the same SDP.
// The 183 is sent unreliably (no PRACK, RFC 3262). The recording starts
// here, so it holds the early media too. Progress on a call already in
// early media does nothing; it fails with ErrAnswered after Answer and
// ErrCallEnded once the call ended. Media that cannot be set up refuses
// the call as Answer does.
func (c *Call) Progress(ctx context.Context) error {
	c.setupMu.Lock()
	defer c.setupMu.Unlock()
	c.mu.Lock()
	switch {
	case c.state == stateEnded, c.state == stateRinging && c.finalClaimed:
		c.mu.Unlock()
		return ErrCallEnded
	case c.state != stateRinging:
		c.mu.Unlock()
		return ErrAnswered
	case c.early:
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	answer, err := c.openMedia(ctx)
	if err != nil {
		return c.mediaFailed(err, false)
	}
	c.mu.Lock()
	c.early = true
	c.mu.Unlock()
	c.event("progress", sip.StatusSessionInProgress)
	if err := c.dlg.Respond(sip.StatusSessionInProgress, "Session Progress", answer, sip.NewHeader("Content-Type", "application/sdp")); err != nil {
		return fmt.Errorf("183 for call %s: %w", c.id, err)
	}
	c.log.Info("early media", "codec", c.Media().Send.String())
	return nil
}

// openMedia binds the leg, answers the offer on its port, starts the
// recording and the RTP session. It returns the SDP answer.
func (c *Call) openMedia(ctx context.Context) ([]byte, error) {
	u := c.ua
	leg, err := media.OpenLeg(ctx, u.ports, u.pacer, c.log)
	if err != nil {
		return nil, err
	}
	local := netip.AddrPortFrom(u.cfg.MediaIP, uint16(leg.LocalPort()))
	origin := Origin{SessionID: uint64(time.Now().UnixNano()), SessionVersion: 1}
	answer, m, err := Answer(c.offer, *u.cfg.Capabilities, local, origin)
	if err != nil {
		_ = leg.Close()
		return nil, err
	}
	if err := c.startLeg(leg, m, session{media: m, answer: answer, origin: origin, local: local, held: m.OnHold()}); err != nil {
		return nil, err
	}
	return answer, nil
}

// startLeg starts the RTP session of leg with what offer/answer settled,
// recording it when the call owns its record, and makes it the call's.
// On error the leg is closed.
func (c *Call) startLeg(leg *media.Leg, m Media, sess session) error {
	rate := 8000
	if m.Send.SampleRate >= 16000 {
		rate = 16000
	}
	now := time.Now()
	var rec *record.Recorder
	var path string
	if c.owner {
		var err error
		if rec, path, err = c.createRecording(now, rate); err != nil {
			_ = leg.Close()
			return err
		}
	}
	lc := media.LegConfig{
		Payloads: m.Payloads, Remote: m.Remote, RemoteRTCP: m.RemoteRTCP, RTCPMux: m.RTCPMux,
		Symmetric: true, Ptime: m.Ptime,
		Receive: media.ReceiverConfig{Rate: rate, Start: now, OnDigit: c.onRTPDigit},
		Send:    media.TransmitterConfig{Rate: rate, Start: now},
	}
	if rec != nil {
		lc.Receive.Record = media.RecordChannel(rec, record.Caller)
		lc.Send.Record = media.RecordChannel(rec, record.Agent)
	}
	if err := leg.Start(lc); err != nil {
		_ = leg.Close()
		discardRecording(rec, path)
		return err
	}
	c.mu.Lock()
	if c.state == stateEnded {
		c.mu.Unlock()
		_ = leg.Close()
		discardRecording(rec, path)
		return ErrCallEnded
	}
	c.leg, c.media, c.rec, c.recPath, c.started, c.answered = leg, m, rec, path, now, now
	c.session = sess
	c.mu.Unlock()
	return nil
}

// createRecording opens <RecordingDir>/<yyyy-mm-dd>/<call id>.<format>;
// nil when the UA does not record.
func (c *Call) createRecording(now time.Time, rate int) (*record.Recorder, string, error) {
	cfg := c.ua.cfg
	if cfg.RecordingDir == "" {
		return nil, "", nil
	}
	dir := filepath.Join(cfg.RecordingDir, now.UTC().Format("2006-01-02"))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, "", fmt.Errorf("recording directory: %w", err)
	}
	path := filepath.Join(dir, string(c.id)+"."+cfg.RecordingFormat)
	rec, err := record.Create(path, rate, record.Config{})
	if err != nil {
		return nil, "", fmt.Errorf("recording: %w", err)
	}
	return rec, path, nil
}

func discardRecording(rec *record.Recorder, path string) {
	if rec != nil {
		_ = rec.Close()
		_ = os.Remove(path)
	}
}

// closeRecording ends the file at the call's length and indexes it; the
// file of a call that was never answered is removed.
func (c *Call) closeRecording(rec *record.Recorder, end time.Time, answered bool) {
	c.mu.Lock()
	path, start := c.recPath, c.started
	c.mu.Unlock()
	if !answered {
		discardRecording(rec, path)
		return
	}
	dur := end.Sub(start)
	if err := rec.CloseAt(dur); err != nil {
		c.log.Warn("closing recording", "path", path, "err", err)
	}
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	rel, err := filepath.Rel(c.ua.cfg.DataDir, path)
	if err != nil {
		rel = path
	}
	format := store.FormatWAV
	if c.ua.cfg.RecordingFormat == "opus" {
		format = store.FormatOpus
	}
	c.record("recording", func(ctx context.Context, s CallStore) error {
		return s.SetRecording(ctx, store.Recording{
			CallID: store.CallID(c.recordID()), Path: filepath.ToSlash(rel), Format: format,
			Duration: dur, Bytes: size, Channels: store.ChannelsCallerLeft,
		})
	})
}

// watchRTP hangs up when no RTP has arrived for timeout (the far end
// vanished without BYE). A call on hold is not timed out: the far end may
// send nothing (a=inactive); the time-out starts again at unhold.
func (c *Call) watchRTP(timeout time.Duration) {
	every := min(timeout/4, time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case now := <-t.C:
			if c.rtpSilentFor(now) < timeout {
				continue
			}
			c.log.Info("no RTP", "timeout", timeout)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = c.hangup(ctx, store.Answered, "rtp-timeout")
			cancel()
			return
		}
	}
}

// rtpSilentFor is how long since the last RTP packet, or the answer.
func (c *Call) rtpSilentFor(now time.Time) time.Duration {
	c.mu.Lock()
	leg, last, held := c.leg, c.answered, c.session.held
	if c.unheld.After(last) {
		last = c.unheld
	}
	c.mu.Unlock()
	if leg == nil || held {
		return 0
	}
	if s := leg.Session(); s != nil {
		if lp := s.Stats().Receive.LastPacket; lp.After(last) {
			last = lp
		}
	}
	return now.Sub(last)
}

// cancelled ends a call the caller gave up on (CANCEL, RFC 3261 9.2); the
// transaction layer has answered 487.
func (c *Call) cancelled() {
	c.event("cancel", sip.StatusRequestTerminated)
	c.finish(store.Cancelled, "caller-cancel", sip.StatusRequestTerminated)
}
