package espeak

/*
#cgo LDFLAGS: -lespeak-ng
#include <stdlib.h>
#include <string.h>
#include <espeak-ng/speak_lib.h>

extern int parleyEspeakAudio(short *wav, int n);

static int parley_cb(short *wav, int n, espeak_EVENT *ev) {
	(void)ev;
	if (wav == NULL) return 0; // end of synthesis
	return parleyEspeakAudio(wav, n);
}

// parley_init initializes espeak-ng for synchronous synthesis into
// parley_cb and returns its sample rate, or -1.
static int parley_init(const char *path) {
	int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 60, path,
	                             espeakINITIALIZE_DONT_EXIT);
	if (rate > 0) espeak_SetSynthCallback(parley_cb);
	return rate;
}

// parley_list lists the voices of a language, or all but the variants
// and mbrola voices for NULL. The list belongs to espeak-ng and is
// overwritten by the next call.
static const espeak_VOICE **parley_list(const char *lang) {
	if (lang == NULL) return espeak_ListVoices(NULL);
	espeak_VOICE spec;
	memset(&spec, 0, sizeof spec);
	spec.languages = lang;
	return espeak_ListVoices(&spec);
}

static const espeak_VOICE *parley_at(const espeak_VOICE **l, int i) { return l[i]; }

// parley_langs_len returns the length of a voice's language list up to
// and including its terminating 0 priority byte.
static int parley_langs_len(const char *l) {
	int i = 0;
	while (l[i] != 0) {
		i++;                   // priority
		while (l[i] != 0) i++; // tag
		i++;                   // its NUL
	}
	return i + 1;
}

static int parley_synth(const char *text) {
	return espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
	                    espeakCHARS_UTF8 | espeakENDPAUSE, NULL, NULL);
}
*/
import "C"

import (
	"context"
	"fmt"
	"sync"
	"unsafe"

	"github.com/parley-cc/parley/mrcp/speech"
)

// params are espeak-ng's speech parameters for a sentence.
type params struct {
	rate   int // words per minute, 80-450
	pitch  int // 0-99, 50 normal
	rng    int // pitch range 0-100, 50 normal
	volume int // 0-200, 100 normal
}

// library is espeak-ng's process-wide state. espeak-ng keeps its voice,
// parameters and synthesis state in globals, so one synthesis runs at a
// time in the process: sem is held from choosing the voice until the
// sentence's audio has been collected.
type library struct {
	once sync.Once
	err  error
	rate int // espeak-ng's sample rate, 22050 Hz

	sem   chan struct{} // a mutex that waits with a context
	voice string        // the voice set, "" before the first
	job   *job          // the synthesis under way, read by the callback

	voices, variants []rawVoice
}

// lib is the one espeak-ng of the process.
var lib = library{sem: make(chan struct{}, 1)}

// job collects one sentence's audio.
type job struct {
	ctx      context.Context
	pcm      []int16
	panicked any
}

// init initializes espeak-ng, once per process, with its data in path
// (empty for the default), and lists its voices.
func (l *library) init(path string) error {
	l.once.Do(func() {
		var cpath *C.char
		if path != "" {
			cpath = C.CString(path)
			defer C.free(unsafe.Pointer(cpath))
		}
		rate := int(C.parley_init(cpath))
		if rate <= 0 {
			l.err = fmt.Errorf("%w: espeak-ng did not initialize (data path %q)", speech.ErrEngine, path)
			return
		}
		l.rate = rate
		l.voices = list(nil)
		v := C.CString("variant")
		defer C.free(unsafe.Pointer(v))
		l.variants = list(v)
	})
	return l.err
}

// list copies espeak-ng's list of voices for lang (nil: all voices).
// Called only under once.
func list(lang *C.char) []rawVoice {
	var out []rawVoice
	l := C.parley_list(lang)
	for i := 0; ; i++ {
		v := C.parley_at(l, C.int(i))
		if v == nil {
			return out
		}
		r := rawVoice{gender: int(v.gender), age: int(v.age)}
		if v.name != nil {
			r.name = C.GoString(v.name)
		}
		if v.identifier != nil {
			r.identifier = C.GoString(v.identifier)
		}
		if v.languages != nil {
			r.languages = C.GoBytes(unsafe.Pointer(v.languages), C.parley_langs_len(v.languages))
		}
		out = append(out, r)
	}
}

// synth renders text, one sentence or a little more, with the voice of
// espeak-ng identifier id and parameters p, appending the audio (at
// l.rate) to pcm. It waits for its turn as long as ctx allows. Cancelling
// ctx during synthesis aborts it at espeak-ng's next buffer (60 ms of
// audio).
func (l *library) synth(ctx context.Context, id string, p params, text string, pcm []int16) ([]int16, error) {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return pcm, ctx.Err()
	}
	defer func() { <-l.sem }()
	if l.voice != id {
		cid := C.CString(id)
		rc := C.espeak_SetVoiceByName(cid)
		C.free(unsafe.Pointer(cid))
		if rc != C.EE_OK {
			l.voice = ""
			return pcm, fmt.Errorf("espeak: %w: espeak-ng cannot load voice %q (error %d)", speech.ErrNoVoice, id, int(rc))
		}
		l.voice = id
	}
	C.espeak_SetParameter(C.espeakRATE, C.int(p.rate), 0)
	C.espeak_SetParameter(C.espeakPITCH, C.int(p.pitch), 0)
	C.espeak_SetParameter(C.espeakRANGE, C.int(p.rng), 0)
	C.espeak_SetParameter(C.espeakVOLUME, C.int(p.volume), 0)

	j := &job{ctx: ctx, pcm: pcm}
	l.job = j
	ct := C.CString(text)
	rc := C.parley_synth(ct)
	C.free(unsafe.Pointer(ct))
	l.job = nil
	if j.panicked != nil {
		panic(j.panicked)
	}
	if err := ctx.Err(); err != nil {
		return j.pcm, err
	}
	if rc != C.EE_OK {
		return j.pcm, fmt.Errorf("espeak: %w: espeak_Synth error %d", speech.ErrEngine, int(rc))
	}
	return j.pcm, nil
}

// parleyEspeakAudio is espeak-ng's synthesis callback. It runs on the
// goroutine inside library.synth, which holds the library; it returns 1 to
// abort synthesis.
//
//export parleyEspeakAudio
func parleyEspeakAudio(wav *C.short, n C.int) (abort C.int) {
	j := lib.job
	if j == nil {
		return 1
	}
	defer func() {
		// A panic must not unwind through espeak-ng's C frames.
		if p := recover(); p != nil {
			j.panicked, abort = p, 1
		}
	}()
	if j.ctx.Err() != nil {
		return 1
	}
	if n > 0 && wav != nil {
		j.pcm = append(j.pcm, unsafe.Slice((*int16)(unsafe.Pointer(wav)), int(n))...)
	}
	return 0
}
