//go:build race

package handoff_test

// raceEnabled: under the race detector flite, PocketSphinx and the RTP
// pacing run several times slower and the whisper reaches the agent
// distorted, so fewer of its words are asked to be recognised.
const raceEnabled = true
