package acd

import (
	"context"
	"maps"
	"sync"
)

// Memory is the in-process backend (the default). Several ACDs in one process may
// share one Memory; they then behave like nodes sharing a Redis.
type Memory struct {
	mu       sync.Mutex
	agents   map[string]agentRec
	calls    map[string]callRec
	contexts map[string][]byte
	ctrs     map[string]map[string]int64
	last     map[string]string
	black    map[string]bool
	ep       string

	subMu sync.Mutex
	subs  map[*func(Event)]struct{}
}

var _ Backend = (*Memory)(nil)

// NewMemory returns an empty in-memory backend.
func NewMemory() *Memory {
	return &Memory{
		agents:   map[string]agentRec{},
		calls:    map[string]callRec{},
		contexts: map[string][]byte{},
		ctrs:     map[string]map[string]int64{},
		last:     map[string]string{},
		black:    map[string]bool{},
		subs:     map[*func(Event)]struct{}{},
	}
}

// memTxn buffers writes; reads see earlier writes of the same transaction.
type memTxn struct {
	m        *Memory
	agents   map[string]*agentRec // nil value: deleted
	calls    map[string]*callRec
	contexts map[string][]byte
	ctrs     []ctrIncr
	last     map[string]string
}

type ctrIncr struct {
	queue, field string
	n            int64
}

func (t *memTxn) agent(id string) (agentRec, bool, error) {
	if a, ok := t.agents[id]; ok {
		if a == nil {
			return agentRec{}, false, nil
		}
		return *a, true, nil
	}
	a, ok := t.m.agents[id]
	return a, ok, nil
}

func (t *memTxn) call(id string) (callRec, bool, error) {
	if c, ok := t.calls[id]; ok {
		if c == nil {
			return callRec{}, false, nil
		}
		return *c, true, nil
	}
	c, ok := t.m.calls[id]
	return c, ok, nil
}

func (t *memTxn) lastAgent(caller string) (string, bool, error) {
	if a, ok := t.last[caller]; ok {
		return a, true, nil
	}
	a, ok := t.m.last[caller]
	return a, ok, nil
}

func (t *memTxn) putAgent(a agentRec) {
	a.Calls = append([]string(nil), a.Calls...)
	t.agents[a.ID] = &a
}

func (t *memTxn) putCall(c callRec) {
	c.Offers = append([]Offer(nil), c.Offers...)
	c.Req.Context = nil
	t.calls[c.Req.ID] = &c
}

func (t *memTxn) putContext(id string, b []byte) { t.contexts[id] = append([]byte(nil), b...) }
func (t *memTxn) delCall(id string)              { t.calls[id] = nil; t.contexts[id] = nil }
func (t *memTxn) delAgent(id string)             { t.agents[id] = nil }
func (t *memTxn) incr(q, f string, n int64)      { t.ctrs = append(t.ctrs, ctrIncr{q, f, n}) }
func (t *memTxn) setLastAgent(caller, agent string) {
	if caller != "" {
		t.last[caller] = agent
	}
}

func (m *Memory) update(ctx context.Context, fn func(tx txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &memTxn{m: m, agents: map[string]*agentRec{}, calls: map[string]*callRec{},
		contexts: map[string][]byte{}, last: map[string]string{}}
	if err := fn(t); err != nil {
		return err
	}
	for id, a := range t.agents {
		if a == nil {
			delete(m.agents, id)
		} else {
			m.agents[id] = *a
		}
	}
	for id, c := range t.calls {
		if c == nil {
			delete(m.calls, id)
		} else {
			m.calls[id] = *c
		}
	}
	for id, b := range t.contexts {
		if b == nil {
			delete(m.contexts, id)
		} else {
			m.contexts[id] = b
		}
	}
	for _, c := range t.ctrs {
		q := m.ctrs[c.queue]
		if q == nil {
			q = map[string]int64{}
			m.ctrs[c.queue] = q
		}
		q[c.field] += c.n
	}
	maps.Copy(m.last, t.last)
	return nil
}

func (m *Memory) snapshot(ctx context.Context) (snapshot, error) {
	if err := ctx.Err(); err != nil {
		return snapshot{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := snapshot{agents: make([]agentRec, 0, len(m.agents)), calls: make([]callRec, 0, len(m.calls))}
	for _, a := range m.agents {
		s.agents = append(s.agents, a)
	}
	for _, c := range m.calls {
		s.calls = append(s.calls, c)
	}
	return s, nil
}

func (m *Memory) callContext(ctx context.Context, id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.contexts[id], nil
}

func (m *Memory) counters(ctx context.Context, queue string) (map[string]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.ctrs[queue]), nil
}

func (m *Memory) blacklisted(ctx context.Context, caller string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.black[caller], nil
}

func (m *Memory) setBlacklist(ctx context.Context, caller string, on bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if on {
		m.black[caller] = true
	} else {
		delete(m.black, caller)
	}
	return nil
}

func (m *Memory) publish(ctx context.Context, ev Event) error {
	m.subMu.Lock()
	defer m.subMu.Unlock()
	for f := range m.subs {
		(*f)(ev)
	}
	return nil
}

func (m *Memory) subscribe(ctx context.Context, deliver func(Event), ready chan<- struct{}) error {
	f := &deliver
	m.subMu.Lock()
	m.subs[f] = struct{}{}
	m.subMu.Unlock()
	close(ready)
	<-ctx.Done()
	m.subMu.Lock()
	delete(m.subs, f)
	m.subMu.Unlock()
	return nil
}

func (m *Memory) epoch(ctx context.Context, create string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ep == "" {
		m.ep = create
	}
	return m.ep, nil
}

func (m *Memory) ping(ctx context.Context) error { return ctx.Err() }
