package console

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/store"
)

// pingInterval keeps idle WebSockets (and the proxies between) alive.
const pingInterval = 30 * time.Second

// hub fans the ACD's events out to WebSocket clients. One goroutine (run)
// reads the subscription; each client has a bounded queue that run never
// blocks on: a client whose queue is full is disconnected. Each client is
// served by its own HTTP handler goroutine, which run waits for on the way
// out.
type hub struct {
	buffer  int
	log     *slog.Logger
	dropped atomic.Uint64 // clients disconnected for being slow

	mu      sync.Mutex
	running bool
	clients map[*client]struct{}
	wg      sync.WaitGroup
}

// client is one WebSocket connection's queue and lifetime.
type client struct {
	p      principal
	ch     chan []byte
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// Causes of a client's end, told to the client in the close frame.
var (
	errSlowClient   = errors.New("too slow: events were dropped")
	errShutdown     = errors.New("server shutting down")
	errLoggedOut    = errors.New("logged out")
	errTokenExpired = errors.New("token expired")
)

func newHub(buffer int, log *slog.Logger) *hub {
	return &hub{buffer: buffer, log: log, clients: make(map[*client]struct{})}
}

// add registers a client for p, unless the hub is not running.
func (h *hub) add(p principal) (*client, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.running {
		return nil, false
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	c := &client{p: p, ch: make(chan []byte, h.buffer), ctx: ctx, cancel: cancel}
	h.clients[c] = struct{}{}
	h.wg.Add(1)
	return c, true
}

// remove unregisters c once its handler is done with it.
func (h *hub) remove(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
	c.cancel(nil)
	h.wg.Done()
}

// drop ends every client of account id with cause.
func (h *hub) drop(id string, cause error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		if c.p.ID == id {
			c.cancel(cause)
		}
	}
}

// run fans events out until the subscription closes (its context ended),
// then ends every client and waits for their handlers.
func (h *hub) run(ctx context.Context, events <-chan acd.Event) {
	h.mu.Lock()
	h.running = true
	h.mu.Unlock()
	for {
		select {
		case ev, ok := <-events:
			if ok {
				h.fanout(ev)
				continue
			}
		case <-ctx.Done():
		}
		break
	}
	h.mu.Lock()
	h.running = false
	for c := range h.clients {
		c.cancel(errShutdown)
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// fanout encodes ev once and queues it for every client allowed to see it.
func (h *hub) fanout(ev acd.Event) {
	var msg []byte
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		if !visible(c.p, ev) || c.ctx.Err() != nil {
			continue
		}
		if msg == nil {
			b, err := json.Marshal(eventView(ev))
			if err != nil {
				h.log.Warn("encoding an ACD event", "kind", ev.Kind, "err", err)
				return
			}
			msg = b
		}
		select {
		case c.ch <- msg:
		default:
			h.dropped.Add(1)
			c.cancel(errSlowClient)
		}
	}
}

// visible says whether p may see ev: a supervisor sees everything, an
// agent what concerns them.
func visible(p principal, ev acd.Event) bool {
	switch {
	case p.supervisor():
		return true
	case ev.AgentID == p.ID:
		return true
	case ev.Offer != nil && ev.Offer.AgentID == p.ID:
		return true
	case ev.Agent != nil && ev.Agent.ID == p.ID:
		return true
	}
	return false
}

// HelloView is the first message on the event WebSocket.
type HelloView struct {
	Kind string            `json:"kind"` // "hello"
	ID   string            `json:"id"`
	Role store.AccountRole `json:"role"`
}

// handleEvents upgrades to a WebSocket and streams events: "hello", then
// for an agent their current state and offer, then live events.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	c, ok := s.hub.add(p)
	if !ok {
		s.fail(w, r, problem(http.StatusServiceUnavailable, "no-events", "events are not available on this node now"))
		return
	}
	defer s.hub.remove(c)
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: s.cfg.AllowedOrigins})
	if err != nil {
		return // Accept has answered
	}
	defer conn.CloseNow()
	// The read side only answers pings and close frames; ctx ends when the
	// peer goes away. c.ctx ends when the hub ends the client: then the
	// client is told why in a close frame.
	ctx := conn.CloseRead(context.Background())
	log := s.log.With("agent_id", p.ID)
	log.Debug("event client connected", "remote", r.RemoteAddr)

	expiry := time.NewTimer(p.Expires.Sub(s.cfg.Now()))
	defer expiry.Stop()
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()

	for _, msg := range s.snapshot(ctx, p) {
		if err := s.write(ctx, conn, msg); err != nil {
			return
		}
	}
	for {
		select {
		case msg := <-c.ch:
			if err := s.write(ctx, conn, msg); err != nil {
				log.Debug("event client write failed", "err", err)
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case <-expiry.C:
			c.cancel(errTokenExpired)
		case <-c.ctx.Done():
			s.closeClient(conn, context.Cause(c.ctx), log)
			return
		case <-ctx.Done():
			return
		}
	}
}

func (s *Server) write(ctx context.Context, conn *websocket.Conn, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	return conn.Write(ctx, websocket.MessageText, msg)
}

// closeClient tells the client why it is being disconnected.
func (s *Server) closeClient(conn *websocket.Conn, cause error, log *slog.Logger) {
	code := websocket.StatusGoingAway
	switch {
	case cause == nil || errors.Is(cause, context.Canceled):
		return // the client went away
	case errors.Is(cause, errSlowClient):
		code = websocket.StatusPolicyViolation
		log.Warn("event client dropped: too slow", "buffer", s.cfg.EventBuffer)
	case errors.Is(cause, errLoggedOut), errors.Is(cause, errTokenExpired):
		code = websocket.StatusPolicyViolation
	}
	_ = conn.Close(code, cause.Error())
}

// snapshot is what a client is told on connecting, so it need not wait
// for the next event: who it is, and an agent's state and offer.
func (s *Server) snapshot(ctx context.Context, p principal) [][]byte {
	hello, _ := json.Marshal(HelloView{Kind: "hello", ID: p.ID, Role: p.Role})
	out := [][]byte{hello}
	if p.supervisor() {
		return out
	}
	now := s.cfg.Now()
	if ag, err := s.cfg.ACD.Agent(ctx, p.ID); err == nil {
		b, _ := json.Marshal(eventView(acd.Event{Kind: acd.EventAgentState, At: now, AgentID: p.ID, Agent: &ag}))
		out = append(out, b)
	}
	if o, ok, err := s.cfg.ACD.CurrentOffer(ctx, p.ID); err == nil && ok {
		b, _ := json.Marshal(eventView(acd.Event{Kind: acd.EventOffer, At: now, AgentID: p.ID, CallID: o.CallID, Queue: o.Queue, Offer: &o}))
		out = append(out, b)
	}
	return out
}

// recordCallAgents stores which agent was connected to which call, from
// the ACD's events, so that agents keep access to their calls' wrap-up
// and recording after the call.
func (s *Server) recordCallAgents(ctx context.Context) {
	for ev := range s.cfg.ACD.Subscribe(ctx) {
		if (ev.Kind != acd.EventCallConnected && ev.Kind != acd.EventOfferAccepted) || ev.AgentID == "" || ev.CallID == "" {
			continue
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err := s.cfg.Store.AssignCallAgent(wctx, store.CallID(ev.CallID), ev.AgentID, ev.At)
		cancel()
		if err != nil {
			s.log.Warn("recording the agent of a call", "call_id", ev.CallID, "agent_id", ev.AgentID, "err", err)
		}
	}
}
