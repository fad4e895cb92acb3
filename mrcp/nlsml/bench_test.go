package nlsml

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func benchFile(b *testing.B, name string) []byte {
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkParse reads the RFC 6787 example result and a two-best result
// with maps and a list.
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"rfc6787-andre-roy.xml", "unimrcp-nbest.xml"} {
		body := benchFile(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Parse(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMarshal writes the two-best result into a reused buffer.
func BenchmarkMarshal(b *testing.B) {
	r, err := Parse(benchFile(b, "unimrcp-nbest.xml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		if buf, err = r.AppendTo(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkXMLTokens is the floor under Parse: encoding/xml's Token loop
// alone over the two-best result.
func BenchmarkXMLTokens(b *testing.B) {
	body := benchFile(b, "unimrcp-nbest.xml")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(body))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
