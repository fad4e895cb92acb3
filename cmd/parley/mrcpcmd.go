package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/client"
)

const mrcpUsage = `Check an MRCPv2 server (Parley's speechd, UniMRCP, a vendor's server).

Usage:
  parley mrcp synth --server URI --text TEXT [--ssml] [--voice NAME] [--lang TAG] [--out FILE.wav]
  parley mrcp recog --server URI --audio FILE.wav [--grammar FILE|URI] [--phrases FILE] [--lang TAG]

Common flags: --codec pcmu|pcma|g722|l16|opus (default pcmu), --transport udp|tcp,
--timeout DURATION (default 30s), -v (print every MRCP message).

synth opens a session with a speechsynth resource, sends SPEAK and writes what
it hears to --out; recog opens a speechrecog resource, defines the grammar,
sends RECOGNIZE, streams the WAV file over RTP and prints the NLSML result.
Both print timings. The exit code is 0 when the request completed normally.
`

func cmdMRCP(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "synth" && args[0] != "recog") {
		fmt.Fprint(stderr, mrcpUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return 0
		}
		return 2
	}
	mode := args[0]
	fs := flag.NewFlagSet("parley mrcp "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "SIP `URI` of the MRCPv2 server (required), e.g. sip:mrcp@10.0.0.5:8060")
	codec := fs.String("codec", "pcmu", "audio `codec` offered: pcmu, pcma, g722, l16, opus")
	transport := fs.String("transport", "udp", "SIP transport: udp or tcp")
	timeout := fs.Duration("timeout", 30*time.Second, "overall time limit")
	verbose := fs.Bool("v", false, "print every MRCP message")
	lang := fs.String("lang", "en-US", "Speech-Language")
	text := fs.String("text", "", "synth: what to say")
	isSSML := fs.Bool("ssml", false, "synth: --text is SSML")
	voice := fs.String("voice", "", "synth: Voice-Name")
	out := fs.String("out", "", "synth: WAV `file` to write what was heard")
	audio := fs.String("audio", "", "recog: WAV `file` to speak to the recognizer")
	grammar := fs.String("grammar", "builtin:speech/transcribe", "recog: SRGS grammar `file` (.grxml XML, .gram ABNF) or grammar URI")
	phrases := fs.String("phrases", "", "recog: `file` of domain phrases, one per line (Parley's application/x-parley-phrases)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *server == "" {
		fmt.Fprintln(stderr, "parley mrcp: --server is required")
		return 2
	}
	codecs, rate, err := offeredCodecs(*codec)
	if err != nil {
		fmt.Fprintf(stderr, "parley mrcp: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	log := newLogger(LogConfig{Level: "warn", Format: "text"}, stderr)
	cli, err := client.New(client.Config{Servers: []string{*server}, Transport: *transport, Codecs: codecs, Log: log, RTPPortMin: 40000, RTPPortMax: 50000})
	if err != nil {
		fmt.Fprintf(stderr, "parley mrcp: %v\n", err)
		return 1
	}
	defer cli.Close()
	r := &mrcpRun{stdout: stdout, verbose: *verbose, rate: rate}
	switch mode {
	case "synth":
		if *text == "" {
			fmt.Fprintln(stderr, "parley mrcp synth: --text is required")
			return 2
		}
		err = r.synth(ctx, cli, *text, *isSSML, *voice, *lang, *out)
	default:
		if *audio == "" {
			fmt.Fprintln(stderr, "parley mrcp recog: --audio is required")
			return 2
		}
		err = r.recog(ctx, cli, *audio, *grammar, *phrases, *lang)
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley mrcp %s: %v\n", mode, err)
		return 1
	}
	return 0
}

func offeredCodecs(name string) ([]media.Codec, int, error) {
	var c media.Codec
	var err error
	switch strings.ToLower(name) {
	case "pcmu":
		c = media.PCMU()
	case "pcma":
		c = media.PCMA()
	case "g722":
		c = media.G722()
	case "l16":
		c, err = media.NewCodec(96, media.NameL16, 16000, 1)
	case "opus":
		c, err = media.NewCodec(111, media.NameOpus, 48000, 2)
	default:
		return nil, 0, fmt.Errorf("--codec %q: want pcmu, pcma, g722, l16 or opus", name)
	}
	if err != nil {
		return nil, 0, err
	}
	te, err := media.NewCodec(101, media.NameTelephoneEvent, c.ClockRate, 0)
	if err != nil {
		return nil, 0, err
	}
	rate := 8000
	if c.SampleRate >= 16000 {
		rate = 16000
	}
	return []media.Codec{c, te}, rate, nil
}

type mrcpRun struct {
	stdout  io.Writer
	verbose bool
	rate    int
	start   time.Time
}

func (r *mrcpRun) printf(format string, args ...any) {
	fmt.Fprintf(r.stdout, "%8.1f ms  ", float64(time.Since(r.start).Microseconds())/1000)
	fmt.Fprintf(r.stdout, format, args...)
}

func (r *mrcpRun) trace(m *mrcp.Message) {
	if r.verbose {
		b, _ := m.Marshal()
		r.printf("\n%s\n", b)
	}
}

func (r *mrcpRun) do(ctx context.Context, ch *client.Channel, req *mrcp.Message) (*mrcp.Message, error) {
	res, err := ch.Do(ctx, req)
	r.trace(req)
	if err != nil {
		return nil, err
	}
	r.trace(res)
	r.printf("%s %d -> %d %s\n", req.Method, req.RequestID, res.Status, res.State)
	if !res.Status.Success() {
		return res, fmt.Errorf("%s refused: %d %s", req.Method, res.Status, res.Status.Text())
	}
	return res, nil
}

func (r *mrcpRun) wait(ctx context.Context, ch *client.Channel, want mrcp.Event) (*mrcp.Message, error) {
	for {
		select {
		case ev, ok := <-ch.Events():
			if !ok {
				return nil, errors.New("session ended")
			}
			r.trace(ev)
			r.printf("event %s %s %s\n", ev.Event, ev.State, ev.Header.Get("Completion-Cause"))
			if ev.Event == want {
				return ev, nil
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %s: %w", want, ctx.Err())
		}
	}
}

func (r *mrcpRun) synth(ctx context.Context, cli *client.Client, text string, isSSML bool, voice, lang, out string) error {
	var mu sync.Mutex
	var heard []int16
	var first time.Time
	r.start = time.Now()
	sess, err := cli.Open(ctx, client.SessionOptions{
		Resources: []mrcp.Resource{mrcp.ResourceSpeechSynth}, Rate: r.rate, Direction: "recvonly",
		OnAudio: func(_ time.Duration, pcm []int16) {
			mu.Lock()
			defer mu.Unlock()
			if first.IsZero() && loud(pcm) {
				first = time.Now()
			}
			if !first.IsZero() {
				heard = append(heard, pcm...)
			}
		},
	})
	if err != nil {
		return err
	}
	defer sess.Close(context.Background())
	r.printf("session open\n")
	ch := sess.Channel(mrcp.ResourceSpeechSynth)
	req := ch.NewRequest(mrcp.MethodSpeak)
	if voice != "" {
		req.Header.Set("Voice-Name", voice)
	}
	req.Header.Set("Speech-Language", lang)
	if isSSML {
		req.SetBody("application/ssml+xml", []byte(text))
	} else {
		req.SetBody("text/plain", []byte(text))
	}
	sent := time.Now()
	if _, err := r.do(ctx, ch, req); err != nil {
		return err
	}
	ev, err := r.wait(ctx, ch, mrcp.EventSpeakComplete)
	if err != nil {
		return err
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if !first.IsZero() {
		r.printf("first audio %v after SPEAK; heard %.2f s\n", first.Sub(sent).Round(time.Millisecond), float64(len(heard))/float64(r.rate))
	}
	if out != "" {
		if err := writeWAV(out, r.rate, heard); err != nil {
			return err
		}
		r.printf("wrote %s\n", out)
	}
	if c, _ := ev.SynthCause(); c != mrcp.SynthNormal {
		return fmt.Errorf("SPEAK-COMPLETE %s", ev.Header.Get("Completion-Cause"))
	}
	return nil
}

func loud(pcm []int16) bool {
	for _, s := range pcm {
		if s > 300 || s < -300 {
			return true
		}
	}
	return false
}

func (r *mrcpRun) recog(ctx context.Context, cli *client.Client, audioFile, grammar, phrasesFile, lang string) error {
	f, pcm, err := wav.ReadFile(audioFile)
	if err != nil {
		return err
	}
	if f.Channels > 1 {
		mono := make([]int16, len(pcm)/f.Channels)
		for i := range mono {
			mono[i] = pcm[i*f.Channels]
		}
		pcm = mono
	}
	if f.SampleRate != r.rate {
		rs, err := resample.New(f.SampleRate, r.rate)
		if err != nil {
			return fmt.Errorf("%s: %w", audioFile, err)
		}
		out := make([]int16, rs.OutLen(len(pcm)))
		pcm = out[:rs.Process(pcm, out)]
	}
	r.start = time.Now()
	sess, err := cli.Open(ctx, client.SessionOptions{Resources: []mrcp.Resource{mrcp.ResourceSpeechRecog}, Rate: r.rate, Direction: "sendonly"})
	if err != nil {
		return err
	}
	defer sess.Close(context.Background())
	r.printf("session open\n")
	ch := sess.Channel(mrcp.ResourceSpeechRecog)
	uris := []string{}
	switch {
	case phrasesFile != "":
		b, err := os.ReadFile(phrasesFile)
		if err != nil {
			return err
		}
		def := ch.NewRequest(mrcp.MethodDefineGrammar)
		def.Header.Set("Content-Id", "phrases")
		def.SetBody("application/x-parley-phrases", b)
		if _, err := r.do(ctx, ch, def); err != nil {
			return err
		}
		uris = append(uris, "session:phrases")
	case strings.Contains(grammar, ":") && !fileExists(grammar):
		uris = append(uris, grammar)
	default:
		b, err := os.ReadFile(grammar)
		if err != nil {
			return err
		}
		ct := "application/srgs+xml"
		if ext := filepath.Ext(grammar); ext == ".gram" || ext == ".abnf" {
			ct = "application/srgs"
		}
		def := ch.NewRequest(mrcp.MethodDefineGrammar)
		def.Header.Set("Content-Id", "grammar")
		def.SetBody(ct, b)
		if _, err := r.do(ctx, ch, def); err != nil {
			return err
		}
		uris = append(uris, "session:grammar")
	}
	rec := ch.NewRequest(mrcp.MethodRecognize)
	rec.Header.Set("Speech-Language", lang)
	rec.Header.Set("No-Input-Timeout", "5000")
	rec.SetBody("text/uri-list", []byte(strings.Join(uris, "\r\n")))
	if _, err := r.do(ctx, ch, rec); err != nil {
		return err
	}
	pos := 0
	sess.Leg().Transmitter().Play(media.SourceFunc(func(out []int16) (int, error) {
		if pos >= len(pcm) {
			return 0, io.EOF
		}
		n := copy(out, pcm[pos:])
		pos += n
		return n, nil
	}), nil)
	ev, err := r.wait(ctx, ch, mrcp.EventRecognitionComplete)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "%s\n", ev.Body)
	if c, _ := ev.RecogCause(); c != mrcp.RecogSuccess {
		return fmt.Errorf("RECOGNITION-COMPLETE %s", ev.Header.Get("Completion-Cause"))
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func writeWAV(path string, rate int, pcm []int16) error {
	w, err := wav.Create(path, wav.WriterConfig{SampleRate: rate, Channels: 1})
	if err != nil {
		return err
	}
	if _, err := w.Write(pcm); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}
