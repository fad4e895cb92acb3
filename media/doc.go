// Package media owns Parley's audio plane: RTP sessions over UDP (pion/rtp,
// pion/rtcp), the codec registry and payload-type mapping, and the receive
// and send pipelines that tie together the codec, jitter buffer, resampling,
// voice activity detection, mixing, recording and playback packages below it
// (media/g711, media/g722, media/l16, media/opus, media/dtmf, media/jitter,
// media/plc, media/resample, media/vad, media/mix, media/wav, media/ogg,
// media/record, media/play).
//
// media imports no other Parley package; telephony and mrcp build on it.
//
// # Audio representation
//
// Audio inside Parley is signed 16-bit linear PCM, mono, in []int16 slices,
// at the sample rate of the codec that produced it (8000, 16000 or 48000 Hz).
// A frame is 20 ms unless a session negotiates another ptime.
//
// # Concurrency properties
//
// Encoders and decoders hold per-stream state and are used by one goroutine
// at a time. Each RTP session has one reader goroutine that owns its socket
// and read buffer; payload slices handed to callbacks alias that buffer and
// are valid only until the callback returns.
package media
