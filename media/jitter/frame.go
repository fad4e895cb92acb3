package jitter

import "fmt"

// Status says what Pop produced for one playout interval.
type Status int

const (
	// Empty means there is nothing to play: the stream has not started,
	// it is between talkspurts, the buffer ran dry, or it is inserting a
	// frame to grow its delay. Play silence, or conceal if audio was
	// playing (concealment fades out by itself).
	Empty Status = iota
	// Packet means a payload was written to the output buffer.
	Packet
	// Lost means the packet due now never arrived: conceal one frame.
	Lost
)

// String returns the status name.
func (s Status) String() string {
	switch s {
	case Empty:
		return "empty"
	case Packet:
		return "packet"
	case Lost:
		return "lost"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Frame is the result of one Pop.
type Frame struct {
	Status Status
	// N is the number of payload bytes written, for a Packet.
	N int
	// Seq and TS are the RTP sequence number and timestamp of the packet
	// played (Packet) or missing (Lost; TS is then inferred from the
	// previous frame).
	Seq uint16
	TS  uint32
}
