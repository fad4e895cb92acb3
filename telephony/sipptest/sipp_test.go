package sipptest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// startUAS starts a server scenario that handles calls calls and exits.
func startUAS(t *testing.T, scenario string, calls int, opts Options) *Server {
	t.Helper()
	opts.Scenario, opts.Calls = Scenario(scenario), calls
	s, err := Start(context.Background(), t, opts)
	if err != nil {
		t.Fatalf("start %s: %v", scenario, err)
	}
	return s
}

// runUAC runs a client scenario against s and returns the result.
func runUAC(t *testing.T, scenario string, s *Server, opts Options) *Result {
	t.Helper()
	opts.Scenario, opts.Target = Scenario(scenario), s.Addr.String()
	if opts.Timeout == 0 {
		opts.Timeout = 20 * time.Second
	}
	res, err := Run(context.Background(), t, opts)
	if err != nil {
		t.Fatalf("run %s: %v", scenario, err)
	}
	return res
}

// requireBoth fails t unless both sides completed calls calls.
func requireBoth(t *testing.T, uac *Result, s *Server, calls int) *Result {
	t.Helper()
	if err := uac.Err(); err != nil || uac.Successful != calls {
		t.Fatalf("uac: %d successful, want %d: %v", uac.Successful, calls, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	uas, err := s.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := uas.Err(); err != nil || uas.Successful != calls {
		t.Fatalf("uas: %d successful, want %d: %v", uas.Successful, calls, err)
	}
	return uas
}

func TestCallRTPAgainstAnswer(t *testing.T) {
	s := startUAS(t, "uas_answer.xml", 2, Options{RTPEcho: true})
	uac := runUAC(t, "uac_call_rtp.xml", s, Options{Calls: 2, Duration: 500 * time.Millisecond})
	requireBoth(t, uac, s, 2)
	t.Logf("uac screen:\n%s", uac.Screen)
}

func TestFailureIsReported(t *testing.T) {
	s := startUAS(t, "uas_busy.xml", 1, Options{})
	uac := runUAC(t, "uac_call_rtp.xml", s, Options{Duration: 100 * time.Millisecond})
	if uac.Err() == nil || uac.ExitCode != ExitSomeFailed || uac.Failed != 1 {
		t.Fatalf("a busy callee passed uac_call_rtp: exit %d, %d failed", uac.ExitCode, uac.Failed)
	}
	if !strings.Contains(uac.ErrorLog, "486") {
		t.Fatalf("error log does not name the 486:\n%s", uac.ErrorLog)
	}
}

func TestCancelAgainstRingNoAnswer(t *testing.T) {
	s := startUAS(t, "uas_ring_noanswer.xml", 1, Options{})
	uac := runUAC(t, "uac_cancel.xml", s, Options{})
	requireBoth(t, uac, s, 1)
}

func TestRemoteByeAgainstAnswerBye(t *testing.T) {
	s := startUAS(t, "uas_answer_bye.xml", 1, Options{Duration: 200 * time.Millisecond})
	uac := runUAC(t, "uac_remote_bye.xml", s, Options{})
	requireBoth(t, uac, s, 1)
}

func TestRegisterDigestAgainstRegistrar(t *testing.T) {
	vars := map[string]string{"user": "alice", "password": "s3cret"}
	s := startUAS(t, "uas_registrar.xml", 1, Options{Vars: vars})
	uac := runUAC(t, "uac_register_digest.xml", s, Options{Vars: vars, AuthUser: "alice", AuthPassword: "s3cret"})
	requireBoth(t, uac, s, 1)
}

func TestRegisterWrongPasswordFails(t *testing.T) {
	vars := map[string]string{"user": "alice", "password": "s3cret"}
	s := startUAS(t, "uas_registrar.xml", 1, Options{Vars: vars})
	uac := runUAC(t, "uac_register_digest.xml", s, Options{Vars: vars, AuthUser: "alice", AuthPassword: "wrong", Timeout: 5 * time.Second})
	if uac.Err() == nil {
		t.Fatal("a wrong password registered")
	}
}
