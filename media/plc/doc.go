// Package plc conceals lost frames of PCM audio for codecs that cannot do it
// themselves (G.711, G.722, L16), in the spirit of ITU-T G.711 Appendix I.
//
// A Concealer watches every decoded frame (Good) and keeps a short history
// of what was played. When a frame is lost (Conceal) it estimates the pitch
// period from the history by normalized cross-correlation, then synthesizes
// the gap by repeating the last pitch period, so voiced speech continues
// with its own waveform instead of a hole. As in Appendix I, it repeats one
// period for the first 10 ms, widens the repeated block to two and then
// three periods at 10 ms and 20 ms (cross-fading a quarter period at each
// change) so that long gaps do not buzz, attenuates linearly by 20% per
// 10 ms after the first 10 ms, and is silent after 60 ms. The first good
// frame after a loss is merged with the continued synthesis by an
// overlap-add of 4 ms, plus 4 ms for every further 10 ms lost, up to 10 ms.
//
// Unlike Appendix I, which delays all output by 3.75 ms so that it can
// overlap-add into samples not yet played, a Concealer adds no delay: the
// repeated block is corrected at its start by the offset between the last
// played sample and the sample one block earlier, fading out over a quarter
// period, which joins the synthesis to the played signal (and the block to
// itself on every repetition) without a step.
//
// # Concurrency properties
//
// A Concealer holds one stream's state and must be used by one goroutine at
// a time, normally the one that decodes the stream. Neither method retains
// the slices it is given. Neither allocates.
package plc
