package sphinx

/*
#cgo pkg-config: pocketsphinx
#include <stdlib.h>
#include "csphinx.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// A decoder is of one of two kinds. A full decoder has the whole
// pronouncing dictionary and serves transcription with the generic
// model. A lite decoder starts with an empty dictionary and is given the
// words of each grammar or phrase set it is asked for: PocketSphinx maps
// every dictionary word into each language model it loads, through a hash
// table sized for the model's own vocabulary, so loading a small model
// next to a 134,000-word dictionary takes seconds, and next to a few
// hundred words a millisecond.
type decoderKind uint8

const (
	lite decoderKind = iota
	full
)

func (k decoderKind) String() string {
	if k == full {
		return "full"
	}
	return "lite"
}

// Searches a decoder keeps once loaded: the generic language model, and
// the phone loop that confidence is measured against.
const (
	transcribeSearch = "transcribe"
	phoneLoopSearch  = "phoneloop"
)

func pinned(search string) bool {
	return search == transcribeSearch || search == phoneLoopSearch
}

// maxDecoderWords is how many words a lite decoder's dictionary may grow
// to before the decoder is freed and another made.
const maxDecoderWords = 50_000

// decoder owns one PocketSphinx decoder (ps_decoder_t) and the searches
// loaded into it. It is not safe for concurrent use: one goroutine at a
// time makes all its calls, which is how PocketSphinx must be used.
type decoder struct {
	kind decoderKind
	ps   *C.ps_decoder_t
	cmn  []C.float // the live CMN mean the decoder started with

	searches map[string]search
	clock    uint64
	words    map[string]bool // words added to the dictionary
	inUtt    bool
	broken   bool      // in a state not fit for another utterance: free it
	keep     bool      // keep the utterance's audio in audio
	prior    []float32 // the cepstral mean prior of the utterance
	audio    []int16   // the utterance, at the decoder's rate, when keep
}

type search struct {
	used  uint64 // clock of the last use, for eviction
	ngram bool
}

// newDecoder makes a decoder from PocketSphinx arguments, name-value
// pairs such as "-hmm", dir, and gives it the phone loop's words.
func newDecoder(kind decoderKind, args []string) (*decoder, error) {
	cargs := make([]*C.char, len(args)+1)
	for i, a := range args {
		cargs[i] = C.CString(a)
	}
	defer func() {
		for _, p := range cargs[:len(args)] {
			C.free(unsafe.Pointer(p))
		}
	}()
	config := C.parley_config(C.int(len(args)), &cargs[0])
	if config == nil {
		return nil, fmt.Errorf("pocketsphinx refused the arguments %q", args)
	}
	ps := C.ps_init(config)
	C.cmd_ln_free_r(config) // the decoder holds its own references
	if ps == nil {
		return nil, errors.New("pocketsphinx could not make a decoder (see its log)")
	}
	d := &decoder{kind: kind, ps: ps, searches: map[string]search{}, words: map[string]bool{}}
	if n := C.parley_cmn_len(ps); n > 0 {
		d.cmn = make([]C.float, n)
		C.parley_cmn_get(ps, &d.cmn[0])
	}
	// Before any language model is loaded: PocketSphinx would add the
	// words to it.
	if err := d.addWords(garbageWords()); err != nil {
		d.free()
		return nil, err
	}
	return d, nil
}

// free releases the decoder and everything loaded into it.
func (d *decoder) free() {
	if d.ps != nil {
		C.ps_free(d.ps)
		d.ps = nil
	}
}

// missing returns the words of ws the decoder's dictionary lacks. A full
// decoder lacks none.
func (d *decoder) missing(ws []string) []string {
	if d.kind == full {
		return nil
	}
	var out []string
	for _, w := range ws {
		if !d.words[w] {
			out = append(out, w)
		}
	}
	return out
}

// addWords adds words with their pronunciations (alternatives as
// "word(2)", ...) to the dictionary and rebuilds the loaded searches once,
// after the last. PocketSphinx also adds each word, as a unigram as likely
// as the average word, to every language model loaded, so the n-gram
// searches are unloaded first: they are reloaded, unspoilt, when next
// needed.
func (d *decoder) addWords(prons map[string][]string) error {
	var todo []string
	for w, ps := range prons {
		if !d.words[w] && len(ps) > 0 {
			todo = append(todo, w)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	slices.Sort(todo)
	for name, s := range d.searches {
		if s.ngram && !pinned(name) {
			d.unset(name)
		}
	}
	for i, w := range todo {
		for j, ph := range prons[w] {
			entry := w
			if j > 0 {
				// After its base word: PocketSphinx exits the process
				// on an alternative without one.
				entry += "(" + strconv.Itoa(j+1) + ")"
			}
			update := C.int(0)
			if i == len(todo)-1 && j == len(prons[w])-1 {
				update = 1
			}
			cw, cp := C.CString(entry), C.CString(ph)
			rv := C.ps_add_word(d.ps, cw, cp, update)
			C.free(unsafe.Pointer(cw))
			C.free(unsafe.Pointer(cp))
			if rv < 0 {
				return fmt.Errorf("add %q /%s/ to the dictionary: refused", entry, ph)
			}
		}
		d.words[w] = true
	}
	return nil
}

func (d *decoder) hasSearch(name string) bool {
	_, ok := d.searches[name]
	return ok
}

// setLM loads the language model file at path as search name.
func (d *decoder) setLM(name, path string) error {
	cn, cp := C.CString(name), C.CString(path)
	defer C.free(unsafe.Pointer(cn))
	defer C.free(unsafe.Pointer(cp))
	if C.ps_set_lm_file(d.ps, cn, cp) != 0 {
		return fmt.Errorf("load language model %s: refused (see the pocketsphinx log)", path)
	}
	d.clock++
	d.searches[name] = search{used: d.clock, ngram: true}
	return nil
}

// setFSG loads a finite-state grammar, in PocketSphinx's text format, as
// search name.
func (d *decoder) setFSG(name, text string) error {
	cn, ct := C.CString(name), C.CString(text)
	defer C.free(unsafe.Pointer(cn))
	defer C.free(unsafe.Pointer(ct))
	if C.parley_set_fsg(d.ps, cn, ct, C.size_t(len(text))) != 0 {
		return errors.New("pocketsphinx refused the grammar (see its log)")
	}
	d.clock++
	d.searches[name] = search{used: d.clock}
	return nil
}

func (d *decoder) unset(name string) {
	cn := C.CString(name)
	C.ps_unset_search(d.ps, cn)
	C.free(unsafe.Pointer(cn))
	delete(d.searches, name)
}

// evict unloads the least recently used searches beyond max, never keep
// nor the pinned searches, which do not count.
func (d *decoder) evict(max int, keep string) {
	for {
		n := 0
		victim, oldest := "", uint64(math.MaxUint64)
		for name, s := range d.searches {
			if pinned(name) {
				continue
			}
			n++
			if name != keep && s.used < oldest {
				victim, oldest = name, s.used
			}
		}
		if n <= max || victim == "" {
			return
		}
		d.unset(victim)
	}
}

// cmnMean returns the decoder's current live cepstral mean.
func (d *decoder) cmnMean() []float32 {
	if d.cmn == nil {
		return nil
	}
	v := make([]C.float, len(d.cmn))
	C.parley_cmn_get(d.ps, &v[0])
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// start begins an utterance with a loaded search, from the cepstral mean
// prior (the decoder's initial one when nil); keep asks to keep the audio
// for a second pass.
func (d *decoder) start(name string, keep bool, prior []float32) error {
	s, ok := d.searches[name]
	if !ok {
		return fmt.Errorf("search %q not loaded", name)
	}
	d.clock++
	s.used = d.clock
	d.searches[name] = s
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	if C.ps_set_search(d.ps, cn) != 0 {
		return fmt.Errorf("select search %q: refused", name)
	}
	if d.cmn != nil {
		mean := d.cmn
		if len(prior) == len(d.cmn) {
			mean = make([]C.float, len(prior))
			for i, x := range prior {
				mean[i] = C.float(x)
			}
		}
		C.parley_cmn_set(d.ps, &mean[0])
	}
	if C.ps_start_utt(d.ps) != 0 {
		return errors.New("start utterance: refused")
	}
	d.inUtt = true
	d.keep = keep
	d.prior = prior
	d.audio = d.audio[:0]
	return nil
}

// process decodes audio at the decoder's sample rate.
func (d *decoder) process(pcm []int16) error {
	if len(pcm) == 0 {
		return nil
	}
	if d.keep {
		d.audio = append(d.audio, pcm...)
	}
	if C.ps_process_raw(d.ps, (*C.int16)(unsafe.Pointer(&pcm[0])), C.size_t(len(pcm)), 0, 0) < 0 {
		return errors.New("decode audio: refused")
	}
	return nil
}

// end ends the utterance; the final results are then available.
func (d *decoder) end() error {
	if !d.inUtt {
		return nil
	}
	d.inUtt = false
	if C.ps_end_utt(d.ps) < 0 {
		return errors.New("end utterance: refused")
	}
	return nil
}

// hyp returns the best hypothesis so far, or at the end of the
// utterance, "" when there is none.
func (d *decoder) hyp() string {
	text, _ := d.hypScore()
	return text
}

// hypScore returns the best hypothesis and its path score in natural log
// units.
func (d *decoder) hypScore() (string, float64) {
	var score C.int32
	h := C.ps_get_hyp(d.ps, &score)
	if h == nil {
		return "", 0
	}
	return strings.Join(strings.Fields(C.GoString(h)), " "), d.ln(score)
}

// ln converts a path score to natural log units: PocketSphinx 5prealpha
// keeps path scores in logmath units shifted right by SENSCR_SHIFT (10).
func (d *decoder) ln(score C.int32) float64 {
	return float64(C.parley_ln(d.ps, score)) * 1024
}

// frames is the number of 10 ms frames of the utterance.
func (d *decoder) frames() int {
	return int(C.ps_get_n_frames(d.ps))
}

// phoneLoopScore decodes the utterance's kept audio again with a loop of
// phones, about the best any sequence of sounds can score, and returns
// that path score; the decoder keeps the loop loaded.
func (d *decoder) phoneLoopScore() (float64, error) {
	if !d.hasSearch(phoneLoopSearch) {
		if err := d.setFSG(phoneLoopSearch, phoneLoopFSG()); err != nil {
			return 0, err
		}
	}
	audio := d.audio
	if err := d.start(phoneLoopSearch, false, d.prior); err != nil {
		return 0, err
	}
	err := d.process(audio)
	d.audio = audio[:0]
	if err2 := d.end(); err == nil {
		err = err2
	}
	return d.acoustic(), err
}

// ascale is the acoustic scale of the lattice posteriors (-ascale).
func (d *decoder) ascale() float64 {
	return float64(C.parley_ascale(d.ps))
}

// posterior is the posterior probability of the best hypothesis in the
// utterance's word lattice (ps_get_prob).
func (d *decoder) posterior() float64 {
	return float64(C.parley_exp(d.ps, C.ps_get_prob(d.ps)))
}

// wordPosteriors returns the lattice posterior of each word of the best
// path, fillers left out.
func (d *decoder) wordPosteriors() []float64 {
	var out []float64
	for seg := C.ps_seg_iter(d.ps); seg != nil; seg = C.ps_seg_next(seg) {
		w := C.GoString(C.ps_seg_word(seg))
		if isFiller(w) {
			continue
		}
		var ascr, lscr, lback C.int32
		out = append(out, float64(C.parley_exp(d.ps, C.ps_seg_prob(seg, &ascr, &lscr, &lback))))
	}
	return out
}

// acoustic returns the acoustic score of the best path, all its words and
// fillers, in natural log units. Only for FSG searches: their segment
// scores are shifted like path scores, those of n-gram searches are not.
func (d *decoder) acoustic() float64 {
	sum := 0.0
	for seg := C.ps_seg_iter(d.ps); seg != nil; seg = C.ps_seg_next(seg) {
		var ascr, lscr, lback C.int32
		C.ps_seg_prob(seg, &ascr, &lscr, &lback)
		sum += d.ln(ascr)
	}
	return sum
}

func isFiller(w string) bool {
	return strings.HasPrefix(w, "<") || strings.HasPrefix(w, "[") || strings.HasPrefix(w, "+")
}

// scored is one n-best entry: its words and path score in natural log
// units.
type scored struct {
	text  string
	score float64
}

// nbest returns up to n distinct hypotheses from the lattice, best first,
// stopping after limit A* paths (paths differing only in fillers or
// pronunciation variants give the same words).
func (d *decoder) nbest(n, limit int) []scored {
	nb := C.ps_nbest(d.ps)
	var out []scored
	for i := 0; nb != nil && len(out) < n && i < limit; i++ {
		var s C.int32
		if h := C.ps_nbest_hyp(nb, &s); h != nil {
			text := strings.Join(strings.Fields(C.GoString(h)), " ")
			if !slices.ContainsFunc(out, func(x scored) bool { return x.text == text }) {
				out = append(out, scored{text, d.ln(s)})
			}
		}
		nb = C.ps_nbest_next(nb)
	}
	if nb != nil {
		C.ps_nbest_free(nb)
	}
	return out
}
