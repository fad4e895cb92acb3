package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/client"
	"github.com/parley-cc/parley/mrcp/server"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/flite"
	"github.com/parley-cc/parley/mrcp/speech/sphinx"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// engines are the real engines behind the real registry that
// `parley serve` uses: flite voices and PocketSphinx for en-US.
type engines struct {
	*speech.Registry
	tts *flite.Engine
	asr *sphinx.Engine
}

var (
	engOnce sync.Once
	eng     *engines
	engErr  error
)

func realEngines(t testing.TB) *engines {
	t.Helper()
	engOnce.Do(func() {
		tts, err := flite.New(flite.Config{})
		if err != nil {
			engErr = err
			return
		}
		// PARLEY_SPHINX_ARGS passes extra PocketSphinx arguments, for tuning
		// experiments with the accuracy measurement.
		asr, err := sphinx.New(sphinx.Config{MaxDecoders: 4, Args: strings.Fields(os.Getenv("PARLEY_SPHINX_ARGS"))})
		if err != nil {
			engErr = err
			return
		}
		eng = &engines{Registry: speech.NewRegistry(), tts: tts, asr: asr}
		eng.AddSynthesizer(tts)
		eng.AddRecognizer(asr)
	})
	if engErr != nil {
		t.Fatalf("speech engines: %v", engErr)
	}
	return eng
}

func startServer(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.Engines == nil {
		cfg.Engines = realEngines(t)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv
}

// say renders text with flite at rate, for the test caller to speak.
func say(t testing.TB, text string, rate int) []int16 {
	t.Helper()
	e := realEngines(t)
	doc, err := ssml.Parse("text/plain", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	var pcm []int16
	err = e.tts.Synthesize(context.Background(), speech.SynthRequest{Doc: doc, Voice: e.tts.Voices()[0], Rate: rate, Prosody: ssml.DefaultProsody},
		func(c speech.Chunk) error { pcm = append(pcm, c.PCM...); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return pcm
}

// pcmSource plays samples once, then silence is sent by the transmitter.
func pcmSource(pcm []int16) media.Source {
	pos := 0
	return media.SourceFunc(func(out []int16) (int, error) {
		if pos >= len(pcm) {
			return 0, io.EOF
		}
		n := copy(out, pcm[pos:])
		pos += n
		return n, nil
	})
}

func waitEvent(t *testing.T, ch *client.Channel, want mrcp.Event, within time.Duration) *mrcp.Message {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch.Events():
			if !ok {
				t.Fatalf("channel ended waiting for %s", want)
			}
			if ev.Event == want {
				return ev
			}
			t.Logf("event %s", ev.Event)
		case <-deadline:
			t.Fatalf("no %s within %v", want, within)
		}
	}
}

// A whole session through real SIP, TCP and RTP: failover past a dead
// server, SPEAK heard as audio, a grammar recognized from spoken audio,
// re-INVITE removing a resource, BYE releasing everything.
func TestSessionEndToEnd(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 5*time.Second))
	srv := startServer(t, server.Config{})

	// A server that never answers: UDP port with nobody reading.
	dead, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	cli, err := client.New(client.Config{
		Servers:      []string{"sip:speechd@" + dead.LocalAddr().String(), srv.URI()},
		SetupTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	var mu sync.Mutex
	var heard []int16
	ctx := context.Background()
	sess, err := cli.Open(ctx, client.SessionOptions{
		Resources: []mrcp.Resource{mrcp.ResourceSpeechSynth, mrcp.ResourceSpeechRecog},
		OnAudio: func(_ time.Duration, pcm []int16) {
			mu.Lock()
			heard = append(heard, pcm...)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	synth, recog := sess.Channel(mrcp.ResourceSpeechSynth), sess.Channel(mrcp.ResourceSpeechRecog)
	if synth == nil || recog == nil {
		t.Fatalf("channels: synth %v recog %v", synth, recog)
	}
	if st := srv.Stats(); st.Sessions != 1 || st.Channels != 2 {
		t.Fatalf("server stats %+v", st)
	}

	// SPEAK: IN-PROGRESS, audio, SPEAK-COMPLETE.
	speak := synth.NewRequest(mrcp.MethodSpeak)
	speak.SetBody("text/plain", []byte("Thank you for calling. How can I help you today?"))
	res, err := synth.Do(ctx, speak)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != mrcp.StatusSuccess || res.State != mrcp.StateInProgress {
		t.Fatalf("SPEAK response %v", res)
	}
	done := waitEvent(t, synth, mrcp.EventSpeakComplete, 15*time.Second)
	if c, _ := done.SynthCause(); c != mrcp.SynthNormal {
		t.Fatalf("SPEAK-COMPLETE cause %v", c)
	}
	time.Sleep(200 * time.Millisecond) // the last packets
	mu.Lock()
	loud := 0
	for i := 0; i+160 <= len(heard); i += 160 {
		var e int64
		for _, s := range heard[i : i+160] {
			e += int64(s) * int64(s)
		}
		if e/160 > 250000 {
			loud++
		}
	}
	mu.Unlock()
	if loud < 50 { // at least a second of speech
		t.Fatalf("heard %d loud 20 ms frames of synthesized speech, want >= 50", loud)
	}

	// DEFINE-GRAMMAR + RECOGNIZE + spoken audio.
	def := recog.NewRequest(mrcp.MethodDefineGrammar)
	def.Header.Set("Content-Id", "yesno")
	def.SetBody("application/srgs+xml", []byte(`<?xml version="1.0"?>
<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" xml:lang="en-US" root="yn" mode="voice">
  <rule id="yn" scope="public"><one-of>
    <item>yes<tag>yes</tag></item><item>yes please<tag>yes</tag></item>
    <item>no<tag>no</tag></item><item>no thank you<tag>no</tag></item>
  </one-of></rule></grammar>`))
	if res, err = recog.Do(ctx, def); err != nil || res.Status != mrcp.StatusSuccess {
		t.Fatalf("DEFINE-GRAMMAR: %v %v", res, err)
	}
	rec := recog.NewRequest(mrcp.MethodRecognize)
	rec.Header.Set("No-Input-Timeout", "5000")
	rec.SetBody("text/uri-list", []byte("session:yesno"))
	if res, err = recog.Do(ctx, rec); err != nil || res.State != mrcp.StateInProgress {
		t.Fatalf("RECOGNIZE: %v %v", res, err)
	}
	utter := append(make([]int16, 4000), say(t, "yes please", 8000)...)
	sess.Leg().Transmitter().Play(pcmSource(utter), nil)
	waitEvent(t, recog, mrcp.EventStartOfInput, 5*time.Second)
	rc := waitEvent(t, recog, mrcp.EventRecognitionComplete, 15*time.Second)
	if c, _ := rc.RecogCause(); c != mrcp.RecogSuccess {
		t.Fatalf("RECOGNITION-COMPLETE cause %v:\n%s", c, rc.Body)
	}
	if !strings.Contains(string(rc.Body), "yes") {
		t.Fatalf("result does not say yes:\n%s", rc.Body)
	}

	// re-INVITE removes the synthesizer.
	if err := sess.RemoveResource(ctx, mrcp.ResourceSpeechSynth); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Channels != 1 {
		t.Fatalf("after removing speechsynth: %+v", st)
	}
	if _, err := synth.Do(ctx, synth.NewRequest(mrcp.MethodStop)); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("request on a removed channel: %v", err)
	}
	// ... and adds it back.
	if synth, err = sess.AddResource(ctx, mrcp.ResourceSpeechSynth); err != nil {
		t.Fatal(err)
	}
	if res, err = synth.Do(ctx, synth.NewRequest(mrcp.MethodStop)); err != nil || res.Status != mrcp.StatusSuccess {
		t.Fatalf("STOP on the re-added channel: %v %v", res, err)
	}

	if err := sess.Close(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for srv.Stats() != (server.Stats{}) {
		if time.Now().After(deadline) {
			t.Fatalf("after BYE the server holds %+v", srv.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rawConn is a control connection driven by hand, for bad input.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	rd *mrcp.Reader
}

func dialControl(t *testing.T, srv *server.Server) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", srv.ControlAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, rd: mrcp.NewReader(nc, mrcp.ReaderConfig{})}
}

func (c *rawConn) write(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawConn) read() *mrcp.Message {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m mrcp.Message
	if err := c.rd.ReadMessage(&m); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return &m
}

func wire(t *testing.T, m *mrcp.Message) string {
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Bad input on a control connection gets the RFC's answers and the
// connection stays usable; a stalled or garbage-sending peer is cut off
// alone.
func TestControlBadInput(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 5*time.Second))
	srv := startServer(t, server.Config{MessageTimeout: 300 * time.Millisecond, ConnIdleTimeout: 500 * time.Millisecond})

	c := dialControl(t, srv)
	// A request for a channel nobody allocated: 405.
	c.write(wire(t, mrcp.NewRequest(mrcp.MethodSpeak, 7, "FFFF0000@speechsynth")))
	if m := c.read(); m.Status != mrcp.StatusResourceNotAllocated || m.RequestID != 7 {
		t.Fatalf("missing channel: %v", m)
	}
	// A framed request with a bad header line: an error response, and the
	// connection goes on.
	bad := "MRCP/2.0 xxx SPEAK 8\r\nChannel-Identifier: FFFF0000@speechsynth\r\nBroken header\r\n\r\n"
	bad = strings.Replace(bad, "xxx", itoa(len(bad)), 1)
	c.write(bad)
	if m := c.read(); m.Kind != mrcp.KindResponse || m.RequestID != 8 || m.Status.Success() {
		t.Fatalf("malformed request: %v", m)
	}
	c.write(wire(t, mrcp.NewRequest(mrcp.MethodStop, 9, "FFFF0000@speechsynth")))
	if m := c.read(); m.RequestID != 9 {
		t.Fatalf("after a malformed request: %v", m)
	}

	// Half a message, then nothing: cut off after MessageTimeout.
	stall := dialControl(t, srv)
	stall.write("MRCP/2.0 100 SPEAK 1\r\nChannel-")
	_ = stall.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := stall.nc.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("stalled peer: read %v, want EOF (server closed it)", err)
	}
	// Garbage that cannot be framed: cut off at once.
	junk := dialControl(t, srv)
	junk.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = junk.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := junk.nc.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("garbage peer: read %v, want EOF", err)
	}
	// The first connection was not affected... until it idles without a
	// channel for ConnIdleTimeout.
	c.write(wire(t, mrcp.NewRequest(mrcp.MethodStop, 10, "FFFF0000@speechsynth")))
	if m := c.read(); m.RequestID != 10 {
		t.Fatalf("good connection after others misbehaved: %v", m)
	}
	time.Sleep(time.Second)
	_ = c.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.nc.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection without channels: read %v, want EOF", err)
	}
	if st := srv.Stats(); st.Connections != 0 {
		t.Fatalf("connections left: %+v", st)
	}
}

// itoa returns the message-length of a message that is n octets long with
// a three-character placeholder for it: the length counts its own digits.
func itoa(n int) string {
	for d := 1; ; d++ {
		if s := strconv.Itoa(n - 3 + d); len(s) == d {
			return s
		}
	}
}

// DTMF sent as RFC 4733 events over the session's RTP reaches the
// recognizer: START-OF-INPUT with Input-Type dtmf, then the digits.
func TestDTMFOverRTP(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 5*time.Second))
	srv := startServer(t, server.Config{})
	cli, err := client.New(client.Config{Servers: []string{srv.URI()}})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	sess, err := cli.Open(ctx, client.SessionOptions{Resources: []mrcp.Resource{mrcp.ResourceSpeechRecog}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	recog := sess.Channel(mrcp.ResourceSpeechRecog)
	rec := recog.NewRequest(mrcp.MethodRecognize)
	rec.Header.Set("No-Input-Timeout", "5000")
	rec.SetBody("text/uri-list", []byte("builtin:dtmf/digits?length=4"))
	if res, err := recog.Do(ctx, rec); err != nil || res.State != mrcp.StateInProgress {
		t.Fatalf("RECOGNIZE: %v %v", res, err)
	}
	for _, d := range "4096" {
		if err := sess.Leg().Transmitter().SendDigit(d, 100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	soi := waitEvent(t, recog, mrcp.EventStartOfInput, 5*time.Second)
	if it := soi.Header.Get("Input-Type"); it != "dtmf" {
		t.Errorf("START-OF-INPUT Input-Type %q, want dtmf", it)
	}
	rc := waitEvent(t, recog, mrcp.EventRecognitionComplete, 5*time.Second)
	if c, _ := rc.RecogCause(); c != mrcp.RecogSuccess || !strings.Contains(string(rc.Body), "4096") {
		t.Fatalf("RECOGNITION-COMPLETE %v:\n%s", c, rc.Body)
	}
}

// A control connection that drops is reconnected by the client; the
// server keeps the channel, and requests and events flow again.
func TestControlReconnect(t *testing.T) {
	t.Cleanup(mediatest.CheckGoroutinesWithin(t, 5*time.Second))
	srv := startServer(t, server.Config{})
	cli, err := client.New(client.Config{Servers: []string{srv.URI()}, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	sess, err := cli.Open(ctx, client.SessionOptions{Resources: []mrcp.Resource{mrcp.ResourceSpeechSynth}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	synth := sess.Channel(mrcp.ResourceSpeechSynth)
	srv.DropConnections()

	deadline := time.Now().Add(5 * time.Second)
	for {
		req := synth.NewRequest(mrcp.MethodSpeak)
		req.SetBody("text/plain", []byte("Still here."))
		res, err := synth.Do(ctx, req)
		if err == nil && res.State == mrcp.StateInProgress {
			break
		}
		if !errors.Is(err, client.ErrConnectionLost) && !errors.Is(err, client.ErrTimeout) || time.Now().After(deadline) {
			t.Fatalf("SPEAK after the connection dropped: %v %v", res, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitEvent(t, synth, mrcp.EventSpeakComplete, 10*time.Second)
	select {
	case <-sess.Done():
		t.Fatalf("session ended: %v", sess.Err())
	default:
	}
}

// Offers the server cannot accept get the SIP answer that says why.
func TestBadOffers(t *testing.T) {
	srv := startServer(t, server.Config{})
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	var uri sip.Uri
	if err := sip.ParseUri(srv.URI(), &uri); err != nil {
		t.Fatal(err)
	}
	invite := func(body string) int {
		req := sip.NewRequest(sip.INVITE, uri)
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", Host: "127.0.0.1", Port: 5999}})
		req.SetBody([]byte(body))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := cli.Do(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	head := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"not SDP", "hello", 400},
		{"no resource", head + "m=audio 40000 RTP/AVP 0\r\n", 488},
		{"unsupported resource", head + "m=application 9 TCP/MRCPv2 1\r\na=setup:active\r\na=connection:new\r\na=resource:speakverify\r\na=cmid:1\r\nm=audio 40000 RTP/AVP 0\r\na=mid:1\r\n", 488},
		{"no common codec", head + "m=application 9 TCP/MRCPv2 1\r\na=setup:active\r\na=connection:new\r\na=resource:speechsynth\r\na=cmid:1\r\nm=audio 40000 RTP/AVP 3\r\na=rtpmap:3 GSM/8000\r\na=mid:1\r\n", 488},
		{"no audio", head + "m=application 9 TCP/MRCPv2 1\r\na=setup:active\r\na=connection:new\r\na=resource:speechsynth\r\na=cmid:1\r\n", 488},
	} {
		if got := invite(tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if st := srv.Stats(); st.Sessions != 0 || st.Channels != 0 || st.RTPPorts != 0 {
		t.Errorf("refused offers left %+v", st)
	}
}
