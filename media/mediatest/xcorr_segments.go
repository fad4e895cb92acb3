package mediatest

import (
	"fmt"
	"math"
	"time"
)

// SegmentMatch is how much of a reference a recording holds, segment by
// segment (CorrelateSegments).
type SegmentMatch struct {
	Segments int     // voiced segments of the reference compared
	Matched  int     // of which the recording holds a copy (Peak >= threshold)
	Fraction float64 // Matched / Segments
	Global   Match   // the whole reference against the recording
}

func (m SegmentMatch) String() string {
	return fmt.Sprintf("%d of %d segments (%.2f); whole: %v", m.Matched, m.Segments, m.Fraction, m.Global)
}

// CorrelateSegments finds the reference in the recording as Correlate
// does, then checks it piece by piece: each voiced seg-long segment of
// the reference is searched for within ±slack of where the whole was
// found, and counts as matched when its correlation reaches threshold.
// Unlike one global correlation it is not broken by a sender that drops
// or repeats a frame now and then (the rest of the audio shifts by 20 ms),
// while audio that is really damaged (noise, wrong codec, a corrupted
// decoder) still fails segment after segment. Segments quieter than a
// tenth of the reference's RMS are skipped.
func CorrelateSegments(ref []int16, refRate int, rec []int16, recRate int, maxLag, seg, slack time.Duration, threshold float64) (SegmentMatch, error) {
	g, err := Correlate(ref, refRate, rec, recRate, maxLag)
	if err != nil {
		return SegmentMatch{}, err
	}
	out := SegmentMatch{Global: g}
	n := int(seg.Seconds() * float64(refRate))
	if n <= 0 {
		return out, fmt.Errorf("correlate segments: segment %v too short", seg)
	}
	loud := rmsOf(ref) / 10
	for start := 0; start+n <= len(ref); start += n {
		piece := ref[start : start+n]
		if rmsOf(piece) < loud {
			continue
		}
		// Where the piece should be in the recording, ± slack.
		at := time.Duration(start)*time.Second/time.Duration(refRate) + g.Lag
		from := max(0, int((at-slack).Seconds()*float64(recRate)))
		to := min(len(rec), int((at+seg+slack).Seconds()*float64(recRate)))
		out.Segments++
		if to-from < n*recRate/refRate/2 {
			continue // the recording lacks this part
		}
		m, err := Correlate(piece, refRate, rec[from:to], recRate, 2*slack+seg)
		if err == nil && m.Peak >= threshold {
			out.Matched++
		}
	}
	if out.Segments > 0 {
		out.Fraction = float64(out.Matched) / float64(out.Segments)
	}
	return out, nil
}

func rmsOf(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}
