package telephony

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
)

// Trunk is a SIP peer that carries calls between Parley and the phone
// network: a carrier, a session border controller or a PBX. Outbound
// calls are sent to it; inbound INVITEs from its addresses are accepted
// as its calls.
type Trunk struct {
	// Name identifies the trunk in configuration, dial requests and call
	// records. Required, unique.
	Name string
	// Address is the peer's SIP address, host or host:port (default port
	// 5060, 5061 for TLS). Required.
	Address string
	// Transport is "udp" (default), "tcp" or "tls".
	Transport string
	// Username and Password answer the peer's digest challenges (401/407)
	// on outbound calls. AuthUser defaults to Username.
	Username, Password string
	// AllowedSources are the networks inbound calls from this trunk come
	// from; default the address Address resolves to.
	AllowedSources []netip.Prefix
	// Codecs restricts and orders the audio codecs used on the trunk by
	// name ("PCMA", "PCMU", "opus", "G722"); empty keeps the UA's.
	Codecs []string
	// CallerID is the number presented (From user) on outbound calls that
	// set none; "anonymous" withholds it (RFC 3323 Privacy: id).
	CallerID string
	// FromDomain is the host of the From URI on outbound calls; default
	// the trunk's host.
	FromDomain string
	// StripPrefix is removed from a dialled number, then DialPrefix put in
	// front: e.g. strip "+" and dial "00" for a carrier that wants
	// international format without the plus.
	StripPrefix, DialPrefix string
	// NationalPrefix and CountryCode normalise inbound caller numbers to
	// E.164: "02079460000" with NationalPrefix "0" and CountryCode "44"
	// becomes "+442079460000". Empty leaves numbers as received.
	NationalPrefix, CountryCode string
}

// trunk is a Trunk checked and resolved.
type trunk struct {
	Trunk
	host      string
	port      int
	transport string // "udp", "tcp", "tls"
	sources   []netip.Prefix
	caps      Capabilities
}

// compileTrunks checks the trunks and resolves what they need.
func compileTrunks(ts []Trunk, caps Capabilities) (map[string]*trunk, error) {
	out := make(map[string]*trunk, len(ts))
	for _, t := range ts {
		ct, err := compileTrunk(t, caps)
		if err != nil {
			return nil, err
		}
		if _, dup := out[t.Name]; dup {
			return nil, fmt.Errorf("%w: trunk %q defined twice", ErrInvalidConfig, t.Name)
		}
		out[t.Name] = ct
	}
	return out, nil
}

func compileTrunk(t Trunk, caps Capabilities) (*trunk, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: trunk %q: %s", ErrInvalidConfig, t.Name, fmt.Sprintf(format, args...))
	}
	if t.Name == "" {
		return nil, fmt.Errorf("%w: a trunk has no name", ErrInvalidConfig)
	}
	ct := &trunk{Trunk: t, transport: strings.ToLower(t.Transport)}
	switch ct.transport {
	case "":
		ct.transport = "udp"
	case "udp", "tcp", "tls":
	default:
		return nil, bad("transport %q (want udp, tcp or tls)", t.Transport)
	}
	if t.Address == "" {
		return nil, bad("no address")
	}
	host, port, err := net.SplitHostPort(t.Address)
	if err != nil {
		host, port = t.Address, ""
	}
	if host == "" || strings.ContainsAny(host, " <>;@") {
		return nil, bad("address %q is not host[:port]", t.Address)
	}
	ct.host, ct.port = host, 5060
	if ct.transport == "tls" {
		ct.port = 5061
	}
	if port != "" {
		if ct.port, err = strconv.Atoi(port); err != nil || ct.port <= 0 || ct.port > 65535 {
			return nil, bad("address %q has a bad port", t.Address)
		}
	}
	ct.sources = t.AllowedSources
	if len(ct.sources) == 0 {
		addrs, err := resolveHost(host)
		if err != nil {
			return nil, bad("address %q: %v (set allowed_sources to accept its calls anyway)", t.Address, err)
		}
		for _, a := range addrs {
			ct.sources = append(ct.sources, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	ct.caps = caps
	if len(t.Codecs) > 0 {
		ct.caps.Codecs = nil
		for _, name := range t.Codecs {
			found := false
			for _, c := range caps.Codecs {
				if strings.EqualFold(c.Name, name) {
					ct.caps.Codecs = append(ct.caps.Codecs, c)
					found = true
				}
			}
			if !found {
				return nil, bad("codec %q is not one Parley offers (%s)", name, codecNames(caps.Codecs))
			}
		}
	}
	if strings.ContainsAny(t.CallerID, " <>;@:\"") {
		return nil, bad("caller id %q is not a number or user name", t.CallerID)
	}
	return ct, nil
}

func codecNames(cs []media.Codec) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// resolveHost gives the addresses of a trunk host: the host itself when
// it is an IP address.
func resolveHost(host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a.Unmap())
		}
	}
	return out, nil
}

// allows reports whether an INVITE from ip may be the trunk's.
func (t *trunk) allows(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range t.sources {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// recipient is the Request-URI of an outbound call to number (or user)
// through the trunk.
func (t *trunk) recipient(number string) sip.Uri {
	n := strings.TrimPrefix(number, t.StripPrefix)
	u := sip.Uri{Scheme: "sip", User: t.DialPrefix + n, Host: t.host, Port: t.port}
	if t.transport == "tls" {
		u.Scheme = "sips"
	}
	if t.transport != "udp" {
		u.UriParams = sip.NewParams()
		u.UriParams.Add("transport", t.transport)
	}
	return u
}

// normalizeCaller turns a caller number received on the trunk into E.164
// when the trunk says how.
func (t *trunk) normalizeCaller(n string) string {
	if t == nil || t.CountryCode == "" || n == "" || strings.HasPrefix(n, "+") {
		return n
	}
	if t.NationalPrefix != "" && strings.HasPrefix(n, t.NationalPrefix) {
		return "+" + t.CountryCode + strings.TrimPrefix(n, t.NationalPrefix)
	}
	if strings.HasPrefix(n, "00") {
		return "+" + n[2:]
	}
	return n
}

// trunkFrom returns the trunk an inbound request from src belongs to.
func (u *UA) trunkFrom(src string) *trunk {
	ap, err := netip.ParseAddrPort(src)
	if err != nil {
		return nil
	}
	for _, t := range u.trunkList {
		if t.allows(ap.Addr()) {
			return t
		}
	}
	return nil
}
