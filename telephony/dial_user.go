package telephony

import (
	"context"
	"errors"
	"sync"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/store"
)

// DialUser calls a user registered with the UA's Registrar (an agent's
// phones): every registered contact rings at once (parallel forking, RFC
// 3261 16.7), the first to answer gets the call and the others are
// cancelled. Requests go to the address each phone registered from, so
// phones behind NAT are reached. o.To and o.Trunk are ignored.
//
// When nobody answers, the error is a *DialError: busy when every phone
// was busy, no-answer when the ring time-out passed, and 480 "not
// registered" when the user has no contact.
func (u *UA) DialUser(ctx context.Context, user string, o DialOptions) (*Call, error) {
	if u.cfg.Registrar == nil {
		return nil, &DialError{Disposition: store.Failed, Status: sip.StatusTemporarilyUnavailable, Reason: "no registrar"}
	}
	bindings := u.cfg.Registrar.Lookup(user)
	if len(bindings) == 0 {
		return nil, &DialError{Disposition: store.Failed, Status: sip.StatusTemporarilyUnavailable, Reason: "not registered"}
	}
	forkCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		c   *Call
		err error
	}
	results := make(chan result, len(bindings))
	var wg sync.WaitGroup
	for _, b := range bindings {
		fo := o
		fo.To, fo.Trunk, fo.dest = b.Contact.String(), "", b.Source
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := u.Dial(forkCtx, fo)
			results <- result{c, err}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	var won *Call
	var errs []error
	for r := range results {
		switch {
		case r.err != nil:
			errs = append(errs, r.err)
		case won == nil:
			won = r.c
			cancel() // the other phones stop ringing
		default:
			// Two phones answered at once: the later one is hung up.
			_ = r.c.hangup(context.WithoutCancel(ctx), store.Cancelled, "answered-elsewhere")
		}
	}
	if won != nil {
		return won, nil
	}
	return nil, forkError(errs)
}

// forkError is the outcome of a fork nobody answered: busy if every phone
// was, else the first of no-answer, rejected, cancelled and failed.
func forkError(errs []error) error {
	rank := map[store.Disposition]int{store.Busy: 0, store.NoAnswer: 1, store.Rejected: 2, store.Cancelled: 3, store.Failed: 4}
	var best *DialError
	allBusy := true
	for _, err := range errs {
		var de *DialError
		if !errors.As(err, &de) {
			de = &DialError{Disposition: store.Failed, Reason: err.Error()}
		}
		if de.Disposition != store.Busy {
			allBusy = false
		}
		if best == nil || (de.Disposition != store.Busy && (best.Disposition == store.Busy || rank[de.Disposition] < rank[best.Disposition])) {
			best = de
		}
	}
	if allBusy || best == nil {
		for _, err := range errs {
			var de *DialError
			if errors.As(err, &de) {
				return de
			}
		}
	}
	return best
}
