package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	mrcpserver "github.com/parley-cc/parley/mrcp/server"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/espeak"
	"github.com/parley-cc/parley/mrcp/speech/flite"
	"github.com/parley-cc/parley/mrcp/speech/openai"
	"github.com/parley-cc/parley/mrcp/speech/sphinx"
)

// speechEngines are the engines a speech server runs, and what to close.
type speechEngines struct {
	reg    *speech.Registry
	caches []*speech.Cache
	close  []func() error
}

func (e *speechEngines) Close() error {
	var errs []error
	for i := len(e.close) - 1; i >= 0; i-- {
		errs = append(errs, e.close[i]())
	}
	return errors.Join(errs...)
}

// newSpeechEngines starts the engines the configuration enables.
func newSpeechEngines(cfg SpeechConfig, log *slog.Logger) (*speechEngines, error) {
	e := &speechEngines{reg: speech.NewRegistry()}
	addSynth := func(s speech.Synthesizer) {
		if cfg.CacheBytes > 0 {
			c := speech.NewCache(s, speech.CacheOptions{MaxBytes: int64(cfg.CacheBytes)})
			e.caches = append(e.caches, c)
			s = c
		}
		e.reg.AddSynthesizer(s)
	}
	fail := func(err error) (*speechEngines, error) {
		_ = e.Close()
		return nil, err
	}
	if cfg.Flite {
		f, err := flite.New(flite.Config{Log: log})
		if err != nil {
			return fail(fmt.Errorf("flite: %w", err))
		}
		addSynth(f)
	}
	if cfg.Espeak {
		es, err := espeak.New(espeak.Config{Log: log})
		if err != nil {
			return fail(fmt.Errorf("espeak-ng: %w", err))
		}
		addSynth(es)
	}
	if p := cfg.Pocketsphinx; p.Enabled {
		ps, err := sphinx.New(sphinx.Config{ModelDir: p.ModelDir, Dict: p.Dict, LM: p.LM, MaxDecoders: p.MaxDecoders, Narrowband: p.Narrowband, Log: log})
		if err != nil {
			return fail(fmt.Errorf("pocketsphinx: %w", err))
		}
		e.close = append(e.close, ps.Close)
		e.reg.AddRecognizer(ps)
	}
	if o := cfg.OpenAI; o.BaseURL != "" {
		oc := openai.Config{BaseURL: o.BaseURL, APIKey: o.APIKey, TTSModel: o.TTSModel, ASRModel: o.ASRModel}
		tts, err := openai.NewSynthesizer(oc)
		if err != nil {
			return fail(fmt.Errorf("openai speech: %w", err))
		}
		addSynth(tts)
		asr, err := openai.NewRecognizer(oc)
		if err != nil {
			return fail(fmt.Errorf("openai transcription: %w", err))
		}
		e.reg.AddRecognizer(asr)
	}
	if len(e.reg.Synthesizers()) == 0 && len(e.reg.Recognizers()) == 0 {
		return fail(errors.New("speech: no engine enabled (speech.flite, speech.espeak, speech.pocketsphinx.enabled, speech.openai.base_url)"))
	}
	return e, nil
}

// newSpeechServer builds the speech server on the engines.
func newSpeechServer(cfg SpeechConfig, eng *speechEngines, log *slog.Logger) (*mrcpserver.Server, error) {
	sc := mrcpserver.Config{
		SIPAddr:     cfg.SIPAddr,
		ControlAddr: cfg.ControlAddr,
		RTPPortMin:  cfg.RTPPortMin,
		RTPPortMax:  cfg.RTPPortMax,
		MaxSessions: cfg.MaxSessions,
		Engines:     eng.reg,
		Log:         log,
	}
	if host, _, err := net.SplitHostPort(cfg.SIPAddr); err == nil {
		if a, err := netip.ParseAddr(host); err == nil && !a.IsUnspecified() {
			sc.MediaIP = a
		}
	}
	srv, err := mrcpserver.New(sc)
	if err != nil {
		return nil, fmt.Errorf("speech server: %w", err)
	}
	return srv, nil
}
