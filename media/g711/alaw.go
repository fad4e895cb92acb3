package g711

import "math/bits"

// A-law (PCMA), ITU-T G.711 Table 1. Codes are transmitted with the even
// bits inverted (XOR 0x55); after that, bit 7 is the sign (1 = positive),
// bits 6-4 the segment and bits 3-0 the step within the segment.

// alawEncodeTable maps the 16-bit input rounded to 13 bits, offset to
// start at zero, to its code: index (s + 32768 + 4) >> 3 for s in
// [-32768, 32767] covers 0..8192, where 8192 is the saturated top.
var alawEncodeTable = buildALawEncodeTable()

// alawDecodeTable maps each code to its 16-bit reconstruction value.
var alawDecodeTable = buildALawDecodeTable()

// LinearToALaw returns the A-law code for one 16-bit sample.
func LinearToALaw(s int16) byte {
	return alawEncodeTable[(uint32(uint16(s)^0x8000)+4)>>3]
}

// ALawToLinear returns the 16-bit linear value of one A-law code.
func ALawToLinear(a byte) int16 {
	return alawDecodeTable[a]
}

// EncodeALaw encodes n = min(len(dst), len(src)) samples of src into dst as
// A-law and returns n.
func EncodeALaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, s := range src {
		dst[i] = alawEncodeTable[(uint32(uint16(s)^0x8000)+4)>>3]
	}
	return n
}

// DecodeALaw decodes n = min(len(dst), len(src)) A-law codes of src into dst
// and returns n.
func DecodeALaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, a := range src {
		dst[i] = alawDecodeTable[a]
	}
	return n
}

// alaw13 quantizes one 13-bit two's complement sample (-4096..4095) per
// G.711 Table 1. Negative samples use the one's complement magnitude
// -x-1, so x and -x-1 share a magnitude code.
func alaw13(x int) byte {
	mask := byte(0xD5) // positive: sign bit set, then even-bit inversion
	if x < 0 {
		mask = 0x55
		x = -x - 1
	}
	seg := max(bits.Len(uint(x))-5, 0) // 0..7 for x < 4096
	step := x >> 1
	if seg > 1 {
		step = x >> seg
	}
	return byte(seg<<4|step&0x0F) ^ mask
}

func buildALawEncodeTable() *[8193]byte {
	var t [8193]byte
	for i := range t {
		t[i] = alaw13(min(i-4096, 4095))
	}
	return &t
}

// alawExpand returns the 16-bit reconstruction value of code a (G.711
// Table 1 decoder output, scaled by 8).
func alawExpand(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0F)<<4 + 8
	if seg := int(a&0x70) >> 4; seg > 0 {
		t = (t + 0x100) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

func buildALawDecodeTable() *[256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = alawExpand(byte(i))
	}
	return &t
}
