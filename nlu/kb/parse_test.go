package kb

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name, file, data string
		title            string
		chunks           int
		firstHeading     string
		firstText        string
		article          string
	}{
		{"markdown", "cards.md", "---\ntitle: Cards\ntags: a, B\n---\nIntro **text** with a [link](http://x).\n\n## Lost card\n\nCall us.\n\n- one\n- two\n", "Cards", 2, "", "Intro text with a link.", "cards.md"},
		{"markdown h1 title", "x.md", "# Hours\n\n## Branches\nOpen 9 to 5.\n", "Hours", 1, "Branches", "Open 9 to 5.", "x.md"},
		{"text", "direct-debits.txt", "Direct debits\n\nA direct debit is a payment.\n\nCancel in the app.", "Direct debits", 1, "", "A direct debit is a payment.\n\nCancel in the app.", "direct-debits.txt"},
		{"html", "h.html", "<html><head><title>T</title><script>x()</script></head><body><nav>menu</nav><h1>T</h1><h2>S</h2><p>Para <b>one</b>.</p><ul><li>item</li></ul></body></html>", "T", 1, "S", "Para one .\n\nitem", "h.html"},
		{"csv", "faq.csv", "id,question,answer,tags\nbal,What is my balance?,See the app.,accounts|cards\n", "Faq", 1, "", "See the app.", "faq.csv#bal"},
		{"jsonl", "t.jsonl", `{"id":"a","question":"Q?","answer":"A."}` + "\n" + `{"title":"Art","text":"P1.\n\nP2."}` + "\n", "T", 2, "", "A.", "t.jsonl#a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := Parse(tc.file, []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			d := docs[0]
			if d.Title != tc.title || len(d.Chunks) != tc.chunks {
				t.Fatalf("title %q chunks %d (%+v), want %q %d", d.Title, len(d.Chunks), d.Chunks, tc.title, tc.chunks)
			}
			c := d.Chunks[0]
			if c.Heading != tc.firstHeading || c.Text != tc.firstText || c.Article != tc.article {
				t.Errorf("first chunk %+v, want heading %q text %q article %q", c, tc.firstHeading, tc.firstText, tc.article)
			}
		})
	}
}

func TestParseBadInput(t *testing.T) {
	tests := []struct {
		name, file, data string
		want             error
	}{
		{"empty", "a.md", " \n\t", ErrEmpty},
		{"binary", "a.txt", "abc\x00def", ErrBinary},
		{"latin-1", "a.txt", "caf\xe9", ErrBinary},
		{"huge", "a.txt", strings.Repeat("a", MaxFileSize+1), ErrTooLarge},
		{"unknown format", "a.pdf", "%PDF", ErrFormat},
		{"csv without answer", "a.csv", "question,reply\nq,a\n", ErrBadDocument},
		{"csv half row", "a.csv", "question,answer\nq,\n", ErrBadDocument},
		{"csv bad quotes", "a.csv", "question,answer\n\"q,a\n", ErrBadDocument},
		{"jsonl not json", "a.jsonl", "{nope", ErrBadDocument},
		{"jsonl unknown field", "a.jsonl", `{"q":"x"}`, ErrBadDocument},
		{"html without text", "a.html", "<html><script>x</script></html>", ErrEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.file, []byte(tc.data)); !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSpeakable(t *testing.T) {
	got := Speakable("Call **us** on [0800](tel:0800). We cancel the card. Then we post one.", 2, 45)
	if want := "Call us on 0800. We cancel the card."; got != want {
		t.Errorf("Speakable = %q, want %q", got, want)
	}
	if got := Speakable(strings.Repeat("word ", 100), 2, 5); got != "word word word word word…" {
		t.Errorf("long text = %q", got)
	}
}

// fuzzParse checks that Parse never panics and that what it accepts is well formed.
func fuzzParse(f *testing.F, file string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		docs, err := Parse(file, b)
		if err != nil {
			return
		}
		for _, d := range docs {
			if d.Source == "" || d.Title == "" || len(d.Chunks) == 0 {
				t.Fatalf("accepted document without source, title or chunks: %+v", d)
			}
			for _, c := range d.Chunks {
				if strings.TrimSpace(c.Text) == "" || c.Article == "" {
					t.Fatalf("empty chunk %+v", c)
				}
			}
		}
	})
}

func FuzzParseMarkdown(f *testing.F) {
	fuzzParse(f, "f.md", "# T\n\n## S\n\ntext", "---\ntitle: x\n---\n", "```\n# not a heading\n```\npara", "- a\n- b\n1. c")
}

func FuzzParseHTML(f *testing.F) {
	fuzzParse(f, "f.html", "<h1>T</h1><p>x</p>", "<html><head><title>t</title><meta name=keywords content=a,b></head><body>text<div>more</div></body></html>", "<p><p><li>")
}

func FuzzParseCSV(f *testing.F) {
	fuzzParse(f, "f.csv", "question,answer\nq,a\n", "id,question,answer,tags,title\n1,q,a,x|y,t\n", "question,answer\n\"a\"\"b\",c\n")
}

func FuzzParseJSONL(f *testing.F) {
	fuzzParse(f, "f.jsonl", `{"question":"q","answer":"a"}`, `{"title":"t","text":"a\n\nb","tags":["x"]}`+"\n\n", `{"id":1}`)
}
