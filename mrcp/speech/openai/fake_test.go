package openai

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/wav"
)

// The OpenAI API is a paid cloud service, so these tests fake it at the
// HTTP level: an httptest server decodes what go-openai sends exactly as
// the real endpoints would receive it.

// speechBody is the JSON of a /audio/speech request.
type speechBody struct {
	Model          string   `json:"model"`
	Input          string   `json:"input"`
	Voice          string   `json:"voice"`
	ResponseFormat string   `json:"response_format"`
	Speed          *float64 `json:"speed"`
}

// transcription is a decoded /audio/transcriptions multipart request.
type transcription struct {
	Model, Language, Prompt, ResponseFormat string
	Filename, ContentType                   string
	Format                                  wav.Format
	PCM                                     []int16
	WAVErr                                  error
}

// fakeAPI records requests and answers them with the test's handlers; n
// counts the requests to the endpoint from 0.
type fakeAPI struct {
	srv *httptest.Server

	mu          sync.Mutex
	speech      []speechBody
	transcripts []transcription
	auth        []string

	onSpeech     func(w http.ResponseWriter, r *http.Request, n int, b speechBody)
	onTranscribe func(w http.ResponseWriter, r *http.Request, n int, tr transcription)
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/audio/speech", func(w http.ResponseWriter, r *http.Request) {
		var b speechBody
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		n := len(f.speech)
		f.speech = append(f.speech, b)
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		f.onSpeech(w, r, n, b)
	})
	mux.HandleFunc("POST /v1/audio/transcriptions", func(w http.ResponseWriter, r *http.Request) {
		tr, err := decodeTranscription(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		n := len(f.transcripts)
		f.transcripts = append(f.transcripts, tr)
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		f.onTranscribe(w, r, n, tr)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// decodeTranscription parses the multipart form and the WAV file in it.
func decodeTranscription(r *http.Request) (transcription, error) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return transcription{}, err
	}
	tr := transcription{
		Model:          r.FormValue("model"),
		Language:       r.FormValue("language"),
		Prompt:         r.FormValue("prompt"),
		ResponseFormat: r.FormValue("response_format"),
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return tr, err
	}
	defer file.Close()
	tr.Filename, tr.ContentType = hdr.Filename, hdr.Header.Get("Content-Type")
	wr, err := wav.NewReader(file)
	if err != nil {
		tr.WAVErr = err
		return tr, nil
	}
	tr.Format = wr.Format()
	buf := make([]int16, 4096)
	for {
		n, err := wr.Read(buf)
		tr.PCM = append(tr.PCM, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tr.WAVErr = err
			break
		}
	}
	return tr, nil
}

func (f *fakeAPI) speechRequests() []speechBody {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]speechBody(nil), f.speech...)
}

func (f *fakeAPI) transcriptions() []transcription {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]transcription(nil), f.transcripts...)
}

// config points the engines at the fake, with fast retries.
func (f *fakeAPI) config() Config {
	return Config{
		BaseURL:    f.srv.URL + "/v1",
		APIKey:     "test-key",
		Backoff:    time.Millisecond,
		HTTPClient: f.srv.Client(),
		Log:        slog.New(slog.DiscardHandler),
	}
}

// pcmBytes encodes samples as 16-bit little-endian.
func pcmBytes(pcm []int16) []byte {
	b := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// apiError writes an OpenAI-style error body.
func apiError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "test"}})
}

// writeJSON writes v as the response.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// isMultipartAudio reports whether the part's content type is audio or
// the generic octet stream go-openai sends.
func isMultipartAudio(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (strings.HasPrefix(mt, "audio/") || mt == "application/octet-stream")
}
