package bridge_test

import (
	"context"
	"math"
	"net/netip"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/bridge"
	"github.com/parley-cc/parley/media/mediatest"
)

// env is a Pacer and a port range on loopback for real RTP legs.
type env struct {
	t     *testing.T
	ports *media.PortAllocator
	pacer *media.Pacer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ports, err := media.NewPortAllocator(media.PortConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: 48200, Max: 48400})
	if err != nil {
		t.Fatal(err)
	}
	pacer := media.NewPacer(20*time.Millisecond, 0)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { pacer.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return &env{t: t, ports: ports, pacer: pacer}
}

// farEnd is the phone at the other end of a bridged leg: it sends a tone
// and keeps what it hears.
type farEnd struct {
	leg   *media.Leg
	rate  int
	mu    sync.Mutex
	heard []int16
}

func (f *farEnd) hear(_ time.Duration, pcm []int16) {
	f.mu.Lock()
	f.heard = append(f.heard, pcm...)
	f.mu.Unlock()
}

// listen forgets what was heard, waits settle, then returns what is heard
// over d.
func (f *farEnd) listen(settle, d time.Duration) []int16 {
	time.Sleep(settle)
	f.mu.Lock()
	f.heard = f.heard[:0]
	f.mu.Unlock()
	time.Sleep(d)
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int16(nil), f.heard...)
}

// pair opens a bridge-side leg and its far end over RTP on loopback, both
// speaking codec; the far end plays a tone of freq Hz.
func (e *env) pair(codec media.Codec, freq float64) (*media.Leg, *farEnd) {
	t := e.t
	t.Helper()
	ctx := context.Background()
	near, err := media.OpenLeg(ctx, e.ports, e.pacer, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = near.Close() })
	far, err := media.OpenLeg(ctx, e.ports, e.pacer, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = far.Close() })
	pm, err := media.NewPayloadMap(codec)
	if err != nil {
		t.Fatal(err)
	}
	loop := func(p int) netip.AddrPort { return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(p)) }
	fe := &farEnd{leg: far, rate: codec.SampleRate}
	if err := near.Start(media.LegConfig{Payloads: pm, Remote: loop(far.LocalPort())}); err != nil {
		t.Fatal(err)
	}
	if err := far.Start(media.LegConfig{Payloads: pm, Remote: loop(near.LocalPort()), Receive: media.ReceiverConfig{OnAudio: fe.hear}}); err != nil {
		t.Fatal(err)
	}
	tone := mediatest.NewTone(freq, codec.SampleRate, 0.3)
	far.Transmitter().Play(media.SourceFunc(func(pcm []int16) (int, error) { return tone.Read(pcm), nil }), nil)
	return near, fe
}

// level returns the amplitude of the freq Hz component of pcm at rate, as
// a fraction of full scale: the median over 40 ms Hann-windowed blocks of
// a Goertzel filter, so that a lost or repeated frame (a phase jump) in
// the capture does not cancel the tone out.
func level(pcm []int16, rate int, freq float64) float64 {
	n := rate / 25
	var ls []float64
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	for off := 0; off+n <= len(pcm); off += n {
		var s1, s2 float64
		for i, x := range pcm[off : off+n] {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
			s := w*float64(x) + coeff*s1 - s2
			s2, s1 = s1, s
		}
		// A Hann window halves a tone's coherent gain.
		ls = append(ls, 4*math.Sqrt(max(0, s1*s1+s2*s2-coeff*s1*s2))/float64(n)/math.MaxInt16)
	}
	if len(ls) == 0 {
		return 0
	}
	sort.Float64s(ls)
	return ls[len(ls)/2]
}

const (
	// settle outlasts the far ends' jitter buffers (up to 300 ms on a
	// loaded machine), so a change has reached them before listening.
	settle = 500 * time.Millisecond
	window = 800 * time.Millisecond
)

// hears checks that fe heard freq (or, with want false, did not).
func hears(t *testing.T, name string, pcm []int16, rate int, freq float64, want bool) {
	t.Helper()
	if want && len(pcm) < rate/5 {
		t.Errorf("%s: heard only %d samples in %v", name, len(pcm), window)
		return
	}
	l := level(pcm, rate, freq)
	switch {
	case want && l < 0.15:
		t.Errorf("%s: %g Hz at %.3f of full scale, want ~0.3", name, freq, l)
	case !want && l > 0.01:
		t.Errorf("%s: %g Hz at %.3f of full scale, want silence", name, freq, l)
	}
}

func newConf(t *testing.T) *bridge.Conference {
	t.Helper()
	c, err := bridge.New(bridge.Config{Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// A PCMU leg (8 kHz) and a G.722 leg (16 kHz) bridged: each far end hears
// the other's tone through the transcoding, never its own; deaf and mute
// silence one direction; leave silences both.
func TestBridgePCMUG722(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutines(t)) // first registered, so run after the legs close
	e := newEnv(t)
	legA, feA := e.pair(media.PCMU(), 440)
	legB, feB := e.pair(media.G722(), 1000)
	c := newConf(t)
	pa, err := c.Join(legA)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := c.Join(legB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Join(legA); err != bridge.ErrJoined {
		t.Errorf("joining a leg twice: %v, want ErrJoined", err)
	}

	b := feB.listen(settle, window)
	a := feA.listen(0, window)
	hears(t, "B hears A", b, 16000, 440, true)
	hears(t, "B hears itself", b, 16000, 1000, false)
	hears(t, "A hears B", a, 8000, 1000, true)
	hears(t, "A hears itself", a, 8000, 440, false)
	// The transcoded tone is the tone: correlate B's capture with a clean
	// 440 Hz tone at 16 kHz, 50 ms at a time (a frame the far end's
	// jitter buffer concealed on a loaded machine breaks the phase between
	// windows, not within most of them); the median window must match.
	var corrs []float64
	ref := mediatest.ToneSamples(440, 16000, 0.3, 800)
	for i := 0; i+800 <= len(b); i += 800 {
		_, corr := mediatest.BestLag(ref, b[i:i+800], 40)
		corrs = append(corrs, corr)
	}
	sort.Float64s(corrs)
	if len(corrs) == 0 || corrs[len(corrs)/2] < 0.9 {
		t.Errorf("B's capture, median correlation with a 440 Hz tone over 50 ms windows: %v", corrs)
	}

	pb.Deaf(true)
	hears(t, "deaf B", feB.listen(settle, window), 16000, 440, false)
	hears(t, "A hears deaf B", feA.listen(0, window), 8000, 1000, true)
	pb.Deaf(false)

	pa.Mute(true)
	hears(t, "B hears muted A", feB.listen(settle, window), 16000, 440, false)
	hears(t, "muted A hears B", feA.listen(0, window), 8000, 1000, true)
	pa.Mute(false)
	hears(t, "B hears unmuted A", feB.listen(settle, window), 16000, 440, true)

	pa.Leave()
	pa.Leave()
	hears(t, "B after A left", feB.listen(settle, window), 16000, 440, false)
	hears(t, "A after leaving", feA.listen(0, window), 8000, 1000, false)
	if pa.Playing() {
		t.Error("A's transmitter still plays the conference after Leave")
	}
	sa, sb := pa.Stats(), pb.Stats()
	if sa.Received < 50 || sb.Received < 50 || sa.Mixed < 50 || sb.Mixed < 50 || sa.BadFrames+sb.BadFrames != 0 {
		t.Errorf("stats A %+v, B %+v", sa, sb)
	}
	t.Logf("A %+v\nB %+v", sa, sb)
	c.Close()
	if c.Len() != 0 || pb.Playing() && func() bool { time.Sleep(100 * time.Millisecond); return pb.Playing() }() {
		t.Errorf("after Close: %d participants, B playing %v", c.Len(), pb.Playing())
	}
}

// Three legs (PCMU, G.722, PCMU): each far end hears the other two, not
// itself.
func TestBridgeThreeWay(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutines(t)) // first registered, so run after the legs close
	e := newEnv(t)
	type party struct {
		codec media.Codec
		freq  float64
		fe    *farEnd
	}
	ps := []*party{{codec: media.PCMU(), freq: 400}, {codec: media.G722(), freq: 1200}, {codec: media.PCMU(), freq: 2500}}
	c := newConf(t)
	for _, p := range ps {
		var leg *media.Leg
		leg, p.fe = e.pair(p.codec, p.freq)
		if _, err := c.Join(leg); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(settle)
	heard := make([][]int16, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() { heard[i] = p.fe.listen(0, window) })
	}
	wg.Wait()
	for i, p := range ps {
		for j, q := range ps {
			hears(t, string(rune('A'+i))+" hears "+string(rune('A'+j)), heard[i], p.fe.rate, q.freq, i != j)
		}
	}
}
