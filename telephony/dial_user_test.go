package telephony

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// TestDialUserForks registers two phones for alice, one that only rings
// and one that answers: DialUser rings both, takes the answer and cancels
// the other, which SIPp checks (CANCEL, 487, ACK).
func TestDialUserForks(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 10*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ringing, err := sipptest.Start(ctx, t, sipptest.Options{Scenario: sipptest.Scenario("uas_ring_noanswer.xml"), Calls: 1})
	if err != nil {
		t.Fatal(err)
	}
	answering, err := sipptest.Start(ctx, t, sipptest.Options{Scenario: sipptest.Scenario("uas_answer.xml"), Calls: 1, RTPEcho: true})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := NewRegistrar(RegistrarConfig{Users: StaticUsers{"alice": "wonderland"}})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	for i, phone := range []*sipptest.Server{ringing, answering} {
		addr := phone.Addr.String()
		res := offlineRegister(t, reg, "fork-"+itoa(i), 1, addr, "600", "<sip:alice@"+addr+">")
		if res.StatusCode != 200 {
			t.Fatalf("register %s: %d", addr, res.StatusCode)
		}
	}
	ua, err := NewUA(Config{Registrar: reg})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- ua.Serve(context.Background()) }()
	defer func() { _ = ua.Close(); <-served }()

	if _, err := ua.DialUser(ctx, "bob", DialOptions{}); err == nil {
		t.Error("DialUser of an unregistered user succeeded")
	} else if de := (*DialError)(nil); !errors.As(err, &de) || de.Status != 480 {
		t.Errorf("DialUser(bob) = %v, want 480 not registered", err)
	}
	c, err := ua.DialUser(ctx, "alice", DialOptions{RingTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Media().Remote.Port(); int(got) != answering.MediaPort {
		t.Errorf("answered by media port %d, want the answering phone's %d", got, answering.MediaPort)
	}
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	for name, phone := range map[string]*sipptest.Server{"ringing": ringing, "answering": answering} {
		res, err := phone.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Err(); err != nil {
			t.Errorf("%s phone: %v", name, err)
		}
	}
	if d, _ := c.End(); d != store.Answered {
		t.Errorf("disposition %v", d)
	}
}
