// Package sentiment scores how a caller feels, per utterance from -1 (angry) to 1
// (pleased), with a rule-and-lexicon model: a word lexicon plus call-center phrases
// ("cancel my account", "third time calling"), negation scope ("not happy"),
// intensifiers ("really", "extremely") and contrast ("fine but ..." weighs the part
// after "but"). A Trend follows a call: an exponentially weighted moving average, the
// least-squares slope of the scores, and a sustained-negative signal for transfer
// rules.
//
// # Concurrency properties
//
// Score is a pure function. A Trend is not safe for concurrent use: one call's
// utterances are added in order by the goroutine that owns the call.
package sentiment
