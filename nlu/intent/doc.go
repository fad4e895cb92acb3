// Package intent classifies a caller's utterance into one of a script's intents.
//
// A Classifier is trained at load time from the script's example utterances; it needs
// no downloaded weights. Utterances become TF-IDF vectors of stemmed word unigrams and
// bigrams plus character 3- to 5-grams, and a multinomial logistic regression is
// trained on them by stochastic gradient descent (milliseconds for a script's few
// hundred examples, seconds for ten thousand). Confidence is calibrated by temperature
// scaling fitted on cross-validated predictions over the training examples, and an
// out-of-scope threshold is fitted on the same held-out predictions: the training data
// only. Examples labelled "oos" (OutOfScope) are learned as a class of their own.
//
// When an Embedder (for example an OpenAI-compatible embeddings endpoint) is given,
// its vectors are appended to the sparse features.
//
// # Concurrency properties
//
// A trained Classifier is immutable: Classify may be called from any number of
// goroutines at once. Train does not retain the examples slice.
package intent
