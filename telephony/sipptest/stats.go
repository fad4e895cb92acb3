package sipptest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrNoStats is returned by ParseStats for a statistics file holding no
// data row (SIPp died before its first dump).
var ErrNoStats = errors.New("sipptest: no statistics row")

// maxStatsLine caps one line of the statistics CSV; SIPp's rows are
// about 1.5 KB.
const maxStatsLine = 64 << 10

// Stats is the last row of a SIPp statistics CSV (-trace_stat), which
// SIPp writes when it exits. Fields maps each column name, such as
// "SuccessfulCall(C)", to its value; (C) columns are cumulative, (P)
// columns cover the last period.
type Stats struct {
	Fields map[string]string
}

// Int returns the integer value of the named column, or false when the
// column is missing or not an integer.
func (s Stats) Int(name string) (int, bool) {
	v, ok := s.Fields[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// SuccessfulCalls is the cumulative "SuccessfulCall(C)" column.
func (s Stats) SuccessfulCalls() int { n, _ := s.Int("SuccessfulCall(C)"); return n }

// FailedCalls is the cumulative "FailedCall(C)" column.
func (s Stats) FailedCalls() int { n, _ := s.Int("FailedCall(C)"); return n }

// IncomingCalls is the cumulative "IncomingCall(C)" column (UAS side).
func (s Stats) IncomingCalls() int { n, _ := s.Int("IncomingCall(C)"); return n }

// OutgoingCalls is the cumulative "OutgoingCall(C)" column (UAC side).
func (s Stats) OutgoingCalls() int { n, _ := s.Int("OutgoingCall(C)"); return n }

// ParseStats reads a SIPp statistics CSV: a header line of column names
// and data rows, fields separated by ';' (SIPp's default -stat_delimiter)
// with a trailing separator. It returns the last complete row. A row
// with a different number of fields than the header (a dump cut short
// when SIPp was killed) is ignored.
func ParseStats(r io.Reader) (Stats, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxStatsLine)
	var header, last []string
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := splitStats(line)
		if header == nil {
			header = fields
			continue
		}
		if len(fields) == len(header) {
			last = fields
		}
	}
	if err := sc.Err(); err != nil {
		return Stats{}, fmt.Errorf("read statistics: %w", err)
	}
	if header == nil || last == nil {
		return Stats{}, ErrNoStats
	}
	st := Stats{Fields: make(map[string]string, len(header))}
	for i, name := range header {
		if name != "" {
			st.Fields[name] = last[i]
		}
	}
	return st, nil
}

// splitStats splits a row on ';', dropping the one trailing separator.
func splitStats(line string) []string {
	line = strings.TrimSuffix(line, ";")
	return strings.Split(line, ";")
}
