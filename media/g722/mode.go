package g722

import "fmt"

// Mode is a G.722 mode of operation: how many bits of each octet carry
// audio. The encoder always produces mode 1 octets; a network
// that carries auxiliary data overwrites the lowest bits, and the decoder
// must then be told the mode so that it ignores them.
type Mode uint8

const (
	// Mode1 is 64 kbit/s audio: 6 bits of lower sub-band per octet.
	Mode1 Mode = 1
	// Mode2 is 56 kbit/s audio plus an 8 kbit/s data channel: 5 bits.
	Mode2 Mode = 2
	// Mode3 is 48 kbit/s audio plus a 16 kbit/s data channel: 4 bits.
	Mode3 Mode = 3
)

// BitRate returns the audio bit rate of the mode in bit/s, or 0 for an
// unknown mode.
func (m Mode) BitRate() int {
	switch m {
	case Mode1:
		return 64000
	case Mode2:
		return 56000
	case Mode3:
		return 48000
	}
	return 0
}

// String returns "mode 1 (64 kbit/s)" and so on.
func (m Mode) String() string {
	if r := m.BitRate(); r != 0 {
		return fmt.Sprintf("mode %d (%d kbit/s)", uint8(m), r/1000)
	}
	return fmt.Sprintf("mode %d (unknown)", uint8(m))
}
