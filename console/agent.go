package console

import (
	"context"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/store"
)

// maxReasonLen bounds reason codes.
const maxReasonLen = 64

// MeResponse is the answer to GET /me.
type MeResponse struct {
	ID   string            `json:"id"`
	Name string            `json:"name"`
	Role store.AccountRole `json:"role"`
	// Agent is the account's ACD agent, if the ACD knows one by this id.
	Agent *AgentView `json:"agent,omitempty"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	resp := MeResponse{ID: p.ID, Name: p.Name, Role: p.Role}
	ag, err := s.cfg.ACD.Agent(r.Context(), p.ID)
	switch {
	case err == nil:
		v := agentView(ag)
		resp.Agent = &v
	case p.Role == store.AccountAgent || classify(err).status != http.StatusNotFound:
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// StateRequest is the body of POST /me/state and /agents/{id}/state.
type StateRequest struct {
	State  acd.State `json:"state"`
	Reason string    `json:"reason"`
}

func (req StateRequest) check(allowed ...acd.State) error {
	if len(req.Reason) > maxReasonLen || !utf8.ValidString(req.Reason) {
		return problem(http.StatusBadRequest, "bad-reason", "reason: at most %d bytes of UTF-8", maxReasonLen)
	}
	for _, a := range allowed {
		if req.State == a {
			return nil
		}
	}
	return problem(http.StatusUnprocessableEntity, "bad-state", "state %q: want one of %v", req.State, allowed)
}

// handleMyState sets the agent ready or not ready; ready during wrap-up
// ends the wrap-up.
func (s *Server) handleMyState(w http.ResponseWriter, r *http.Request) {
	var req StateRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := req.check(acd.StateReady, acd.StateNotReady); err != nil {
		s.fail(w, r, err)
		return
	}
	id := principalOf(r.Context()).ID
	ag, err := s.setState(r.Context(), id, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, agentView(ag))
}

func (s *Server) setState(ctx context.Context, id string, req StateRequest) (acd.Agent, error) {
	ag, err := s.cfg.ACD.Agent(ctx, id)
	if err != nil {
		return acd.Agent{}, err
	}
	switch {
	case req.State == acd.StateReady && ag.State == acd.StateWrapUp:
		err = s.cfg.ACD.EndWrapUp(ctx, id)
	case req.State == acd.StateLoggedOut:
		err = s.acdLogout(ctx, id)
	default:
		err = s.cfg.ACD.SetState(ctx, id, req.State, req.Reason)
	}
	if err != nil {
		return acd.Agent{}, err
	}
	return s.cfg.ACD.Agent(ctx, id)
}

// handleACDLogin logs the agent into the ACD (not-ready "login"); POST
// /login does it too.
func (s *Server) handleACDLogin(w http.ResponseWriter, r *http.Request) {
	ag, err := s.acdLogin(r.Context(), principalOf(r.Context()).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, agentView(ag))
}

// handleACDLogout logs the agent out of the ACD and keeps the console
// session (a supervisor's view, a wrap-up to finish).
func (s *Server) handleACDLogout(w http.ResponseWriter, r *http.Request) {
	id := principalOf(r.Context()).ID
	if err := s.acdLogout(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	ag, err := s.cfg.ACD.Agent(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, agentView(ag))
}

func (s *Server) handleMyOffer(w http.ResponseWriter, r *http.Request) {
	o, ok, err := s.cfg.ACD.CurrentOffer(r.Context(), principalOf(r.Context()).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.fail(w, r, problem(http.StatusNotFound, "no-offer", "no call is offered to you now"))
		return
	}
	writeJSON(w, http.StatusOK, offerView(o))
}

// checkOffer lets an agent act on their own current offer only. A
// supervisor may act on any; the ACD judges whether it is current.
func (s *Server) checkOffer(ctx context.Context, p principal, offerID string) error {
	if p.supervisor() {
		return nil
	}
	o, ok, err := s.cfg.ACD.CurrentOffer(ctx, p.ID)
	if err != nil {
		return err
	}
	if ok && o.ID == offerID {
		return nil
	}
	agents, err := s.cfg.ACD.Agents(ctx)
	if err != nil {
		return err
	}
	for _, a := range agents {
		if a.Offer == offerID && a.ID != p.ID {
			return problem(http.StatusForbidden, "forbidden", "offer %s is not yours", offerID)
		}
	}
	return fmt.Errorf("offer %s: %w", offerID, acd.ErrStaleOffer)
}

// OfferResponse is the answer to accept and decline: the agent after.
type OfferResponse struct {
	OfferID string     `json:"offer_id"`
	CallID  string     `json:"call_id,omitempty"`
	Agent   *AgentView `json:"agent,omitempty"`
}

func (s *Server) handleAccept(w http.ResponseWriter, r *http.Request) {
	ctx, p, id := r.Context(), principalOf(r.Context()), chi.URLParam(r, "id")
	if err := decodeBody(w, r, &struct{}{}, true); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkOffer(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	o, _, _ := s.cfg.ACD.CurrentOffer(ctx, p.ID)
	if err := s.cfg.ACD.Accept(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	resp := OfferResponse{OfferID: id}
	if o.ID == id {
		resp.CallID = o.CallID
		if err := s.cfg.Store.AssignCallAgent(ctx, store.CallID(o.CallID), p.ID, s.cfg.Now()); err != nil {
			s.log.Warn("recording the agent of a call", "call_id", o.CallID, "agent_id", p.ID, "err", err)
		}
	}
	s.respondAgent(w, r, p, resp)
}

// DeclineRequest is the body of POST /offers/{id}/decline.
type DeclineRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) handleDecline(w http.ResponseWriter, r *http.Request) {
	ctx, p, id := r.Context(), principalOf(r.Context()), chi.URLParam(r, "id")
	var req DeclineRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Reason) > maxReasonLen || !utf8.ValidString(req.Reason) {
		s.fail(w, r, problem(http.StatusBadRequest, "bad-reason", "reason: at most %d bytes of UTF-8", maxReasonLen))
		return
	}
	if err := s.checkOffer(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.cfg.ACD.Decline(ctx, id, req.Reason); err != nil {
		s.fail(w, r, err)
		return
	}
	s.respondAgent(w, r, p, OfferResponse{OfferID: id})
}

// respondAgent completes resp with the agent's state when the caller is
// an ACD agent.
func (s *Server) respondAgent(w http.ResponseWriter, r *http.Request, p principal, resp OfferResponse) {
	if ag, err := s.cfg.ACD.Agent(r.Context(), p.ID); err == nil {
		v := agentView(ag)
		resp.Agent = &v
	}
	writeJSON(w, http.StatusOK, resp)
}
