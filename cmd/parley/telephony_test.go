package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/telephony/sipptest"
)

// TestServeTelephony: `parley serve` runs the SIP user agent and the
// registrar: a SIPp phone registers with digest credentials from the
// configuration, and an INVITE is refused with 480 and a Reason while no
// dialogue script serves calls.
func TestServeTelephony(t *testing.T) {
	cfg := testConfig()
	port, err := sipptest.FreePort("u1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.SIP.Addr = "127.0.0.1:" + itoa(port)
	cfg.SIP.Registrar.Users = []SIPUserConfig{{User: "alice", Password: "wonderland"}}
	cfg.HTTP.Addr = freeAddr(t)
	cfg.DataDir = t.TempDir()
	cfg.Speech.Enabled = false
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))
	drain, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(drain, context.Background(), cfg, log) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitHTTP(t, "http://"+cfg.HTTP.Addr+"/healthz")

	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_register_digest.xml"),
		Target:   cfg.SIP.Addr, AuthUser: "alice", AuthPassword: "wonderland",
		Vars: map[string]string{"user": "alice"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}

	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "100", Host: "127.0.0.1", Port: port})
	req.SetBody([]byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "tester", Host: "127.0.0.1", Port: 5999}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tx, err := cli.TransactionRequest(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Terminate()
	for {
		select {
		case r := <-tx.Responses():
			if r.IsProvisional() {
				continue
			}
			reason := r.GetHeader("Reason")
			if r.StatusCode != 480 || reason == nil || !strings.Contains(reason.Value(), "no dialogue script") {
				t.Fatalf("INVITE answered %d %v", r.StatusCode, reason)
			}
			return
		case <-ctx.Done():
			t.Fatal("no final response to INVITE")
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// waitHTTP waits until url answers.
func waitHTTP(t *testing.T, url string) {
	t.Helper()
	for range 200 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}

// syncWriter serializes writes of a logger's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestPhoneCommand adds, lists and removes a phone account in the store.
func TestPhoneCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := cmdPhone([]string{"add", "--data-dir", dir, "agent7"}, strings.NewReader("correct horse battery\n"), &out, &errb); code != 0 {
		t.Fatalf("add: %d %s", code, errb.String())
	}
	if code := cmdPhone([]string{"add", "--data-dir", dir, "agent8"}, strings.NewReader("short\n"), &out, &errb); code != 1 {
		t.Errorf("a short password was accepted")
	}
	out.Reset()
	if code := cmdPhone([]string{"list", "--data-dir", dir}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "agent7\trealm parley") {
		t.Errorf("list: %d %q %s", code, out.String(), errb.String())
	}
	if code := cmdPhone([]string{"remove", "--data-dir", dir, "agent7"}, nil, &out, &errb); code != 0 {
		t.Errorf("remove: %d %s", code, errb.String())
	}
	if code := cmdPhone([]string{"remove", "--data-dir", dir, "agent7"}, nil, &out, &errb); code != 1 {
		t.Errorf("removing a missing account: %d", code)
	}
}
