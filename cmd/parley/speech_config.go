package main

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

func (s SpeechConfig) validate() []error {
	var errs []error
	for key, addr := range map[string]string{"speech.sip_addr": s.SIPAddr, "speech.control_addr": s.ControlAddr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not host:port: %w", key, addr, err))
		}
	}
	if s.RTPPortMin < 1024 || s.RTPPortMax > 65535 || s.RTPPortMin+1 >= s.RTPPortMax {
		errs = append(errs, fmt.Errorf("speech.rtp_port_min/max: %d-%d is not a range of at least one port pair within 1024-65535", s.RTPPortMin, s.RTPPortMax))
	}
	if s.MaxSessions <= 0 {
		errs = append(errs, fmt.Errorf("speech.max_sessions: %d must be positive", s.MaxSessions))
	}
	if s.CacheBytes < 0 {
		errs = append(errs, fmt.Errorf("speech.cache_bytes: %d must not be negative", s.CacheBytes))
	}
	if s.Pocketsphinx.MaxDecoders < 0 {
		errs = append(errs, fmt.Errorf("speech.pocketsphinx.max_decoders: %d must not be negative", s.Pocketsphinx.MaxDecoders))
	}
	if s.OpenAI.BaseURL != "" && !strings.HasPrefix(s.OpenAI.BaseURL, "http://") && !strings.HasPrefix(s.OpenAI.BaseURL, "https://") {
		errs = append(errs, fmt.Errorf("speech.openai.base_url: %q is not an http(s) URL", s.OpenAI.BaseURL))
	}
	return errs
}

func (m MRCPConfig) validate(inProcess bool) []error {
	var errs []error
	if m.Transport != "udp" && m.Transport != "tcp" {
		errs = append(errs, fmt.Errorf("mrcp.transport: %q is not udp or tcp", m.Transport))
	}
	for key, d := range map[string]time.Duration{"mrcp.request_timeout": m.RequestTimeout, "mrcp.setup_timeout": m.SetupTimeout, "mrcp.retry_after": m.RetryAfter} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: %v must be positive", key, d))
		}
	}
	for _, s := range m.ServerList() {
		if !strings.HasPrefix(s, "sip:") && !strings.HasPrefix(s, "sips:") {
			errs = append(errs, fmt.Errorf("mrcp.servers: %q is not a sip: URI", s))
		}
	}
	if len(m.ServerList()) == 0 && !inProcess {
		errs = append(errs, errors.New("mrcp.servers: empty while speech.enabled is false: the bot has no speech server"))
	}
	return errs
}

// ServerList splits Servers.
func (m MRCPConfig) ServerList() []string {
	var out []string
	for _, s := range strings.Split(m.Servers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
