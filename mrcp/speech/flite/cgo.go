package flite

/*
#cgo LDFLAGS: -lflite_cmu_us_kal -lflite_cmu_us_kal16 -lflite_cmu_us_awb -lflite_cmu_us_rms -lflite_cmu_us_slt -lflite_usenglish -lflite_cmulex -lflite -lm
#include <stdint.h>
#include <stdlib.h>
#include <flite/flite.h>
#include <flite/cst_cg.h>

cst_voice *register_cmu_us_kal(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_slt(const char *voxdir);

extern int parleyFliteChunk(uintptr_t h, short *samples, int n, int rate);

static int parley_asc(const cst_wave *w, int start, int size, int last,
                      cst_audio_streaming_info *asi) {
	return parleyFliteChunk((uintptr_t)asi->userdata, w->samples + start, size,
	                        w->sample_rate);
}

// parley_register returns the voice of the given index, registering it
// (once per process; flite keeps one instance per voice).
static cst_voice *parley_register(int i) {
	switch (i) {
	case 0: return register_cmu_us_kal(NULL);
	case 1: return register_cmu_us_kal16(NULL);
	case 2: return register_cmu_us_awb(NULL);
	case 3: return register_cmu_us_rms(NULL);
	case 4: return register_cmu_us_slt(NULL);
	}
	return NULL;
}

// parley_defaults reads the voice's own F0 mean and standard deviation (Hz)
// and duration stretch.
static void parley_defaults(cst_voice *v, float *mean, float *stddev, float *stretch) {
	*stretch = get_param_float(v->features, "duration_stretch", 1.0);
	if (feat_present(v->features, "cg_db")) {
		cst_cg_db *db = val_cg_db(feat_val(v->features, "cg_db"));
		*mean = db->f0_mean;
		*stddev = db->f0_stddev;
		return;
	}
	*mean = get_param_float(v->features, "int_f0_target_mean", 100.0);
	*stddev = get_param_float(v->features, "int_f0_target_stddev", 12.0);
}

// parley_speak synthesizes text as one utterance with voice v, streaming
// the audio to parleyFliteChunk with handle h. Everything it sets lives in
// the utterance's own features, never the shared voice's, so concurrent
// calls with one voice do not interfere. It returns 0 if synthesis failed.
//
// With treef0 set, a clustergen voice whose F0 contour comes from its
// SPAM model (rms), which ignores the F0 targets, uses its F0 trees
// instead, which honour them: the utterance gets its own shallow copy of
// the voice's database with spamf0 off (not freeable, so deleting the
// utterance leaves the shared parts alone).
static int parley_speak(cst_voice *v, const char *text, uintptr_t h, int minbuf,
                        float stretch, float mean, float stddev, int treef0) {
	cst_utterance *u = new_utterance();
	cst_cg_db *db = NULL;
	cst_audio_streaming_info *asi = new_audio_streaming_info();
	asi->asc = parley_asc;
	asi->userdata = (void *)h;
	asi->min_buffsize = minbuf;
	utt_set_input_text(u, text);
	utt_init(u, v);
	feat_set(u->features, "streaming_info", audio_streaming_info_val(asi));
	feat_set_float(u->features, "duration_stretch", stretch);
	feat_set_float(u->features, "int_f0_target_mean", mean);
	feat_set_float(u->features, "int_f0_target_stddev", stddev);
	if (treef0 && feat_present(v->features, "cg_db")) {
		const cst_cg_db *shared = val_cg_db(feat_val(v->features, "cg_db"));
		if (shared->spamf0 && shared->num_f0_models > 0) {
			db = malloc(sizeof *db);
			if (db) {
				*db = *shared;
				db->spamf0 = 0;
				db->freeable = 0;
				feat_set(u->features, "cg_db", cg_db_val(db));
			}
		}
	}
	int ok = utt_synth(u) != NULL;
	delete_utterance(u);
	free(db);
	return ok;
}
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"sync"
	"unsafe"

	"github.com/parley-cc/parley/mrcp/speech"
)

// native is a flite voice compiled into the library.
type native struct {
	name    string // Voice.Name
	index   C.int  // parley_register's argument
	gender  string
	ptr     *C.cst_voice
	f0Mean  float64 // Hz
	f0Std   float64 // Hz
	stretch float64 // the voice's own duration_stretch
}

// natives lists the voices, in the order Voices reports them.
var natives = []*native{
	{name: "kal16", index: 1, gender: "male"},
	{name: "kal", index: 0, gender: "male"},
	{name: "slt", index: 4, gender: "female"},
	{name: "rms", index: 3, gender: "male"},
	{name: "awb", index: 2, gender: "male"},
}

var (
	loadOnce sync.Once
	loadErr  error
)

// load registers every voice with flite, once per process, and reads
// their defaults. flite's registration functions and voice list are not
// safe for concurrent use; synthesis afterwards is.
func load() error {
	loadOnce.Do(func() {
		C.flite_init()
		for _, n := range natives {
			n.ptr = C.parley_register(n.index)
			if n.ptr == nil {
				loadErr = fmt.Errorf("%w: flite voice %s did not register", speech.ErrEngine, n.name)
				return
			}
			var mean, std, stretch C.float
			C.parley_defaults(n.ptr, &mean, &std, &stretch)
			n.f0Mean, n.f0Std, n.stretch = float64(mean), float64(std), float64(stretch)
		}
	})
	return loadErr
}

// chunker receives the audio of an utterance as flite produces it.
type chunker interface {
	// chunk takes samples at rate Hz, valid during the call, and reports
	// whether synthesis should go on.
	chunk(pcm []int16, rate int) bool
}

// speak synthesizes text with voice n as one utterance, handing audio to
// c from the calling goroutine as it is produced. minBuf is the smallest
// chunk flite delivers, in samples.
//
// treeF0 makes a voice that draws its F0 contour from a SPAM model (rms)
// use its F0 trees, which honour mean and std, instead.
func speak(n *native, text string, c chunker, minBuf int, stretch, mean, std float64, treeF0 bool) bool {
	h := cgo.NewHandle(c)
	defer h.Delete()
	ct := C.CString(text)
	defer C.free(unsafe.Pointer(ct))
	ok := C.parley_speak(n.ptr, ct, C.uintptr_t(h), C.int(minBuf),
		C.float(stretch), C.float(mean), C.float(std), C.int(b2i(treeF0)))
	return ok != 0
}

//export parleyFliteChunk
func parleyFliteChunk(h C.uintptr_t, samples *C.short, n, rate C.int) C.int {
	c, ok := cgo.Handle(h).Value().(chunker)
	if !ok {
		return C.CST_AUDIO_STREAM_STOP
	}
	var pcm []int16
	if samples != nil && n > 0 {
		pcm = unsafe.Slice((*int16)(unsafe.Pointer(samples)), int(n))
	}
	if !c.chunk(pcm, int(rate)) {
		return C.CST_AUDIO_STREAM_STOP
	}
	return C.CST_AUDIO_STREAM_CONT
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
