package g711

import "math/bits"

// μ-law (PCMU), ITU-T G.711 Table 2. Codes are transmitted with all bits
// inverted; after inversion, bit 7 is the sign (1 = negative), bits 6-4
// the segment and bits 3-0 the step within the segment.

const (
	ulawBias = 33   // G.711 μ-law bias in 14-bit units (0x84 >> 2)
	ulawClip = 8159 // largest 14-bit magnitude G.711 μ-law can code
)

// ulawEncodeTable maps the 16-bit input rounded to 14 bits, offset to
// start at zero, to its code: index (s + 32768 + 2) >> 2 for s in
// [-32768, 32767] covers 0..16384, where 16384 is the saturated top.
var ulawEncodeTable = buildULawEncodeTable()

// ulawDecodeTable maps each code to its 16-bit reconstruction value.
var ulawDecodeTable = buildULawDecodeTable()

// LinearToULaw returns the μ-law code for one 16-bit sample.
func LinearToULaw(s int16) byte {
	return ulawEncodeTable[(uint32(uint16(s)^0x8000)+2)>>2]
}

// ULawToLinear returns the 16-bit linear value of one μ-law code.
func ULawToLinear(u byte) int16 {
	return ulawDecodeTable[u]
}

// EncodeULaw encodes n = min(len(dst), len(src)) samples of src into dst as
// μ-law and returns n.
func EncodeULaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, s := range src {
		dst[i] = ulawEncodeTable[(uint32(uint16(s)^0x8000)+2)>>2]
	}
	return n
}

// DecodeULaw decodes n = min(len(dst), len(src)) μ-law codes of src into dst
// and returns n.
func DecodeULaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, u := range src {
		dst[i] = ulawDecodeTable[u]
	}
	return n
}

// ulaw14 quantizes one 14-bit two's complement sample (-8192..8191) per
// G.711 Table 2: the magnitude is biased by 33, the segment is the
// position of its leading one and the step the four bits below it.
func ulaw14(x int) byte {
	mask := byte(0xFF)
	if x < 0 {
		x = -x
		mask = 0x7F
	}
	x = min(x, ulawClip) + ulawBias // 33..8192
	seg := bits.Len(uint(x)) - 6    // 0..8
	if seg > 7 {
		return 0x7F ^ mask
	}
	return byte(seg<<4|(x>>(seg+1))&0x0F) ^ mask
}

func buildULawEncodeTable() *[16385]byte {
	var t [16385]byte
	for i := range t {
		t[i] = ulaw14(min(i-8192, 8191))
	}
	return &t
}

// ulawExpand returns the 16-bit reconstruction value of code u (G.711
// Table 2 decoder output, scaled by 4).
func ulawExpand(u byte) int16 {
	u = ^u
	t := (int(u&0x0F)<<3 + 0x84) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

func buildULawDecodeTable() *[256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = ulawExpand(byte(i))
	}
	return &t
}
