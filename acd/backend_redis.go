package acd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisConfig configures the Redis backend.
type RedisConfig struct {
	Addr     string // host:port (default 127.0.0.1:6379)
	Username string
	Password string
	DB       int
	Prefix   string // key prefix and event channel (default "parley:acd:"); nodes sharing state use the same
	// Client, when set, is used instead of one built from the fields above.
	Client redis.UniversalClient
}

// Redis is the backend for several Parley nodes sharing one Redis server. Every change
// is a WATCH/MULTI/EXEC transaction over the keys it read, retried on conflict; events
// travel over Redis pub/sub.
//
// Keys (prefix p): p+"agent:"+id and p+"call:"+id hold JSON records, indexed by the
// sets p+"agents" and p+"calls"; p+"ctx:"+id the call's Context; p+"stats:"+queue a hash
// of counters; p+"last:"+caller the agent who last served the caller (24 h);
// p+"blacklist" a set; p+"epoch" the state's lifetime; channel p+"events".
type Redis struct {
	c      redis.UniversalClient
	p      string
	own    bool
	mu     sync.Mutex
	cache  map[string]cachedCall // call key -> last decoded record (snapshot decoding)
	agentC map[string]cachedAgent
}

type cachedCall struct {
	raw string
	rec callRec
}

type cachedAgent struct {
	raw string
	rec agentRec
}

var _ Backend = (*Redis)(nil)

// NewRedis returns a Redis backend. It does not connect until used.
func NewRedis(cfg RedisConfig) *Redis {
	r := &Redis{c: cfg.Client, p: cfg.Prefix, cache: map[string]cachedCall{}, agentC: map[string]cachedAgent{}}
	if r.p == "" {
		r.p = "parley:acd:"
	}
	if r.c == nil {
		addr := cfg.Addr
		if addr == "" {
			addr = "127.0.0.1:6379"
		}
		r.c = redis.NewClient(&redis.Options{Addr: addr, Username: cfg.Username, Password: cfg.Password, DB: cfg.DB,
			DialTimeout: 2 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second, MaxRetries: 1})
		r.own = true
	}
	return r
}

// Close closes the client NewRedis built (not one passed in RedisConfig.Client).
func (r *Redis) Close() error {
	if r.own {
		return r.c.Close()
	}
	return nil
}

func (r *Redis) agentKey(id string) string { return r.p + "agent:" + id }
func (r *Redis) callKey(id string) string  { return r.p + "call:" + id }
func (r *Redis) ctxKey(id string) string   { return r.p + "ctx:" + id }

type redisTxn struct {
	r      *Redis
	ctx    context.Context
	tx     *redis.Tx
	agents map[string]*agentRec
	calls  map[string]*callRec
	seenA  map[string]bool
	seenC  map[string]bool
	ctxs   map[string][]byte
	dirtyK map[string]bool // "a"+id, "c"+id: records written
	ctrs   []ctrIncr
	last   map[string]string
}

// get watches key, then reads it.
func (t *redisTxn) get(key string) ([]byte, bool, error) {
	if err := t.tx.Watch(t.ctx, key).Err(); err != nil {
		return nil, false, err
	}
	b, err := t.tx.Get(t.ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	return b, err == nil, err
}

func (t *redisTxn) agent(id string) (agentRec, bool, error) {
	if a, ok := t.agents[id]; ok || t.seenA[id] {
		if a == nil {
			return agentRec{}, false, nil
		}
		return *a, true, nil
	}
	b, ok, err := t.get(t.r.agentKey(id))
	t.seenA[id] = true
	if err != nil || !ok {
		return agentRec{}, false, err
	}
	a, err := decodeAgent(b)
	if err != nil {
		return agentRec{}, false, err
	}
	t.agents[id] = &a
	return a, true, nil
}

func (t *redisTxn) call(id string) (callRec, bool, error) {
	if c, ok := t.calls[id]; ok || t.seenC[id] {
		if c == nil {
			return callRec{}, false, nil
		}
		return *c, true, nil
	}
	b, ok, err := t.get(t.r.callKey(id))
	t.seenC[id] = true
	if err != nil || !ok {
		return callRec{}, false, err
	}
	c, err := decodeCall(b)
	if err != nil {
		return callRec{}, false, err
	}
	t.calls[id] = &c
	return c, true, nil
}

func (t *redisTxn) lastAgent(caller string) (string, bool, error) {
	if a, ok := t.last[caller]; ok {
		return a, true, nil
	}
	b, ok, err := t.get(t.r.p + "last:" + caller)
	return string(b), ok, err
}

func (t *redisTxn) putAgent(a agentRec) {
	t.seenA[a.ID] = true
	t.agents[a.ID] = &a
	t.dirty("a" + a.ID)
}
func (t *redisTxn) putCall(c callRec) {
	c.Req.Context = nil
	t.seenC[c.Req.ID] = true
	t.calls[c.Req.ID] = &c
	t.dirty("c" + c.Req.ID)
}
func (t *redisTxn) putContext(id string, b []byte) { t.ctxs[id] = b }
func (t *redisTxn) delCall(id string) {
	t.seenC[id] = true
	t.calls[id] = nil
	t.ctxs[id] = nil
	t.dirty("c" + id)
}
func (t *redisTxn) delAgent(id string)        { t.seenA[id] = true; t.agents[id] = nil; t.dirty("a" + id) }
func (t *redisTxn) incr(q, f string, n int64) { t.ctrs = append(t.ctrs, ctrIncr{q, f, n}) }
func (t *redisTxn) setLastAgent(caller, a string) {
	if caller != "" {
		t.last[caller] = a
	}
}

// dirty marks a record written (reads populate the same maps).
func (t *redisTxn) dirty(k string) { t.dirtyK[k] = true }

func (t *redisTxn) commit(pipe redis.Pipeliner) error {
	for k := range t.dirtyK {
		id := k[1:]
		switch k[0] {
		case 'a':
			if a := t.agents[id]; a == nil {
				pipe.Del(t.ctx, t.r.agentKey(id))
				pipe.SRem(t.ctx, t.r.p+"agents", id)
			} else {
				b, err := json.Marshal(a)
				if err != nil {
					return fmt.Errorf("encode agent %s: %w", id, err)
				}
				pipe.Set(t.ctx, t.r.agentKey(id), b, 0)
				pipe.SAdd(t.ctx, t.r.p+"agents", id)
			}
		case 'c':
			if c := t.calls[id]; c == nil {
				pipe.Del(t.ctx, t.r.callKey(id), t.r.ctxKey(id))
				pipe.SRem(t.ctx, t.r.p+"calls", id)
			} else {
				b, err := json.Marshal(c)
				if err != nil {
					return fmt.Errorf("encode call %s: %w", id, err)
				}
				pipe.Set(t.ctx, t.r.callKey(id), b, 0)
				pipe.SAdd(t.ctx, t.r.p+"calls", id)
			}
		}
	}
	for id, b := range t.ctxs {
		if b == nil {
			continue
		}
		pipe.Set(t.ctx, t.r.ctxKey(id), b, 0)
	}
	for _, c := range t.ctrs {
		pipe.HIncrBy(t.ctx, t.r.p+"stats:"+c.queue, c.field, c.n)
	}
	for caller, a := range t.last {
		pipe.Set(t.ctx, t.r.p+"last:"+caller, a, 24*time.Hour)
	}
	return nil
}

// maxTxRetries bounds the retries of one transaction under contention.
const maxTxRetries = 50

func (r *Redis) update(ctx context.Context, fn func(tx txn) error) error {
	for range maxTxRetries {
		var t *redisTxn
		err := r.c.Watch(ctx, func(tx *redis.Tx) error {
			t = &redisTxn{r: r, ctx: ctx, tx: tx, agents: map[string]*agentRec{}, calls: map[string]*callRec{},
				seenA: map[string]bool{}, seenC: map[string]bool{}, ctxs: map[string][]byte{}, dirtyK: map[string]bool{}, last: map[string]string{}}
			if err := fn(t); err != nil {
				return err
			}
			_, err := tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error { return t.commit(pipe) })
			return err
		})
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		return err
	}
	return fmt.Errorf("redis transaction: %w after %d retries", errConflict, maxTxRetries)
}

// mgetChunk bounds one MGET.
const mgetChunk = 1000

func (r *Redis) snapshot(ctx context.Context) (snapshot, error) {
	pipe := r.c.Pipeline()
	ac := pipe.SMembers(ctx, r.p+"agents")
	cc := pipe.SMembers(ctx, r.p+"calls")
	if _, err := pipe.Exec(ctx); err != nil {
		return snapshot{}, fmt.Errorf("redis snapshot: %w", err)
	}
	aids, cids := ac.Val(), cc.Val()
	keys := make([]string, 0, len(aids)+len(cids))
	for _, id := range aids {
		keys = append(keys, r.agentKey(id))
	}
	for _, id := range cids {
		keys = append(keys, r.callKey(id))
	}
	pipe = r.c.Pipeline()
	var cmds []*redis.SliceCmd
	for i := 0; i < len(keys); i += mgetChunk {
		cmds = append(cmds, pipe.MGet(ctx, keys[i:min(i+mgetChunk, len(keys))]...))
	}
	if len(cmds) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return snapshot{}, fmt.Errorf("redis snapshot: %w", err)
		}
	}
	s := snapshot{agents: make([]agentRec, 0, len(aids)), calls: make([]callRec, 0, len(cids))}
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := make(map[string]bool, len(cids))
	i := 0
	for _, cmd := range cmds {
		for _, v := range cmd.Val() {
			k := keys[i]
			i++
			raw, ok := v.(string)
			if !ok {
				continue // deleted between SMEMBERS and MGET
			}
			if i <= len(aids) {
				if c, ok := r.agentC[k]; ok && c.raw == raw {
					s.agents = append(s.agents, c.rec)
					continue
				}
				a, err := decodeAgent([]byte(raw))
				if err != nil {
					continue // a corrupt record is skipped, never fatal
				}
				r.agentC[k] = cachedAgent{raw, a}
				s.agents = append(s.agents, a)
				continue
			}
			seen[k] = true
			if c, ok := r.cache[k]; ok && c.raw == raw {
				s.calls = append(s.calls, c.rec)
				continue
			}
			c, err := decodeCall([]byte(raw))
			if err != nil {
				continue
			}
			r.cache[k] = cachedCall{raw, c}
			s.calls = append(s.calls, c)
		}
	}
	for k := range r.cache {
		if !seen[k] {
			delete(r.cache, k)
		}
	}
	return s, nil
}

func (r *Redis) callContext(ctx context.Context, id string) ([]byte, error) {
	b, err := r.c.Get(ctx, r.ctxKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return b, err
}

func (r *Redis) counters(ctx context.Context, queue string) (map[string]int64, error) {
	m, err := r.c.HGetAll(ctx, r.p+"stats:"+queue).Result()
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			out[k] = n
		}
	}
	return out, nil
}

func (r *Redis) blacklisted(ctx context.Context, caller string) (bool, error) {
	return r.c.SIsMember(ctx, r.p+"blacklist", caller).Result()
}

func (r *Redis) setBlacklist(ctx context.Context, caller string, on bool) error {
	if on {
		return r.c.SAdd(ctx, r.p+"blacklist", caller).Err()
	}
	return r.c.SRem(ctx, r.p+"blacklist", caller).Err()
}

func (r *Redis) publish(ctx context.Context, ev Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	return r.c.Publish(ctx, r.p+"events", b).Err()
}

func (r *Redis) subscribe(ctx context.Context, deliver func(Event), ready chan<- struct{}) error {
	ps := r.c.Subscribe(ctx, r.p+"events")
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		return fmt.Errorf("redis subscribe: %w", err)
	}
	close(ready)
	ch := ps.Channel(redis.WithChannelSize(4096))
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-ch:
			if !ok {
				return errors.New("redis subscription closed")
			}
			ev, err := decodeEvent([]byte(m.Payload))
			if err != nil {
				continue
			}
			deliver(ev)
		}
	}
}

func (r *Redis) epoch(ctx context.Context, create string) (string, error) {
	if err := r.c.SetNX(ctx, r.p+"epoch", create, 0).Err(); err != nil {
		return "", err
	}
	return r.c.Get(ctx, r.p+"epoch").Result()
}

func (r *Redis) ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }
