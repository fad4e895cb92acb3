package resource

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/parley-cc/parley/mrcp"
)

// channel is what both resources share: the channel's identity and
// sender, the order of request-ids, and the per-channel parameters of
// SET-PARAMS. Its owner's mutex guards it.
type channel struct {
	id      mrcp.ChannelID
	send    Sender
	baseLog *slog.Logger
	log     *slog.Logger
	table   *paramTable
	params  map[string]string // by lower-case name, as SET-PARAMS set them
	vendor  vendorStore
	lastID  mrcp.RequestID
	seen    bool
	closed  bool
}

func newChannel(id mrcp.ChannelID, send Sender, log *slog.Logger, table *paramTable) channel {
	if log == nil {
		log = slog.Default().With("channel", string(id))
	}
	return channel{id: id, send: send, baseLog: log, log: log, table: table, params: make(map[string]string)}
}

// admit runs the checks every request passes and reports whether the
// request goes on; when it does not, admit has answered it. A request to
// a closed resource gets 405 (the resource is no longer allocated), one
// without a Channel-Identifier 406, one for another channel 405, and one
// whose request-id does not exceed the last one's 410 (RFC 6787 sections
// 5.2 and 5.4).
func (c *channel) admit(req *mrcp.Message) bool {
	if c.closed {
		c.reply(req, mrcp.StatusResourceNotAllocated)
		return false
	}
	ch, err := req.Channel()
	switch {
	case errors.Is(err, mrcp.ErrMissingHeader):
		c.reply(req, mrcp.StatusMandatoryHeaderMissing)
		return false
	case err != nil:
		c.reply(req, mrcp.StatusIllegalHeaderValue)
		return false
	case ch != c.id:
		c.reply(req, mrcp.StatusResourceNotAllocated)
		return false
	case c.seen && req.RequestID <= c.lastID:
		c.reply(req, mrcp.StatusOutOfOrder)
		return false
	}
	c.seen, c.lastID = true, req.RequestID
	return true
}

// response returns a response to req on this channel.
func (c *channel) response(req *mrcp.Message, code mrcp.StatusCode, state mrcp.RequestState) *mrcp.Message {
	m := mrcp.NewResponse(req, code, state)
	m.SetChannel(c.id)
	return m
}

// reply sends a COMPLETE response with the status and header fields.
func (c *channel) reply(req *mrcp.Message, code mrcp.StatusCode, fields ...mrcp.HeaderField) {
	m := c.response(req, code, mrcp.StateComplete)
	for _, f := range fields {
		m.Header.Add(f.Name, clean(f.Value))
	}
	c.emit(m)
}

// event returns an event for the request on this channel.
func (c *channel) event(ev mrcp.Event, id mrcp.RequestID, state mrcp.RequestState) *mrcp.Message {
	return mrcp.NewEvent(ev, id, state, c.id)
}

// emit sends m; a failure is logged, as the session layer will close the
// connection.
func (c *channel) emit(m *mrcp.Message) {
	if err := c.send.Send(m); err != nil {
		c.log.Debug("mrcp send failed", "msg", m.String(), "err", err)
		return
	}
	c.log.Debug("mrcp sent", "msg", m.String())
}

// value returns the effective value of a field for a request: the
// request's own, else the channel's from SET-PARAMS, else the default.
func (c *channel) value(req *mrcp.Message, name string) string {
	if req != nil {
		if v, ok := req.Header.Lookup(name); ok {
			return v
		}
	}
	return c.param(name)
}

// explicit returns the value of a field that the request or SET-PARAMS
// gave, and whether one did.
func (c *channel) explicit(req *mrcp.Message, name string) (string, bool) {
	if v, ok := req.Header.Lookup(name); ok {
		return v, true
	}
	if v, ok := c.params[strings.ToLower(name)]; ok {
		return v, true
	}
	return c.param(name), false
}

// param returns the channel's value of a field, or its default.
func (c *channel) param(name string) string {
	if v, ok := c.params[strings.ToLower(name)]; ok {
		return v
	}
	if s := c.table.lookup(name); s != nil {
		return s.def
	}
	return ""
}

// checkRequest validates the fields of a request other than SET-PARAMS.
// It answers and reports false on a bad field; otherwise it returns the
// success code, 201 when optional fields were ignored.
func (c *channel) checkRequest(req *mrcp.Message) (mrcp.StatusCode, bool) {
	chk := c.table.check(req.Header, false)
	if code, fields := chk.status(); code != 0 {
		c.reply(req, code, fields...)
		return 0, false
	}
	if chk.ignored {
		return mrcp.StatusSuccessWithIgnored, true
	}
	return mrcp.StatusSuccess, true
}

// setParams handles SET-PARAMS (RFC 6787 section 6.1.1). Nothing is set
// unless every field can be: a 404, 403 or 409 echoes the offending
// fields.
func (c *channel) setParams(req *mrcp.Message) {
	chk := c.table.check(req.Header, true)
	if code, fields := chk.status(); code != 0 {
		c.reply(req, code, fields...)
		return
	}
	var vendor []vendorPair
	var vendorFields mrcp.Header
	for _, f := range req.Header {
		if spec := c.table.lookup(f.Name); spec != nil && spec.name == mrcp.HeaderVendorSpecificParameters {
			pairs, _ := splitVendor(f.Value) // checked
			for _, p := range pairs {
				if !p.hasValue {
					c.reply(req, mrcp.StatusIllegalHeaderValue, f)
					return
				}
			}
			vendor = append(vendor, pairs...)
			vendorFields = append(vendorFields, f)
		}
	}
	if len(vendor) > 0 {
		probe := vendorStore{pairs: append([]vendorPair(nil), c.vendor.pairs...)}
		if !probe.set(vendor) {
			c.reply(req, mrcp.StatusUnsupportedHeaderValue, vendorFields...)
			return
		}
		c.vendor = probe
	}
	for _, f := range req.Header {
		spec := c.table.lookup(f.Name)
		if framing(f.Name) || spec == nil || spec.use == ignored || spec.name == mrcp.HeaderVendorSpecificParameters {
			continue
		}
		c.params[strings.ToLower(spec.name)] = f.Value
		if spec.name == mrcp.HeaderLoggingTag {
			c.log = c.baseLog.With("logging_tag", f.Value)
		}
	}
	code := mrcp.StatusSuccess
	if chk.ignored {
		code = mrcp.StatusSuccessWithIgnored
	}
	c.reply(req, code)
}

// getParams handles GET-PARAMS (RFC 6787 section 6.1.2): the fields named
// (their values in the request are ignored), or every settable field
// that has a value when none is named. A field the resource cannot set is
// a 403 that echoes it.
func (c *channel) getParams(req *mrcp.Message) {
	var out, unknown mrcp.Header
	named := false
	for _, f := range req.Header {
		if framing(f.Name) {
			continue
		}
		named = true
		spec := c.table.lookup(f.Name)
		switch {
		case spec == nil || !spec.settable:
			unknown = append(unknown, f)
		case spec.name == mrcp.HeaderVendorSpecificParameters:
			var names []vendorPair
			if strings.TrimSpace(f.Value) != "" {
				names, _ = splitVendor(f.Value)
			}
			if v := c.vendor.get(names); v != "" {
				out = append(out, mrcp.HeaderField{Name: spec.name, Value: v})
			}
		default:
			out = append(out, mrcp.HeaderField{Name: spec.name, Value: c.param(spec.name)})
		}
	}
	if len(unknown) > 0 {
		c.reply(req, mrcp.StatusUnsupportedHeader, unknown...)
		return
	}
	if !named {
		for _, spec := range c.table.order {
			if !spec.settable {
				continue
			}
			v := c.param(spec.name)
			if spec.name == mrcp.HeaderVendorSpecificParameters {
				v = c.vendor.get(nil)
			}
			if v != "" {
				out = append(out, mrcp.HeaderField{Name: spec.name, Value: v})
			}
		}
	}
	c.reply(req, mrcp.StatusSuccess, out...)
}

// clean makes text safe as a header value: control characters become
// spaces, surrounding white space goes, and long text is cut (at a UTF-8
// boundary).
func clean(s string) string {
	const limit = 1024
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "")
	}
	if checkText(s) != nil {
		b := []byte(s)
		for i, c := range b {
			if c < 0x20 && c != '\t' || c == 0x7f {
				b[i] = ' '
			}
		}
		s = string(b)
	}
	return strings.TrimSpace(s)
}

// causeFields returns Completion-Cause and, when reason is not empty,
// Completion-Reason.
func causeFields(cause string, reason string) []mrcp.HeaderField {
	f := []mrcp.HeaderField{{Name: mrcp.HeaderCompletionCause, Value: cause}}
	if reason != "" {
		f = append(f, mrcp.HeaderField{Name: mrcp.HeaderCompletionReason, Value: clean(reason)})
	}
	return f
}

// ntpEpochOffset is the number of seconds from the NTP epoch (1900) to the
// Unix epoch (RFC 5905 section 6).
const ntpEpochOffset = 2208988800

// ntpTime returns t as a 64-bit NTP timestamp: seconds since 1900 in the
// high 32 bits, the fraction of a second in the low 32.
func ntpTime(t time.Time) uint64 {
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := (uint64(t.Nanosecond()) << 32) / uint64(time.Second)
	return sec<<32 | frac
}

// speechMarker returns a Speech-Marker value (RFC 6787 section 8.4.16):
// "timestamp=" the NTP time in decimal, then ";" and the marker's name
// when there is one.
func speechMarker(t time.Time, name string) string {
	v := "timestamp=" + strconv.FormatUint(ntpTime(t), 10)
	if name = clean(name); name != "" {
		v += ";" + name
	}
	return v
}

// mediaType returns the lower-case media type of a Content-Type value,
// without parameters.
func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
