package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/parley-cc/parley/telephony"
)

func (c SIPConfig) validate() []error {
	var errs []error
	if c.TLSAddr != "" {
		if _, _, err := net.SplitHostPort(c.TLSAddr); err != nil {
			errs = append(errs, fmt.Errorf("sip.tls_addr: %q is not host:port: %w", c.TLSAddr, err))
		}
		if c.TLSCert == "" || c.TLSKey == "" {
			errs = append(errs, fmt.Errorf("sip.tls_addr: SIP over TLS needs sip.tls_cert and sip.tls_key"))
		}
	}
	if c.MaxCalls <= 0 {
		errs = append(errs, fmt.Errorf("sip.max_calls: %d must be positive", c.MaxCalls))
	}
	if c.RingTimeout <= 0 {
		errs = append(errs, fmt.Errorf("sip.ring_timeout: %v must be positive", c.RingTimeout))
	}
	names := map[string]bool{}
	for i, t := range c.Trunks {
		if t.Name == "" {
			errs = append(errs, fmt.Errorf("sip.trunks[%d]: no name", i))
		} else if names[t.Name] {
			errs = append(errs, fmt.Errorf("sip.trunks[%d]: name %q used twice", i, t.Name))
		}
		names[t.Name] = true
		for _, src := range t.AllowedSources {
			if _, err := parsePrefix(src); err != nil {
				errs = append(errs, fmt.Errorf("sip.trunks[%d] (%s): allowed_sources: %w", i, t.Name, err))
			}
		}
	}
	if c.TransferTrunk != "" && !names[c.TransferTrunk] {
		errs = append(errs, fmt.Errorf("sip.transfer_trunk: %q is not a trunk in sip.trunks", c.TransferTrunk))
	}
	users := map[string]bool{}
	for i, u := range c.Registrar.Users {
		switch {
		case u.User == "" || strings.ContainsAny(u.User, " @:;<>\\\""):
			errs = append(errs, fmt.Errorf("sip.registrar.users[%d]: %q is not a user name", i, u.User))
		case u.Password == "":
			errs = append(errs, fmt.Errorf("sip.registrar.users[%d] (%s): no password", i, u.User))
		case users[u.User]:
			errs = append(errs, fmt.Errorf("sip.registrar.users[%d]: user %q listed twice", i, u.User))
		}
		users[u.User] = true
	}
	for _, a := range c.Registrar.algorithms() {
		if a != telephony.AlgorithmMD5 && a != telephony.AlgorithmSHA256 {
			errs = append(errs, fmt.Errorf("sip.registrar.algorithms: %q is not MD5 or SHA-256", a))
		}
	}
	if r := c.Registrar; r.Enabled && (r.MinExpires <= 0 || r.MaxExpires < r.MinExpires) {
		errs = append(errs, fmt.Errorf("sip.registrar.min_expires/max_expires: %v-%v is not a positive range", r.MinExpires, r.MaxExpires))
	}
	return errs
}

// parsePrefix reads an address or a CIDR network.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is neither an address nor a network", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// trunks converts the configured trunks for the UA.
func (c SIPConfig) trunks() []telephony.Trunk {
	out := make([]telephony.Trunk, 0, len(c.Trunks))
	for _, t := range c.Trunks {
		tr := telephony.Trunk{
			Name: t.Name, Address: t.Address, Transport: t.Transport, Username: t.Username, Password: t.Password,
			Codecs: t.Codecs, CallerID: t.CallerID, FromDomain: t.FromDomain, StripPrefix: t.StripPrefix,
			DialPrefix: t.DialPrefix, NationalPrefix: t.NationalPrefix, CountryCode: t.CountryCode,
		}
		for _, src := range t.AllowedSources {
			if p, err := parsePrefix(src); err == nil {
				tr.AllowedSources = append(tr.AllowedSources, p)
			}
		}
		out = append(out, tr)
	}
	return out
}

// tlsConfig loads the SIP TLS certificate, nil when TLS is off.
func (c SIPConfig) tlsConfig() (*tls.Config, error) {
	if c.TLSAddr == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("sip tls certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// algorithms lists the configured digest algorithms.
func (r SIPRegistrarConfig) algorithms() []string {
	var out []string
	for _, a := range strings.Split(r.Algorithms, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, strings.ToUpper(a))
		}
	}
	return out
}
