package baresiptest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadNetstring(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
		err  error
	}{
		{"two", `5:hello,0:,`, []string{"hello", ""}, io.EOF},
		{"json", `11:{"ok":true},`, []string{`{"ok":true}`}, io.EOF},
		{"no comma", `3:abc;`, nil, ErrNetstring},
		{"bad length", `x:abc,`, nil, ErrNetstring},
		{"empty length", `:abc,`, nil, ErrNetstring},
		{"too long", `99999999:`, nil, ErrNetstring},
		{"truncated body", `5:he`, nil, io.ErrUnexpectedEOF},
		{"truncated length", `12`, nil, io.ErrUnexpectedEOF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tc.in))
			var got []string
			var err error
			for {
				var b []byte
				if b, err = ReadNetstring(r); err != nil {
					break
				}
				got = append(got, string(b))
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("err = %v, want %v", err, tc.err)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzReadNetstring(f *testing.F) {
	for _, s := range []string{`5:hello,`, `0:,`, `3:abc;`, `x:`, `12`, `2:{},3:[1],`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		for {
			b, err := ReadNetstring(r)
			if err != nil {
				return
			}
			// What was read round-trips.
			again, err := ReadNetstring(bufio.NewReader(bytes.NewReader(AppendNetstring(nil, b))))
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("round trip of %q: %q, %v", b, again, err)
			}
		}
	})
}
