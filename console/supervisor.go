package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/parley-cc/parley/acd"
)

func (s *Server) handleQueues(w http.ResponseWriter, r *http.Request) {
	queues := s.cfg.ACD.Queues()
	out := make([]QueueView, 0, len(queues))
	for _, q := range queues {
		st, err := s.cfg.ACD.Stats(r.Context(), q.Name)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, queueView(q, st))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	i := slices.IndexFunc(s.cfg.ACD.Queues(), func(q acd.QueueConfig) bool { return q.Name == name })
	if i < 0 {
		s.fail(w, r, fmt.Errorf("queue %q: %w", name, acd.ErrUnknownQueue))
		return
	}
	q := s.cfg.ACD.Queues()[i]
	st, err := s.cfg.ACD.Stats(r.Context(), q.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, queueView(q, st))
}

func (s *Server) handleAgents(w http.ResponseWriter, r *http.Request) {
	agents, err := s.cfg.ACD.Agents(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slices.SortFunc(agents, func(a, b acd.Agent) int { return strings.Compare(a.ID, b.ID) })
	out := make([]AgentView, 0, len(agents))
	for _, a := range agents {
		out = append(out, agentView(a))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleAgentState lets a supervisor force an agent not ready or logged
// out.
func (s *Server) handleAgentState(w http.ResponseWriter, r *http.Request) {
	var req StateRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := req.check(acd.StateNotReady, acd.StateLoggedOut); err != nil {
		s.fail(w, r, err)
		return
	}
	id := chi.URLParam(r, "id")
	if req.State == acd.StateNotReady && req.Reason == "" {
		req.Reason = "supervisor"
	}
	ag, err := s.setState(r.Context(), id, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("agent state forced by a supervisor", "agent_id", id, "state", req.State, "supervisor", principalOf(r.Context()).ID)
	writeJSON(w, http.StatusOK, agentView(ag))
}
