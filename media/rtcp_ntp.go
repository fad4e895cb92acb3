package media

import "time"

// ntpEpochOffset is the number of seconds from the NTP epoch (1900-01-01)
// to the Unix epoch (RFC 5905 section 6).
const ntpEpochOffset = 2208988800

// ntpTime returns t as a 64-bit NTP timestamp: seconds since 1900 in the
// high 32 bits, the fraction of a second in the low 32 (RFC 3550 section 4).
func ntpTime(t time.Time) uint64 {
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := (uint64(t.Nanosecond()) << 32) / uint64(time.Second)
	return sec<<32 | frac
}

// ntpMiddle returns the middle 32 bits of an NTP timestamp, the form used
// by the LSR field of report blocks (RFC 3550 section 6.4.1).
func ntpMiddle(ntp uint64) uint32 { return uint32(ntp >> 16) }

// durationToNTPShort converts d to units of 1/65536 seconds, the unit of
// DLSR (RFC 3550 section 6.4.1), clamped to 0..2^32-1.
func durationToNTPShort(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	ns := d.Nanoseconds()
	v := (ns / int64(time.Second)) << 16
	v += ((ns % int64(time.Second)) << 16) / int64(time.Second)
	return uint32(min(v, 1<<32-1))
}

// ntpShortToDuration converts v in units of 1/65536 seconds to a duration.
func ntpShortToDuration(v uint32) time.Duration {
	return time.Duration((int64(v) * int64(time.Second)) >> 16)
}
