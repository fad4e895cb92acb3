package main

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestScriptFiles(t *testing.T) {
	got, err := scriptFiles("../../scripts")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join("../../scripts", "bank", "bank.yaml"), filepath.Join("../../scripts", "isp", "isp.yaml")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("scriptFiles = %v, want %v (no tests, no drafts)", got, want)
	}
	if _, err := scriptFiles(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Fatal("a missing scripts_dir is not reported")
	}
}

func TestBotConfigValidate(t *testing.T) {
	ok := DefaultConfig().Bot
	if errs := ok.validate(); len(errs) != 0 {
		t.Fatalf("defaults: %v", errs)
	}
	for _, tc := range []struct {
		name string
		mod  func(*BotConfig)
	}{
		{"no scripts dir", func(c *BotConfig) { c.ScriptsDir = "" }},
		{"dead air too short", func(c *BotConfig) { c.DeadAir = 100 * time.Millisecond }},
		{"dead air too long", func(c *BotConfig) { c.DeadAir = time.Hour }},
		{"default script outside", func(c *BotConfig) { c.DefaultScript = "../etc/x.yaml" }},
		{"no reload interval", func(c *BotConfig) { c.ReloadInterval = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			if errs := c.validate(); len(errs) != 1 {
				t.Fatalf("errors %v, want one", errs)
			}
		})
	}
}

func TestSplitList(t *testing.T) {
	if got := splitList(" sip:a@h , ,sip:b@h"); !reflect.DeepEqual(got, []string{"sip:a@h", "sip:b@h"}) {
		t.Fatalf("splitList = %v", got)
	}
}
