package telephony_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// BenchmarkDialAnswerHangup measures an outbound call's set-up and
// tear-down through a trunk on loopback: INVITE, 180, 200 with SDP, ACK
// (RTP leg opened and started, record written) and BYE, against a SIPp
// UAS answering at once. It reports the set-up time (Dial returning) per
// call.
func BenchmarkDialAnswerHangup(b *testing.B) {
	srv, err := sipptest.Start(context.Background(), b, sipptest.Options{
		Scenario: sipptest.Scenario("uas_answer.xml"), Calls: b.N, RTPEcho: true, Timeout: 10 * time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	ua, err := telephony.NewUA(telephony.Config{
		Trunks: []telephony.Trunk{{Name: "t", Address: srv.Addr.String()}}, Log: quietLogger(),
	})
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- ua.Serve(context.Background()) }()
	defer func() { _ = ua.Close(); <-served }()
	ctx := context.Background()
	var setup time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		c, err := ua.Dial(ctx, telephony.DialOptions{To: "100", Trunk: "t"})
		if err != nil {
			b.Fatal(err)
		}
		setup += time.Since(t0)
		if err := c.Hangup(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(setup.Microseconds())/float64(b.N), "setup-µs/call")
	if res, err := srv.Wait(ctx); err != nil || res.Err() != nil {
		b.Fatalf("sipp: %v %v", err, res.Err())
	}
}
