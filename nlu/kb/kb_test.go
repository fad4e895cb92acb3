package kb

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func count(t *testing.T, k *KB, v Version) int {
	t.Helper()
	docs, err := k.Documents(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range docs {
		n += d.Chunks
	}
	return n
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	src, data := t.TempDir(), t.TempDir()
	cards := writeFile(t, src, "cards.md", "# Cards\n\n## Lost card\n\nFreeze your card in the app and call 0800 123.\n\n## Fees\n\nReplacement cards are free.\n")
	hours := writeFile(t, src, "hours.txt", "Opening hours\n\nBranches open from 9am to 5pm on weekdays.")
	k, err := Open(ctx, Config{Dir: data, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	var progress []int
	st, err := k.ImportFiles(ctx, []string{cards, hours}, Published, func(done, total int, _ string) { progress = append(progress, done) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 2 || st.Chunks != 3 || len(progress) != 2 {
		t.Fatalf("first import %+v progress %v", st, progress)
	}

	// Re-importing the same files changes nothing and duplicates nothing.
	st, err = k.ImportFiles(ctx, []string{cards, hours}, Published, nil)
	if err != nil || st.Unchanged != 2 || st.Added+st.Updated != 0 || count(t, k, Published) != 3 {
		t.Fatalf("re-import %+v err %v chunks %d", st, err, count(t, k, Published))
	}

	// A bad file in the batch imports nothing.
	bad := writeFile(t, src, "bad.csv", "question,answer\nq,\n")
	writeFile(t, src, "cards.md", "# Cards\n\nChanged.\n")
	if _, err := k.ImportFiles(ctx, []string{cards, bad}, Published, nil); !errors.Is(err, ErrBadDocument) {
		t.Fatalf("bad batch err %v", err)
	}
	if a, _ := k.Answer(ctx, "I lost my card", SearchOptions{}); a.Citation.Article != "cards.md" || !strings.Contains(a.Text, "Freeze") {
		t.Fatalf("half import? answer %+v", a)
	}

	// Draft: invisible to published searches until published; then replaces.
	writeFile(t, src, "cards.md", "# Cards\n\n## Lost card\n\nBlock your card in the app straight away.\n")
	if _, err := k.ImportFiles(ctx, []string{cards}, Draft, nil); err != nil {
		t.Fatal(err)
	}
	a, err := k.Answer(ctx, "lost card", SearchOptions{})
	if err != nil || !strings.Contains(a.Text, "Freeze") {
		t.Fatalf("published answer changed by a draft: %+v %v", a, err)
	}
	if a, _ := k.Answer(ctx, "lost card", SearchOptions{Version: Draft}); !strings.Contains(a.Text, "Block") {
		t.Fatalf("draft answer %+v", a)
	}
	if n, err := k.Publish(ctx); err != nil || n != 1 {
		t.Fatalf("publish %d %v", n, err)
	}
	if count(t, k, Draft) != 0 || count(t, k, Published) != 2 {
		t.Fatalf("after publish draft %d published %d", count(t, k, Draft), count(t, k, Published))
	}
	a, _ = k.Answer(ctx, "I have lost my card", SearchOptions{})
	if !a.Found || !strings.Contains(a.Text, "Block") || a.Citation.Source != "cards.md" || a.Citation.Heading != "Lost card" {
		t.Fatalf("published answer %+v", a)
	}

	// Usage and feedback.
	if err := k.Feedback(ctx, "cards.md", true); err != nil {
		t.Fatal(err)
	}
	if err := k.Feedback(ctx, "cards.md", false); err != nil {
		t.Fatal(err)
	}
	u, _ := k.Usage(ctx)
	if len(u) != 1 || u[0].Article != "cards.md" || u[0].Served != 3 || u[0].Helpful != 1 || u[0].NotHelpful != 1 {
		t.Fatalf("usage %+v", u)
	}

	// Questions with no good answer are logged as gaps.
	if a, _ := k.Answer(ctx, "do you sell car insurance", SearchOptions{}); a.Found {
		t.Fatalf("answered an unanswerable question: %+v", a)
	}
	gaps, _ := k.Gaps(ctx, 10)
	if len(gaps) != 1 || gaps[0].Question != "do you sell car insurance" {
		t.Fatalf("gaps %+v", gaps)
	}
	if err := k.ResolveGap(ctx, gaps[0].ID); err != nil {
		t.Fatal(err)
	}
	if gaps, _ := k.Gaps(ctx, 10); len(gaps) != 0 {
		t.Fatalf("resolved gap still listed: %+v", gaps)
	}

	// Delete, then reopen: the state persists.
	if err := k.Delete(ctx, "hours.txt", Published); err != nil {
		t.Fatal(err)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	k, err = Open(ctx, Config{Dir: data, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if count(t, k, Published) != 1 {
		t.Fatalf("after reopen %d chunks", count(t, k, Published))
	}
	res, err := k.Search(ctx, "block lost card", SearchOptions{Mode: VectorOnly})
	if err != nil || len(res) != 1 || res[0].Source != "cards.md" {
		t.Fatalf("vector search after reopen %+v %v", res, err)
	}
}

func TestSearchEmptyAndStopwordQueries(t *testing.T) {
	k := openSample(t, "bank")
	for _, q := range []string{"", "   ", "???"} {
		res, err := k.Search(context.Background(), q, SearchOptions{})
		if err != nil || len(res) != 0 {
			t.Errorf("Search(%q) = %v, %v; want nothing", q, res, err)
		}
	}
	if res, _ := k.Search(context.Background(), "cards", SearchOptions{Tags: []string{"security"}}); len(res) == 0 {
		t.Error("tag filter found nothing")
	} else {
		for _, r := range res {
			if r.Source != "lost-stolen-card.md" && r.Source != "fraud-and-scams.md" {
				t.Errorf("tag filter leaked %s", r.Source)
			}
		}
	}
}
