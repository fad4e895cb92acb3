package intent

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrFormat reports a malformed example file.
var ErrFormat = errors.New("intent: bad example file")

// ReadFile reads labelled examples from a .csv or .jsonl file (see ReadCSV, ReadJSONL).
func ReadFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read examples: %w", err)
	}
	defer f.Close()
	var exs []Example
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		exs, err = ReadCSV(f)
	case ".jsonl", ".ndjson":
		exs, err = ReadJSONL(f)
	default:
		return nil, fmt.Errorf("%w: %s: want .csv or .jsonl", ErrFormat, path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return exs, nil
}

// ReadCSV reads a CSV file whose header names a "text" and a "label" (or "intent")
// column, in any order; other columns are ignored.
func ReadCSV(r io.Reader) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	ti, li := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "text", "utterance":
			ti = i
		case "label", "intent":
			li = i
		}
	}
	if ti < 0 || li < 0 {
		return nil, fmt.Errorf("%w: header %q needs text and label columns", ErrFormat, head)
	}
	var out []Example
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		if len(rec) <= max(ti, li) {
			return nil, fmt.Errorf("%w: line %d has %d fields", ErrFormat, line, len(rec))
		}
		ex, err := checkExample(rec[ti], rec[li], line)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	return out, nil
}

// ReadJSONL reads one JSON object per line with "text" and "label" (or "intent")
// fields. Blank lines are skipped.
func ReadJSONL(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var out []Example
	for line := 1; sc.Scan(); line++ {
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var v struct{ Text, Label, Intent string }
		if err := json.Unmarshal([]byte(b), &v); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrFormat, line, err)
		}
		if v.Label == "" {
			v.Label = v.Intent
		}
		ex, err := checkExample(v.Text, v.Label, line)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return out, nil
}

func checkExample(text, label string, line int) (Example, error) {
	text, label = strings.TrimSpace(text), strings.TrimSpace(label)
	if text == "" || label == "" {
		return Example{}, fmt.Errorf("%w: line %d: empty text or label", ErrFormat, line)
	}
	return Example{Text: text, Label: label}, nil
}
