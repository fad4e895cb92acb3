package bridge

import (
	"math"
	"testing"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/mediatest"
)

// fakeIn stands for a Receiver: the test pushes frames into its listener.
type fakeIn struct {
	rate int
	fn   func(time.Duration, []int16)
}

func (f *fakeIn) Rate() int { return f.rate }

func (f *fakeIn) AddListener(fn func(time.Duration, []int16)) func() {
	f.fn = fn
	return func() { f.fn = nil }
}

// fakeOut stands for a Transmitter: the test pulls frames from its source.
type fakeOut struct {
	rate int
	src  media.Source
}

func (f *fakeOut) Rate() int { return f.rate }

func (f *fakeOut) Play(src media.Source, _ func(error)) { f.src = src }

// member is one fake participant with a tone to say and what it heard.
type member struct {
	in    *fakeIn
	out   *fakeOut
	p     *Participant
	tone  *mediatest.Tone
	say   []int16 // one frame at its rate, sent
	frame []int16 // one frame at its rate, heard
	heard []int16
	fixed bool // say the same frame again (benchmarks: no tone synthesis)
}

func join(t testing.TB, c *Conference, rate int, freq float64) *member {
	t.Helper()
	m := &member{
		in:    &fakeIn{rate: rate},
		out:   &fakeOut{rate: rate},
		tone:  mediatest.NewTone(freq, rate, 0.3),
		say:   make([]int16, rate/50),
		frame: make([]int16, rate/50),
	}
	var err error
	if m.p, err = c.join(m.in, m.out); err != nil {
		t.Fatal(err)
	}
	return m
}

// tick runs one 20 ms frame for every member, as a Pacer would: receive,
// then send. It keeps what each heard when keep is set.
func tick(ms []*member, keep bool) {
	for _, m := range ms {
		if !m.fixed {
			m.tone.Read(m.say)
		}
		if m.in.fn != nil {
			m.in.fn(0, m.say)
		}
	}
	for _, m := range ms {
		if m.out.src == nil {
			continue
		}
		n, err := m.out.src.Next(m.frame)
		if err != nil {
			m.out.src = nil
			n = 0
		}
		clear(m.frame[n:])
		if keep {
			m.heard = append(m.heard, m.frame...)
		}
	}
}

// level returns the amplitude of the freq Hz component of pcm at rate
// (Goertzel), as a fraction of full scale.
func level(pcm []int16, rate int, freq float64) float64 {
	if len(pcm) == 0 {
		return 0
	}
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, x := range pcm {
		s := float64(x) + coeff*s1 - s2
		s2, s1 = s1, s
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	return 2 * math.Sqrt(power) / float64(len(pcm)) / math.MaxInt16
}

func newConf(t testing.TB) *Conference {
	t.Helper()
	c, err := New(Config{Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Each of three participants at three rates hears the other two, not
// itself; mute, deaf and leave change that from the next frame.
func TestMinusOneMuteDeafLeave(t *testing.T) {
	c := newConf(t)
	freqs := []float64{300, 700, 1100}
	ms := []*member{join(t, c, 8000, freqs[0]), join(t, c, 16000, freqs[1]), join(t, c, 48000, freqs[2])}
	run := func(frames int) {
		for range 5 { // let the filters and queues settle
			tick(ms, false)
		}
		for _, m := range ms {
			m.heard = m.heard[:0]
		}
		for range frames {
			tick(ms, true)
		}
	}
	// expect[i][j]: whether i hears j.
	check := func(name string, expect [3][3]bool) {
		t.Helper()
		for i, m := range ms {
			for j, f := range freqs {
				l := level(m.heard, m.in.rate, f)
				if expect[i][j] && l < 0.25 {
					t.Errorf("%s: participant %d hears %g Hz at %.3f, want ~0.3", name, i, f, l)
				}
				if !expect[i][j] && l > 0.003 {
					t.Errorf("%s: participant %d hears %g Hz at %.3f, want silence", name, i, f, l)
				}
			}
		}
	}
	run(50)
	check("all", [3][3]bool{{false, true, true}, {true, false, true}, {true, true, false}})

	ms[0].p.Mute(true)
	run(50)
	check("0 muted", [3][3]bool{{false, true, true}, {false, false, true}, {false, true, false}})
	ms[0].p.Mute(false)

	ms[1].p.Deaf(true)
	run(50)
	check("1 deaf", [3][3]bool{{false, true, true}, {false, false, false}, {true, true, false}})
	if st := ms[1].p.Stats(); st.Mixed == 0 || st.Received == 0 {
		t.Errorf("stats %+v", st)
	}
	ms[1].p.Deaf(false)

	ms[2].p.Leave()
	ms[2].p.Leave()
	run(50)
	check("2 left", [3][3]bool{{false, true, false}, {true, false, false}, {false, false, false}})
	if c.Len() != 2 {
		t.Errorf("%d participants after a leave, want 2", c.Len())
	}
	c.Close()
	run(10)
	check("closed", [3][3]bool{})
	if _, err := c.join(&fakeIn{rate: 8000}, &fakeOut{rate: 8000}); err != ErrClosed {
		t.Errorf("join after Close: %v, want ErrClosed", err)
	}
}

func TestJoinErrors(t *testing.T) {
	if _, err := New(Config{Rate: 12345}); err == nil {
		t.Error("New accepted a 12345 Hz mixing rate")
	}
	if _, err := New(Config{Ptime: 7 * time.Microsecond}); err == nil {
		t.Error("New accepted a 7 µs ptime")
	}
	c := newConf(t)
	in, out := &fakeIn{rate: 8000}, &fakeOut{rate: 8000}
	if _, err := c.join(in, out); err != nil {
		t.Fatal(err)
	}
	if _, err := c.join(in, out); err != ErrJoined {
		t.Errorf("second join of one leg: %v, want ErrJoined", err)
	}
	if _, err := c.join(&fakeIn{rate: 12345}, &fakeOut{rate: 8000}); err == nil {
		t.Error("join accepted a 12345 Hz leg")
	}
	if _, err := c.Join(nil); err != ErrNotStarted {
		t.Errorf("Join(nil): %v", err)
	}
	var leg media.Leg
	if _, err := c.Join(&leg); err != ErrNotStarted {
		t.Errorf("Join of an unstarted leg: %v", err)
	}
}

// A frame of the wrong length is counted, not mixed; a queue that overflows
// drops its oldest frames; a queue that runs deep is trimmed.
func TestQueueOverflowAndTrim(t *testing.T) {
	c := newConf(t)
	a, b := join(t, c, 16000, 500), join(t, c, 16000, 900)
	a.in.fn(0, make([]int16, 100))
	for range 5 { // 5 frames into a queue of 3, nobody reading
		a.tone.Read(a.say)
		a.in.fn(0, a.say)
	}
	if st := a.p.Stats(); st.BadFrames != 1 || st.Dropped != 2 || st.Received != 5 {
		t.Errorf("stats %+v, want 1 bad frame, 2 dropped, 5 received", st)
	}
	// Two frames stay queued (delay) until trimmed after a second.
	for range trimAfter + 5 {
		tick([]*member{a, b}, false)
	}
	if st := a.p.Stats(); st.Dropped < 3 {
		t.Errorf("deep queue not trimmed: %+v", st)
	}
	c.mu.Lock()
	depth := a.p.queue.len()
	c.mu.Unlock()
	if depth > 1 {
		t.Errorf("queue still %d deep", depth)
	}
}

func TestMixAllocs(t *testing.T) {
	c := newConf(t)
	ms := []*member{join(t, c, 8000, 300), join(t, c, 16000, 700), join(t, c, 48000, 1100)}
	for range 10 {
		tick(ms, false)
	}
	if a := testing.AllocsPerRun(200, func() { tick(ms, false) }); a != 0 {
		t.Fatalf("%.1f allocations per 3-way frame, want 0", a)
	}
}

// BenchmarkTick is one 20 ms frame of a conference: every participant's
// received frame queued (resampled to 16 kHz) and every participant's mix
// made and resampled to its rate.
func BenchmarkTick(b *testing.B) {
	for _, bc := range []struct {
		name  string
		rates []int
	}{
		{"2way-8k-16k", []int{8000, 16000}},
		{"3way-8k-8k-16k", []int{8000, 8000, 16000}},
		{"3way-16k", []int{16000, 16000, 16000}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := newConf(b)
			var ms []*member
			for i, r := range bc.rates {
				ms = append(ms, join(b, c, r, 300+400*float64(i)))
			}
			for range 10 {
				tick(ms, false)
			}
			for _, m := range ms {
				m.fixed = true
			}
			b.ReportAllocs()
			for b.Loop() {
				tick(ms, false)
			}
		})
	}
}
