package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

func checkID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty %s", ErrInvalid, what)
	case len(id) > MaxIDLen:
		return fmt.Errorf("%w: %s longer than %d bytes", ErrInvalid, what, MaxIDLen)
	case !utf8.ValidString(id):
		return fmt.Errorf("%w: %s is not UTF-8", ErrInvalid, what)
	}
	return nil
}

func validCall(c *Call) error {
	if err := checkID("call id", string(c.ID)); err != nil {
		return err
	}
	if c.Direction != Inbound && c.Direction != Outbound {
		return fmt.Errorf("%w: call %s: direction %v", ErrInvalid, c.ID, c.Direction)
	}
	if !c.Ended.IsZero() || c.Disposition != DispositionUnknown {
		return fmt.Errorf("%w: call %s: a new call has no end (use EndCall)", ErrInvalid, c.ID)
	}
	return nil
}

func validEnd(id CallID, e *End) error {
	if err := checkID("call id", string(id)); err != nil {
		return err
	}
	if e.Disposition <= DispositionUnknown || int(e.Disposition) >= len(dispositionNames) {
		return fmt.Errorf("%w: call %s: disposition %v", ErrInvalid, id, e.Disposition)
	}
	if e.SIPCode != 0 && (e.SIPCode < 100 || e.SIPCode > 699) {
		return fmt.Errorf("%w: call %s: SIP code %d", ErrInvalid, id, e.SIPCode)
	}
	return nil
}

func validLeg(l *Leg) error {
	if err := checkID("call id", string(l.CallID)); err != nil {
		return err
	}
	if err := checkID("leg id", string(l.ID)); err != nil {
		return err
	}
	if l.Role <= RoleUnknown || int(l.Role) >= len(roleNames) {
		return fmt.Errorf("%w: leg %s/%s: role %v", ErrInvalid, l.CallID, l.ID, l.Role)
	}
	if !l.Ended.IsZero() {
		return fmt.Errorf("%w: leg %s/%s: a new leg has no end (use EndLeg)", ErrInvalid, l.CallID, l.ID)
	}
	return nil
}

func validEvent(e *Event) error {
	if err := checkID("call id", string(e.CallID)); err != nil {
		return err
	}
	if e.LegID != "" {
		if err := checkID("leg id", string(e.LegID)); err != nil {
			return err
		}
	}
	if e.Type == "" {
		return fmt.Errorf("%w: call %s: event without a type", ErrInvalid, e.CallID)
	}
	if len(e.Detail) > 0 && !json.Valid(e.Detail) {
		return fmt.Errorf("%w: call %s: event %s: detail is not JSON", ErrInvalid, e.CallID, e.Type)
	}
	return nil
}

func validRecording(r *Recording) error {
	if err := checkID("call id", string(r.CallID)); err != nil {
		return err
	}
	if r.Path == "" || strings.Contains(r.Path, "\\") || !filepath.IsLocal(filepath.FromSlash(r.Path)) {
		return fmt.Errorf("%w: call %s: recording path %q is not relative to the data directory", ErrInvalid, r.CallID, r.Path)
	}
	if r.Format <= FormatUnknown || int(r.Format) >= len(formatNames) {
		return fmt.Errorf("%w: call %s: recording format %v", ErrInvalid, r.CallID, r.Format)
	}
	if r.Duration < 0 || r.Bytes < 0 {
		return fmt.Errorf("%w: call %s: negative recording duration or size", ErrInvalid, r.CallID)
	}
	return nil
}
