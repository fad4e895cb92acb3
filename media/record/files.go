package record

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/parley-cc/parley/media/ogg"
	"github.com/parley-cc/parley/media/wav"
)

// Create starts a recording in a new file at path with the default sink
// settings for its extension: ".wav" (WAVSink) or ".opus"/".ogg"
// (OpusSink). rate is the file's sample rate (8000 or 16000 for calls).
func Create(path string, rate int, cfg Config) (*Recorder, error) {
	var sink Sink
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".wav":
		sink, err = NewWAVSink(path, wav.WriterConfig{SampleRate: rate})
	case ".opus", ".ogg":
		sink, err = NewOpusSink(path, OpusConfig{Rate: rate})
	default:
		return nil, fmt.Errorf("%w: %q", ErrFormat, path)
	}
	if err != nil {
		return nil, err
	}
	return New(sink, cfg)
}

// Repaired reports one file RepairDir changed or could not repair.
type Repaired struct {
	// Path is the file.
	Path string
	// Summary says what was done, for a log line.
	Summary string
	// Err is why the file could not be repaired, or nil.
	Err error
}

// RepairDir repairs every recording under dir (recursively) that a crashed
// process left unclosed: .wav files with wav.Repair, .opus and .ogg files
// with ogg.Repair. It returns the files it changed or failed on; intact
// files are left alone and not reported. Run it before any Recorder writes
// under dir. The error is for the walk itself (an unreadable directory).
func RepairDir(dir string) ([]Repaired, error) {
	var out []Repaired
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		var changed bool
		var summary string
		switch strings.ToLower(filepath.Ext(path)) {
		case ".wav":
			var res wav.RepairResult
			res, err = wav.Repair(path)
			changed, summary = res.Repaired, res.String()
		case ".opus", ".ogg":
			var res ogg.RepairResult
			res, err = ogg.Repair(path)
			changed, summary = res.Repaired, res.String()
		default:
			return nil
		}
		switch {
		case err != nil:
			out = append(out, Repaired{Path: path, Summary: path + ": not repaired: " + err.Error(), Err: err})
		case changed:
			out = append(out, Repaired{Path: path, Summary: summary})
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("record: repair %s: %w", dir, err)
	}
	return out, nil
}
