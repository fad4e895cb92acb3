package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openTest(t testing.TB, path string) *SQLite {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "parley.db")
	}
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 123456789, time.UTC)

func newCall(id string, at time.Time) Call {
	return Call{ID: CallID(id), Direction: Inbound, FromURI: "sip:+4930111@trunk", ToURI: "sip:100@parley",
		FromNumber: "+4930111", ToNumber: "100", Trunk: "carrier", Started: at}
}

func TestCallLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateCall(ctx, newCall("c1", t0)))
	must(s.AnswerCall(ctx, "c1", t0.Add(2*time.Second)))
	must(s.AddLeg(ctx, Leg{CallID: "c1", ID: "a", Role: RoleCaller, SIPCallID: "x@y", Remote: "10.0.0.1:5060", Codec: "PCMU/8000", Started: t0}))
	must(s.AddLeg(ctx, Leg{CallID: "c1", ID: "b", Role: RoleAgent, Started: t0.Add(time.Minute)}))
	must(s.AnswerLeg(ctx, "c1", "b", t0.Add(61*time.Second)))
	must(s.EndLeg(ctx, "c1", "b", t0.Add(90*time.Second), "agent-hangup"))
	must(s.AddEvent(ctx, Event{CallID: "c1", At: t0, Type: "invite"}))
	must(s.AddEvent(ctx, Event{CallID: "c1", LegID: "a", At: t0.Add(time.Second), Type: "dtmf", Code: 0, Detail: json.RawMessage(`{"digit":"5"}`)}))
	must(s.SetRecording(ctx, Recording{CallID: "c1", Path: "recordings/2026/c1.wav", Format: FormatWAV, Duration: 98 * time.Second, Bytes: 1 << 20, Channels: ChannelsCallerLeft}))
	must(s.SetRecording(ctx, Recording{CallID: "c1", Path: "recordings/2026/c1.opus", Format: FormatOpus, Duration: 98 * time.Second, Bytes: 1 << 16, Channels: ChannelsCallerLeft}))
	must(s.EndCall(ctx, "c1", End{At: t0.Add(100 * time.Second), Disposition: Answered, Cause: "caller-hangup", SIPCode: 200}))

	c, err := s.Call(ctx, "c1")
	must(err)
	want := newCall("c1", t0)
	want.Answered, want.Ended = t0.Add(2*time.Second), t0.Add(100*time.Second)
	want.Disposition, want.Cause, want.SIPCode = Answered, "caller-hangup", 200
	if c != want {
		t.Errorf("Call:\n got %+v\nwant %+v", c, want)
	}
	legs, err := s.Legs(ctx, "c1")
	must(err)
	if len(legs) != 2 || legs[0].ID != "a" || legs[0].Codec != "PCMU/8000" || legs[1].Role != RoleAgent ||
		!legs[1].Answered.Equal(t0.Add(61*time.Second)) || legs[1].EndReason != "agent-hangup" {
		t.Errorf("Legs = %+v", legs)
	}
	// EndCall closed the leg still open with the call's cause.
	if legs[0].EndReason != "caller-hangup" || !legs[0].Ended.Equal(want.Ended) {
		t.Errorf("leg a after EndCall = %+v", legs[0])
	}
	evs, err := s.Events(ctx, "c1")
	must(err)
	if len(evs) != 2 || evs[0].Type != "invite" || evs[1].LegID != "a" || string(evs[1].Detail) != `{"digit":"5"}` ||
		!evs[1].At.Equal(t0.Add(time.Second)) || evs[1].Seq <= evs[0].Seq || evs[0].Detail != nil {
		t.Errorf("Events = %+v", evs)
	}
	r, err := s.Recording(ctx, "c1")
	must(err)
	if r.Path != "recordings/2026/c1.opus" || r.Format != FormatOpus || r.Duration != 98*time.Second || r.Channels != ChannelsCallerLeft {
		t.Errorf("Recording = %+v", r)
	}
}

func TestNotFoundAndConflict(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	if err := s.CreateCall(ctx, newCall("c1", t0)); err != nil {
		t.Fatal(err)
	}
	end := End{Disposition: Busy, SIPCode: 486}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"create twice", s.CreateCall(ctx, newCall("c1", t0)), ErrConflict},
		{"answer missing", s.AnswerCall(ctx, "nope", t0), ErrNotFound},
		{"end missing", s.EndCall(ctx, "nope", end), ErrNotFound},
		{"leg of missing call", s.AddLeg(ctx, Leg{CallID: "nope", ID: "a", Role: RoleBot}), ErrNotFound},
		{"end missing leg", s.EndLeg(ctx, "c1", "zz", t0, "x"), ErrNotFound},
		{"event of missing call", s.AddEvent(ctx, Event{CallID: "nope", Type: "x"}), ErrNotFound},
		{"recording of missing call", s.SetRecording(ctx, Recording{CallID: "nope", Path: "a.wav", Format: FormatWAV}), ErrNotFound},
		{"first end", s.EndCall(ctx, "c1", end), nil},
		{"end twice", s.EndCall(ctx, "c1", end), ErrConflict},
		{"answer after end", s.AnswerCall(ctx, "c1", t0), ErrConflict},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.want) || (tc.want == nil) != (tc.err == nil) {
			t.Errorf("%s: err = %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	for name, err := range map[string]error{
		"Call":      func() error { _, err := s.Call(ctx, "nope"); return err }(),
		"Legs":      func() error { _, err := s.Legs(ctx, "nope"); return err }(),
		"Events":    func() error { _, err := s.Events(ctx, "nope"); return err }(),
		"Recording": func() error { _, err := s.Recording(ctx, "c1"); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	// A failed write in a batch leaves the call as it was.
	c, err := s.Call(ctx, "c1")
	if err != nil || c.Disposition != Busy || c.SIPCode != 486 || !c.Answered.IsZero() {
		t.Errorf("Call after conflicts = %+v, %v", c, err)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	if err := s.CreateCall(ctx, newCall("c1", t0)); err != nil {
		t.Fatal(err)
	}
	long := string(make([]byte, MaxIDLen+1))
	noDir := newCall("c2", t0)
	noDir.Direction = 0
	ended := newCall("c3", t0)
	ended.Disposition = Answered
	tests := []struct {
		name string
		err  error
	}{
		{"empty call id", s.CreateCall(ctx, newCall("", t0))},
		{"long call id", s.CreateCall(ctx, newCall(long, t0))},
		{"bad utf-8 id", s.CreateCall(ctx, newCall("\xff", t0))},
		{"no direction", s.CreateCall(ctx, noDir)},
		{"created ended", s.CreateCall(ctx, ended)},
		{"unknown disposition", s.EndCall(ctx, "c1", End{Disposition: 99})},
		{"no disposition", s.EndCall(ctx, "c1", End{})},
		{"bad SIP code", s.EndCall(ctx, "c1", End{Disposition: Failed, SIPCode: 42})},
		{"empty id to end", s.EndCall(ctx, "", End{Disposition: Failed})},
		{"empty id to answer", s.AnswerCall(ctx, "", t0)},
		{"empty leg id", s.AddLeg(ctx, Leg{CallID: "c1", Role: RoleBot})},
		{"no role", s.AddLeg(ctx, Leg{CallID: "c1", ID: "a"})},
		{"empty leg id to end", s.EndLeg(ctx, "c1", "", t0, "")},
		{"event without type", s.AddEvent(ctx, Event{CallID: "c1"})},
		{"event detail not JSON", s.AddEvent(ctx, Event{CallID: "c1", Type: "x", Detail: json.RawMessage("{")})},
		{"absolute recording path", s.SetRecording(ctx, Recording{CallID: "c1", Path: "/etc/passwd", Format: FormatWAV})},
		{"escaping recording path", s.SetRecording(ctx, Recording{CallID: "c1", Path: "../x.wav", Format: FormatWAV})},
		{"no recording format", s.SetRecording(ctx, Recording{CallID: "c1", Path: "x.wav"})},
		{"negative size", s.SetRecording(ctx, Recording{CallID: "c1", Path: "x.wav", Format: FormatWAV, Bytes: -1})},
		{"list: bad cursor", func() error { _, err := s.ListCalls(ctx, Filter{Cursor: "!!"}); return err }()},
		{"list: limit", func() error { _, err := s.ListCalls(ctx, Filter{Limit: MaxLimit + 1}); return err }()},
		{"list: disposition", func() error { _, err := s.ListCalls(ctx, Filter{Disposition: -1}); return err }()},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, tc.err)
		}
	}
	if _, err := ParseDisposition("hung-up"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseDisposition(hung-up) = %v", err)
	}
	for d := Answered; d <= Abandoned; d++ {
		if p, err := ParseDisposition(d.String()); err != nil || p != d {
			t.Errorf("ParseDisposition(%v) = %v, %v", d, p, err)
		}
	}
	if _, err := Open(ctx, "", Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open(\"\") = %v", err)
	}
}

func TestListCalls(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	// 25 calls one minute apart, two sharing each start time; every third busy.
	var ids []CallID
	for i := range 25 {
		c := newCall(fmt.Sprintf("c%02d", i), t0.Add(time.Duration(i/2)*time.Minute))
		if i%5 == 0 {
			c.FromNumber = "+4930999"
		}
		if err := s.CreateCall(ctx, c); err != nil {
			t.Fatal(err)
		}
		d := Answered
		if i%3 == 0 {
			d = Busy
		}
		if err := s.EndCall(ctx, c.ID, End{At: c.Started.Add(time.Second), Disposition: d}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	var got []CallID
	f := Filter{Limit: 4}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		p, err := s.ListCalls(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Calls {
			got = append(got, c.ID)
		}
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	if len(got) != 25 {
		t.Fatalf("paged %d calls, want 25: %v", len(got), got)
	}
	for i, id := range got {
		if id != ids[24-i] {
			t.Fatalf("page order: got %v", got)
		}
	}
	count := func(f Filter) int {
		t.Helper()
		f.Limit = MaxLimit
		p, err := s.ListCalls(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Calls)
	}
	if n := count(Filter{Disposition: Busy}); n != 9 {
		t.Errorf("busy calls = %d, want 9", n)
	}
	if n := count(Filter{Number: "+4930999"}); n != 5 {
		t.Errorf("calls from +4930999 = %d, want 5", n)
	}
	if n := count(Filter{Number: "100"}); n != 25 {
		t.Errorf("calls to 100 = %d, want 25", n)
	}
	if n := count(Filter{Since: t0.Add(2 * time.Minute), Until: t0.Add(5 * time.Minute)}); n != 6 {
		t.Errorf("calls in [2m, 5m) = %d, want 6", n)
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "parley.db")
	for i := range 3 { // from empty, then re-opened twice
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if err := s.CreateCall(ctx, newCall(fmt.Sprintf("c%d", i), t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, maxV, calls int
	if err := db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_version`).Scan(&rows, &maxV); err != nil {
		t.Fatal(err)
	}
	if rows != SchemaVersion() || maxV != SchemaVersion() {
		t.Errorf("schema_version: %d rows, max %d; want %d", rows, maxV, SchemaVersion())
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM calls`).Scan(&calls); err != nil || calls != 3 {
		t.Errorf("calls kept across re-opens = %d, %v", calls, err)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	// A database from a newer Parley is refused, not modified.
	if _, err := db.Exec(`INSERT INTO schema_version VALUES (?, 0)`, SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(ctx, path, Options{}); !errors.Is(err, ErrConflict) {
		if err == nil {
			s.Close()
		}
		t.Errorf("open newer schema: %v, want ErrConflict", err)
	}
}

func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	const calls, events = 40, 25
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := range calls {
		wg.Go(func() {
			id := CallID(fmt.Sprintf("call-%d", i))
			err := s.CreateCall(ctx, newCall(string(id), time.Time{}))
			for j := 0; err == nil && j < events; j++ {
				err = s.AddEvent(ctx, Event{CallID: id, Type: "tick", Code: j})
				if err == nil && j == events/2 {
					_, err = s.ListCalls(ctx, Filter{Limit: 5}) // reads meanwhile
				}
			}
			if err == nil {
				err = s.EndCall(ctx, id, End{Disposition: Answered})
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range calls {
		id := CallID(fmt.Sprintf("call-%d", i))
		evs, err := s.Events(ctx, id)
		if err != nil || len(evs) != events {
			t.Fatalf("%s: %d events, %v", id, len(evs), err)
		}
		for j, e := range evs { // one goroutine's writes stay in order
			if e.Code != j {
				t.Fatalf("%s: event %d has code %d", id, j, e.Code)
			}
		}
	}
}

func TestRepairOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "parley.db")
	s := openTest(t, path)
	for _, c := range []Call{newCall("open-events", t0), newCall("open-bare", t0), newCall("closed", t0)} {
		if err := s.CreateCall(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	last := t0.Add(42 * time.Second)
	for _, e := range []Event{{CallID: "open-events", Type: "a", At: t0.Add(time.Second)}, {CallID: "open-events", Type: "b", At: last}} {
		if err := s.AddEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddLeg(ctx, Leg{CallID: "open-events", ID: "l", Role: RoleCaller, Started: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.EndCall(ctx, "closed", End{At: t0.Add(time.Minute), Disposition: Answered, Cause: "bye"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTest(t, path)
	n, err := s.RepairOpen(ctx)
	if err != nil || n != 2 {
		t.Fatalf("RepairOpen = %d, %v; want 2", n, err)
	}
	for id, ended := range map[CallID]time.Time{"open-events": last, "open-bare": t0} {
		c, err := s.Call(ctx, id)
		if err != nil || c.Disposition != Failed || c.Cause != RestartCause || !c.Ended.Equal(ended) {
			t.Errorf("%s after repair = %+v, %v; want failed, %s, ended %v", id, c, err, RestartCause, ended)
		}
	}
	legs, err := s.Legs(ctx, "open-events")
	if err != nil || len(legs) != 1 || !legs[0].Ended.Equal(last) || legs[0].EndReason != RestartCause {
		t.Errorf("leg after repair = %+v, %v", legs, err)
	}
	if c, _ := s.Call(ctx, "closed"); c.Disposition != Answered || c.Cause != "bye" {
		t.Errorf("closed call changed by repair: %+v", c)
	}
	if n, err := s.RepairOpen(ctx); err != nil || n != 0 {
		t.Errorf("second RepairOpen = %d, %v", n, err)
	}
}

func TestClose(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.CreateCall(ctx, newCall("c", t0)); !errors.Is(err, ErrClosed) {
		t.Errorf("write after Close = %v, want ErrClosed", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	s2 := openTest(t, "")
	if err := s2.CreateCall(cctx, newCall("c", t0)); !errors.Is(err, context.Canceled) {
		t.Errorf("write with cancelled context = %v", err)
	}
	if _, err := s2.Call(ctx, "c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("cancelled write was applied: %v", err)
	}
}
