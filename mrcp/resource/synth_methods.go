package resource

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// speak handles SPEAK (RFC 6787 section 8.6). The body is parsed and the
// voice chosen now, so that failures are answered at once with 407 and a
// Completion-Cause; an accepted request starts (IN-PROGRESS) or waits
// behind the active one (PENDING).
func (s *Synth) speak(req *mrcp.Message) {
	code, ok := s.ch.checkRequest(req)
	if !ok {
		return
	}
	if len(s.queue) >= maxQueue {
		s.ch.reply(req, mrcp.StatusMethodFailed, causeFields(mrcp.SynthError.String(), "too many SPEAK requests queued")...)
		return
	}
	lang := s.ch.value(req, mrcp.HeaderSpeechLanguage)
	ct := req.ContentType()
	if len(req.Body) == 0 && ct == "" {
		ct = ssml.ContentTypePlain
	}
	doc, err := ssml.ParseLang(ct, req.Body, lang)
	switch {
	case errors.Is(err, ssml.ErrUnsupported):
		s.ch.reply(req, mrcp.StatusUnrecognizedEntity)
		return
	case err != nil:
		s.ch.reply(req, mrcp.StatusMethodFailed, causeFields(mrcp.SynthParseFailure.String(), err.Error())...)
		return
	}
	if doc.Lang != "" {
		lang = doc.Lang
	}
	age, _ := strconv.Atoi(s.ch.value(req, mrcp.HeaderVoiceAge))
	sel := speech.VoiceSelection{
		Name:     s.ch.value(req, mrcp.HeaderVoiceName),
		Language: lang,
		Gender:   strings.ToLower(s.ch.value(req, mrcp.HeaderVoiceGender)),
		Age:      age,
	}
	synth, voice, err := s.cfg.Engines.SelectVoice(sel)
	if err == nil && synth == nil {
		err = speech.ErrNoVoice
	}
	if err != nil {
		cause, reason := synthCause(err)
		if cause == mrcp.SynthNormal {
			cause = mrcp.SynthError
		}
		s.ch.reply(req, mrcp.StatusMethodFailed, causeFields(cause.String(), reason)...)
		return
	}
	rate, _ := parseRate(s.ch.value(req, mrcp.HeaderProsodyRate))
	volume, _ := parseVolume(s.ch.value(req, mrcp.HeaderProsodyVolume))
	secs, _ := parseSpeakLength(s.ch.value(req, mrcp.HeaderSpeakLength))
	j := &speakJob{
		id:    req.RequestID,
		synth: synth,
		doc:   doc,
		req: speech.SynthRequest{
			Voice:   voice,
			Rate:    s.cfg.Rate,
			Prosody: ssml.Prosody{Rate: rate, Pitch: 1, Range: 1, Volume: volume},
		},
		kill:  !strings.EqualFold(s.ch.value(req, mrcp.HeaderKillOnBargeIn), "false"),
		limit: secs * int64(s.cfg.Rate),
	}
	if s.active != nil {
		s.queue = append(s.queue, j)
		s.ch.emit(s.ch.response(req, code, mrcp.StatePending))
		return
	}
	s.start(j)
	resp := s.ch.response(req, code, mrcp.StateInProgress)
	resp.Header.Add(mrcp.HeaderSpeechMarker, speechMarker(time.Now(), ""))
	s.ch.emit(resp)
	s.ch.log.Info("speak", "request_id", j.id, "engine", synth.Name(), "voice", voice.Name)
}

// stop handles STOP (RFC 6787 section 8.7): it ends the SPEAK requests
// in Active-Request-Id-List, or all of them, without SPEAK-COMPLETE, and
// lists those it ended. When the active one ends, the next queued one
// starts, in the paused state if the synthesizer was paused.
func (s *Synth) stop(req *mrcp.Message) {
	if _, ok := s.ch.checkRequest(req); !ok {
		return
	}
	ids, err := req.ActiveRequestIDs()
	all := err != nil // absent: the field was checked
	var stopped []mrcp.RequestID
	j := s.active
	activeStopped := j != nil && (all || slices.Contains(ids, j.id))
	if activeStopped {
		s.halt(j)
		s.active = nil
		stopped = append(stopped, j.id)
	}
	s.queue = slices.DeleteFunc(s.queue, func(q *speakJob) bool {
		if all || slices.Contains(ids, q.id) {
			stopped = append(stopped, q.id)
			return true
		}
		return false
	})
	resp := s.ch.response(req, mrcp.StatusSuccess, mrcp.StateComplete)
	resp.SetActiveRequestIDs(stopped...)
	if activeStopped {
		resp.Header.Add(mrcp.HeaderSpeechMarker, speechMarker(time.Now(), j.lastMark))
	}
	s.ch.emit(resp)
	if !activeStopped {
		return
	}
	if len(s.queue) == 0 {
		s.paused = false
		s.cfg.Out.Stop()
		return
	}
	s.next()
}

// bargeIn handles BARGE-IN-OCCURRED (RFC 6787 section 8.8): when the
// active SPEAK has Kill-On-Barge-In true, it and every queued SPEAK end
// at once, without SPEAK-COMPLETE, and the response lists them.
// Otherwise nothing changes.
func (s *Synth) bargeIn(req *mrcp.Message) {
	if _, ok := s.ch.checkRequest(req); !ok {
		return
	}
	j := s.active
	if j == nil || !j.kill {
		s.ch.reply(req, mrcp.StatusSuccess)
		return
	}
	s.halt(j)
	s.active = nil
	stopped := []mrcp.RequestID{j.id}
	for _, q := range s.queue {
		stopped = append(stopped, q.id)
	}
	s.queue = nil
	s.paused = false
	s.cfg.Out.Stop()
	resp := s.ch.response(req, mrcp.StatusSuccess, mrcp.StateComplete)
	resp.SetActiveRequestIDs(stopped...)
	resp.Header.Add(mrcp.HeaderSpeechMarker, speechMarker(time.Now(), j.lastMark))
	s.ch.emit(resp)
	s.ch.log.Info("barge-in", "request_id", j.id, "stopped", len(stopped))
}

// pause handles PAUSE (RFC 6787 section 8.9): 402 without an active
// SPEAK; otherwise the output plays silence until RESUME, and the
// response names the SPEAK.
func (s *Synth) pause(req *mrcp.Message) {
	if _, ok := s.ch.checkRequest(req); !ok {
		return
	}
	j := s.active
	if j == nil {
		s.ch.reply(req, mrcp.StatusMethodNotValidInState)
		return
	}
	s.paused = true
	j.play.setPaused(true)
	resp := s.ch.response(req, mrcp.StatusSuccess, mrcp.StateComplete)
	resp.SetActiveRequestIDs(j.id)
	s.ch.emit(resp)
}

// resume handles RESUME (RFC 6787 section 8.10): 402 without an active
// SPEAK; the response names the SPEAK when it was paused.
func (s *Synth) resume(req *mrcp.Message) {
	if _, ok := s.ch.checkRequest(req); !ok {
		return
	}
	j := s.active
	if j == nil {
		s.ch.reply(req, mrcp.StatusMethodNotValidInState)
		return
	}
	resp := s.ch.response(req, mrcp.StatusSuccess, mrcp.StateComplete)
	if s.paused {
		s.paused = false
		j.play.setPaused(false)
		resp.SetActiveRequestIDs(j.id)
	}
	s.ch.emit(resp)
}

// controlUnsupported are the fields CONTROL cannot apply to speech
// under way.
var controlUnsupported = []string{
	mrcp.HeaderJumpSize, mrcp.HeaderSpeakLength,
	mrcp.HeaderVoiceName, mrcp.HeaderVoiceGender, mrcp.HeaderVoiceAge, mrcp.HeaderVoiceVariant,
	mrcp.HeaderSpeechLanguage,
}

// control handles CONTROL (RFC 6787 section 8.11): 402 without an active
// SPEAK. Speak-Restart: true starts the active SPEAK again from its
// beginning; Prosody-Rate and Prosody-Volume change its baseline prosody
// from the item of the document being spoken on, which is synthesized
// again; Kill-On-Barge-In changes its barge-in behaviour. A paused SPEAK
// stays paused. Jump-Size, Speak-Length, Voice-* and Speech-Language get
// 403.
func (s *Synth) control(req *mrcp.Message) {
	if _, ok := s.ch.checkRequest(req); !ok {
		return
	}
	var unsupported []mrcp.HeaderField
	for _, f := range req.Header {
		for _, name := range controlUnsupported {
			if strings.EqualFold(f.Name, name) {
				unsupported = append(unsupported, f)
			}
		}
	}
	if len(unsupported) > 0 {
		s.ch.reply(req, mrcp.StatusUnsupportedHeader, unsupported...)
		return
	}
	j := s.active
	if j == nil {
		s.ch.reply(req, mrcp.StatusMethodNotValidInState)
		return
	}
	if v, ok := req.Header.Lookup(mrcp.HeaderKillOnBargeIn); ok {
		j.kill = strings.EqualFold(v, "true")
	}
	restart := false
	if v, ok := req.Header.Lookup(mrcp.HeaderProsodyRate); ok {
		j.req.Prosody.Rate, _ = parseRateFrom(v, j.req.Prosody.Rate)
		restart = true
	}
	if v, ok := req.Header.Lookup(mrcp.HeaderProsodyVolume); ok {
		j.req.Prosody.Volume, _ = parseVolumeFrom(v, j.req.Prosody.Volume)
		restart = true
	}
	s.marks(j)
	fromStart := strings.EqualFold(req.Header.Get(mrcp.HeaderSpeakRestart), "true")
	if restart || fromStart {
		s.halt(j)
		if fromStart {
			j.item, j.played, j.lastMark = 0, 0, ""
		}
		s.start(j) // replaces the playback in the output
	}
	resp := s.ch.response(req, mrcp.StatusSuccess, mrcp.StateComplete)
	resp.SetActiveRequestIDs(j.id)
	resp.Header.Add(mrcp.HeaderSpeechMarker, speechMarker(time.Now(), j.lastMark))
	s.ch.emit(resp)
}

// synthCause maps why a playback or voice selection failed to a
// Completion-Cause and reason. An output stopped by someone else than
// this resource (the session layer's own barge-in) is 001 barge-in; no
// voice of the language is 005 language-unsupported, and no voice of the
// name asked for (speech.ErrNoVoice), like other failures, 004 error.
func synthCause(err error) (mrcp.SynthCause, string) {
	switch {
	case err == nil:
		return mrcp.SynthNormal, ""
	case errors.Is(err, media.ErrStopped):
		return mrcp.SynthBargeIn, ""
	case errors.Is(err, speech.ErrLanguage):
		return mrcp.SynthLanguageUnsupported, err.Error()
	}
	return mrcp.SynthError, err.Error()
}
