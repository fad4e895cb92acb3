package mix_test

import (
	"errors"
	"testing"

	"github.com/parley-cc/parley/media/mix"
)

// constant returns a frame of n samples of value v: each participant
// speaks a distinct constant, so every output names what it heard.
func constant(n int, v int16) []int16 { return fill(n, v) }

func mixMatrix(t *testing.T, m *mix.Matrix, srcs [][]int16) [][]int16 {
	t.Helper()
	dst := make([][]int16, m.Len())
	for i := range dst {
		dst[i] = make([]int16, 160)
	}
	if err := m.Mix(dst, srcs); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestMinusOne(t *testing.T) {
	values := []int16{1, 10, 100, 1000, 10000}
	for n := 2; n <= len(values); n++ {
		m, err := mix.NewMinusOne(n, mix.Config{})
		if err != nil {
			t.Fatal(err)
		}
		srcs := make([][]int16, n)
		var total int16
		for i := range srcs {
			srcs[i] = constant(160, values[i])
			total += values[i]
		}
		dst := mixMatrix(t, m, srcs)
		for i := range dst {
			want := total - values[i] // everyone but themselves
			for k, v := range dst[i] {
				if v != want {
					t.Fatalf("%d participants: participant %d sample %d = %d, want %d", n, i, k, v, want)
				}
			}
		}
	}
}

func TestMinusOneThreeWayString(t *testing.T) {
	m, err := mix.NewMinusOne(3, mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.String(), "Matrix(0<-1,2 1<-0,2 2<-0,1)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestWhisper(t *testing.T) {
	m, err := mix.NewWhisper(mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srcs := make([][]int16, 3)
	srcs[mix.Caller] = constant(160, 1)
	srcs[mix.Agent] = constant(160, 10)
	srcs[mix.Bot] = constant(160, 100)
	dst := mixMatrix(t, m, srcs)
	for _, tc := range []struct {
		name     string
		listener int
		want     int16
	}{
		{"caller hears only the agent", mix.Caller, 10},
		{"agent hears bot and caller", mix.Agent, 101},
		{"bot hears the agent", mix.Bot, 10},
	} {
		if got := dst[tc.listener][0]; got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
	if m.Hears(mix.Caller, mix.Bot) {
		t.Error("Hears(Caller, Bot) = true: the caller must not hear the whisper")
	}
	// After the whisper the legs are bridged: all three hear each other.
	if err := m.Route(mix.Caller, mix.Agent, mix.Bot); err != nil {
		t.Fatal(err)
	}
	if got := mixMatrix(t, m, srcs)[mix.Caller][0]; got != 110 {
		t.Errorf("caller after Route(Caller, Agent, Bot): got %d, want 110", got)
	}
}

func TestMatrixSilentParticipants(t *testing.T) {
	m, err := mix.NewMinusOne(3, mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Route(2); err != nil { // participant 2 hears nobody
		t.Fatal(err)
	}
	// Participant 1 has no audio this frame.
	dst := mixMatrix(t, m, [][]int16{constant(160, 7), nil, constant(160, 100)})
	for i, want := range []int16{100, 107, 0} {
		if got := dst[i][159]; got != want {
			t.Errorf("participant %d: got %d, want %d", i, got, want)
		}
	}
}

func TestMatrixOwnLimiters(t *testing.T) {
	m, err := mix.NewMinusOne(3, mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// 0 and 1 shout; 2 is quiet. Participant 2 hears both shouts and is
	// limited; 0 and 1 hear one shout plus quiet speech, within range.
	srcs := [][]int16{constant(160, 20000), constant(160, 20000), constant(160, 50)}
	dst := mixMatrix(t, m, srcs)
	if m.Gain(2) >= 1 || m.Gain(0) != 1 || m.Gain(1) != 1 {
		t.Errorf("gains %g %g %g, want 1, 1 and below 1", m.Gain(0), m.Gain(1), m.Gain(2))
	}
	if dst[0][100] != 20050 || dst[2][100] <= 0 || dst[2][100] > mix.DefaultCeiling+100 {
		t.Errorf("outputs %d, %d: want 20050 and limited near the ceiling", dst[0][100], dst[2][100])
	}
	m.Reset()
	if m.Gain(2) != 1 {
		t.Errorf("Gain(2) after Reset = %g, want 1", m.Gain(2))
	}
	if m.Gain(-1) != 0 || m.Gain(3) != 0 {
		t.Error("Gain out of range is not 0")
	}
}

func TestMatrixErrors(t *testing.T) {
	for _, n := range []int{-1, 0, 1, 65} {
		if _, err := mix.NewMinusOne(n, mix.Config{}); !errors.Is(err, mix.ErrParticipants) {
			t.Errorf("NewMinusOne(%d) error = %v, want ErrParticipants", n, err)
		}
	}
	if _, err := mix.NewMinusOne(64, mix.Config{}); err != nil {
		t.Errorf("NewMinusOne(64): %v", err)
	}
	m, err := mix.NewMinusOne(3, mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		listener int
		speakers []int
	}{{-1, nil}, {3, nil}, {0, []int{3}}, {0, []int{1, -2}}} {
		if err := m.Route(tc.listener, tc.speakers...); !errors.Is(err, mix.ErrParticipants) {
			t.Errorf("Route(%d, %v) error = %v, want ErrParticipants", tc.listener, tc.speakers, err)
		}
	}
	if m.Hears(0, 3) || m.Hears(-1, 0) {
		t.Error("Hears out of range is true")
	}
	f := func(n int) []int16 { return make([]int16, n) }
	for _, tc := range []struct {
		name      string
		dst, srcs [][]int16
		err       error
	}{
		{"two destinations", [][]int16{f(160), f(160)}, [][]int16{f(160), f(160), f(160)}, mix.ErrParticipants},
		{"four sources", [][]int16{f(160), f(160), f(160)}, [][]int16{f(160), f(160), f(160), f(160)}, mix.ErrParticipants},
		{"short destination", [][]int16{f(160), f(80), f(160)}, [][]int16{f(160), f(160), f(160)}, mix.ErrLength},
		{"short source", [][]int16{f(160), f(160), f(160)}, [][]int16{f(160), f(160), f(159)}, mix.ErrLength},
	} {
		if err := m.Mix(tc.dst, tc.srcs); !errors.Is(err, tc.err) {
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.err)
		}
	}
}

func TestMatrixAllocatesNothing(t *testing.T) {
	m, err := mix.NewMinusOne(3, mix.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srcs := [][]int16{constant(160, 20000), constant(160, 20000), constant(160, 50)}
	dst := [][]int16{make([]int16, 160), make([]int16, 160), make([]int16, 160)}
	if allocs := testing.AllocsPerRun(100, func() { _ = m.Mix(dst, srcs) }); allocs != 0 {
		t.Errorf("Matrix.Mix allocates %.1f times, want 0", allocs)
	}
}
