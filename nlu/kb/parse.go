package kb

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits on imported files.
const (
	MaxFileSize   = 8 << 20 // bytes
	maxChunkWords = 140
)

// Import errors.
var (
	ErrEmpty       = errors.New("kb: document is empty")
	ErrTooLarge    = errors.New("kb: document too large")
	ErrBinary      = errors.New("kb: document is binary or not UTF-8")
	ErrFormat      = errors.New("kb: unsupported format")
	ErrBadDocument = errors.New("kb: malformed document")
)

// Document is one imported article or file, split into chunks.
type Document struct {
	Source string // file name or URL, the citation
	Title  string
	Tags   []string
	Chunks []Chunk
}

// Chunk is the unit of retrieval.
type Chunk struct {
	Article  string // usage key: the source, or source#id for question/answer rows
	Title    string // article title (the question for Q/A rows)
	Heading  string // section heading path inside the article, " > " separated
	Text     string
	Tags     []string
	Question bool // a Q/A row: Title is the question, Text the answer
}

// Parse splits data, read from a file named name, into documents. The format comes
// from the extension: .md/.markdown, .txt, .html/.htm, .csv, .jsonl/.ndjson.
func Parse(name string, data []byte) ([]Document, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: %s is %d bytes (limit %d)", ErrTooLarge, name, len(data), MaxFileSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrEmpty, name)
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("%w: %s", ErrBinary, name)
	}
	var (
		docs []Document
		err  error
	)
	s := string(data)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown":
		docs = []Document{parseMarkdown(name, s)}
	case ".txt", ".text":
		docs = []Document{parseText(name, s)}
	case ".html", ".htm":
		docs, err = parseHTML(name, s)
	case ".csv":
		docs, err = parseCSV(name, s)
	case ".jsonl", ".ndjson":
		docs, err = parseJSONL(name, s)
	default:
		return nil, fmt.Errorf("%w: %s (want .md, .txt, .html, .csv or .jsonl)", ErrFormat, name)
	}
	if err != nil {
		return nil, err
	}
	for i := range docs {
		if len(docs[i].Chunks) == 0 {
			return nil, fmt.Errorf("%w: %s has no text", ErrEmpty, docs[i].Source)
		}
	}
	return docs, nil
}

// section is a heading and its paragraphs, before chunking.
type section struct {
	heading string
	paras   []string
}

// chunkSections groups paragraphs of each section into chunks of at most
// maxChunkWords words, never crossing a heading.
func chunkSections(article, title string, tags []string, secs []section) []Chunk {
	var out []Chunk
	for _, s := range secs {
		var cur []string
		words := 0
		flush := func() {
			if len(cur) > 0 {
				out = append(out, Chunk{Article: article, Title: title, Heading: s.heading, Text: strings.Join(cur, "\n\n"), Tags: tags})
			}
			cur, words = nil, 0
		}
		for _, p := range s.paras {
			n := len(strings.Fields(p))
			if n == 0 {
				continue
			}
			if words > 0 && words+n > maxChunkWords {
				flush()
			}
			cur = append(cur, p)
			words += n
		}
		flush()
	}
	return out
}

var mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)

// parseMarkdown reads optional front matter (title:, tags:), then splits by ATX
// headings and blank-line paragraphs. The first level-1 heading is the title.
func parseMarkdown(name, s string) Document {
	doc := Document{Source: name}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if rest, ok := strings.CutPrefix(s, "---\n"); ok {
		if fm, body, ok := strings.Cut(rest, "\n---\n"); ok {
			for _, line := range strings.Split(fm, "\n") {
				k, v, _ := strings.Cut(line, ":")
				switch strings.TrimSpace(strings.ToLower(k)) {
				case "title":
					doc.Title = strings.Trim(strings.TrimSpace(v), `"'`)
				case "tags":
					doc.Tags = splitTags(strings.Trim(strings.TrimSpace(v), "[]"))
				}
			}
			s = body
		}
	}
	var (
		secs  []section
		path  [6]string
		para  []string
		cur   = section{}
		fence bool
	)
	endPara := func() {
		if p := strings.TrimSpace(strings.Join(para, " ")); p != "" {
			cur.paras = append(cur.paras, p)
		}
		para = nil
	}
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
			endPara()
			continue
		}
		if m := mdHeading.FindStringSubmatch(t); m != nil && !fence {
			endPara()
			secs = append(secs, cur)
			level := len(m[1])
			h := StripMarkdown(m[2])
			if level == 1 && doc.Title == "" {
				doc.Title = h
			}
			path[level-1] = h
			for i := level; i < 6; i++ {
				path[i] = ""
			}
			cur = section{heading: headingPath(path[1:], doc.Title, path[0])}
			continue
		}
		if t == "" || strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || numbered.MatchString(t) {
			endPara()
		}
		if t != "" {
			para = append(para, t)
		}
	}
	endPara()
	secs = append(secs, cur)
	if doc.Title == "" {
		doc.Title = titleFromName(name)
	}
	for i := range secs {
		for j, p := range secs[i].paras {
			secs[i].paras[j] = StripMarkdown(p)
		}
	}
	doc.Chunks = chunkSections(name, doc.Title, doc.Tags, secs)
	return doc
}

var numbered = regexp.MustCompile(`^\d+[.)]\s`)

func headingPath(sub []string, title, h1 string) string {
	var parts []string
	if h1 != "" && h1 != title {
		parts = append(parts, h1)
	}
	for _, p := range sub {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " > ")
}

// parseText splits plain text into paragraphs at blank lines; a short first line
// followed by a blank line is the title.
func parseText(name, s string) Document {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	doc := Document{Source: name, Title: titleFromName(name)}
	blocks := strings.Split(s, "\n\n")
	var paras []string
	for _, b := range blocks {
		if p := strings.Join(strings.Fields(b), " "); p != "" {
			paras = append(paras, p)
		}
	}
	if len(paras) > 1 && len(strings.Fields(paras[0])) <= 10 && !strings.ContainsAny(paras[0][len(paras[0])-1:], ".?!") {
		doc.Title, paras = paras[0], paras[1:]
	}
	doc.Chunks = chunkSections(name, doc.Title, nil, []section{{paras: paras}})
	return doc
}

// parseHTML walks the DOM: <title> or the first <h1> is the title, h2-h6 start
// sections, block elements are paragraphs, and script, style, nav, header and footer
// are skipped. <meta name="keywords"> gives tags.
func parseHTML(name, s string) ([]Document, error) {
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadDocument, name, err)
	}
	doc := Document{Source: name}
	var (
		secs []section
		cur  section
		path [6]string
		h1   string
	)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Nav, atom.Header, atom.Footer, atom.Noscript, atom.Template:
				return
			case atom.Title:
				if doc.Title == "" {
					doc.Title = collapse(textOf(n))
				}
				return
			case atom.Meta:
				if strings.EqualFold(attr(n, "name"), "keywords") {
					doc.Tags = splitTags(attr(n, "content"))
				}
				return
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				level := int(n.Data[1] - '0')
				h := collapse(textOf(n))
				if level == 1 && h1 == "" {
					h1 = h
				}
				secs = append(secs, cur)
				path[level-1] = h
				for i := level; i < 6; i++ {
					path[i] = ""
				}
				cur = section{heading: headingPath(path[1:], "", "")}
				return
			case atom.P, atom.Li, atom.Td, atom.Th, atom.Dd, atom.Dt, atom.Blockquote, atom.Pre, atom.Figcaption:
				if t := collapse(textOf(n)); t != "" {
					cur.paras = append(cur.paras, t)
				}
				return
			}
		}
		if n.Type == html.TextNode && n.Parent != nil && (n.Parent.DataAtom == atom.Body || n.Parent.DataAtom == atom.Div || n.Parent.DataAtom == atom.Section || n.Parent.DataAtom == atom.Article || n.Parent.DataAtom == atom.Main) {
			if t := collapse(n.Data); t != "" {
				cur.paras = append(cur.paras, t)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	secs = append(secs, cur)
	if doc.Title == "" {
		doc.Title = h1
	}
	if doc.Title == "" {
		doc.Title = titleFromName(name)
	}
	doc.Chunks = chunkSections(name, doc.Title, doc.Tags, secs)
	return []Document{doc}, nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// parseCSV reads question/answer pairs. The header names the columns; question and
// answer are required, id, title, tags (comma or | separated) and source optional.
// Each row is its own article, source#id (the row number without an id column).
func parseCSV(name, s string) ([]Document, error) {
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s header: %v", ErrBadDocument, name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	qi, ok1 := col["question"]
	ai, ok2 := col["answer"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: %s: header needs question and answer columns, has %q", ErrBadDocument, name, header)
	}
	get := func(rec []string, key string) string {
		if i, ok := col[key]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	doc := Document{Source: name, Title: titleFromName(name)}
	for row := 2; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadDocument, name, err)
		}
		if qi >= len(rec) || ai >= len(rec) {
			return nil, fmt.Errorf("%w: %s row %d: missing question or answer", ErrBadDocument, name, row)
		}
		q, a := collapse(rec[qi]), collapse(rec[ai])
		if q == "" && a == "" {
			continue
		}
		if q == "" || a == "" {
			return nil, fmt.Errorf("%w: %s row %d: empty question or answer", ErrBadDocument, name, row)
		}
		id := get(rec, "id")
		if id == "" {
			id = fmt.Sprint(row)
		}
		title := get(rec, "title")
		if title == "" {
			title = q
		}
		doc.Chunks = append(doc.Chunks, Chunk{Article: name + "#" + id, Title: title, Text: a, Tags: splitTags(get(rec, "tags")), Question: true, Heading: qHeading(q, title)})
	}
	return []Document{doc}, nil
}

// qHeading keeps the question searchable when a separate title was given.
func qHeading(q, title string) string {
	if q == title {
		return ""
	}
	return q
}

// jsonlRecord is one line of a JSONL import.
type jsonlRecord struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Question string   `json:"question"`
	Text     string   `json:"text"`
	Answer   string   `json:"answer"`
	Tags     []string `json:"tags"`
}

// parseJSONL reads one JSON object per line: either question+answer (a Q/A row) or
// title+text (an article, chunked by paragraphs). id and tags are optional.
func parseJSONL(name, s string) ([]Document, error) {
	doc := Document{Source: name, Title: titleFromName(name)}
	for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var rec jsonlRecord
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %v", ErrBadDocument, name, i+1, err)
		}
		id := rec.ID
		if id == "" {
			id = fmt.Sprint(i + 1)
		}
		art := name + "#" + id
		switch {
		case rec.Question != "" && rec.Answer != "":
			title := collapse(rec.Title)
			q := collapse(rec.Question)
			if title == "" {
				title = q
			}
			doc.Chunks = append(doc.Chunks, Chunk{Article: art, Title: title, Heading: qHeading(q, title), Text: collapse(rec.Answer), Tags: rec.Tags, Question: true})
		case rec.Text != "":
			title := collapse(rec.Title)
			if title == "" {
				title = doc.Title
			}
			var paras []string
			for _, p := range strings.Split(rec.Text, "\n\n") {
				if p = collapse(p); p != "" {
					paras = append(paras, p)
				}
			}
			doc.Chunks = append(doc.Chunks, chunkSections(art, title, rec.Tags, []section{{paras: paras}})...)
		default:
			return nil, fmt.Errorf("%w: %s line %d: want question+answer or text", ErrBadDocument, name, i+1)
		}
	}
	return []Document{doc}, nil
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' || r == ';' }) {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func titleFromName(name string) string {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	base = strings.NewReplacer("-", " ", "_", " ").Replace(base)
	if base == "" {
		return name
	}
	return strings.ToUpper(base[:1]) + base[1:]
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

var (
	mdLink   = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdMarks  = regexp.MustCompile("[*_`~]+")
	mdPrefix = regexp.MustCompile(`^(\s*(>|[-*+]|\d+[.)])\s+)+`)
)

// StripMarkdown removes links (keeping their text), emphasis, inline code marks,
// list and quote markers, and leading heading marks.
func StripMarkdown(s string) string {
	s = mdLink.ReplaceAllString(s, "$1")
	s = strings.TrimLeft(s, "# ")
	s = mdPrefix.ReplaceAllString(s, "")
	s = mdMarks.ReplaceAllString(s, "")
	return collapse(s)
}
