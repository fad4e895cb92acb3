package script

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxFileSize caps a script file.
const MaxFileSize = 4 << 20

// ErrInvalid is wrapped by every *Errors: the script was rejected.
var ErrInvalid = errors.New("script: invalid")

// Error is one problem at a place in a script file.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error formats "file:line: message".
func (e Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Errors lists every problem found in a script, in line order.
type Errors struct {
	List []Error
}

// Error lists the problems one per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, x := range e.List {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns ErrInvalid.
func (e *Errors) Unwrap() error { return ErrInvalid }

type collector struct {
	file string
	list []Error
}

func (c *collector) add(line int, format string, args ...any) {
	c.list = append(c.list, Error{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (c *collector) err() error {
	if len(c.list) == 0 {
		return nil
	}
	sort.SliceStable(c.list, func(i, j int) bool { return c.list[i].Line < c.list[j].Line })
	return &Errors{List: c.list}
}

func lineMsg(line int, format string, args ...any) string {
	return fmt.Sprintf("line %d: ", line) + fmt.Sprintf(format, args...)
}

// Load reads, parses and validates the script at path.
func Load(path string) (*Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load script: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates a script; file names it in errors.
func Parse(file string, data []byte) (*Script, error) {
	c := &collector{file: file}
	if len(data) > MaxFileSize {
		c.add(0, "file is %d bytes, more than %d", len(data), MaxFileSize)
		return nil, c.err()
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		c.addYAML(err)
		return nil, c.err()
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		c.add(1, "a script is a YAML mapping (name, prompts, intents, steps, ...)")
		return nil, c.err()
	}
	doc := root.Content[0]
	checkFields(c, doc, reflect.TypeOf(Script{}), "")
	s := &Script{File: file}
	if err := doc.Decode(s); err != nil {
		c.addYAML(err)
		return nil, c.err()
	}
	s.Lines = keyLines(doc)
	validate(c, s)
	if err := c.err(); err != nil {
		return nil, err
	}
	return s, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func (c *collector) addYAML(err error) {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			n, _ := strconv.Atoi(g[1])
			c.add(n, "%s", strings.TrimPrefix(g[2], "yaml: "))
			continue
		}
		c.add(0, "%s", strings.TrimPrefix(m, "yaml: "))
	}
}

// keyLines records the line of each entry of the named top-level mappings.
func keyLines(doc *yaml.Node) map[string]int {
	out := map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		out[k.Value] = k.Line
		if v.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			out[k.Value+"."+v.Content[j].Value] = v.Content[j].Line
		}
	}
	return out
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// checkFields reports mapping keys that the Go model does not know, with their
// lines (yaml.v3's KnownFields does not reach into custom unmarshalers).
func checkFields(c *collector, n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode {
		return // checked where the anchor is; following aliases could recurse forever
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		checkFields(c, n, t.Elem(), path)
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				checkFields(c, item, t.Elem(), path)
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				checkFields(c, n.Content[i], t.Elem(), path+n.Content[i-1].Value+".")
			}
		}
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return
		}
		fields := map[string]reflect.Type{}
		collectFields(t, fields)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				c.add(k.Line, "unknown field %q in %s", k.Value, describe(t, path))
				continue
			}
			checkFields(c, n.Content[i+1], ft, path+k.Value+".")
		}
	}
}

func collectFields(t reflect.Type, out map[string]reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			collectFields(f.Type, out)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
}

func describe(t reflect.Type, path string) string {
	name := strings.ToLower(t.Name())
	if path == "" {
		return "script"
	}
	return fmt.Sprintf("%s (%s)", name, strings.TrimSuffix(path, "."))
}
