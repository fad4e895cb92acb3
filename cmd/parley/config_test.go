package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig("", nil, nil)
	if err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if cfg.SIP.Addr != "0.0.0.0:5060" || cfg.HTTP.Addr != "127.0.0.1:8080" || cfg.DataDir != "./data" {
		t.Fatalf("defaults = %+v", cfg)
	}
}

func TestLoadConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "parley.yaml")
	file := "sip:\n  addr: 127.0.0.1:5070\nhttp:\n  addr: 127.0.0.1:9000\nmedia:\n  jitter_max: 300ms\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PARLEY_HTTP_ADDR=127.0.0.1:9100", "PARLEY_DATA_DIR=/var/lib/parley", "HOME=/root"}
	cfg, err := LoadConfig(path, env, []string{"data_dir=/srv/parley"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, got, want string }{
		{"file beats default", cfg.SIP.Addr, "127.0.0.1:5070"},
		{"env beats file", cfg.HTTP.Addr, "127.0.0.1:9100"},
		{"flag beats env", cfg.DataDir, "/srv/parley"},
		{"duration from file", cfg.Media.JitterMax.String(), (300 * time.Millisecond).String()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name      string
		path      string
		env       []string
		overrides []string
		wantErr   []string
	}{
		{name: "unknown key in file", path: write("a.yaml", "sip:\n  adr: x\n"), wantErr: []string{"adr"}},
		{name: "not yaml", path: write("b.yaml", "sip: [\n"), wantErr: []string{"b.yaml"}},
		{name: "missing file", path: filepath.Join(dir, "none.yaml"), wantErr: []string{"read config"}},
		{name: "unknown env", env: []string{"PARLEY_NOPE=1"}, wantErr: []string{"PARLEY_NOPE"}},
		{name: "bad int env", env: []string{"PARLEY_MEDIA_RTP_PORT_MIN=ten"}, wantErr: []string{"PARLEY_MEDIA_RTP_PORT_MIN", "not an integer"}},
		{name: "bad duration flag", overrides: []string{"media.jitter_min=soon"}, wantErr: []string{"media.jitter_min"}},
		{name: "flag without value", overrides: []string{"media.jitter_min"}, wantErr: []string{"key=value"}},
		{
			name:      "all problems reported at once",
			overrides: []string{"log.level=loud", "recording.format=mp3", "sip.addr=nowhere"},
			wantErr:   []string{"log.level", "recording.format", "sip.addr"},
		},
		{name: "port range", overrides: []string{"media.rtp_port_min=30000", "media.rtp_port_max=20000"}, wantErr: []string{"rtp_port_min/max"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(tc.path, tc.env, tc.overrides)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestEmptyConfigFileMeansDefaults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, DefaultConfig()) {
		t.Fatalf("got %+v", cfg)
	}
}

// TestConfigDocumented keeps docs/configuration.md true: every setting and
// its environment variable appear there.
func TestConfigDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	cfg := DefaultConfig()
	for _, f := range configFields(&cfg) {
		if !strings.Contains(doc, "`"+f.key+"`") || !strings.Contains(doc, f.env) {
			t.Errorf("docs/configuration.md does not document %s (%s)", f.key, f.env)
		}
	}
}
