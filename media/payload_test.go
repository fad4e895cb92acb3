package media

import (
	"errors"
	"testing"
	"time"
)

func TestNewCodec(t *testing.T) {
	tests := []struct {
		name               string
		pt                 uint8
		enc                string
		clock, channels    int
		want               Codec
		wantErr            error
		frameTicks, frameN int // for 20 ms
	}{
		{name: "PCMU", pt: 0, enc: "PCMU", clock: 8000, want: PCMU(), frameTicks: 160, frameN: 160},
		{name: "pcmu lower case", pt: 0, enc: "pcmu", clock: 8000, channels: 1, want: PCMU(), frameTicks: 160, frameN: 160},
		{name: "PCMA", pt: 8, enc: "PCMA", clock: 8000, want: PCMA(), frameTicks: 160, frameN: 160},
		{name: "G722 clock 8000 audio 16000", pt: 9, enc: "G722", clock: 8000, want: G722(), frameTicks: 160, frameN: 320},
		{name: "L16 8k", pt: 96, enc: "L16", clock: 8000,
			want: Codec{Name: "L16", PayloadType: 96, ClockRate: 8000, SampleRate: 8000, Channels: 1}, frameTicks: 160, frameN: 160},
		{name: "L16 16k", pt: 97, enc: "l16", clock: 16000,
			want: Codec{Name: "L16", PayloadType: 97, ClockRate: 16000, SampleRate: 16000, Channels: 1}, frameTicks: 320, frameN: 320},
		{name: "opus", pt: 111, enc: "opus", clock: 48000, channels: 2,
			want: Codec{Name: "opus", PayloadType: 111, ClockRate: 48000, SampleRate: 48000, Channels: 2}, frameTicks: 960, frameN: 960},
		{name: "OPUS no channels", pt: 111, enc: "OPUS", clock: 48000,
			want: Codec{Name: "opus", PayloadType: 111, ClockRate: 48000, SampleRate: 48000, Channels: 2}, frameTicks: 960, frameN: 960},
		{name: "telephone-event 8k", pt: 101, enc: "telephone-event", clock: 8000,
			want: Codec{Name: "telephone-event", PayloadType: 101, ClockRate: 8000, SampleRate: 8000, Channels: 1}, frameTicks: 160, frameN: 160},
		{name: "telephone-event 48k", pt: 126, enc: "TELEPHONE-EVENT", clock: 48000,
			want: Codec{Name: "telephone-event", PayloadType: 126, ClockRate: 48000, SampleRate: 48000, Channels: 1}, frameTicks: 960, frameN: 960},
		{name: "G729 unsupported", pt: 18, enc: "G729", clock: 8000, wantErr: ErrUnknownCodec},
		{name: "PCMU at 16k", pt: 0, enc: "PCMU", clock: 16000, wantErr: ErrUnknownCodec},
		{name: "PCMU stereo", pt: 0, enc: "PCMU", clock: 8000, channels: 2, wantErr: ErrUnknownCodec},
		{name: "opus mono", pt: 111, enc: "opus", clock: 48000, channels: 1, wantErr: ErrUnknownCodec},
		{name: "opus at 16k clock", pt: 111, enc: "opus", clock: 16000, wantErr: ErrUnknownCodec},
		{name: "L16 44.1k", pt: 96, enc: "L16", clock: 44100, wantErr: ErrUnknownCodec},
		{name: "telephone-event 44.1k", pt: 101, enc: "telephone-event", clock: 44100, wantErr: ErrUnknownCodec},
		{name: "pt 128", pt: 128, enc: "PCMU", clock: 8000, wantErr: ErrInvalidPayloadType},
		{name: "pt reserved 72", pt: 72, enc: "opus", clock: 48000, wantErr: ErrInvalidPayloadType},
		{name: "static pt 0 as opus", pt: 0, enc: "opus", clock: 48000, wantErr: ErrInvalidPayloadType},
		{name: "static pt 3 as PCMU", pt: 3, enc: "PCMU", clock: 8000, wantErr: ErrInvalidPayloadType},
		{name: "dynamic PCMU", pt: 100, enc: "PCMU", clock: 8000,
			want: Codec{Name: "PCMU", PayloadType: 100, ClockRate: 8000, SampleRate: 8000, Channels: 1}, frameTicks: 160, frameN: 160},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewCodec(tc.pt, tc.enc, tc.clock, tc.channels)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
			if n := got.FrameTicks(20 * time.Millisecond); n != uint32(tc.frameTicks) {
				t.Errorf("FrameTicks(20ms) = %d, want %d", n, tc.frameTicks)
			}
			if n := got.FrameSamples(20 * time.Millisecond); n != tc.frameN {
				t.Errorf("FrameSamples(20ms) = %d, want %d", n, tc.frameN)
			}
		})
	}
}

func TestCodecString(t *testing.T) {
	opus, err := NewCodec(111, "opus", 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    Codec
		want string
	}{{PCMU(), "0 PCMU/8000"}, {G722(), "9 G722/8000"}, {opus, "111 opus/48000/2"}} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestOpusSampleRate(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000, 12000, 44100} {
		c := Codec{Name: "opus", PayloadType: 111, ClockRate: 48000, SampleRate: rate, Channels: 2}
		_, err := NewPayloadMap(c)
		if valid := rate != 12000 && rate != 44100; valid != (err == nil) {
			t.Errorf("opus decoded at %d Hz: err %v", rate, err)
		}
	}
}

func testPayloads(t testing.TB) *PayloadMap {
	t.Helper()
	event, err := NewCodec(101, NameTelephoneEvent, 8000, 0)
	if err != nil {
		t.Fatal(err)
	}
	opus, err := NewCodec(111, NameOpus, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewPayloadMap(PCMU(), PCMA(), event, opus)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPayloadMap(t *testing.T) {
	m := testPayloads(t)
	if m.Len() != 4 {
		t.Fatalf("Len = %d, want 4", m.Len())
	}
	for pt := range 256 {
		c := m.Lookup(uint8(pt))
		mapped := pt == 0 || pt == 8 || pt == 101 || pt == 111
		if (c != nil) != mapped || (c != nil && c.PayloadType != uint8(pt)) {
			t.Errorf("Lookup(%d) = %v", pt, c)
		}
		if m.isEvent(uint8(pt)) != (pt == 101) {
			t.Errorf("isEvent(%d) = %t", pt, m.isEvent(uint8(pt)))
		}
	}
	if c := m.Find("TELEPHONE-EVENT", 8000); c == nil || c.PayloadType != 101 {
		t.Errorf("Find(telephone-event/8000) = %v", c)
	}
	if c := m.Find("telephone-event", 48000); c != nil {
		t.Errorf("Find(telephone-event/48000) = %v, want nil", c)
	}
	if got, want := m.String(), "0 PCMU/8000, 8 PCMA/8000, 101 telephone-event/8000, 111 opus/48000/2"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	cs := m.Codecs()
	cs[0].Name = "changed"
	if m.Lookup(0).Name != NamePCMU {
		t.Errorf("Codecs() exposed the map's storage")
	}
	var nilMap *PayloadMap
	if nilMap.Lookup(0) != nil || nilMap.Len() != 0 || nilMap.Find("PCMU", 0) != nil {
		t.Errorf("nil map is not empty")
	}
}

func TestPayloadMapErrors(t *testing.T) {
	tests := []struct {
		name   string
		codecs []Codec
		want   error
	}{
		{"duplicate pt", []Codec{PCMU(), {Name: "PCMA", PayloadType: 0, ClockRate: 8000, SampleRate: 8000, Channels: 1}}, ErrInvalidPayloadType},
		{"unknown codec", []Codec{{Name: "GSM", PayloadType: 3, ClockRate: 8000, SampleRate: 8000, Channels: 1}}, ErrUnknownCodec},
		{"bad sample rate", []Codec{{Name: "PCMU", ClockRate: 8000, SampleRate: 16000, Channels: 1}}, ErrUnknownCodec},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewPayloadMap(tc.codecs...); !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPayloadMapLookupAllocs(t *testing.T) {
	m := testPayloads(t)
	var sink *Codec
	allocs := testing.AllocsPerRun(1000, func() {
		sink = m.Lookup(111)
	})
	if allocs != 0 || sink == nil {
		t.Errorf("Lookup: %v allocs, want 0", allocs)
	}
}
