package index

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestSnapshotRoundTripAndCorruption(t *testing.T) {
	pts := []Point{
		{ID: "a", Vector: []float32{1, 0}, Payload: Payload{Tenant: "t", Tags: []string{"x"}}},
		{ID: "b", Vector: []float32{0, 1}, Payload: Payload{Fields: map[string]string{"k": "v"}}},
	}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, 2, pts); err != nil {
		t.Fatal(err)
	}
	dim, got, err := ReadSnapshot(bytes.NewReader(buf.Bytes()))
	if err != nil || dim != 2 || !reflect.DeepEqual(got, pts) {
		t.Fatalf("round trip: dim %d err %v got %+v", dim, err, got)
	}
	b := buf.Bytes()
	for i := 0; i < len(b); i++ {
		c := bytes.Clone(b)
		c[i] ^= 0x40
		if _, _, err := ReadSnapshot(bytes.NewReader(c)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("flip at %d: err %v, want ErrCorrupt", i, err)
		}
		if _, _, err := ReadSnapshot(bytes.NewReader(b[:i])); !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated at %d: err %v, want ErrCorrupt", i, err)
		}
	}
}

func FuzzReadSnapshot(f *testing.F) {
	var buf bytes.Buffer
	_ = WriteSnapshot(&buf, 3, []Point{{ID: "x", Vector: []float32{1, 2, 3}, Payload: Payload{Tenant: "t"}}})
	f.Add(buf.Bytes())
	f.Add([]byte("PIX1\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("PIX1\x01\x00\x00\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dim, pts, err := ReadSnapshot(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteSnapshot(&out, dim, pts); err != nil {
			t.Fatal(err)
		}
		_, pts2, err := ReadSnapshot(&out)
		if err != nil || len(pts2) != len(pts) {
			t.Fatalf("re-read: %v", err)
		}
	})
}
