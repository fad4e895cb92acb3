package wav

// G.711 expansion tables (ITU-T G.711 (11/88), Tables 1a/1b for A-law and
// 2a/2b for µ-law), built once; the arithmetic follows the reference
// decoder in ITU-T G.191 (g711.c).
var (
	alawToLinear = buildTable(alawExpand)
	ulawToLinear = buildTable(ulawExpand)
)

func buildTable(expand func(byte) int16) *[256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = expand(byte(i))
	}
	return &t
}

// alawExpand decodes one A-law byte; even bits are inverted on the line
// (XOR 0x55) and bit 7 set means positive.
func alawExpand(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0f)<<4 + 8
	if seg := int(a&0x70) >> 4; seg > 0 {
		t = (t + 0x100) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// ulawExpand decodes one µ-law byte; all bits are inverted on the line and
// bit 7 clear means negative after inversion.
func ulawExpand(u byte) int16 {
	u = ^u
	t := (int(u&0x0f)<<3 + 0x84) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}
