package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const crashEnv = "PARLEY_STORE_CRASH_DB"

// TestCrashChild is the child of TestCrash: with crashEnv set it writes
// calls and events from several goroutines until it is killed, printing
// each write after it returned ("call ID" or "event ID N").
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		return // only ever run by TestCrash
	}
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	report := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, format+"\n", args...) // os.Stdout is unbuffered
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := CallID(fmt.Sprintf("g%d-%d", g, i))
				if err := s.CreateCall(ctx, newCall(string(id), time.Time{})); err != nil {
					report("error %v", err)
					return
				}
				report("call %s", id)
				for n := range 5 {
					if err := s.AddEvent(ctx, Event{CallID: id, Type: "tick", Code: n}); err != nil {
						report("error %v", err)
						return
					}
					report("event %s %d", id, n)
				}
				if i%2 == 0 {
					if err := s.EndCall(ctx, id, End{Disposition: Answered}); err != nil {
						report("error %v", err)
						return
					}
					report("end %s", id)
				}
			}
		})
	}
	wg.Wait()
}

// TestCrash kills a writing process with SIGKILL mid-stream and checks that
// every write it reported as returned is in the database, then repairs.
func TestCrash(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		return
	}
	path := filepath.Join(t.TempDir(), "parley.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	calls := map[CallID]bool{} // value: ended
	events := map[CallID]int{}
	sc := bufio.NewScanner(out)
	lines := 0
	killed := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 1 && f[0] == "error":
			t.Fatalf("child: %s", sc.Text())
		case len(f) == 2 && f[0] == "call":
			calls[CallID(f[1])] = false
		case len(f) == 3 && f[0] == "event":
			events[CallID(f[1])]++
		case len(f) == 2 && f[0] == "end":
			calls[CallID(f[1])] = true
		default:
			continue // test framework output
		}
		lines++
		if lines == 3000 && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true // keep reading: lines already in the pipe were written before the kill
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before the kill after %d writes: %v", lines, err)
	}
	t.Logf("child reported %d writes (%d calls) before SIGKILL", lines, len(calls))

	ctx := context.Background()
	s := openTest(t, path)
	open := 0
	for id, ended := range calls {
		c, err := s.Call(ctx, id)
		if err != nil {
			t.Fatalf("call %s reported as written is lost: %v", id, err)
		}
		if ended && c.Disposition != Answered {
			t.Errorf("call %s reported as ended has disposition %v", id, c.Disposition)
		}
		if c.Ended.IsZero() {
			open++
		}
		evs, err := s.Events(ctx, id)
		if err != nil || len(evs) < events[id] {
			t.Fatalf("call %s: %d events stored, %d reported: %v", id, len(evs), events[id], err)
		}
	}
	n, err := s.RepairOpen(ctx)
	if err != nil || n < open {
		t.Fatalf("RepairOpen = %d, %v; %d reported calls were open", n, err, open)
	}
	p, err := s.ListCalls(ctx, Filter{Disposition: Failed, Limit: MaxLimit})
	if err != nil || len(p.Calls) != n {
		t.Fatalf("failed calls after repair: %d, %v; want %d", len(p.Calls), err, n)
	}
	for _, c := range p.Calls {
		if c.Cause != RestartCause || c.Ended.Before(c.Started) {
			t.Errorf("repaired call %+v", c)
		}
	}
}
