package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/parley-cc/parley/bot"
	botrt "github.com/parley-cc/parley/bot/runtime"
)

const chatUsage = `Usage: parley chat [flags] SCRIPT

Runs a dialogue script as a text conversation: type what the caller says; the bot
answers, and each turn shows the step, the recognised intent with its confidence,
the slots and the sentiment. Keys: "#5", "#12345678#" or "dtmf 5". Commands:
/silence (no-input timeout), /nomatch, /asrfail, /hangup, /quit. See docs/scripts.md.
`

// accountFlags collects --account NUMBER:PIN[:name=value,...] test accounts.
type accountFlags map[string]map[string]string

func (a accountFlags) String() string { return fmt.Sprint(len(a), " accounts") }

func (a accountFlags) Set(v string) error {
	parts := strings.SplitN(v, ":", 3)
	if len(parts) < 2 {
		return fmt.Errorf("want NUMBER:PIN[:name=value,...], got %q", v)
	}
	acc := map[string]string{"pin": parts[1]}
	if len(parts) == 3 {
		for _, kv := range strings.Split(parts[2], ",") {
			k, val, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("want name=value in %q", kv)
			}
			acc[k] = val
		}
	}
	a[parts[0]] = acc
	return nil
}

func cmdChat(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("parley chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, chatUsage); fs.PrintDefaults() }
	dataDir := fs.String("data-dir", "", "`directory` for the script's knowledge base (default: a temporary one)")
	now := fs.String("now", "", "clock for the conversation, RFC 3339 (default: the real time)")
	verbose := fs.Bool("v", false, "log the runtime's debug messages to stderr")
	accounts := accountFlags{}
	fs.Var(accounts, "account", "test account `NUMBER:PIN[:name=value,...]` for verify steps (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir := *dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "parley-chat-")
		if err != nil {
			fmt.Fprintf(stderr, "parley chat: %v\n", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	clock := time.Now
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			fmt.Fprintf(stderr, "parley chat: --now: %v\n", err)
			return 2
		}
		start := time.Now()
		clock = func() time.Time { return t.Add(time.Since(start)) }
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := chat(ctx, fs.Arg(0), chatOptions{dataDir: dir, now: clock, accounts: accounts, log: log}, stdin, stdout); err != nil {
		fmt.Fprintf(stderr, "parley chat: %v\n", err)
		return 1
	}
	return 0
}

type chatOptions struct {
	dataDir  string
	now      func() time.Time
	accounts accountFlags
	log      *slog.Logger
}

func chat(ctx context.Context, path string, o chatOptions, in io.Reader, out io.Writer) error {
	l, err := bot.Load(ctx, path, bot.Options{DataDir: o.dataDir, Log: o.log})
	if err != nil {
		return err
	}
	defer l.Close()
	verifier := botrt.VerifierFunc(func(_ context.Context, account, pin string) (bool, map[string]string, error) {
		acc, ok := o.accounts[account]
		if !ok || acc["pin"] != pin {
			return false, nil, nil
		}
		data := map[string]string{}
		for k, v := range acc {
			if k != "pin" {
				data[k] = v
			}
		}
		return true, data, nil
	})
	d := l.Bot.NewDialogue(botrt.Config{CallID: "chat", Now: o.now, Verifier: verifier, Log: o.log})
	s := l.Bot.Script
	fmt.Fprintf(out, "%s %s (%s): %d steps, %d intents. Type /quit to end, #5 for keys.\n", s.Name, s.Version, path, len(s.Steps), len(s.Intents))
	showActions(out, d, d.Start(ctx))
	sc := bufio.NewScanner(in)
	for !d.Ended() {
		fmt.Fprint(out, "you> ")
		if !sc.Scan() {
			d.Input(ctx, botrt.Event{Kind: botrt.Hangup})
			break
		}
		ev, quit := parseChatLine(sc.Text())
		if quit {
			d.Input(ctx, botrt.Event{Kind: botrt.Hangup})
			break
		}
		before := d.Step()
		acts := d.Input(ctx, ev)
		showTurn(out, d, before)
		showActions(out, d, acts)
	}
	fmt.Fprintf(out, "-- call ended: %s\n-- path: %s\n", d.EndReason(), strings.Join(d.Path(), " > "))
	return sc.Err()
}

func parseChatLine(line string) (botrt.Event, bool) {
	line = strings.TrimSpace(line)
	low := strings.ToLower(line)
	switch {
	case low == "/quit" || low == "/exit":
		return botrt.Event{}, true
	case low == "/silence" || low == "":
		return botrt.Event{Kind: botrt.NoInput}, false
	case low == "/nomatch":
		return botrt.Event{Kind: botrt.NoMatch}, false
	case low == "/asrfail":
		return botrt.Event{Kind: botrt.ASRFailure}, false
	case low == "/ttsfail":
		return botrt.Event{Kind: botrt.TTSFailure}, false
	case low == "/hangup":
		return botrt.Event{Kind: botrt.Hangup}, false
	case strings.HasPrefix(line, "#") && len(line) > 1:
		return botrt.Event{Kind: botrt.DTMF, Digits: strings.ReplaceAll(line[1:], " ", "")}, false
	case strings.HasPrefix(low, "dtmf "):
		return botrt.Event{Kind: botrt.DTMF, Digits: strings.ReplaceAll(line[5:], " ", "")}, false
	}
	return botrt.Event{Kind: botrt.Speech, Text: line, Confidence: 0.9}, false
}

func showTurn(out io.Writer, d *botrt.Dialogue, before string) {
	t, ok := d.LastTurn()
	if !ok || t.Step != before {
		return
	}
	intent := "-"
	if t.Intent != "" {
		intent = fmt.Sprintf("%s %.2f", t.Intent, t.IntentConfidence)
	} else if t.DTMF == "" {
		intent = fmt.Sprintf("none (best %.2f)", t.IntentConfidence)
	}
	var sl []string
	for _, x := range t.Slots {
		sl = append(sl, x.Name+"="+x.Normalized)
	}
	slots := "-"
	if len(sl) > 0 {
		slots = strings.Join(sl, " ")
	}
	fmt.Fprintf(out, "     [step %s] intent: %s | slots: %s | sentiment %+.2f\n", before, intent, slots, t.Sentiment)
}

func showActions(out io.Writer, d *botrt.Dialogue, acts []botrt.Action) {
	for _, a := range acts {
		switch a := a.(type) {
		case *botrt.Say:
			fmt.Fprintf(out, "bot> %s\n", a.Text)
		case *botrt.Listen:
			hint := "open question"
			if a.Speech != nil {
				hint = a.Speech.Type
			}
			fmt.Fprintf(out, "     [step %s] listening: %s, input %s\n", d.Step(), hint, a.Input)
		default:
			fmt.Fprintf(out, "     [step %s] %s\n", d.Step(), a)
		}
	}
}
