package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryPackageHasDoc walks the module and fails for any package whose
// directory lacks a doc.go carrying the package comment.
func TestEveryPackageHasDoc(t *testing.T) {
	root := "../.."
	missing := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		if filepath.Base(path) != "doc.go" {
			if _, err := os.Stat(filepath.Join(dir, "doc.go")); err != nil && !missing[dir] {
				missing[dir] = true
				t.Errorf("%s: package has no doc.go", dir)
			}
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Doc == nil || !strings.HasPrefix(f.Doc.Text(), "Package "+f.Name.Name) && f.Name.Name != "main" {
			t.Errorf("%s: doc.go has no package comment starting %q", path, "Package "+f.Name.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
