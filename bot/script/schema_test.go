package script

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite schema.json from the Go model")

// TestSchemaInSync checks that schema.json is what the Go model (with its doc
// comments as descriptions) generates; run with -update after changing the model.
func TestSchemaInSync(t *testing.T) {
	docs := fieldDocs(t, "model.go")
	g := &schemaGen{defs: map[string]any{}, docs: docs}
	root := g.object(reflect.TypeOf(Script{}))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://parley.cc/schemas/script.json"
	root["title"] = "Parley dialogue script"
	root["description"] = "A voice-bot dialogue script: see docs/scripts.md."
	root["required"] = []string{"name", "steps"}
	root["$defs"] = g.defs
	want, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *update {
		if err := os.WriteFile("schema.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("schema.json is out of date with the Go model: run go test ./bot/script -run TestSchemaInSync -update")
	}
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
}

type schemaGen struct {
	defs map[string]any
	docs map[string]string // "Type.Field" -> doc
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	g.fields(t, props)
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			g.fields(f.Type, props)
			continue
		}
		s := g.typ(f.Type)
		if d := g.docs[t.Name()+"."+f.Name]; d != "" {
			s["description"] = d
		}
		props[name] = s
	}
}

func (g *schemaGen) typ(t reflect.Type) map[string]any {
	switch t {
	case reflect.TypeOf(Ref{}):
		return map[string]any{"type": "string"}
	case reflect.TypeOf(Expr{}):
		return map[string]any{"type": "string", "description": "an expression (expr-lang), e.g. slots.amount != \"\" && verified"}
	case reflect.TypeOf(Duration(0)):
		return map[string]any{"type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$"}
	case reflect.TypeOf(BargeIn(0)):
		return map[string]any{"enum": []any{"on", "off", "dtmf", true, false}}
	case reflect.TypeOf(Input(0)):
		return map[string]any{"enum": []any{"any", "speech", "dtmf"}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.typ(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Int:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.typ(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.typ(t.Elem())}
	case reflect.Struct:
		name := t.Name()
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = nil // break cycles
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	return map[string]any{}
}

// fieldDocs reads the doc comments of the model's struct fields.
func fieldDocs(t *testing.T, file string) map[string]string {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, fl := range st.Fields.List {
			doc := strings.Join(strings.Fields(fl.Doc.Text()), " ")
			for _, name := range fl.Names {
				if doc != "" {
					out[ts.Name.Name+"."+name.Name] = doc
				}
			}
		}
		return false
	})
	return out
}
