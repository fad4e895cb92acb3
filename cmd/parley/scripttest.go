package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/parley-cc/parley/bot/scripttest"
)

const scriptUsage = `Usage: parley script test [-v] [SCRIPT...]

Runs the conversation tests next to each script (bank.yaml -> bank.test.yaml) with
the real intent classifier and knowledge base, prints PASS or FAIL per conversation
and the steps and intents the tests cover. Without arguments it tests every
scripts/*/*.yaml. Exits 1 when a test fails. See docs/scripts.md.
`

func cmdScript(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprint(stderr, scriptUsage)
		return 2
	}
	fs := flag.NewFlagSet("parley script test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, scriptUsage); fs.PrintDefaults() }
	verbose := fs.Bool("v", false, "print every conversation's transcript")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	scripts := fs.Args()
	if len(scripts) == 0 {
		tests, _ := filepath.Glob(filepath.Join("scripts", "*", "*.test.yaml"))
		for _, t := range tests {
			scripts = append(scripts, t[:len(t)-len(".test.yaml")]+".yaml")
		}
	}
	if len(scripts) == 0 {
		fmt.Fprintln(stderr, "parley script test: no scripts given and none under scripts/")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tmp, err := os.MkdirTemp("", "parley-script-test-")
	if err != nil {
		fmt.Fprintf(stderr, "parley script test: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	code := 0
	for _, s := range scripts {
		file := scripttest.TestFileFor(s)
		if filepath.Ext(s) == ".yaml" && len(s) > len(".test.yaml") && s[len(s)-len(".test.yaml"):] == ".test.yaml" {
			file = s
		}
		rep, err := scripttest.Run(ctx, file, scripttest.Options{DataDir: filepath.Join(tmp, fmt.Sprint(len(scripts)))})
		if err != nil {
			fmt.Fprintf(stdout, "%s\n  FAIL  %v\n", file, err)
			code = 1
			continue
		}
		rep.Write(stdout, *verbose)
		if !rep.Passed() {
			code = 1
		}
	}
	return code
}
