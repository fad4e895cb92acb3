package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/parley-cc/parley/nlu/intent"
)

const nluUsage = `Usage: parley nlu eval --train FILE --test FILE [--top N]

Trains the built-in intent classifier on the training file and scores it on the test
file. Files are CSV (header with "text" and "label" columns) or JSONL (one
{"text": ..., "label": ...} per line); the label "oos" marks out-of-scope utterances.
Prints accuracy, in-scope accuracy, macro-F1, out-of-scope recall and the worst
confusions. See docs/nlu.md.
`

// cmdNLU dispatches the nlu subcommands.
func cmdNLU(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "eval" {
		fmt.Fprint(stderr, nluUsage)
		return 2
	}
	fs := flag.NewFlagSet("parley nlu eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, nluUsage); fs.PrintDefaults() }
	train := fs.String("train", "", "training examples `file` (.csv or .jsonl)")
	test := fs.String("test", "", "test examples `file` (.csv or .jsonl)")
	top := fs.Int("top", 10, "how many of the worst confusions to print")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *train == "" || *test == "" {
		fmt.Fprintln(stderr, "parley nlu eval: --train and --test are required")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := nluEval(ctx, *train, *test, *top, stdout); err != nil {
		fmt.Fprintf(stderr, "parley nlu eval: %v\n", err)
		return 1
	}
	return 0
}

func nluEval(ctx context.Context, trainPath, testPath string, top int, w io.Writer) error {
	trainEx, err := intent.ReadFile(trainPath)
	if err != nil {
		return err
	}
	testEx, err := intent.ReadFile(testPath)
	if err != nil {
		return err
	}
	c, err := intent.Train(ctx, trainEx, intent.Config{})
	if err != nil {
		return err
	}
	r, err := intent.Evaluate(ctx, c, testEx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "trained on %d examples, %d labels in %v (temperature %.2f, out-of-scope threshold %.2f)\n",
		len(trainEx), len(c.Labels()), c.TrainTime().Round(1e6), c.Temperature(), c.Threshold())
	fmt.Fprintf(w, "test examples:        %d (%d out-of-scope)\n", r.N, r.OOSN)
	fmt.Fprintf(w, "accuracy:             %.2f%%\n", 100*r.Accuracy)
	fmt.Fprintf(w, "in-scope accuracy:    %.2f%%\n", 100*r.InScopeAccuracy)
	fmt.Fprintf(w, "macro-F1:             %.2f%%\n", 100*r.MacroF1)
	if r.OOSN > 0 {
		fmt.Fprintf(w, "out-of-scope recall:  %.2f%%\n", 100*r.OOSRecall)
	} else {
		fmt.Fprintln(w, "out-of-scope recall:  n/a (no oos test examples)")
	}
	if len(r.Confusions) > 0 {
		fmt.Fprintln(w, "worst confusions (gold -> predicted: count):")
	}
	for i, cf := range r.Confusions {
		if i >= top {
			break
		}
		fmt.Fprintf(w, "  %s -> %s: %d\n", cf.Gold, cf.Predicted, cf.Count)
	}
	return nil
}
