package telephony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// UserSource looks up the secret of a user who may register. It is
// called on the goroutine serving the REGISTER; an error answers 500.
type UserSource interface {
	// Password returns the user's secret and whether the user exists.
	Password(ctx context.Context, user string) (Secret, bool, error)
}

// Secret is what a Registrar checks a digest against: the plain password,
// or the HA1 values (see HA1) for the Registrar's realm, one per algorithm.
// With only HA1s, an algorithm without one fails.
type Secret struct {
	Password          string
	HA1MD5, HA1SHA256 string
}

func (s Secret) ha1(alg, user, realm string) (string, bool) {
	if s.Password != "" {
		v, err := HA1(alg, user, realm, s.Password)
		return v, err == nil
	}
	switch alg {
	case "", AlgorithmMD5:
		return s.HA1MD5, s.HA1MD5 != ""
	case AlgorithmSHA256:
		return s.HA1SHA256, s.HA1SHA256 != ""
	}
	return "", false
}

// StaticUsers is a UserSource of plain passwords by user name, for users
// configured in the configuration file.
type StaticUsers map[string]string

// Password implements UserSource.
func (m StaticUsers) Password(_ context.Context, user string) (Secret, bool, error) {
	p, ok := m[user]
	return Secret{Password: p}, ok, nil
}

var _ UserSource = StaticUsers(nil)

// RegistrarConfig configures a Registrar. Zero fields take the defaults
// given; Users is required.
type RegistrarConfig struct {
	// Realm is the digest realm; default "parley".
	Realm string
	// Users are the users allowed to register.
	Users UserSource
	// Algorithms are the digest algorithms challenged, one
	// WWW-Authenticate each, in this order (AlgorithmMD5,
	// AlgorithmSHA256); credentials in another algorithm are refused.
	// Default MD5 then SHA-256 (RFC 8760). Phones built on libre before
	// 2.0 (Debian's baresip 1.0) fail a challenge that offers any
	// algorithm but MD5 ("Register: Function not implemented"); they
	// need []string{AlgorithmMD5}.
	Algorithms []string
	// MinExpires is the shortest registration accepted; shorter gets 423
	// Interval Too Brief (RFC 3261 10.3 step 7). Default 60 s.
	MinExpires time.Duration
	// MaxExpires caps a registration; longer ones are shortened. Default
	// 2 h.
	MaxExpires time.Duration
	// DefaultExpires applies when neither the contact nor the request
	// gives one. Default 1 h.
	DefaultExpires time.Duration
	// NonceTTL is how long a nonce is accepted; an older one gets a new
	// challenge with stale=true (RFC 7616 3.3). Default 5 min.
	NonceTTL time.Duration
	// Secret signs the nonces; default 32 random bytes. Nodes sharing it
	// accept each other's nonces.
	Secret []byte
	// MaxContacts caps the bindings of one user; default 10.
	MaxContacts int
	// AuthFailures is how many failed authentications one source IP may
	// make within AuthWindow before it is refused with 403 for AuthBlock.
	// Defaults 10, 1 min, 5 min.
	AuthFailures int
	AuthWindow   time.Duration
	AuthBlock    time.Duration
	// SweepInterval is how often Start's goroutine drops expired
	// bindings; default 30 s.
	SweepInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Log receives the registrar's logs; default slog.Default().
	Log *slog.Logger
}

func (c *RegistrarConfig) fill() error {
	if c.Users == nil {
		return fmt.Errorf("%w: registrar without users", ErrInvalidConfig)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Realm == "" {
		c.Realm = "parley"
	}
	if len(c.Algorithms) == 0 {
		c.Algorithms = []string{AlgorithmMD5, AlgorithmSHA256}
	}
	for _, a := range c.Algorithms {
		if a == "" || digestHash(a) == nil {
			return fmt.Errorf("%w: registrar digest algorithm %q (want %s or %s)", ErrInvalidConfig, a, AlgorithmMD5, AlgorithmSHA256)
		}
	}
	def(&c.MinExpires, 60*time.Second)
	def(&c.MaxExpires, 2*time.Hour)
	def(&c.DefaultExpires, time.Hour)
	def(&c.NonceTTL, 5*time.Minute)
	def(&c.AuthWindow, time.Minute)
	def(&c.AuthBlock, 5*time.Minute)
	def(&c.SweepInterval, 30*time.Second)
	if c.MaxExpires < c.MinExpires {
		return fmt.Errorf("%w: registrar MaxExpires %v < MinExpires %v", ErrInvalidConfig, c.MaxExpires, c.MinExpires)
	}
	c.DefaultExpires = min(max(c.DefaultExpires, c.MinExpires), c.MaxExpires)
	if c.MaxContacts <= 0 {
		c.MaxContacts = 10
	}
	if c.AuthFailures <= 0 {
		c.AuthFailures = 10
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return nil
}

// Binding is one registered contact of a user (RFC 3261 10.3).
type Binding struct {
	User      string    // the address-of-record's user part
	Contact   sip.Uri   // where to send requests for the user
	Expires   time.Time // when the binding lapses
	Source    string    // host:port the REGISTER came from
	Transport string    // transport it came over ("UDP", "TCP", ...)
	CallID    string
	CSeq      uint32
	Q         float64 // the contact's q parameter, 1 when absent
}

// Registrar is a SIP registrar for agents' phones: REGISTER requests are
// authenticated by digest against a UserSource, and bindings kept in
// memory until they expire or are removed. Wire it into a sipgo server
// with srv.OnRegister(reg.HandleRegister); Lookup gives the contacts to
// ring for a user.
//
// Its methods are safe from any goroutine.
type Registrar struct {
	cfg    RegistrarConfig
	log    *slog.Logger
	nonces nonceSigner

	mu       sync.Mutex
	bindings map[string][]Binding // by user
	fails    map[string]*authFails

	sweepMu sync.Mutex
	stop    context.CancelFunc
	done    chan struct{}
}

type authFails struct {
	n            int
	since, until time.Time
}

// NewRegistrar checks the configuration and returns an empty registrar.
// Start runs its sweep of expired bindings.
func NewRegistrar(cfg RegistrarConfig) (*Registrar, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Registrar{
		cfg: cfg, log: cfg.Log.With("component", "registrar"),
		nonces:   newNonceSigner(cfg.Secret, cfg.NonceTTL),
		bindings: map[string][]Binding{}, fails: map[string]*authFails{},
	}, nil
}

// Start runs a goroutine that drops expired bindings and stale
// rate-limit entries every SweepInterval until Close. Calling it twice
// is a no-op.
func (r *Registrar) Start() {
	r.sweepMu.Lock()
	defer r.sweepMu.Unlock()
	if r.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.stop, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		t := time.NewTicker(r.cfg.SweepInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.Sweep()
			}
		}
	}()
}

// Close stops Start's goroutine and waits for it. Bindings are kept.
func (r *Registrar) Close() error {
	r.sweepMu.Lock()
	defer r.sweepMu.Unlock()
	if r.stop != nil {
		r.stop()
		<-r.done
		r.stop = nil
	}
	return nil
}

// Sweep drops expired bindings and rate-limit entries that have lapsed,
// and returns how many bindings it dropped.
func (r *Registrar) Sweep() int {
	now := r.cfg.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for user := range r.bindings {
		n += r.pruneLocked(user, now)
	}
	for ip, f := range r.fails {
		if now.After(f.until) && now.Sub(f.since) > r.cfg.AuthWindow {
			delete(r.fails, ip)
		}
	}
	return n
}

// pruneLocked drops the user's expired bindings.
func (r *Registrar) pruneLocked(user string, now time.Time) int {
	bs := r.bindings[user]
	kept := slices.DeleteFunc(bs, func(b Binding) bool { return !now.Before(b.Expires) })
	n := len(bs) - len(kept)
	if len(kept) == 0 {
		delete(r.bindings, user)
	} else {
		r.bindings[user] = kept
	}
	return n
}

// KnownSource reports whether a phone registered from ip: inbound calls
// from agents' phones are accepted by address once they registered.
func (r *Registrar) KnownSource(ip netip.Addr) bool {
	ip = ip.Unmap()
	now := r.cfg.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, bs := range r.bindings {
		for _, b := range bs {
			ap, err := netip.ParseAddrPort(b.Source)
			if err == nil && ap.Addr().Unmap() == ip && b.Expires.After(now) {
				return true
			}
		}
	}
	return false
}

// Lookup returns a copy of the user's current bindings, highest q first
// and then the most recently refreshed; calling the user forks to them.
func (r *Registrar) Lookup(user string) []Binding {
	now := r.cfg.Now()
	r.mu.Lock()
	r.pruneLocked(user, now)
	out := slices.Clone(r.bindings[user])
	r.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Binding) int {
		if a.Q != b.Q {
			if a.Q > b.Q {
				return -1
			}
			return 1
		}
		return b.Expires.Compare(a.Expires)
	})
	return out
}

// HandleRegister answers a REGISTER (RFC 3261 10.3). Give it to
// sipgo's Server.OnRegister.
func (r *Registrar) HandleRegister(req *sip.Request, tx sip.ServerTransaction) {
	res := r.Register(context.Background(), req)
	if err := tx.Respond(res); err != nil {
		r.log.Debug("register: respond", "err", err, "remote", req.Source())
	}
}

// Register processes a REGISTER and returns the response to send: 401
// with a challenge, 403, 400, 423 or 200 listing the bindings.
func (r *Registrar) Register(ctx context.Context, req *sip.Request) *sip.Response {
	now := r.cfg.Now()
	ip := sourceIP(req.Source())
	if r.blocked(ip, now) {
		return sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil)
	}
	to, from := req.To(), req.From()
	if to == nil || from == nil || req.CallID() == nil || req.CSeq() == nil {
		return sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Missing To, From, Call-ID or CSeq", nil)
	}
	user, res := r.authenticate(ctx, req, ip, now)
	if res != nil {
		return res
	}
	// No third-party registration: the AOR is the authenticated user's.
	if to.Address.User != user || from.Address.User != user {
		r.log.Warn("register: user mismatch", "user", user, "to", to.Address.User, "from", from.Address.User, "remote", req.Source())
		return sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden (user mismatch)", nil)
	}
	upd, err := r.parseContacts(req)
	if err != nil {
		return sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request ("+err.Error()+")", nil)
	}
	for _, u := range upd.contacts {
		if u.expires > 0 && u.expires < r.cfg.MinExpires {
			res := sip.NewResponseFromRequest(req, sip.StatusIntervalToBrief, "Interval Too Brief", nil)
			res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(int(r.cfg.MinExpires/time.Second))))
			return res
		}
	}
	bs, code, reason := r.apply(user, req, upd, now)
	if code != 0 {
		return sip.NewResponseFromRequest(req, code, reason, nil)
	}
	return r.ok(req, bs, now)
}

func sourceIP(src string) string {
	if h, _, err := net.SplitHostPort(src); err == nil {
		return h
	}
	return src
}

// blocked reports whether the source IP is refused for failed logins.
func (r *Registrar) blocked(ip string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.fails[ip]
	return f != nil && now.Before(f.until)
}

// maxTrackedSources caps the source IPs whose failures are counted.
const maxTrackedSources = 1 << 16

// failed counts a failed authentication and reports whether the source
// is now blocked.
func (r *Registrar) failed(ip string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.fails[ip]
	if f == nil && len(r.fails) >= maxTrackedSources {
		return false // a flood of spoofed sources: stop tracking, keep challenging
	}
	if f == nil || now.Sub(f.since) > r.cfg.AuthWindow {
		f = &authFails{since: now}
		r.fails[ip] = f
	}
	f.n++
	if f.n >= r.cfg.AuthFailures {
		f.until = now.Add(r.cfg.AuthBlock)
		f.n, f.since = 0, now
		return true
	}
	return false
}

// authenticate checks the Authorization header and returns the user, or
// the response to send instead (RFC 3261 22.4).
func (r *Registrar) authenticate(ctx context.Context, req *sip.Request, ip string, now time.Time) (string, *sip.Response) {
	h := req.GetHeader("Authorization")
	if h == nil {
		return "", r.challenge(req, now, false)
	}
	c, err := parseDigestCredentials(h.Value())
	if err != nil {
		return "", r.authFailed(req, ip, now, "", err)
	}
	alg := c.Algorithm
	if alg == "" {
		alg = AlgorithmMD5
	}
	if c.Realm != r.cfg.Realm || !slices.Contains(r.cfg.Algorithms, alg) {
		return "", r.authFailed(req, ip, now, c.Username, fmt.Errorf("realm %q algorithm %q", c.Realm, c.Algorithm))
	}
	ok, stale := r.nonces.check(c.Nonce, now)
	if !ok {
		return "", r.authFailed(req, ip, now, c.Username, errors.New("nonce not ours"))
	}
	sec, found, err := r.cfg.Users.Password(ctx, c.Username)
	if err != nil {
		r.log.Error("register: user lookup", "user", c.Username, "err", err)
		return "", sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil)
	}
	ha1, haveHA1 := sec.ha1(alg, c.Username, r.cfg.Realm)
	if !found || !haveHA1 || !equalHex(c.Response, digestResponse(alg, ha1, string(req.Method), c)) {
		return "", r.authFailed(req, ip, now, c.Username, errors.New("wrong response"))
	}
	if stale {
		// The password was right but the nonce too old: retry without
		// prompting the user (RFC 7616 3.3).
		return "", r.challenge(req, now, true)
	}
	return c.Username, nil
}

func (r *Registrar) authFailed(req *sip.Request, ip string, now time.Time, user string, err error) *sip.Response {
	if r.failed(ip, now) {
		r.log.Warn("register: too many failed authentications, blocking source", "remote", ip, "user", user, "for", r.cfg.AuthBlock)
		return sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil)
	}
	r.log.Info("register: authentication failed", "remote", req.Source(), "user", user, "err", err)
	return r.challenge(req, now, false)
}

// challenge answers 401 with one WWW-Authenticate per configured
// algorithm, MD5 first by default for the clients that read only the
// first (RFC 8760 2.4 lets the client pick).
func (r *Registrar) challenge(req *sip.Request, now time.Time, stale bool) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	nonce := r.nonces.issue(now)
	for _, alg := range r.cfg.Algorithms {
		v := fmt.Sprintf(`Digest realm="%s", nonce="%s", algorithm=%s, qop="auth"`, r.cfg.Realm, nonce, alg)
		if stale {
			v += ", stale=true"
		}
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", v))
	}
	return res
}

// contactUpdate is a parsed REGISTER: its contacts with their requested
// expiry, or the wildcard.
type contactUpdate struct {
	wildcard bool
	contacts []contactExpiry
}

type contactExpiry struct {
	uri     sip.Uri
	expires time.Duration // 0 removes
	q       float64
}

// maxContactsPerRequest caps the Contact headers read from one REGISTER.
const maxContactsPerRequest = 32

// parseContacts reads Contact and Expires (RFC 3261 10.2.1.1, 10.3 step 6
// and 8): a contact's expires parameter wins over the Expires header,
// which wins over DefaultExpires; values above MaxExpires are shortened.
func (r *Registrar) parseContacts(req *sip.Request) (contactUpdate, error) {
	var u contactUpdate
	def, hasExpires := r.cfg.DefaultExpires, false
	if h := req.GetHeader("Expires"); h != nil {
		d, err := parseDeltaSeconds(h.Value())
		if err != nil {
			return u, fmt.Errorf("expires: %w", err)
		}
		def, hasExpires = d, true
	}
	hs := req.GetHeaders("Contact")
	if len(hs) > maxContactsPerRequest {
		return u, fmt.Errorf("%d contacts", len(hs))
	}
	for _, h := range hs {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			return u, errors.New("unparsed contact")
		}
		if c.Address.Wildcard || c.Address.Host == "*" {
			u.wildcard = true
			continue
		}
		if c.Address.Host == "" {
			return u, errors.New("contact without host")
		}
		e := contactExpiry{uri: c.Address, expires: def, q: 1}
		if v, ok := c.Params.Get("expires"); ok {
			d, err := parseDeltaSeconds(v)
			if err != nil {
				return u, fmt.Errorf("contact expires: %w", err)
			}
			e.expires = d
		}
		if v, ok := c.Params.Get("q"); ok {
			q, err := strconv.ParseFloat(v, 64)
			if err != nil || q < 0 || q > 1 {
				return u, fmt.Errorf("contact q %q", v)
			}
			e.q = q
		}
		e.expires = min(e.expires, r.cfg.MaxExpires)
		u.contacts = append(u.contacts, e)
	}
	// RFC 3261 10.3 step 6: "*" only alone and with Expires: 0.
	if u.wildcard && (len(hs) != 1 || !hasExpires || def != 0) {
		return u, errors.New(`contact "*" needs to be alone, with Expires: 0`)
	}
	return u, nil
}

// parseDeltaSeconds parses delta-seconds (RFC 3261 20.19), saturating
// large values as 20.19 allows.
func parseDeltaSeconds(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 20 || strings.Trim(v, "0123456789") != "" {
		return 0, fmt.Errorf("not delta-seconds: %q", v)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		n = 1<<32 - 1
	}
	return time.Duration(n) * time.Second, nil
}

// contactKey identifies a contact for matching (RFC 3261 10.3 step 7
// compares URIs by 19.1.4; scheme, user, host, port and transport are
// what tells two phones apart).
func contactKey(u sip.Uri) string {
	tr := ""
	if u.UriParams != nil {
		tr, _ = u.UriParams.Get("transport")
	}
	return strings.ToLower(u.Scheme) + ":" + u.User + "@" + strings.ToLower(u.Host) + ":" +
		strconv.Itoa(u.Port) + ";" + strings.ToLower(tr)
}

// apply updates the user's bindings under the lock (RFC 3261 10.3 step
// 7) and returns them, or a failure status.
func (r *Registrar) apply(user string, req *sip.Request, upd contactUpdate, now time.Time) ([]Binding, int, string) {
	callID, cseq := req.CallID().Value(), req.CSeq().SeqNo
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pruneLocked(user, now)
	bs := r.bindings[user]
	if upd.wildcard {
		for _, b := range bs {
			if b.CallID == callID && cseq <= b.CSeq {
				return nil, sip.StatusInternalServerError, "Out of order CSeq"
			}
		}
		delete(r.bindings, user)
		r.log.Info("unregistered", "user", user, "bindings", len(bs), "remote", req.Source())
		return nil, 0, ""
	}
	next := slices.Clone(bs)
	for _, c := range upd.contacts {
		key := contactKey(c.uri)
		i := slices.IndexFunc(next, func(b Binding) bool { return contactKey(b.Contact) == key })
		if i >= 0 && next[i].CallID == callID && cseq <= next[i].CSeq {
			return nil, sip.StatusInternalServerError, "Out of order CSeq"
		}
		if c.expires == 0 {
			if i >= 0 {
				next = slices.Delete(next, i, i+1)
			}
			continue
		}
		b := Binding{User: user, Contact: c.uri, Expires: now.Add(c.expires), Source: req.Source(),
			Transport: req.Transport(), CallID: callID, CSeq: cseq, Q: c.q}
		if i >= 0 {
			next[i] = b
		} else {
			next = append(next, b)
		}
	}
	if len(next) > r.cfg.MaxContacts {
		return nil, sip.StatusForbidden, "Too many contacts"
	}
	if len(next) == 0 {
		delete(r.bindings, user)
	} else {
		r.bindings[user] = next
	}
	switch {
	case len(upd.contacts) == 0:
	case len(next) == 0:
		r.log.Info("unregistered", "user", user, "bindings", len(bs), "remote", req.Source())
	default:
		r.log.Info("registered", "user", user, "bindings", len(next), "remote", req.Source())
	}
	return slices.Clone(next), 0, ""
}

// ok builds the 200 listing every current binding with its remaining
// expiry (RFC 3261 10.3 step 8).
func (r *Registrar) ok(req *sip.Request, bs []Binding, now time.Time) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	for _, b := range bs {
		secs := int((b.Expires.Sub(now) + time.Second - 1) / time.Second)
		params := sip.NewParams()
		params.Add("expires", strconv.Itoa(secs))
		res.AppendHeader(&sip.ContactHeader{Address: b.Contact, Params: params})
	}
	res.AppendHeader(sip.NewHeader("Date", now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")))
	return res
}
