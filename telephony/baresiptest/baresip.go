package baresiptest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
)

// Event types baresip reports (ua_event names in baresip 1.0).
const (
	EventRegisterOK    = "REGISTER_OK"
	EventRegisterFail  = "REGISTER_FAIL"
	EventCallIncoming  = "CALL_INCOMING"
	EventCallRinging   = "CALL_RINGING"
	EventCallProgress  = "CALL_PROGRESS"
	EventCallEstablish = "CALL_ESTABLISHED"
	EventCallClosed    = "CALL_CLOSED"
	EventCallRTPEstab  = "CALL_RTPESTAB"
)

// DefaultTail is the silence played after Config.Audio when Tail is zero.
const DefaultTail = 30 * time.Second

// ErrExited is returned by a Phone's methods once baresip has exited.
var ErrExited = errors.New("baresiptest: baresip exited")

// Config describes one phone. The zero value is a phone that registers
// nowhere, answers nothing by itself and sends silence.
type Config struct {
	// User is the account's user part; default "phone".
	User string
	// Registrar, when valid, is where the account registers (UDP), with
	// the digest credentials User and Password. The account's address of
	// record is sip:User@Registrar.
	Registrar netip.AddrPort
	Password  string
	// AutoAnswer answers incoming calls at once (answermode=auto).
	AutoAnswer bool
	// Audio is a 16-bit PCM WAV file played as the microphone (its first
	// channel, at any rate: it is resampled to the first codec's clock
	// rate, so that baresip does not resample when that codec is used);
	// empty plays only silence.
	Audio string
	// Tail is the silence appended to Audio; default DefaultTail. When
	// the audio ends baresip hangs the call up.
	Tail time.Duration
	// Codecs are the codec modules loaded, in order of preference
	// ("g711", "g722", "opus"); default all three. It is how a test
	// forces a codec: baresip 1.0 ignores the account's audio_codecs.
	Codecs []string
}

// Event is one event baresip reported on ctrl_tcp.
type Event struct {
	Type       string `json:"type"`
	Class      string `json:"class"`
	AccountAOR string `json:"accountaor"`
	Direction  string `json:"direction"`
	PeerURI    string `json:"peeruri"`
	ID         string `json:"id"`
	Param      string `json:"param"`
}

// message is anything baresip sends on ctrl_tcp: an event or the
// response to a command.
type message struct {
	Event
	IsEvent    bool   `json:"event"`
	IsResponse bool   `json:"response"`
	OK         bool   `json:"ok"`
	Data       string `json:"data"`
	Token      string `json:"token"`
}

type response struct {
	ok   bool
	data string
}

// Phone is a running baresip.
type Phone struct {
	// SIPAddr is where the phone listens for SIP (UDP and TCP).
	SIPAddr netip.AddrPort
	// Dir holds its configuration, log (baresip.log) and recordings.
	Dir string
	// AOR is the account's address of record, e.g. sip:phone@127.0.0.1.
	AOR string

	cmd     *exec.Cmd
	exited  chan struct{}
	conn    net.Conn
	readEnd chan struct{}
	stopO   sync.Once

	mu       sync.Mutex
	token    int
	pending  map[string]chan response
	events   []Event
	consumed []bool
	changed  chan struct{} // closed and replaced on every event
}

// Start launches baresip with cfg and returns once its ctrl_tcp accepts
// and its account exists. It fails t when baresip is missing or does not
// start. The test's Cleanup stops it.
func Start(t testing.TB, cfg Config) *Phone {
	t.Helper()
	bin := mediatest.RequireTool(t, "baresip")
	dir := t.TempDir()
	audio, srate, err := microphone(dir, cfg)
	if err != nil {
		t.Fatalf("baresiptest: %v", err)
	}
	var p *Phone
	for attempt := 0; ; attempt++ {
		p, err = launch(bin, dir, cfg, audio, srate)
		if err == nil {
			break
		}
		if attempt == 2 {
			t.Fatalf("baresiptest: %v\nlog:\n%s", err, readLog(dir))
		}
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Logf("baresiptest: stop: %v", err)
		}
	})
	return p
}

// accountLine is the account for cfg in baresip's accounts syntax.
func accountLine(cfg Config) string {
	user := cfg.User
	if user == "" {
		user = "phone"
	}
	var b strings.Builder
	if cfg.Registrar.IsValid() {
		fmt.Fprintf(&b, "<sip:%s@%s>;auth_user=%s;auth_pass=%s;regint=600",
			user, cfg.Registrar, user, cfg.Password)
	} else {
		fmt.Fprintf(&b, "<sip:%s@127.0.0.1>;regint=0", user)
	}
	if cfg.AutoAnswer {
		b.WriteString(";answermode=auto")
	}
	return b.String()
}

func aor(cfg Config) string {
	user := cfg.User
	if user == "" {
		user = "phone"
	}
	if cfg.Registrar.IsValid() {
		return fmt.Sprintf("sip:%s@%s", user, cfg.Registrar)
	}
	return "sip:" + user + "@127.0.0.1"
}

// codecRates is the audio clock rate of each Config.Codecs name.
var codecRates = map[string]int{"g711": 8000, "g722": 16000, "opus": 48000}

// microphone writes the WAV aufile plays: cfg.Audio (its first channel)
// then cfg.Tail of silence, mono at the clock rate of the first codec.
// Converting here keeps baresip's own resampler out of the path: in
// baresip 1.0 its low-pass is fixed for 48 kHz, so from 16 to 8 kHz it
// cuts everything above about 1.3 kHz (speech above 2 kHz arrives 40 dB
// down, and the call correlates only 0.90 with what was played).
func microphone(dir string, cfg Config) (path string, srate int, err error) {
	tail := cfg.Tail
	if tail <= 0 {
		tail = DefaultTail
	}
	srate = codecRates[codecs(cfg)[0]]
	if srate == 0 {
		return "", 0, fmt.Errorf("unknown codec %q (want g711, g722 or opus)", codecs(cfg)[0])
	}
	var pcm []int16
	if cfg.Audio != "" {
		f, in, err := wav.ReadFile(cfg.Audio)
		if err != nil {
			return "", 0, fmt.Errorf("microphone audio: %w", err)
		}
		if f.Channels < 1 || f.SampleRate <= 0 {
			return "", 0, fmt.Errorf("microphone audio %s: format %+v", cfg.Audio, f)
		}
		for _, v := range mediatest.Resample(mediatest.Channel(in, 0, f.Channels), f.SampleRate, srate) {
			pcm = append(pcm, int16(max(math.MinInt16, min(math.MaxInt16, math.Round(v)))))
		}
	}
	path = filepath.Join(dir, "microphone.wav")
	w, err := wav.Create(path, wav.WriterConfig{SampleRate: srate, Channels: 1})
	if err != nil {
		return "", 0, err
	}
	silence := make([]int16, int(tail.Seconds()*float64(srate)))
	_, err1 := w.Write(pcm)
	_, err2 := w.Write(silence)
	if err := errors.Join(err1, err2, w.Close()); err != nil {
		return "", 0, fmt.Errorf("microphone: %w", err)
	}
	return path, srate, nil
}

// codecs returns cfg.Codecs or the default list.
func codecs(cfg Config) []string {
	if len(cfg.Codecs) == 0 {
		return []string{"g711", "g722", "opus"}
	}
	return cfg.Codecs
}

// codecModules maps Config.Codecs names to baresip modules.
var codecModules = map[string]string{"g711": "g711.so", "g722": "g722.so", "opus": "opus.so"}

func writeConfig(dir string, cfg Config, audio string, srate int, sip, ctrl int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "poll_method epoll\nnet_interface 127.0.0.1\nsip_listen 127.0.0.1:%d\n", sip)
	fmt.Fprintf(&b, "audio_source aufile,%s\nausrc_srate %d\nausrc_channels 1\n", audio, srate)
	b.WriteString("audio_alert aufile,/dev/null\nrtp_timeout 0\ncall_max_calls 4\n")
	b.WriteString("module_path /usr/lib/baresip/modules\n")
	for _, c := range codecs(cfg) {
		m, ok := codecModules[c]
		if !ok {
			return fmt.Errorf("unknown codec %q (want g711, g722 or opus)", c)
		}
		fmt.Fprintf(&b, "module %s\n", m)
	}
	b.WriteString("module aufile.so\nmodule sndfile.so\nmodule_tmp account.so\n")
	b.WriteString("module_app menu.so\nmodule_app ctrl_tcp.so\n")
	fmt.Fprintf(&b, "ctrl_tcp_listen 127.0.0.1:%d\nsnd_path %s\n", ctrl, dir)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	// The account is in the accounts file, so REGISTER_OK may come
	// before Start connects: Registered also asks reginfo. (baresip 1.0's
	// libre fails digest authentication with ENOSYS, "Register: Function
	// not implemented", when any challenge offers an algorithm but MD5:
	// a registrar must challenge it with MD5 alone.)
	return os.WriteFile(filepath.Join(dir, "accounts"), []byte(accountLine(cfg)+"\n"), 0o644)
}

func launch(bin, dir string, cfg Config, audio string, srate int) (*Phone, error) {
	sip, err := freeUDPTCPPort()
	if err != nil {
		return nil, err
	}
	ctrl, err := freeTCPPort()
	if err != nil {
		return nil, err
	}
	if err := writeConfig(dir, cfg, audio, srate, sip, ctrl); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	logf, err := os.Create(filepath.Join(dir, "baresip.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "-f", dir)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start baresip: %w", err)
	}
	p := &Phone{
		SIPAddr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sip)),
		Dir:     dir, AOR: aor(cfg), cmd: cmd, exited: make(chan struct{}),
		pending: map[string]chan response{}, changed: make(chan struct{}),
	}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	if p.conn, err = p.connect(ctrl); err != nil {
		p.kill()
		return nil, err
	}
	p.readEnd = make(chan struct{})
	go p.read()
	return p, nil
}

// connect dials ctrl_tcp until it accepts, baresip exits or 10 s pass.
func (p *Phone) connect(port int) (net.Conn, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("ctrl_tcp %s: %w", addr, err)
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%w before ctrl_tcp accepted (%v)", ErrExited, p.cmd.ProcessState)
		case <-tick.C:
		}
	}
}

// read owns the ctrl_tcp connection's reading side until it closes.
func (p *Phone) read() {
	defer close(p.readEnd)
	br := bufio.NewReader(p.conn)
	for {
		b, err := ReadNetstring(br)
		if err != nil {
			return
		}
		var m message
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		p.mu.Lock()
		switch {
		case m.IsResponse:
			if ch, ok := p.pending[m.Token]; ok {
				delete(p.pending, m.Token)
				ch <- response{ok: m.OK, data: m.Data}
			}
		case m.IsEvent:
			p.events = append(p.events, m.Event)
			p.consumed = append(p.consumed, false)
			close(p.changed)
			p.changed = make(chan struct{})
		}
		p.mu.Unlock()
	}
}

// Command sends a ctrl_tcp command (a menu command's long name: "dial",
// "hangup", "accept", "reginfo", ...) and returns its output. A command
// baresip refuses is an error.
func (p *Phone) Command(ctx context.Context, name, params string) (string, error) {
	p.mu.Lock()
	p.token++
	tok := strconv.Itoa(p.token)
	ch := make(chan response, 1)
	p.pending[tok] = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.pending, tok)
		p.mu.Unlock()
	}()
	b, err := json.Marshal(map[string]string{"command": name, "params": params, "token": tok})
	if err != nil {
		return "", err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = p.conn.SetWriteDeadline(dl)
	}
	if _, err := p.conn.Write(AppendNetstring(nil, b)); err != nil {
		return "", fmt.Errorf("baresip %s: %w", name, err)
	}
	select {
	case r := <-ch:
		if !r.ok {
			return r.data, fmt.Errorf("baresip %s %q: %s", name, params, strings.TrimSpace(r.data))
		}
		return r.data, nil
	case <-p.readEnd:
		return "", fmt.Errorf("baresip %s: %w", name, ErrExited)
	case <-ctx.Done():
		return "", fmt.Errorf("baresip %s: %w", name, ctx.Err())
	}
}

// Dial calls uri (sip:user@host:port).
func (p *Phone) Dial(ctx context.Context, uri string) error {
	_, err := p.Command(ctx, "dial", uri)
	return err
}

// Hangup hangs up the current call.
func (p *Phone) Hangup(ctx context.Context) error {
	_, err := p.Command(ctx, "hangup", "")
	return err
}

// Accept answers the incoming call.
func (p *Phone) Accept(ctx context.Context) error {
	_, err := p.Command(ctx, "accept", "")
	return err
}

// WaitEvent returns the first event of type typ not returned before,
// waiting for it until ctx ends or baresip exits.
func (p *Phone) WaitEvent(ctx context.Context, typ string) (Event, error) {
	for {
		p.mu.Lock()
		for i, e := range p.events {
			if !p.consumed[i] && e.Type == typ {
				p.consumed[i] = true
				p.mu.Unlock()
				return e, nil
			}
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-p.readEnd:
			return Event{}, fmt.Errorf("waiting for %s: %w (events: %s)", typ, ErrExited, p.eventTypes())
		case <-ctx.Done():
			return Event{}, fmt.Errorf("waiting for %s: %w (events: %s)", typ, ctx.Err(), p.eventTypes())
		}
	}
}

// Events returns every event reported so far.
func (p *Phone) Events() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

func (p *Phone) eventTypes() string {
	var ts []string
	for _, e := range p.Events() {
		ts = append(ts, e.Type)
	}
	return strings.Join(ts, ",")
}

// Registered waits for the account's registration: nil on
// REGISTER_OK, an error on REGISTER_FAIL or when ctx ends.
func (p *Phone) Registered(ctx context.Context) error {
	for {
		p.mu.Lock()
		for _, e := range p.events {
			switch e.Type {
			case EventRegisterOK:
				p.mu.Unlock()
				return nil
			case EventRegisterFail:
				p.mu.Unlock()
				return fmt.Errorf("baresip: register %s failed: %s", e.AccountAOR, e.Param)
			}
		}
		changed := p.changed
		p.mu.Unlock()
		if info, err := p.Command(ctx, "reginfo", ""); err == nil && strings.Contains(info, "OK") {
			return nil
		}
		select {
		case <-changed:
		case <-time.After(100 * time.Millisecond):
		case <-p.readEnd:
			return fmt.Errorf("waiting for registration: %w", ErrExited)
		case <-ctx.Done():
			return fmt.Errorf("waiting for registration: %w (events: %s)", ctx.Err(), p.eventTypes())
		}
	}
}

// Recordings returns the WAV files of what the phone heard, one per call
// (sndfile's decoder dumps), oldest first. A call's file is complete once
// the call has closed.
func (p *Phone) Recordings() []string { return p.dumps("dec") }

// Sent returns the WAV files of what the phone sent, one per call.
func (p *Phone) Sent() []string { return p.dumps("enc") }

func (p *Phone) dumps(kind string) []string {
	files, _ := filepath.Glob(filepath.Join(p.Dir, "dump-*-"+kind+".wav"))
	sort.Strings(files)
	return files
}

// Log returns what baresip printed so far.
func (p *Phone) Log() string { return readLog(p.Dir) }

func readLog(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "baresip.log"))
	return strings.Map(func(r rune) rune {
		if r == 0 {
			return -1
		}
		return r
	}, string(b))
}

// Stop quits baresip (the quit command, then SIGKILL after 3 s) and
// waits for it. Calling it again does nothing.
func (p *Phone) Stop() error {
	var err error
	p.stopO.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if _, qerr := p.Command(ctx, "quit", ""); qerr != nil && !errors.Is(qerr, ErrExited) {
			err = qerr
		}
		select {
		case <-p.exited:
		case <-ctx.Done():
			err = errors.Join(err, errors.New("baresip did not quit within 3 s; killed"))
		}
		p.kill()
	})
	return err
}

func (p *Phone) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
	if p.conn != nil {
		_ = p.conn.Close()
		<-p.readEnd
	}
}

func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// freeUDPTCPPort returns a port free on both UDP and TCP.
func freeUDPTCPPort() (int, error) {
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("free port: %w", err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		u.Close()
		if err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, errors.New("free port: no port free on both UDP and TCP")
}
