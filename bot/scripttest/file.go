package scripttest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// File is one conversation test file.
type File struct {
	Path string `yaml:"-"`
	// Script is the script under test, relative to the file; default: the
	// file's name without ".test" (bank.test.yaml tests bank.yaml).
	Script string `yaml:"script"`
	// Now is the clock for every test unless a test sets its own (RFC 3339).
	Now string `yaml:"now"`
	// Accounts are the test back end for verify steps: account number to its
	// "pin" and the variables returned on success.
	Accounts map[string]map[string]string `yaml:"accounts"`
	Tests    []Case                       `yaml:"tests"`
}

// Case is one conversation.
type Case struct {
	Name         string `yaml:"name"`
	Now          string `yaml:"now"`
	Conversation []Turn `yaml:"conversation"`
	Line         int    `yaml:"-"`
}

// Turn is one caller input (at most one) and the expectations on what follows.
// A turn without input checks what the bot did last (the greeting, at first).
type Turn struct {
	// Inputs.
	Caller       string   `yaml:"caller"`
	Confidence   *float64 `yaml:"confidence"`
	Press        string   `yaml:"press"`
	Silence      bool     `yaml:"silence"`
	NoMatch      bool     `yaml:"no_match"`
	ASRFailure   bool     `yaml:"asr_failure"`
	TTSFailure   bool     `yaml:"tts_failure"`
	CallerHangup bool     `yaml:"caller_hangs_up"`
	// Expectations.
	Bot      Strings           `yaml:"bot"`
	NotBot   Strings           `yaml:"not_bot"`
	Intent   string            `yaml:"intent"`
	Step     string            `yaml:"step"`
	Transfer string            `yaml:"transfer"`
	Hangup   bool              `yaml:"hangup"`
	Message  bool              `yaml:"message"`
	Slots    map[string]string `yaml:"slots"`
	Listen   string            `yaml:"listen"` // hint type: srgs, phrases, open, dtmf
	Line     int               `yaml:"-"`
}

// UnmarshalYAML records the line.
func (t *Turn) UnmarshalYAML(n *yaml.Node) error {
	type plain Turn
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*t = Turn(p)
	t.Line = n.Line
	return nil
}

// Strings is one string or a list of strings.
type Strings []string

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Strings) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = Strings{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*s = list
	return nil
}

// UnmarshalYAML records the line of a case.
func (c *Case) UnmarshalYAML(n *yaml.Node) error {
	type plain Case
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*c = Case(p)
	c.Line = n.Line
	return nil
}

// LoadFile reads a conversation test file.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load tests: %w", err)
	}
	f := &File{Path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Script == "" {
		base := filepath.Base(path)
		f.Script = strings.TrimSuffix(base, ".test.yaml") + ".yaml"
	}
	if !filepath.IsAbs(f.Script) {
		f.Script = filepath.Join(filepath.Dir(path), f.Script)
	}
	return f, nil
}

// TestFileFor is where the tests of a script live: bank.yaml -> bank.test.yaml.
func TestFileFor(scriptPath string) string {
	return strings.TrimSuffix(scriptPath, filepath.Ext(scriptPath)) + ".test.yaml"
}

func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC), nil // a Monday morning
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("now %q: want RFC 3339 (2026-11-23T11:00:00Z): %w", s, err)
	}
	return t, nil
}
