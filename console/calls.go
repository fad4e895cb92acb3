package console

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/store"
)

// checkCall lets an agent act on a call they are on now or have served
// (wrap-up, recording); a supervisor on any call. Anything else, whether
// the call exists or not, is 403 for an agent.
func (s *Server) checkCall(ctx context.Context, p principal, callID string) error {
	if p.supervisor() {
		return nil
	}
	ag, err := s.cfg.ACD.Agent(ctx, p.ID)
	if err != nil && !errors.Is(err, acd.ErrUnknownAgent) {
		return err
	}
	if err == nil && slices.Contains(ag.Calls, callID) {
		return nil
	}
	served, err := s.cfg.Store.CallAgents(ctx, store.CallID(callID))
	if err != nil {
		return err
	}
	for _, c := range served {
		if c.AgentID == p.ID {
			return nil
		}
	}
	return problem(http.StatusForbidden, "forbidden", "call %s is not yours", callID)
}

// checkLiveCall is checkCall for actions on the call itself: an agent
// must be on it now.
func (s *Server) checkLiveCall(ctx context.Context, p principal, callID string) error {
	if p.supervisor() {
		return nil
	}
	ag, err := s.cfg.ACD.Agent(ctx, p.ID)
	if err != nil {
		return err
	}
	if slices.Contains(ag.Calls, callID) {
		return nil
	}
	return problem(http.StatusForbidden, "forbidden", "you are not on call %s", callID)
}

func (s *Server) handleHangup(w http.ResponseWriter, r *http.Request) {
	ctx, p, id := r.Context(), principalOf(r.Context()), chi.URLParam(r, "id")
	if err := decodeBody(w, r, &struct{}{}, true); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkLiveCall(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.cfg.Calls == nil {
		s.fail(w, r, problem(http.StatusNotImplemented, "no-call-control",
			"this Parley node cannot hang up calls from the console: hang up on the phone"))
		return
	}
	if err := s.cfg.Calls.Hangup(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("call hung up from the console", "call_id", id, "agent_id", p.ID)
	w.WriteHeader(http.StatusNoContent)
}

// TransferRequest is the body of POST /calls/{id}/transfer: exactly one
// of Queue and Agent.
type TransferRequest struct {
	Queue string `json:"queue"`
	Agent string `json:"agent"`
}

func (s *Server) handleTransfer(w http.ResponseWriter, r *http.Request) {
	ctx, p, id := r.Context(), principalOf(r.Context()), chi.URLParam(r, "id")
	var req TransferRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if (req.Queue == "") == (req.Agent == "") {
		s.fail(w, r, problem(http.StatusBadRequest, "bad-transfer", "give exactly one of queue and agent"))
		return
	}
	if err := s.checkLiveCall(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	var err error
	if req.Queue != "" {
		err = s.cfg.ACD.TransferToQueue(ctx, id, req.Queue)
	} else {
		err = s.cfg.ACD.TransferToAgent(ctx, id, req.Agent)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("call transferred from the console", "call_id", id, "agent_id", p.ID, "queue", req.Queue, "to_agent", req.Agent)
	w.WriteHeader(http.StatusNoContent)
}

// WrapUpRequest is the body of POST /calls/{id}/wrapup. EndWrapUp also
// ends the agent's wrap-up state (back to ready).
type WrapUpRequest struct {
	Notes       string `json:"notes"`
	Disposition string `json:"disposition"`
	EndWrapUp   bool   `json:"end_wrapup"`
}

// WrapUpView is one agent's part in a call, as stored.
type WrapUpView struct {
	CallID      string     `json:"call_id"`
	AgentID     string     `json:"agent_id"`
	Connected   time.Time  `json:"connected"`
	Disposition string     `json:"disposition"`
	Notes       string     `json:"notes"`
	WrappedUp   *time.Time `json:"wrapped_up,omitempty"`
}

func (s *Server) handleWrapUp(w http.ResponseWriter, r *http.Request) {
	ctx, p, id := r.Context(), principalOf(r.Context()), chi.URLParam(r, "id")
	var req WrapUpRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkCall(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.cfg.Store.SetWrapUp(ctx, store.CallID(id), p.ID, req.Disposition, req.Notes, s.cfg.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.EndWrapUp {
		ag, err := s.cfg.ACD.Agent(ctx, p.ID)
		if err == nil && ag.State == acd.StateWrapUp {
			err = s.cfg.ACD.EndWrapUp(ctx, p.ID)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.writeWrapUps(w, r, id)
}

func (s *Server) handleGetWrapUp(w http.ResponseWriter, r *http.Request) {
	ctx, p, id := r.Context(), principalOf(r.Context()), chi.URLParam(r, "id")
	if err := s.checkCall(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeWrapUps(w, r, id)
}

func (s *Server) writeWrapUps(w http.ResponseWriter, r *http.Request, id string) {
	cas, err := s.cfg.Store.CallAgents(r.Context(), store.CallID(id))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]WrapUpView, 0, len(cas))
	for _, c := range cas {
		out = append(out, WrapUpView{CallID: string(c.CallID), AgentID: c.AgentID, Connected: c.Connected,
			Disposition: c.Disposition, Notes: c.Notes, WrappedUp: optTime(c.WrappedUp)})
	}
	writeJSON(w, http.StatusOK, out)
}

// handleRecording streams a call's recording with Range support.
func (s *Server) handleRecording(w http.ResponseWriter, r *http.Request) {
	ctx, p, id := r.Context(), principalOf(r.Context()), chi.URLParam(r, "id")
	if err := s.checkCall(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := s.cfg.Store.Recording(ctx, store.CallID(id))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	path := filepath.FromSlash(rec.Path)
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.cfg.DataDir, path)
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		s.fail(w, r, problem(http.StatusNotFound, "recording-missing", "the recording of call %s is indexed but its file is missing", id))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctype := "audio/wav"
	if rec.Format == store.FormatOpus {
		ctype = "audio/ogg"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, filepath.Base(path), st.ModTime(), f)
}
