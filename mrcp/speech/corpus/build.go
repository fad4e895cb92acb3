package corpus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
)

// Engines Build drives.
const (
	// EngineEspeak is espeak-ng; a Voice's Rate is in words per minute.
	EngineEspeak = "espeak-ng"
	// EngineFlite is flite; a Voice's Rate is the duration stretch in
	// percent (115 speaks 1.15 times as long, that is slower).
	EngineFlite = "flite"
)

// SampleRate is the rate of every WAV file Build writes.
const SampleRate = 16000

// cacheVersion changes when Build's conversion changes, so old cache files
// are no longer used.
const cacheVersion = "corpus-v1"

// ErrTool means a synthesizer failed or wrote no usable audio.
var ErrTool = errors.New("corpus: synthesizer failed")

// Voice is one synthesizer setting of the rotation.
type Voice struct {
	// Engine is EngineEspeak or EngineFlite.
	Engine string
	// Name is the engine's voice: "en-us", "en-us+f3" for espeak-ng;
	// "kal16", "slt", "rms", "awb" for flite.
	Name string
	// Rate is words per minute for espeak-ng (80 to 450) and the duration
	// stretch in percent for flite (25 to 400).
	Rate int
}

// String formats v as "engine/name@rate".
func (v Voice) String() string { return v.Engine + "/" + v.Name + "@" + strconv.Itoa(v.Rate) }

// validate checks the engine, the name (which reaches a command line) and
// the rate.
func (v Voice) validate() error {
	lo, hi := 0, 0
	switch v.Engine {
	case EngineEspeak:
		lo, hi = 80, 450
	case EngineFlite:
		lo, hi = 25, 400
	default:
		return fmt.Errorf("voice %s: unknown engine %q", v, v.Engine)
	}
	if !validName(v.Name, "-_+.", true) || v.Name[0] == '-' {
		return fmt.Errorf("voice %s: bad name %q", v, v.Name)
	}
	if v.Rate < lo || v.Rate > hi {
		return fmt.Errorf("voice %s: rate %d outside %d..%d", v, v.Rate, lo, hi)
	}
	return nil
}

// DefaultVoices returns the rotation Build uses when Options.Voices is
// empty: the espeak-ng voices en-us, en-gb, en-us+f3 and en-us+m3 at 140,
// 175 and 200 words per minute and the flite voices kal16, slt, rms and awb
// at duration stretch 0.9, 1.0 and 1.15: all 24 settings, ordered so that
// consecutive phrases alternate engines and differ in voice and rate.
func DefaultVoices() []Voice {
	espeak := []string{"en-us", "en-gb", "en-us+f3", "en-us+m3"}
	flite := []string{"kal16", "slt", "rms", "awb"}
	wpm := []int{175, 140, 200}
	stretch := []int{100, 115, 90}
	var vs []Voice
	for j := range 12 {
		r := (j + j/4) % 3 // over j, each voice meets each rate once
		vs = append(vs,
			Voice{Engine: EngineEspeak, Name: espeak[j%4], Rate: wpm[r]},
			Voice{Engine: EngineFlite, Name: flite[j%4], Rate: stretch[r]})
	}
	return vs
}

// Options configures Build. The zero value means defaults.
type Options struct {
	// Voices is the rotation: phrase i's k-th rendition is spoken by
	// Voices[(i*PerPhrase+k) % len(Voices)]. Default DefaultVoices().
	Voices []Voice
	// PerPhrase is how many renditions of each phrase to make, each by the
	// next voice of the rotation; default 1.
	PerPhrase int
	// Workers is how many synthesizers run at once; default 2.
	Workers int
	// Log receives a debug line per file synthesized; default
	// slog.Default().
	Log *slog.Logger
}

// Utterance is one synthesized phrase.
type Utterance struct {
	// ID, Intent and Text are the phrase's. With Options.PerPhrase above
	// 1, several utterances share an ID.
	ID, Intent, Text string
	// Engine is EngineEspeak or EngineFlite.
	Engine string
	// Voice is the engine's voice name.
	Voice string
	// Rate is the speaking-rate setting (see Voice.Rate).
	Rate int
	// WAV is the path of the audio: 16 kHz mono 16-bit PCM.
	WAV string
}

// job is one file to make.
type job struct {
	i     int
	p     Phrase
	voice Voice
}

// Build makes the utterances of phrases in dir (created if needed), one
// per phrase and rendition in order, synthesizing only those not already
// cached there. It fails with ErrTool when a synthesizer fails, and
// returns ctx.Err() (wrapped) when ctx ends; files already made stay
// cached.
func Build(ctx context.Context, dir string, phrases []Phrase, opts Options) ([]Utterance, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("build corpus: %w", err)
	}
	jobs := make([]job, 0, len(phrases)*opts.PerPhrase)
	for i, p := range phrases {
		if err := ValidText(p.Text); err != nil {
			return nil, fmt.Errorf("build corpus: phrase %s: %w", p.ID, err)
		}
		for k := range opts.PerPhrase {
			n := i*opts.PerPhrase + k
			jobs = append(jobs, job{i: n, p: p, voice: opts.Voices[n%len(opts.Voices)]})
		}
	}
	versions, err := toolVersions(ctx, opts.Voices)
	if err != nil {
		return nil, err
	}
	b := builder{dir: dir, versions: versions, log: opts.Log}
	out := make([]Utterance, len(jobs))
	if err := b.run(ctx, jobs, out, opts.Workers); err != nil {
		return nil, err
	}
	return out, nil
}

// withDefaults fills and checks o.
func (o Options) withDefaults() (Options, error) {
	if len(o.Voices) == 0 {
		o.Voices = DefaultVoices()
	}
	for _, v := range o.Voices {
		if err := v.validate(); err != nil {
			return o, fmt.Errorf("build corpus: %w", err)
		}
	}
	if o.PerPhrase <= 0 {
		o.PerPhrase = 1
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return o, nil
}

// toolVersions runs "<engine> --version" once for each engine in voices.
// The version is part of every cache key, so upgrading a synthesizer
// remakes the corpus.
func toolVersions(ctx context.Context, voices []Voice) (map[string]string, error) {
	m := map[string]string{}
	for _, v := range voices {
		if _, ok := m[v.Engine]; ok {
			continue
		}
		// flite prints its version and exits with status 1.
		out, err := exec.CommandContext(ctx, v.Engine, "--version").Output()
		version := strings.TrimSpace(string(out))
		if ctx.Err() != nil {
			return nil, fmt.Errorf("build corpus: %w", ctx.Err())
		}
		if version == "" {
			return nil, fmt.Errorf("%w: %s --version: %w", ErrTool, v.Engine, err)
		}
		m[v.Engine] = version
	}
	if _, ok := m[EngineFlite]; ok {
		if err := checkFliteVoices(ctx, voices); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// checkFliteVoices fails with ErrTool for a flite voice that "flite -lv"
// does not list: flite itself speaks with its default voice instead.
func checkFliteVoices(ctx context.Context, voices []Voice) error {
	out, err := exec.CommandContext(ctx, "flite", "-lv").Output()
	if err != nil {
		return fmt.Errorf("%w: flite -lv: %w", ErrTool, err)
	}
	_, list, _ := strings.Cut(string(out), ":")
	have := strings.Fields(list)
	for _, v := range voices {
		if v.Engine == EngineFlite && !slices.Contains(have, v.Name) {
			return fmt.Errorf("%w: flite has no voice %q (it has %s)", ErrTool, v.Name, strings.Join(have, ", "))
		}
	}
	return nil
}

// builder makes the files of one Build.
type builder struct {
	dir      string
	versions map[string]string
	log      *slog.Logger
}

// run makes jobs with workers goroutines, writing out[j.i]; the first
// error cancels the rest. It returns when every worker has stopped.
func (b builder) run(ctx context.Context, jobs []job, out []Utterance, workers int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ch := make(chan job)
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for j := range ch {
				u, err := b.make(ctx, j)
				if err != nil {
					cancel(err)
					continue
				}
				out[j.i] = u
			}
		})
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("build corpus: %w", err)
	}
	return nil
}

// make returns j's utterance, synthesizing its file unless it is cached.
func (b builder) make(ctx context.Context, j job) (Utterance, error) {
	v := j.voice
	path := filepath.Join(b.dir, b.fileName(v, j.p.Text))
	u := Utterance{ID: j.p.ID, Intent: j.p.Intent, Text: j.p.Text, Engine: v.Engine, Voice: v.Name, Rate: v.Rate, WAV: path}
	if st, err := os.Stat(path); err == nil && st.Size() > 44 {
		return u, nil
	}
	if err := ctx.Err(); err != nil {
		return u, err
	}
	start := time.Now()
	if err := synthesize(ctx, b.dir, v, j.p.Text, path); err != nil {
		return u, fmt.Errorf("phrase %s by %s: %w", j.p.ID, v, err)
	}
	b.log.Debug("corpus utterance synthesized", "id", j.p.ID, "voice", v.String(), "path", path, "took", time.Since(start))
	return u, nil
}

// fileName is the cache name of text spoken by v: readable voice fields and
// a hash of everything that determines the audio.
func (b builder) fileName(v Voice, text string) string {
	h := sha256.New()
	for _, s := range []string{cacheVersion, v.Engine, b.versions[v.Engine], v.Name, strconv.Itoa(v.Rate), text} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	sum := hex.EncodeToString(h.Sum(nil))[:24]
	name := strings.NewReplacer("+", "_", ".", "_").Replace(v.Name)
	return fmt.Sprintf("%s_%s_%d_%s.wav", v.Engine, name, v.Rate, sum)
}

// synthesize speaks text with v into a temporary file in dir, converts it
// to 16 kHz mono and renames the result to path.
func synthesize(ctx context.Context, dir string, v Voice, text, path string) error {
	raw, err := tempName(dir, ".raw-*.wav")
	if err != nil {
		return err
	}
	defer os.Remove(raw)
	var cmd *exec.Cmd
	switch v.Engine {
	case EngineEspeak:
		cmd = exec.CommandContext(ctx, "espeak-ng", "-v", v.Name, "-s", strconv.Itoa(v.Rate), "-w", raw, "--stdin")
		cmd.Stdin = strings.NewReader(text)
	default:
		stretch := strconv.FormatFloat(float64(v.Rate)/100, 'f', 2, 64)
		cmd = exec.CommandContext(ctx, "flite", "-voice", v.Name, "--setf", "duration_stretch="+stretch, "-t", text, "-o", raw)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: %s: %w: %s", ErrTool, strings.Join(cmd.Args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return convert(raw, dir, path)
}

// tempName creates an empty temporary file in dir and returns its name.
func tempName(dir, pattern string) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("temporary file: %w", err)
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("temporary file: %w", err)
	}
	return name, nil
}

// convert writes the first channel of the WAV file raw, resampled to
// SampleRate, to path by way of a temporary file and a rename, so path is
// either absent or complete.
func convert(raw, dir, path string) error {
	f, pcm, err := wav.ReadFile(raw)
	if err != nil {
		return fmt.Errorf("%w: reading its output: %w", ErrTool, err)
	}
	if f.Channels > 1 {
		pcm = channel0(pcm, f.Channels)
	}
	if len(pcm) == 0 {
		return fmt.Errorf("%w: no audio", ErrTool)
	}
	pcm, err = resampleTo(pcm, f.SampleRate, SampleRate)
	if err != nil {
		return fmt.Errorf("convert %s: %w", f, err)
	}
	tmp, err := tempName(dir, ".conv-*.wav")
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	w, err := wav.Create(tmp, wav.WriterConfig{SampleRate: SampleRate})
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	if _, err := w.Write(pcm); err != nil {
		w.Close()
		return fmt.Errorf("convert: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	return nil
}

// channel0 returns the first channel of interleaved samples.
func channel0(pcm []int16, channels int) []int16 {
	out := make([]int16, 0, len(pcm)/channels)
	for i := 0; i+channels <= len(pcm); i += channels {
		out = append(out, pcm[i])
	}
	return out
}

// resampleTo converts a whole signal from rate in to rate out.
func resampleTo(pcm []int16, in, out int) ([]int16, error) {
	if in == out {
		return pcm, nil
	}
	r, err := resample.New(in, out)
	if err != nil {
		return nil, err
	}
	res := make([]int16, r.OutLen(len(pcm)))
	return res[:r.Process(pcm, res)], nil
}
