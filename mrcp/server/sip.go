package server

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/mrcp"
)

func (s *Server) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	_ = tx.Respond(res)
}

func respond(req *sip.Request, tx sip.ServerTransaction, status int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, status, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

func reasonHeader(text string) sip.Header {
	return sip.NewHeader("Reason", `SIP;cause=488;text="`+sanitize(text)+`"`)
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			b[i] = ' '
		}
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

// failOffer answers an INVITE whose offer could not be accepted.
func (s *Server) failOffer(req *sip.Request, tx sip.ServerTransaction, err error) {
	var oe *offerError
	switch {
	case errors.As(err, &oe):
		respond(req, tx, oe.status, oe.reason, reasonHeader(oe.err.Error()))
	case errors.Is(err, mrcp.ErrSDP):
		respond(req, tx, sip.StatusBadRequest, "Bad Request", reasonHeader(err.Error()))
	default:
		respond(req, tx, sip.StatusInternalServerError, "Server Internal Error")
	}
	s.log.Info("offer refused", "call_id", callID(req), "err", err)
}

func callID(req *sip.Request) string {
	if h := req.CallID(); h != nil {
		return h.Value()
	}
	return ""
}

func hasToTag(req *sip.Request) bool {
	to := req.To()
	return to != nil && to.Params.Has("tag")
}

func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if hasToTag(req) {
		s.onReInvite(req, tx)
		return
	}
	if ct := req.ContentType(); ct == nil || ct.Value() != "application/sdp" {
		respond(req, tx, sip.StatusUnsupportedMediaType, "Unsupported Media Type", sip.NewHeader("Accept", "application/sdp"))
		return
	}
	offer, err := mrcp.ParseDescription(req.Body())
	if err != nil {
		s.failOffer(req, tx, err)
		return
	}
	s.mu.Lock()
	full := len(s.sessions) >= s.cfg.MaxSessions
	closed := s.closed
	s.mu.Unlock()
	if full || closed {
		respond(req, tx, sip.StatusServiceUnavailable, "Service Unavailable", sip.NewHeader("Retry-After", "5"))
		return
	}
	dlg, err := s.dua.ReadInvite(req, tx)
	if err != nil {
		respond(req, tx, sip.StatusBadRequest, "Bad Request", reasonHeader(err.Error()))
		return
	}
	ss := &session{srv: s, id: dlg.ID, dlg: dlg, log: s.log.With("session", callID(req))}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	answer, _, err := ss.negotiate(ctx, offer)
	cancel()
	if err != nil {
		ss.end()
		s.failOffer(req, tx, err)
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ss.end()
		respond(req, tx, sip.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	s.sessions[ss.id] = ss
	s.mu.Unlock()
	ss.log.Debug("session offered", "channels", len(ss.channels))
	if err := dlg.RespondSDP(answer); err != nil {
		ss.log.Info("session not confirmed", "err", err)
		ss.end()
	}
}

func (s *Server) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	ss := s.sessionOf(req)
	if ss == nil {
		respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	offer, err := mrcp.ParseDescription(req.Body())
	if err != nil {
		s.failOffer(req, tx, err)
		return
	}
	answer, released, err := ss.negotiate(context.Background(), offer)
	if err != nil {
		s.failOffer(req, tx, err)
		return
	}
	res := sip.NewSDPResponseFromRequest(req, answer)
	res.AppendHeader(&s.dua.ContactHDR)
	if err := tx.Respond(res); err != nil {
		ss.log.Info("re-INVITE answer", "err", err)
	}
	for _, c := range released {
		c.close()
	}
}

func (s *Server) sessionOf(req *sip.Request) *session {
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

func (s *Server) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if ss := s.sessionOf(req); ss != nil && ss.dlg != nil {
		_ = ss.dlg.ReadAck(req, tx)
	}
}

func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	ss := s.sessionOf(req)
	if ss == nil {
		respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	if err := ss.dlg.ReadBye(req, tx); err != nil {
		respond(req, tx, sip.StatusOK, "OK")
	}
	ss.end()
}
